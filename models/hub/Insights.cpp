#include "Insights.h"

#include "db/Connection.h"

#include <QSqlQuery>

namespace atlas::hub {

namespace {
bool query(db::Connection& conn, QSqlQuery& q, const char* function, const QString& columns, const RunFilter& filter)
{
    return conn.exec(q,
                     QStringLiteral("SELECT %1 FROM atlas.%2(?::uuid[], ?, ?, ?::timestamptz, ?::timestamptz)")
                         .arg(columns, QLatin1String(function)),
                     filter.rollUpArguments());
}
} // namespace

Insights Insights::load(db::Connection& conn, const RunFilter& filter)
{
    Insights out;
    if (!conn.isOpen() || !filter.hasTenant()) {
        out.error = conn.lastError().message;
        return out;
    }
    QSqlQuery q(conn.database());
    if (!query(conn, q, "run_reason_counts", QStringLiteral("reason_code, runs, failed_items"), filter)) {
        out.error = conn.lastError().message;
        return out;
    }
    while (q.next())
        out.reasons.append({q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong()});
    std::sort(out.reasons.begin(), out.reasons.end(), [](const Reason& a, const Reason& b) {
        return a.runs + a.failedItems != b.runs + b.failedItems ? a.runs + a.failedItems > b.runs + b.failedItems
                                                                : a.code < b.code;
    });
    if (!query(conn, q, "runs_per_day", QStringLiteral("day, bucket, runs"), filter)) {
        out.error = conn.lastError().message;
        return out;
    }
    while (q.next())
        out.days.append({q.value(0).toDate(), runs::bucketFromKey(q.value(1).toString()), q.value(2).toLongLong()});
    return out;
}

Insights Insights::loadDurations(db::Connection& conn, const RunFilter& filter)
{
    Insights out;
    if (!conn.isOpen() || !filter.hasTenant()) {
        out.error = conn.lastError().message;
        return out;
    }
    QSqlQuery q(conn.database());
    if (!query(conn, q, "duration_percentiles", QStringLiteral("resource, action, runs, p50_seconds, p90_seconds, p99_seconds"),
               filter)) {
        out.error = conn.lastError().message;
        return out;
    }
    while (q.next())
        out.durations.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(), q.value(3).toDouble(),
                              q.value(4).toDouble(), q.value(5).toDouble()});
    return out;
}

} // namespace atlas::hub
