#include "ResultPage.h"

#include "db/Connection.h"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QSqlQuery>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace atlas::views {

namespace {
struct Loaded
{
    QList<QStringList> rows;
    QString error;
};

const int kMaxRows = 5000;
} // namespace

ResultPage::ResultPage(Kind kind, db::ConnectionSpec spec, QWidget* parent)
    : QWidget(parent)
    , m_kind(kind)
    , m_spec(std::move(spec))
    , m_title(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_table(new QTableWidget(this))
{
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.4);
    f.setBold(true);
    m_title->setFont(f);
    m_hint->setWordWrap(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    if (kind == Kind::DriftFindings) {
        setObjectName(QStringLiteral("driftPage"));
        m_title->setText(QStringLiteral("Drift"));
        m_hint->setText(QStringLiteral("Open a finished drift run from Operations to see its findings here. Drift runs are "
                                       "started with “atlas-ops run drift”."));
        m_table->setColumnCount(5);
        m_table->setHorizontalHeaderLabels({QStringLiteral("Change"), QStringLiteral("Policy"), QStringLiteral("Type"),
                                            QStringLiteral("Policy id"), QStringLiteral("Changed paths")});
    } else {
        setObjectName(QStringLiteral("backupPage"));
        m_title->setText(QStringLiteral("Backup sets"));
        m_hint->setText(QStringLiteral("Open a backup set from a run in Operations to see its policies here. Policies are "
                                       "added with “atlas-ops run add-policies”."));
        m_table->setColumnCount(5);
        m_table->setHorizontalHeaderLabels({QStringLiteral("Policy"), QStringLiteral("Type"), QStringLiteral("Policy id"),
                                            QStringLiteral("Added by run"), QStringLiteral("Added")});
    }
    auto* v = new QVBoxLayout(this);
    v->addWidget(m_title);
    v->addWidget(m_hint);
    v->addWidget(m_table, 1);
}

void ResultPage::showResult(qint64 id)
{
    m_id = id;
    m_title->setText(m_kind == Kind::DriftFindings ? QStringLiteral("Drift findings of run #%1").arg(id)
                                                   : QStringLiteral("Backup set #%1").arg(id));
    m_hint->setText(QStringLiteral("Loading…"));
    m_table->setRowCount(0);
    const Kind kind = m_kind;
    const db::ConnectionSpec spec = m_spec;
    auto* watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, id] {
        const Loaded result = watcher->result();
        watcher->deleteLater();
        if (id != m_id)
            return; // another result was asked for meanwhile
        if (!result.error.isEmpty()) {
            m_hint->setText(QStringLiteral("Cannot load: %1").arg(result.error));
            return;
        }
        m_table->setRowCount(int(result.rows.size()));
        for (int r = 0; r < result.rows.size(); ++r) {
            for (int c = 0; c < result.rows[r].size(); ++c) {
                auto* item = new QTableWidgetItem(result.rows[r][c]);
                item->setToolTip(result.rows[r][c]);
                m_table->setItem(r, c, item);
            }
        }
        m_table->resizeColumnsToContents();
        for (int c = 0; c < m_table->columnCount() - 1; ++c)
            m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), 380));
        m_hint->setText(result.rows.isEmpty()
                            ? (m_kind == Kind::DriftFindings ? QStringLiteral("No drift: the inventory matches the baseline.")
                                                             : QStringLiteral("This backup set holds no policies yet."))
                            : QStringLiteral("%1 %2%3").arg(result.rows.size())
                                  .arg(m_kind == Kind::DriftFindings ? QStringLiteral("findings") : QStringLiteral("policies"))
                                  .arg(result.rows.size() >= kMaxRows ? QStringLiteral(" (the first %1)").arg(kMaxRows) : QString()));
        Q_EMIT loaded(id);
    });
    watcher->setFuture(QtConcurrent::run([spec, kind, id] {
        Loaded out;
        db::Connection conn(spec, QStringLiteral("result"));
        QSqlQuery q(conn.database());
        const QString sql = kind == Kind::DriftFindings
                                ? QStringLiteral("SELECT change, display_name, policy_type, external_id, changed_paths::text "
                                                 "FROM atlas.drift_findings WHERE run_id = ? "
                                                 "ORDER BY change, display_name, external_id LIMIT %1").arg(kMaxRows)
                                : QStringLiteral("SELECT display_name, policy_type, external_id, coalesce(added_by_run::text, ''), "
                                                 "to_char(added_at, 'YYYY-MM-DD HH24:MI') FROM atlas.backup_set_items "
                                                 "WHERE backup_set_id = ? ORDER BY display_name, external_id LIMIT %1").arg(kMaxRows);
        if (!conn.open() || !conn.exec(q, sql, {id})) {
            out.error = conn.lastError().message;
            return out;
        }
        while (q.next()) {
            QStringList row;
            for (int c = 0; c < 5; ++c)
                row << q.value(c).toString();
            if (kind == Kind::DriftFindings) {
                QStringList paths;
                for (const QJsonValue& p : QJsonDocument::fromJson(row[4].toUtf8()).array())
                    paths << p.toString();
                row[4] = paths.join(QStringLiteral(", "));
            }
            out.rows << row;
        }
        return out;
    }));
}

} // namespace atlas::views
