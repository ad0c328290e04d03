#include "BackupSetsPage.h"

#include "backup/AddPoliciesJob.h"
#include "backup/ExportJob.h"

#include "PolicyPicker.h"
#include "Tables.h"
#include "db/DbWorker.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace atlas::views {

BackupSetsPage::BackupSetsPage(PageContext context, QWidget* parent)
    : ProducerPage(QStringLiteral("backupPage"), QStringLiteral("Backup sets"), context, parent)
    , m_create(new QPushButton(style()->standardIcon(QStyle::SP_FileDialogNewFolder), QStringLiteral("New backup set…"), this))
    , m_add(new QPushButton(style()->standardIcon(QStyle::SP_ArrowRight), QStringLiteral("Add policies…"), this))
    , m_export(new QPushButton(style()->standardIcon(QStyle::SP_DialogSaveButton), QStringLiteral("Export…"), this))
    , m_sets(makeListTable(
          {QStringLiteral("Backup set"), QStringLiteral("Policies"), QStringLiteral("Created by"), QStringLiteral("Created")},
          this))
    , m_itemSearch(new QLineEdit(this))
    , m_items(makeListTable({QStringLiteral("Policy"), QStringLiteral("Type"), QStringLiteral("Policy id"),
                             QStringLiteral("Added by run"), QStringLiteral("Added")},
                            this))
{
    m_create->setObjectName(QStringLiteral("createBackupSet"));
    m_add->setObjectName(QStringLiteral("addPolicies"));
    addStartControl(m_create);
    addStartControl(m_add);
    m_export->setObjectName(QStringLiteral("exportBackupSet"));
    addStartControl(m_export);
    addCancelControl(backup::AddPoliciesJob::kResource, backup::AddPoliciesJob::kAction);
    m_sets->setObjectName(QStringLiteral("backupSetTable"));
    m_items->setObjectName(QStringLiteral("backupItemTable"));
    m_items->setColumnWidth(0, 320);
    m_items->setColumnWidth(1, 190);
    m_items->setColumnWidth(2, 290);
    m_itemSearch->setPlaceholderText(QStringLiteral("Filter policies"));
    m_itemSearch->setClearButtonEnabled(true);

    auto* left = new QWidget(this);
    auto* lv = new QVBoxLayout(left);
    lv->setContentsMargins(0, 4, 0, 0);
    lv->addWidget(new QLabel(QStringLiteral("<b>Sets</b>"), left));
    lv->addWidget(m_sets, 1);
    auto* right = new QWidget(this);
    auto* rv = new QVBoxLayout(right);
    rv->setContentsMargins(0, 4, 0, 0);
    auto* rh = new QHBoxLayout;
    rh->addWidget(new QLabel(QStringLiteral("<b>Policies in the set</b>"), right), 1);
    rh->addWidget(m_itemSearch);
    rv->addLayout(rh);
    rv->addWidget(m_items, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    body()->addWidget(split, 1);
    setSubtitle(QStringLiteral("Snapshots of policies, kept as they were when added."));

    connect(m_create, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, QStringLiteral("New backup set"),
                                                   QStringLiteral("Name of the new backup set in %1:").arg(tenantName()),
                                                   QLineEdit::Normal, QString(), &ok);
        if (ok && !name.trimmed().isEmpty())
            createSet(name.trimmed());
    });
    connect(m_add, &QPushButton::clicked, this, qOverload<>(&BackupSetsPage::addPolicies));
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString parent = QFileDialog::getExistingDirectory(
            this, QStringLiteral("Export “%1” into a folder").arg(setName(shownSet())), QDir::homePath());
        if (parent.isEmpty())
            return;
        // A folder of its own inside the chosen one, so that nothing already there is mixed in.
        QString name = backup::ExportJob::safeName(setName(shownSet()), QStringLiteral("Backup set"));
        QString folder = QDir(parent).filePath(name);
        for (int n = 2; QFileInfo::exists(folder); ++n)
            folder = QDir(parent).filePath(QStringLiteral("%1 (%2)").arg(name).arg(n));
        exportTo(folder);
    });
    connect(m_sets, &QTableWidget::currentCellChanged, this, [this] {
        updateAdd();
        loadItems();
    });
    connect(m_itemSearch, &QLineEdit::textChanged, this, [this](const QString& text) {
        for (int r = 0; r < m_items->rowCount(); ++r) {
            bool match = text.isEmpty();
            for (int c = 0; c < 3 && !match; ++c)
                match = m_items->item(r, c) && m_items->item(r, c)->text().contains(text, Qt::CaseInsensitive);
            m_items->setRowHidden(r, !match);
        }
    });
    updateAdd();
}

void BackupSetsPage::reload()
{
    const QUuid tenant = this->tenant();
    const quint64 generation = ++m_generation;
    reads()->post<catalog::Rows<catalog::BackupSet>>(
        this, [tenant](db::Connection& conn) { return catalog::backupSets(conn, tenant); },
        [this, generation](const catalog::Rows<catalog::BackupSet>& result) {
            if (generation != m_generation)
                return;
            m_setRows = result.rows;
            QList<QStringList> rows;
            QVariantList keys;
            for (const catalog::BackupSet& s : m_setRows) {
                rows << QStringList{s.name, QString::number(s.policies), s.createdBy, shortTime(s.createdAt)};
                keys << s.id;
            }
            m_sets->blockSignals(true);
            fillTable(m_sets, rows, keys);
            if (m_wanted)
                selectKey(m_sets, std::exchange(m_wanted, 0));
            else if (m_sets->currentRow() < 0 && !rows.isEmpty())
                m_sets->setCurrentCell(0, 0);
            m_sets->blockSignals(false);
            m_sets->resizeColumnsToContents();
            setSubtitle(result.error.isEmpty()
                            ? QStringLiteral("%1 in %2. Snapshots of policies, kept as they were when added.")
                                  .arg(counted(m_setRows.size(), QStringLiteral("backup set"), QStringLiteral("backup sets")),
                                       tenantName())
                            : QStringLiteral("Cannot read the backup sets: %1").arg(result.error));
            updateAdd();
            loadItems();
            Q_EMIT setsLoaded();
        });
}

void BackupSetsPage::showResult(qint64 setId)
{
    if (!selectKey(m_sets, setId)) {
        m_wanted = setId;
        refreshSoon();
    }
}

qint64 BackupSetsPage::shownSet() const
{
    return currentKey(m_sets).toLongLong();
}

QString BackupSetsPage::setName(qint64 id) const
{
    for (const catalog::BackupSet& s : m_setRows)
        if (s.id == id)
            return s.name;
    return QStringLiteral("#%1").arg(id);
}

void BackupSetsPage::loadItems()
{
    const qint64 setId = shownSet();
    const QUuid tenant = this->tenant();
    if (!setId) {
        m_items->setRowCount(0);
        return;
    }
    reads()->post<catalog::Rows<catalog::BackupSetItem>>(
        this, [tenant, setId](db::Connection& conn) { return catalog::backupSetItems(conn, tenant, setId); },
        [this, setId](const catalog::Rows<catalog::BackupSetItem>& result) {
            if (setId != shownSet())
                return;
            QList<QStringList> rows;
            for (const catalog::BackupSetItem& i : result.rows)
                rows << QStringList{i.displayName, i.policyType, i.externalId,
                                    i.addedByRun ? QStringLiteral("#%1").arg(i.addedByRun) : QString(), shortTime(i.addedAt)};
            fillTable(m_items, rows);
            if (!m_itemSearch->text().isEmpty())
                Q_EMIT m_itemSearch->textChanged(m_itemSearch->text());
            Q_EMIT itemsLoaded(setId);
        });
}

void BackupSetsPage::createSet(const QString& name)
{
    const QUuid tenant = this->tenant();
    starter()->call(
        [tenant, name](db::Connection& conn) {
            db::DbError error;
            const qint64 id = catalog::createBackupSet(conn, tenant, name, &error);
            return id ? QString::number(id) : QStringLiteral("!") + runs::RunQueries::explain(error);
        },
        [this, name](const QString& answer) {
            if (answer.startsWith(QLatin1Char('!'))) {
                banner()->showMessage(StartBanner::Tone::Error,
                                      QStringLiteral("Could not create the backup set: %1").arg(answer.mid(1).toHtmlEscaped()));
                return;
            }
            banner()->showMessage(StartBanner::Tone::Info,
                                  QStringLiteral("Backup set “%1” created. Add policies to it next.").arg(name.toHtmlEscaped()));
            m_wanted = answer.toLongLong();
            reload();
        },
        this);
}

void BackupSetsPage::addPolicies()
{
    const qint64 setId = shownSet();
    if (!setId)
        return;
    auto* picker = new PolicyPicker(setName(setId), this);
    picker->setAttribute(Qt::WA_DeleteOnClose);
    const QUuid tenant = this->tenant();
    reads()->post<catalog::Rows<catalog::Policy>>(
        picker, [tenant](db::Connection& conn) { return catalog::currentPolicies(conn, tenant); },
        [picker](const catalog::Rows<catalog::Policy>& policies) { picker->setPolicies(policies); });
    connect(picker, &QDialog::accepted, this, [this, picker, setId] {
        if (shownSet() == setId)
            startAdd(picker->selectedIds(), false); // the picker's "Add N policies" was the confirmation
    });
    picker->open();
    Q_EMIT pickerOpened(picker);
}

void BackupSetsPage::addPolicies(const QStringList& policyIds)
{
    startAdd(policyIds, true);
}

void BackupSetsPage::startAdd(const QStringList& policyIds, bool confirm)
{
    const qint64 setId = shownSet();
    if (!setId || policyIds.isEmpty())
        return;
    const QUuid tenant = this->tenant();
    startRun(QStringLiteral("Add policies"),
             confirm ? QStringLiteral("Snapshot %1 %2 into backup set “%3”?")
                           .arg(policyIds.size())
                           .arg(policyIds.size() == 1 ? QStringLiteral("policy") : QStringLiteral("policies"), setName(setId))
                     : QString(),
             [tenant, setId, policyIds](db::Connection& conn, QString* error) {
                 return backup::AddPoliciesJob::request(conn, tenant, setId, policyIds, error);
             });
}

void BackupSetsPage::exportTo(const QString& folder)
{
    const qint64 setId = shownSet();
    if (!setId)
        return;
    const QUuid tenant = this->tenant();
    startRun(QStringLiteral("Backup set: export"),
             QStringLiteral("Write backup set “%1” as an IntuneManagement export into\n%2?")
                 .arg(setName(setId), QDir::toNativeSeparators(folder)),
             [tenant, setId, folder](db::Connection& conn, QString* error) {
                 return backup::ExportJob::request(conn, tenant, setId, folder, error);
             });
}

void BackupSetsPage::updateAdd()
{
    const bool selected = shownSet() != 0;
    m_add->setEnabled(selected);
    m_export->setEnabled(selected);
    m_export->setToolTip(selected ? QStringLiteral("Write the selected set as an IntuneManagement export folder, "
                                                   "to restore a tenant with IntuneManagement")
                                  : QStringLiteral("Create or select a backup set first"));
    m_add->setToolTip(selected ? QStringLiteral("Choose policies of the inventory to snapshot into the selected set")
                               : QStringLiteral("Create or select a backup set first"));
}

} // namespace atlas::views
