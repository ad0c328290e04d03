#include "Catalog.h"

#include "db/Connection.h"
#include "runs/RunRequests.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace atlas::catalog {

namespace {
QString uuidText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

// Runs sql and hands each row to `read`; fills Rows::error on failure.
template <typename T, typename Read>
Rows<T> select(db::Connection& conn, const QString& sql, const QVariantList& binds, Read read)
{
    Rows<T> out;
    QSqlQuery q(conn.database());
    if (!conn.exec(q, sql, binds)) {
        out.error = runs::RunQueries::explain(conn.lastError());
        return out;
    }
    while (q.next())
        out.rows.append(read(q));
    return out;
}

QString pretty(const QString& json)
{
    if (json.isEmpty())
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    return doc.isNull() ? json : QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}
} // namespace

Rows<Baseline> baselines(db::Connection& conn, const QUuid& tenant)
{
    return select<Baseline>(conn,
                            QStringLiteral("SELECT baseline_id, name, item_count, created_by, created_at FROM atlas.baselines "
                                           "WHERE tenant_id = ?::uuid ORDER BY created_at DESC, baseline_id DESC LIMIT 1000"),
                            {uuidText(tenant)}, [](const QSqlQuery& q) {
                                return Baseline{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toInt(),
                                                q.value(3).toString(), q.value(4).toDateTime()};
                            });
}

Rows<BackupSet> backupSets(db::Connection& conn, const QUuid& tenant)
{
    return select<BackupSet>(
        conn,
        QStringLiteral("SELECT s.backup_set_id, s.name, (SELECT count(*) FROM atlas.backup_set_items i "
                       "WHERE i.tenant_id = s.tenant_id AND i.backup_set_id = s.backup_set_id), s.created_by, s.created_at "
                       "FROM atlas.backup_sets s WHERE s.tenant_id = ?::uuid "
                       "ORDER BY s.created_at DESC, s.backup_set_id DESC LIMIT 1000"),
        {uuidText(tenant)}, [](const QSqlQuery& q) {
            return BackupSet{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toInt(), q.value(3).toString(),
                             q.value(4).toDateTime()};
        });
}

Rows<BackupSetItem> backupSetItems(db::Connection& conn, const QUuid& tenant, qint64 setId)
{
    return select<BackupSetItem>(conn,
                                 QStringLiteral("SELECT policy_type, external_id, display_name, coalesce(added_by_run, 0), "
                                                "added_at FROM atlas.backup_set_items WHERE tenant_id = ?::uuid "
                                                "AND backup_set_id = ? ORDER BY display_name, external_id"),
                                 {uuidText(tenant), setId}, [](const QSqlQuery& q) {
                                     return BackupSetItem{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                                          q.value(3).toLongLong(), q.value(4).toDateTime()};
                                 });
}

Rows<Policy> currentPolicies(db::Connection& conn, const QUuid& tenant)
{
    return select<Policy>(
        conn,
        QStringLiteral("SELECT policy_type, external_id, display_name, last_observed_at "
                       "FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current "
                       "ORDER BY lower(display_name), external_id"),
        {uuidText(tenant)}, [](const QSqlQuery& q) {
            return Policy{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toDateTime()};
        });
}

Rows<DriftRun> driftRuns(db::Connection& conn, const QUuid& tenant, int limit)
{
    return select<DriftRun>(
        conn,
        QStringLiteral("SELECT r.id, (r.scope->>'baseline_id')::bigint, coalesce(b.name, ''), r.status_bucket, r.initiator, "
                       "r.created_at, coalesce((r.summary->>'added')::int + (r.summary->>'removed')::int "
                       "+ (r.summary->>'modified')::int, "
                       "CASE WHEN r.status_bucket IN ('queued', 'running') THEN -1 ELSE 0 END) "
                       "FROM atlas.operation_runs r LEFT JOIN atlas.baselines b "
                       "ON b.tenant_id = r.tenant_id AND b.baseline_id = (r.scope->>'baseline_id')::bigint "
                       "WHERE r.tenant_id = ?::uuid AND r.resource = 'drift' AND r.action = 'generate' "
                       "ORDER BY r.created_at DESC, r.id DESC LIMIT ?"),
        {uuidText(tenant), limit}, [](const QSqlQuery& q) {
            return DriftRun{q.value(0).toLongLong(), q.value(1).toLongLong(),
                            q.value(2).toString(),   runs::bucketFromKey(q.value(3).toString()),
                            q.value(4).toString(),   q.value(5).toDateTime(),
                            q.value(6).toInt()};
        });
}

Rows<Finding> findings(db::Connection& conn, qint64 runId)
{
    return select<Finding>(
        conn,
        QStringLiteral("SELECT change, policy_type, external_id, display_name, changed_paths::text, "
                       "note::text FROM atlas.drift_findings WHERE run_id = ? "
                       "ORDER BY change, lower(display_name), external_id"),
        {runId}, [](const QSqlQuery& q) {
            QStringList paths;
            const QJsonArray array = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).array();
            for (const QJsonValue& p : array)
                paths << p.toString();
            QStringList uncertain;
            const QJsonObject note = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
            if (note.value(QLatin1String("uncertain")).toBool()) {
                for (const QJsonValue& file : note.value(QLatin1String("unreadable")).toArray())
                    uncertain << file.toString();
                if (uncertain.isEmpty())
                    uncertain << QString();
            }
            return Finding{
                q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(), paths, uncertain};
        });
}

PayloadPair payloads(db::Connection& conn, qint64 runId, const QString& policyType, const QString& externalId, QString* error)
{
    PayloadPair pair;
    QSqlQuery q(conn.database());
    // One statement: the run fixes the tenant and the baseline; RLS keeps it to the caller's tenants.
    if (!conn.exec(q,
                   // The inventory side as the run compared it when the run kept it (findings of
                   // later builds do), else as it is now.
                   QStringLiteral(
                       "SELECT (SELECT bi.payload::text FROM atlas.baseline_items bi "
                       "        WHERE bi.tenant_id = r.tenant_id "
                       "          AND bi.baseline_id = CASE WHEN r.scope->>'baseline_id' ~ '^[0-9]{1,18}$' "
                       "                                    THEN (r.scope->>'baseline_id')::bigint END "
                       "          AND bi.policy_type = ? AND bi.external_id = ?), "
                       "       coalesce(s.payload, i.payload)::text, i.last_observed_at, "
                       "       CASE WHEN s.payload IS NOT NULL THEN i.content_hash IS DISTINCT FROM d.observed_hash "
                       "            ELSE coalesce(i.last_observed_at > r.started_at, false) END, "
                       "       s.payload IS NOT NULL "
                       "  FROM atlas.operation_runs r "
                       "  LEFT JOIN atlas.drift_findings d ON d.run_id = r.id AND d.tenant_id = r.tenant_id "
                       "       AND d.policy_type = ? AND d.external_id = ? "
                       "  LEFT JOIN atlas.payload_snapshots s ON s.tenant_id = r.tenant_id AND s.content_hash = d.observed_hash "
                       "  LEFT JOIN atlas.inventory_items i ON i.tenant_id = r.tenant_id "
                       "       AND i.policy_type = ? AND i.external_id = ? AND i.is_current "
                       " WHERE r.id = ?"),
                   {policyType, externalId, policyType, externalId, policyType, externalId, runId})) {
        *error = runs::RunQueries::explain(conn.lastError());
        return pair;
    }
    if (!q.next()) {
        *error = QStringLiteral("run %1 is not visible to you").arg(runId);
        return pair;
    }
    pair.baseline = pretty(q.value(0).toString());
    pair.current = pretty(q.value(1).toString());
    pair.currentObserved = q.value(2).toDateTime();
    pair.currentChangedSinceRun = q.value(3).toBool();
    pair.currentAsRunSawIt = q.value(4).toBool();
    return pair;
}

Rows<Notification> notifications(db::Connection& conn, qint64 afterId, int limit)
{
    return select<Notification>(conn,
                                QStringLiteral("SELECT id, tenant_id::text, run_id, event, title, body, created_at, "
                                               "read_at IS NOT NULL FROM atlas.my_notifications WHERE id > ? "
                                               "ORDER BY id DESC LIMIT ?"),
                                {afterId, limit}, [](const QSqlQuery& q) {
                                    return Notification{q.value(0).toLongLong(), QUuid::fromString(q.value(1).toString()),
                                                        q.value(2).toLongLong(), q.value(3).toString(),
                                                        q.value(4).toString(),   q.value(5).toString(),
                                                        q.value(6).toDateTime(), q.value(7).toBool()};
                                });
}

int unreadNotifications(db::Connection& conn, QString* error)
{
    const QVariant v = conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications WHERE read_at IS NULL"));
    if (!v.isValid())
        *error = runs::RunQueries::explain(conn.lastError());
    return v.toInt();
}

int markNotificationsRead(db::Connection& conn, const QList<qint64>& ids, QString* error)
{
    QStringList text;
    for (qint64 id : ids)
        text << QString::number(id);
    QSqlQuery q(conn.database());
    const bool ok = ids.isEmpty() ? conn.exec(q,
                                              QStringLiteral("SELECT atlas.mark_notifications_read(ARRAY(SELECT id FROM "
                                                             "atlas.my_notifications WHERE read_at IS NULL))"))
                                  : conn.exec(q, QStringLiteral("SELECT atlas.mark_notifications_read(?::bigint[])"),
                                              {QStringLiteral("{%1}").arg(text.join(QLatin1Char(',')))});
    if (!ok || !q.next()) {
        *error = runs::RunQueries::explain(conn.lastError());
        return 0;
    }
    return q.value(0).toInt();
}

QUuid tenantOfRun(db::Connection& conn, qint64 runId, QString* error)
{
    QSqlQuery q(conn.database());
    if (!conn.exec(q, QStringLiteral("SELECT tenant_id::text FROM atlas.operation_runs WHERE id = ?"), {runId})) {
        *error = runs::RunQueries::explain(conn.lastError());
        return {};
    }
    return q.next() ? QUuid::fromString(q.value(0).toString()) : QUuid();
}

namespace {
qint64 create(db::Connection& conn, const QString& function, const QUuid& tenant, const QString& name, db::DbError* error)
{
    QSqlQuery q(conn.database());
    if (!conn.exec(q, QStringLiteral("SELECT atlas.%1(?::uuid, ?)").arg(function), {uuidText(tenant), name}) || !q.next()) {
        *error = conn.lastError();
        return 0;
    }
    return q.value(0).toLongLong();
}
} // namespace

qint64 captureBaseline(db::Connection& conn, const QUuid& tenant, const QString& name, db::DbError* error)
{
    return create(conn, QStringLiteral("capture_baseline"), tenant, name, error);
}

qint64 createBackupSet(db::Connection& conn, const QUuid& tenant, const QString& name, db::DbError* error)
{
    return create(conn, QStringLiteral("create_backup_set"), tenant, name, error);
}

} // namespace atlas::catalog
