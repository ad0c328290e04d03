#include "PruneJob.h"

#include "RunContext.h"
#include "db/Connection.h"

namespace atlas::runs {

void PruneJob::execute(RunContext& ctx)
{
    const QString olderThan = ctx.run().scope.value(QLatin1String("older_than")).toString();
    const QString tenant = ctx.run().tenant.toString(QUuid::WithoutBraces);
    qint64 removed = 0;
    for (const QString& batch : ctx.run().itemIds) {
        if (ctx.shouldStop())
            return;
        const bool ok = ctx.writeBatch({ItemResult::succeeded(batch)}, [&](db::Connection& conn, db::DbError* error) {
            const QVariant n = conn.scalar(QStringLiteral("SELECT atlas.prune_runs(?::uuid, ?::interval, ?)"),
                                           {tenant, olderThan, kBatch});
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
                    {QStringLiteral("headline"), QStringLiteral("%1 finished %2 older than %3 removed")
                                                     .arg(removed)
                                                     .arg(removed == 1 ? QStringLiteral("run") : QStringLiteral("runs"), olderThan)}});
}

} // namespace atlas::runs
