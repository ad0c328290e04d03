#include "AddPoliciesJob.h"

#include "db/Connection.h"
#include "runs/RunContext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace atlas::backup {

std::optional<runs::RunRequest> AddPoliciesJob::request(db::Connection& conn, const QUuid& tenant, qint64 backupSetId,
                                                        const QStringList& policyIds, QString* error)
{
    if (!runs::RunRequests::existsInTenant(conn, tenant, QStringLiteral("backup_sets"), QStringLiteral("backup_set_id"),
                                           backupSetId, QStringLiteral("backup set"), error))
        return std::nullopt;
    runs::RunRequest request{tenant, kResource, kAction, QJsonObject{{QStringLiteral("backup_set_id"), backupSetId}}, policyIds};
    if (policyIds.isEmpty()) {
        request.itemsQuery = QStringLiteral("SELECT coalesce(jsonb_agg(DISTINCT external_id), '[]'::jsonb) "
                                            "FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current");
        request.itemsBinds = {tenant.toString(QUuid::WithoutBraces)};
    }
    return request;
}

void AddPoliciesJob::execute(runs::RunContext& ctx)
{
    const qint64 setId = ctx.run().scope.value(QLatin1String("backup_set_id")).toInteger(-1);
    const QVariant exists = ctx.connection().scalar(
        QStringLiteral("SELECT count(*) FROM atlas.backup_sets WHERE tenant_id = ?::uuid AND backup_set_id = ?"),
        {ctx.run().tenant.toString(QUuid::WithoutBraces), setId});
    if (!exists.isValid() || exists.toInt() == 0) {
        ctx.couldNotProceed(QStringLiteral("backup_set_not_found"), QStringLiteral("The backup set does not exist."));
        return;
    }
    int added = 0, unchanged = 0, failed = 0;
    const QStringList& items = ctx.run().itemIds;
    for (qsizetype offset = 0; offset < items.size(); offset += kChunk) {
        if (ctx.shouldStop())
            return;
        const QStringList chunk = items.mid(offset, kChunk);
        const qint64 runId = ctx.run().id;
        const QString lease = ctx.lease().toString(QUuid::WithoutBraces);
        const bool ok = ctx.writeBatch(
            {},
            [&](db::Connection& conn, db::DbError* error) {
                QSqlQuery q(conn.database());
                if (!conn.exec(
                        q, QStringLiteral("SELECT atlas.snapshot_policies(?, ?::uuid, ?::jsonb)::text"),
                        {runId, lease,
                         QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(chunk)).toJson(QJsonDocument::Compact))}) ||
                    !q.next()) {
                    *error = conn.lastError();
                    return false;
                }
                for (const QJsonValue& r : QJsonDocument::fromJson(q.value(0).toString().toUtf8()).array()) {
                    const QString outcome = r.toObject().value(QLatin1String("outcome")).toString();
                    if (outcome == QLatin1String("succeeded"))
                        ++added;
                    else if (outcome == QLatin1String("skipped"))
                        ++unchanged;
                    else
                        ++failed;
                }
                return true;
            },
            int(chunk.size()));
        if (!ok)
            return;
    }
    ctx.setSummary({{QStringLiteral("backup_set_id"), setId},
                    {QStringLiteral("added"), added},
                    {QStringLiteral("unchanged"), unchanged},
                    {QStringLiteral("failed"), failed},
                    {QStringLiteral("headline"),
                     QStringLiteral("%1 added, %2 unchanged, %3 failed").arg(added).arg(unchanged).arg(failed)}});
}

} // namespace atlas::backup
