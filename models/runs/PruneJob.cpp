#include "PruneJob.h"

#include "RunContext.h"
#include "db/Connection.h"

namespace atlas::runs {

RunRequest PruneJob::request(const QUuid& tenant, const QString& olderThan)
{
    RunRequest request{tenant, kResource, kAction, QJsonObject{{QStringLiteral("older_than"), olderThan}}, {}};
    // The batches, counted in the starting statement (start_run checks the age first), over the
    // runs the batches delete (atlas.prunable_runs).
    request.itemsQuery = QStringLiteral("SELECT coalesce(jsonb_agg('batch-' || lpad(g::text, 6, '0') ORDER BY g), '[]'::jsonb) "
                                        "FROM generate_series(1, (SELECT ceil(count(*) / %1.0)::int "
                                        "FROM atlas.prunable_runs(?::uuid, now() - ?::interval))) g")
                             .arg(kBatch);
    request.itemsBinds = {tenant.toString(QUuid::WithoutBraces), olderThan};
    return request;
}

void PruneJob::execute(RunContext& ctx)
{
    const QString olderThan = ctx.run().scope.value(QLatin1String("older_than")).toString();
    const QString tenant = ctx.run().tenant.toString(QUuid::WithoutBraces);
    qint64 removed = 0;
    for (const QString& batch : ctx.run().itemIds) {
        if (ctx.shouldStop())
            return;
        const bool ok = ctx.writeBatch({ItemResult::succeeded(batch)}, [&](db::Connection& conn, db::DbError* error) {
            const QVariant n =
                conn.scalar(QStringLiteral("SELECT atlas.prune_runs(?::uuid, ?::interval, ?)"), {tenant, olderThan, kBatch});
            if (!n.isValid()) {
                *error = conn.lastError();
                return false;
            }
            removed += n.toLongLong();
            return true;
        });
        if (!ok)
            return;
    }
    ctx.setSummary({{QStringLiteral("removed"), removed},
                    {QStringLiteral("older_than"), olderThan},
                    {QStringLiteral("headline"),
                     QStringLiteral("%1 finished %2 older than %3 removed")
                         .arg(removed)
                         .arg(removed == 1 ? QStringLiteral("run") : QStringLiteral("runs"), olderThan)}});
}

} // namespace atlas::runs
