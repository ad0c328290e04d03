#pragma once

#include "RunFilter.h"

#include <QDate>
#include <QList>
#include <QString>

namespace atlas::db {
class Connection;
}

namespace atlas::hub {

// What the hub's reasons panel and trend charts show for the current filter (its tenants,
// operation and time range), computed in SQL by the database's roll-ups.
struct Insights
{
    struct Reason
    {
        QString code;
        qint64 runs = 0;        // failed or aborted runs that ended with it
        qint64 failedItems = 0; // items that failed with it
    };
    struct Day
    {
        QDate day;
        runs::Bucket bucket = runs::Bucket::Unknown;
        qint64 runs = 0;
    };
    struct Durations
    {
        QString resource;
        QString action;
        qint64 runs = 0;
        double p50 = 0, p90 = 0, p99 = 0; // seconds
    };
    QList<Reason> reasons;
    QList<Day> days;
    QList<Durations> durations; // only from loadDurations
    QString error;

    // Reasons and runs per day for `filter` (its bucket and search do not narrow them): from the
    // roll-ups, a few milliseconds at any size.
    static Insights load(db::Connection& conn, const RunFilter& filter);
    // Duration percentiles per operation: counted live (exact percentiles need the values), a
    // second over all time for a tenant of a million runs; read apart, and only when shown.
    static Insights loadDurations(db::Connection& conn, const RunFilter& filter);
};

} // namespace atlas::hub
