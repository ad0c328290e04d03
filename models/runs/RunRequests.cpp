#include "RunRequests.h"

#include "db/Connection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>

namespace atlas::runs {

namespace {
QString uuidText(const QUuid& id)
{
    return id.toString(QUuid::WithoutBraces);
}

QStringList column(db::Connection& conn, const QString& sql, const QVariantList& binds, QString* error)
{
    QSqlQuery q(conn.database());
    QStringList out;
    if (!conn.exec(q, sql, binds)) {
        *error = RunQueries::explain(conn.lastError());
        return out;
    }
    while (q.next())
        out << q.value(0).toString();
    return out;
}

// Columns of atlas.operation_runs that hold JSON.
bool isJsonColumn(const QString& name)
{
    return name == QLatin1String("item_ids") || name == QLatin1String("failures") || name == QLatin1String("summary") ||
        name == QLatin1String("scope");
}

QJsonObject rowToJson(const QSqlRecord& record)
{
    QJsonObject o;
    for (int i = 0; i < record.count(); ++i) {
        const QString name = record.fieldName(i);
        const QVariant v = record.value(i);
        if (v.isNull())
            o.insert(name, QJsonValue::Null);
        else if (isJsonColumn(name))
            o.insert(name,
                     QJsonDocument::fromJson(v.toString().toUtf8()).isArray()
                         ? QJsonValue(QJsonDocument::fromJson(v.toString().toUtf8()).array())
                         : QJsonValue(QJsonDocument::fromJson(v.toString().toUtf8()).object()));
        else if (name == QLatin1String("id") || name.endsWith(QLatin1String("_items")))
            o.insert(name, v.toLongLong());
        else
            o.insert(name, v.toString());
    }
    return o;
}

const QString kRunColumns =
    QStringLiteral("id, tenant_id::text AS tenant_id, initiator, resource, action, status, status_bucket, total_items, "
                   "processed_items, succeeded_items, failed_items, skipped_items, item_ids::text AS item_ids, "
                   "failures::text AS failures, idempotency_key, "
                   "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at, "
                   "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS started_at, "
                   "to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS finished_at, "
                   "to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS heartbeat_at, "
                   "summary::text AS summary, scope::text AS scope, reason_code, message");
} // namespace

bool RunRequests::existsInTenant(db::Connection& conn, const QUuid& tenant, const QString& table, const QString& key, qint64 id,
                                 const QString& what, QString* error)
{
    error->clear();
    const QStringList found =
        column(conn, QStringLiteral("SELECT %1 FROM atlas.%2 WHERE tenant_id = ?::uuid AND %1 = ?").arg(key, table),
               {uuidText(tenant), id}, error);
    if (!error->isEmpty())
        return false;
    if (found.isEmpty()) {
        *error = QStringLiteral("%1 %2 not found in this tenant").arg(what).arg(id);
        return false;
    }
    return true;
}

std::optional<QJsonObject> RunQueries::run(db::Connection& conn, qint64 id, db::DbError* error)
{
    QSqlQuery q(conn.database());
    if (!conn.exec(q, QStringLiteral("SELECT %1 FROM atlas.operation_runs WHERE id = ?").arg(kRunColumns), {id})) {
        *error = conn.lastError();
        return std::nullopt;
    }
    if (!q.next()) {
        *error = db::DbError::make(QStringLiteral("02000"), QStringLiteral("run %1 not found").arg(id));
        return std::nullopt;
    }
    return rowToJson(q.record());
}

std::optional<QJsonArray> RunQueries::list(db::Connection& conn, const ListFilter& filter, db::DbError* error)
{
    QSqlQuery q(conn.database());
    const QString sql = QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE r.tenant_id = ?::uuid "
                                       "AND (?::text IS NULL OR r.status = ANY (atlas.bucket_statuses(?::text))) "
                                       "AND (?::text IS NULL OR r.resource = ?::text) "
                                       "AND (?::timestamptz IS NULL OR r.created_at >= ?::timestamptz) "
                                       "ORDER BY r.created_at DESC, r.id DESC LIMIT ?")
                            .arg(kRunColumns);
    const QVariant nullText(QMetaType::fromType<QString>());
    const QVariant bucket = filter.bucket.isEmpty() ? nullText : QVariant(filter.bucket);
    const QVariant resource = filter.resource.isEmpty() ? nullText : QVariant(filter.resource);
    const QVariant since = filter.since.isEmpty() ? nullText : QVariant(filter.since);
    if (!conn.exec(q, sql, {uuidText(filter.tenant), bucket, bucket, resource, resource, since, since, filter.limit})) {
        *error = conn.lastError();
        return std::nullopt;
    }
    QJsonArray runs;
    while (q.next())
        runs.append(rowToJson(q.record()));
    return runs;
}

QString RunQueries::explain(const db::DbError& error)
{
    if (error.isPermissionDenied())
        return QStringLiteral("permission denied: %1").arg(error.message);
    if (error.isInvalidArgument())
        return QStringLiteral("invalid argument: %1").arg(error.message);
    return error.message;
}

} // namespace atlas::runs
