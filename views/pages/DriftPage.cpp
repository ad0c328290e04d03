#include "DriftPage.h"

#include "PayloadDiffView.h"
#include "StatusStyle.h"
#include "Tables.h"
#include "db/DbWorker.h"
#include "drift/DriftJob.h"
#include "runs/RunStatus.h"

#include <QDateTime>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace atlas::views {

namespace {
struct Lists
{
    catalog::Rows<catalog::Baseline> baselines;
    catalog::Rows<catalog::DriftRun> runs;
};

QWidget* titled(const QString& title, QWidget* content, QWidget* extra = nullptr)
{
    auto* box = new QWidget;
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(0, 4, 0, 0);
    auto* head = new QHBoxLayout;
    auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(title), box);
    head->addWidget(label, 1);
    if (extra)
        head->addWidget(extra);
    v->addLayout(head);
    v->addWidget(content, 1);
    return box;
}

QString changeLabel(const QString& change)
{
    if (change == QLatin1String("added"))
        return QStringLiteral("Added");
    if (change == QLatin1String("removed"))
        return QStringLiteral("Removed");
    return QStringLiteral("Modified");
}
} // namespace

DriftPage::DriftPage(PageContext context, QWidget* parent)
    : ProducerPage(QStringLiteral("driftPage"), QStringLiteral("Drift"), context, parent)
    , m_capture(new QPushButton(style()->standardIcon(QStyle::SP_DialogSaveButton), QStringLiteral("Capture baseline…"), this))
    , m_generate(new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), QStringLiteral("Generate drift"), this))
    , m_baselines(makeListTable(
          {QStringLiteral("Baseline"), QStringLiteral("Policies"), QStringLiteral("Captured by"), QStringLiteral("Captured")},
          this))
    , m_runs(makeListTable({QStringLiteral("Run"), QStringLiteral("Baseline"), QStringLiteral("Status"),
                            QStringLiteral("Findings"), QStringLiteral("Started by"), QStringLiteral("Started")},
                           this))
    , m_findingsTitle(new QLabel(this))
    , m_findingsSearch(new QLineEdit(this))
    , m_findingsTable(makeListTable({QStringLiteral("Change"), QStringLiteral("Policy"), QStringLiteral("Type"),
                                     QStringLiteral("Changed paths"), QStringLiteral("Note")},
                                    this))
    , m_diff(new PayloadDiffView(this))
{
    m_capture->setObjectName(QStringLiteral("captureBaseline"));
    m_capture->setToolTip(QStringLiteral("Save the current inventory as a new baseline"));
    m_generate->setObjectName(QStringLiteral("generateDrift"));
    m_generate->setToolTip(QStringLiteral("Compare the current inventory with the selected baseline"));
    addStartControl(m_capture);
    addStartControl(m_generate);
    addCancelControl(drift::DriftJob::kResource, drift::DriftJob::kAction);
    m_baselines->setObjectName(QStringLiteral("baselineTable"));
    m_runs->setObjectName(QStringLiteral("driftRunTable"));
    m_findingsTable->setObjectName(QStringLiteral("findingsTable"));
    m_findingsTable->setColumnWidth(0, 100);
    m_findingsTable->setColumnWidth(1, 220);
    m_findingsTable->setColumnWidth(2, 140);
    m_findingsSearch->setPlaceholderText(QStringLiteral("Filter findings"));
    m_findingsSearch->setClearButtonEnabled(true);
    m_findingsSearch->setMaximumWidth(260);
    m_findingsTitle->setWordWrap(true);
    layOut();
    m_findingsTitle->setText(QStringLiteral("<b>Findings</b> — select a drift run"));
    setSubtitle(QStringLiteral("Compare the inventory with a baseline."));
    connectControls();
    updateGenerate();
}

// Baselines beside drift runs on top; the findings and the diff of the selected one below.
void DriftPage::layOut()
{
    auto* lists = new QSplitter(Qt::Horizontal, this);
    lists->addWidget(titled(QStringLiteral("Baselines"), m_baselines));
    lists->addWidget(titled(QStringLiteral("Drift runs"), m_runs));
    lists->setStretchFactor(0, 2);
    lists->setStretchFactor(1, 3);
    auto* findings = new QSplitter(Qt::Horizontal, this);
    findings->addWidget(m_findingsTable);
    findings->addWidget(m_diff);
    findings->setStretchFactor(0, 4);
    findings->setStretchFactor(1, 5);
    findings->setSizes({440, 560});
    auto* findingsBox = new QWidget(this);
    auto* fv = new QVBoxLayout(findingsBox);
    fv->setContentsMargins(0, 4, 0, 0);
    auto* fh = new QHBoxLayout;
    fh->addWidget(m_findingsTitle, 1);
    fh->addWidget(m_findingsSearch);
    fv->addLayout(fh);
    fv->addWidget(findings, 1);
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(lists);
    vertical->addWidget(findingsBox);
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 5);
    body()->addWidget(vertical, 1);
}

void DriftPage::connectControls()
{
    connect(m_capture, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(
            this, QStringLiteral("Capture baseline"),
            QStringLiteral("Save the current inventory of %1 as a baseline named:").arg(tenantName()), QLineEdit::Normal,
            QStringLiteral("Baseline %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))), &ok);
        if (ok && !name.trimmed().isEmpty())
            captureBaseline(name.trimmed());
    });
    connect(m_generate, &QPushButton::clicked, this, &DriftPage::generateDrift);
    connect(m_baselines, &QTableWidget::currentCellChanged, this, &DriftPage::updateGenerate);
    connect(m_runs, &QTableWidget::currentCellChanged, this, [this](int row) {
        const QVariant key = currentKey(m_runs);
        if (row >= 0 && key.isValid() && key.toLongLong() != m_run)
            loadFindings(key.toLongLong());
    });
    connect(m_findingsTable, &QTableWidget::currentCellChanged, this, &DriftPage::findingSelected);
    connect(m_findingsSearch, &QLineEdit::textChanged, this, &DriftPage::showFindings);
    connect(this, &ProducerPage::startAnswered, this, [this](const runs::StartOutcome& outcome) {
        if (outcome.runId) {
            m_run = 0;
            loadFindings(outcome.runId);
            reload();
        }
    });
}

void DriftPage::reload()
{
    const QUuid tenant = this->tenant();
    const quint64 generation = ++m_generation;
    reads()->post<Lists>(
        this,
        [tenant](db::Connection& conn) {
            return Lists{catalog::baselines(conn, tenant), catalog::driftRuns(conn, tenant)};
        },
        [this, generation](const Lists& lists) {
            if (generation != m_generation)
                return;
            m_baselineRows = lists.baselines.rows;
            m_runRows = lists.runs.rows;
            QList<QStringList> rows;
            QVariantList keys;
            for (const catalog::Baseline& b : m_baselineRows) {
                rows << QStringList{b.name, QString::number(b.policies), b.createdBy, shortTime(b.createdAt)};
                keys << b.id;
            }
            const bool hadSelection = currentKey(m_baselines).isValid();
            fillTable(m_baselines, rows, keys);
            if (!hadSelection && !rows.isEmpty())
                m_baselines->setCurrentCell(0, 0); // the newest
            rows.clear();
            keys.clear();
            m_runs->blockSignals(true);
            for (const catalog::DriftRun& r : m_runRows) {
                rows << QStringList{QStringLiteral("#%1").arg(r.id),
                                    r.baselineName.isEmpty() ? QStringLiteral("#%1").arg(r.baselineId) : r.baselineName,
                                    runs::bucketLabel(r.bucket),
                                    r.findings < 0 ? QStringLiteral("…") : QString::number(r.findings),
                                    r.initiator,
                                    shortTime(r.createdAt)};
                keys << r.id;
            }
            fillTable(m_runs, rows, keys);
            // Rows may be sorted by a header: each finds its run by the key it carries.
            for (int row = 0; row < m_runs->rowCount(); ++row) {
                const qint64 id = m_runs->item(row, 0)->data(Qt::UserRole).toLongLong();
                for (const catalog::DriftRun& r : std::as_const(m_runRows)) {
                    if (r.id == id) {
                        m_runs->item(row, 2)->setIcon(StatusStyle::icon(r.bucket));
                        m_runs->item(row, 2)->setForeground(StatusStyle::color(r.bucket));
                    }
                }
            }
            if (!m_run) {
                // Open on the newest finished drift run: what someone coming here wants to see.
                for (const catalog::DriftRun& r : std::as_const(m_runRows))
                    if (runs::hasResults(r.bucket)) {
                        loadFindings(r.id);
                        break;
                    }
            }
            if (m_run)
                selectKey(m_runs, m_run);
            m_runs->blockSignals(false);
            m_runs->resizeColumnsToContents();
            m_baselines->resizeColumnsToContents();
            const QString error = !lists.baselines.error.isEmpty() ? lists.baselines.error : lists.runs.error;
            setSubtitle(error.isEmpty()
                            ? QStringLiteral("%1 and %2 in %3.")
                                  .arg(counted(m_baselineRows.size(), QStringLiteral("baseline"), QStringLiteral("baselines")),
                                       counted(m_runRows.size(), QStringLiteral("drift run"), QStringLiteral("drift runs")),
                                       tenantName())
                            : QStringLiteral("Cannot read drift data: %1").arg(error));
            // The run shown may have finished meanwhile: read its findings again.
            for (const catalog::DriftRun& r : std::as_const(m_runRows))
                if (r.id == m_run && r.findings >= 0 && m_findings.isEmpty())
                    loadFindings(r.id);
            updateGenerate();
            Q_EMIT listsLoaded();
        });
}

void DriftPage::showResult(qint64 runId)
{
    m_run = 0;
    loadFindings(runId);
    selectKey(m_runs, runId);
}

void DriftPage::loadFindings(qint64 runId)
{
    m_run = runId;
    m_findingsTitle->setText(QStringLiteral("<b>Findings of run #%1</b> — loading…").arg(runId));
    m_diff->showMessage(QStringLiteral("Select a finding to compare its two versions."));
    reads()->post<catalog::Rows<catalog::Finding>>(
        this, [runId](db::Connection& conn) { return catalog::findings(conn, runId); },
        [this, runId](const catalog::Rows<catalog::Finding>& result) {
            if (runId != m_run)
                return;
            m_findings = result.rows;
            if (!result.error.isEmpty()) {
                m_findingsTitle->setText(
                    QStringLiteral("<b>Findings of run #%1</b> — cannot load: %2").arg(runId).arg(result.error.toHtmlEscaped()));
                return;
            }
            showFindings();
            Q_EMIT findingsLoaded(runId);
        });
}

void DriftPage::showFindings()
{
    const QString search = m_findingsSearch->text().trimmed();
    QList<QStringList> rows;
    QVariantList keys;
    int added = 0;
    int removed = 0;
    int modified = 0;
    for (int i = 0; i < m_findings.size(); ++i) {
        const catalog::Finding& f = m_findings[i];
        added += f.change == QLatin1String("added");
        removed += f.change == QLatin1String("removed");
        modified += f.change == QLatin1String("modified");
        const QString paths = f.changedPaths.join(QStringLiteral(", "));
        if (!search.isEmpty() && !f.displayName.contains(search, Qt::CaseInsensitive) &&
            !f.externalId.contains(search, Qt::CaseInsensitive) && !paths.contains(search, Qt::CaseInsensitive) &&
            !f.change.contains(search, Qt::CaseInsensitive))
            continue;
        // The latest import before this run could not read some files of this type: the policy
        // may be in one of them.
        QString note;
        if (!f.uncertainBecause.isEmpty()) {
            const QString file = f.uncertainBecause.constFirst().section(QLatin1Char('/'), 1);
            note = file.isEmpty() ? QStringLiteral("Uncertain: a file of this type could not be read")
                : f.uncertainBecause.size() == 1
                ? QStringLiteral("Uncertain: “%1” could not be read").arg(file)
                : QStringLiteral("Uncertain: “%1” and %2 more could not be read").arg(file).arg(f.uncertainBecause.size() - 1);
        }
        rows << QStringList{changeLabel(f.change), f.displayName.isEmpty() ? f.externalId : f.displayName, f.policyType, paths,
                            note};
        keys << i;
    }
    fillTable(m_findingsTable, rows, keys);
    for (int r = 0; r < m_findingsTable->rowCount(); ++r) {
        QTableWidgetItem* item = m_findingsTable->item(r, 0);
        item->setIcon(StatusStyle::changeIcon(m_findings[item->data(Qt::UserRole).toInt()].change));
    }
    runs::Bucket bucket = runs::Bucket::Unknown;
    for (const catalog::DriftRun& r : std::as_const(m_runRows))
        if (r.id == m_run)
            bucket = r.bucket;
    const bool running = runs::isActiveBucket(bucket);
    m_findingsTitle->setText(
        running ? QStringLiteral("<b>Findings of run #%1</b> — the run is still in progress").arg(m_run)
            : bucket == runs::Bucket::Failed && m_findings.isEmpty()
            ? QStringLiteral("<b>Findings of run #%1</b> — the run failed before it recorded findings; its detail in "
                             "Operations says why")
                  .arg(m_run)
            : m_findings.isEmpty()
            ? QStringLiteral("<b>Findings of run #%1</b> — no drift: the inventory matches the baseline").arg(m_run)
            : QStringLiteral("<b>Findings of run #%1</b> — %2 added, %3 removed, %4 modified")
                  .arg(m_run)
                  .arg(added)
                  .arg(removed)
                  .arg(modified));
    if (!rows.isEmpty() && m_findingsTable->currentRow() < 0) {
        // Open on the first modified policy: the one with two versions to compare.
        int first = 0;
        for (int r = 0; r < m_findingsTable->rowCount(); ++r)
            if (m_findings[m_findingsTable->item(r, 0)->data(Qt::UserRole).toInt()].change == QLatin1String("modified")) {
                first = r;
                break;
            }
        m_findingsTable->setCurrentCell(first, 0);
    }
}

void DriftPage::findingSelected()
{
    const QVariant key = currentKey(m_findingsTable);
    if (!key.isValid() || key.toInt() >= m_findings.size())
        return;
    const catalog::Finding finding = m_findings.at(key.toInt());
    const qint64 runId = m_run;
    QString baselineName;
    for (const catalog::DriftRun& r : std::as_const(m_runRows))
        if (r.id == runId)
            baselineName = r.baselineName;
    m_diff->showMessage(QStringLiteral("Loading both versions…"));
    reads()->post<std::pair<catalog::PayloadPair, QString>>(
        this,
        [runId, finding](db::Connection& conn) {
            QString error;
            catalog::PayloadPair pair = catalog::payloads(conn, runId, finding.policyType, finding.externalId, &error);
            return std::pair{pair, error};
        },
        [this, runId, finding, baselineName](const std::pair<catalog::PayloadPair, QString>& loaded) {
            if (runId != m_run)
                return;
            const auto& [pair, error] = loaded;
            if (!error.isEmpty()) {
                m_diff->showMessage(QStringLiteral("Cannot load the payloads: %1").arg(error));
                return;
            }
            const QString left = pair.baseline.isEmpty() ? QStringLiteral("Baseline “%1”: not in the baseline").arg(baselineName)
                                                         : QStringLiteral("Baseline “%1”").arg(baselineName);
            QString right;
            if (pair.currentAsRunSawIt)
                right = pair.currentChangedSinceRun ? QStringLiteral("Inventory as this run saw it (it has changed since)")
                                                    : QStringLiteral("Inventory as this run saw it (unchanged since)");
            else if (pair.current.isEmpty())
                right = QStringLiteral("Inventory: not in the current inventory");
            else
                right = QStringLiteral("Inventory, observed %1%2")
                            .arg(shortTime(pair.currentObserved),
                                 pair.currentChangedSinceRun ? QStringLiteral(" (newer than this run)") : QString());
            m_diff->showPair(left, pair.baseline, right, pair.current);
            Q_EMIT payloadsShown(finding.externalId);
        });
}

void DriftPage::captureBaseline(const QString& name)
{
    const QUuid tenant = this->tenant();
    banner()->showMessage(StartBanner::Tone::Info, QStringLiteral("Capturing baseline “%1”…").arg(name.toHtmlEscaped()));
    starter()->call(
        [tenant, name](db::Connection& conn) {
            db::DbError error;
            const qint64 id = catalog::captureBaseline(conn, tenant, name, &error);
            return id ? QString() : runs::RunQueries::explain(error);
        },
        [this, name](const QString& error) {
            if (error.isEmpty())
                banner()->showMessage(
                    StartBanner::Tone::Info,
                    QStringLiteral("Baseline “%1” captured from the current inventory.").arg(name.toHtmlEscaped()));
            else
                banner()->showMessage(StartBanner::Tone::Error,
                                      QStringLiteral("Could not capture the baseline: %1").arg(error.toHtmlEscaped()));
            m_baselines->setCurrentCell(-1, -1);
            reload();
        },
        this);
}

void DriftPage::generateDrift()
{
    const QVariant key = currentKey(m_baselines);
    if (!key.isValid())
        return;
    const qint64 baselineId = key.toLongLong();
    QString name;
    int policies = 0;
    for (const catalog::Baseline& b : std::as_const(m_baselineRows))
        if (b.id == baselineId) {
            name = b.name;
            policies = b.policies;
        }
    const QUuid tenant = this->tenant();
    startRun(QStringLiteral("Drift generation"),
             QStringLiteral("Compare the current inventory of %1 with baseline “%2” (%3 policies)?")
                 .arg(tenantName(), name)
                 .arg(policies),
             [tenant, baselineId](db::Connection& conn, QString* error) {
                 return drift::DriftJob::request(conn, tenant, baselineId, error);
             });
}

void DriftPage::updateGenerate()
{
    const bool selected = currentKey(m_baselines).isValid();
    m_generate->setEnabled(selected);
    m_generate->setToolTip(selected ? QStringLiteral("Compare the current inventory with the selected baseline")
                                    : QStringLiteral("Capture or select a baseline first"));
}

} // namespace atlas::views
