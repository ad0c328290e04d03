#include "Insights.h"

#include "db/Connection.h"

#include <QSqlQuery>

namespace atlas::hub {

namespace {
// One roll-up function's rows for `filter`, each given to `row`; false (out->error says why) when
// the connection is away or the call fails.
template <typename Row>
bool readRows(db::Connection& conn, const RunFilter& filter, const char* function, const QString& columns, Insights* out, Row row)
{
    if (!conn.isOpen() || !filter.hasTenant()) {
        out->error = conn.lastError().message;
        return false;
    }
    QSqlQuery q(conn.database());
    if (!conn.exec(q,
                   QStringLiteral("SELECT %1 FROM atlas.%2(?::uuid[], ?, ?, ?::timestamptz, ?::timestamptz)")
                       .arg(columns, QLatin1String(function)),
                   filter.rollUpArguments())) {
        out->error = conn.lastError().message;
        return false;
    }
    while (q.next())
        row(q);
    return true;
}
} // namespace

Insights Insights::load(db::Connection& conn, const RunFilter& filter)
{
    Insights out;
    if (!readRows(conn, filter, "run_reason_counts", QStringLiteral("reason_code, runs, failed_items"), &out,
                  [&out](const QSqlQuery& q) {
                      out.reasons.append({q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong()});
                  }))
        return out;
    std::sort(out.reasons.begin(), out.reasons.end(), [](const Reason& a, const Reason& b) {
        return a.runs + a.failedItems != b.runs + b.failedItems ? a.runs + a.failedItems > b.runs + b.failedItems
                                                                : a.code < b.code;
    });
    readRows(conn, filter, "runs_per_day", QStringLiteral("day, bucket, runs"), &out, [&out](const QSqlQuery& q) {
        out.days.append({q.value(0).toDate(), runs::bucketFromKey(q.value(1).toString()), q.value(2).toLongLong()});
    });
    return out;
}

Insights Insights::loadDurations(db::Connection& conn, const RunFilter& filter)
{
    Insights out;
    readRows(conn, filter, "duration_percentiles",
             QStringLiteral("resource, action, runs, p50_seconds, p90_seconds, p99_seconds"), &out, [&out](const QSqlQuery& q) {
                 out.durations.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
                                       q.value(3).toDouble(), q.value(4).toDouble(), q.value(5).toDouble()});
             });
    return out;
}

} // namespace atlas::hub
