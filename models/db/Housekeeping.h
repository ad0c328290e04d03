#pragma once

#include "Connection.h"

#include <QString>
#include <QStringList>

namespace atlas::db {

// Housekeeping the server does itself when it has pg_cron (atlas-ops migrate --schedule):
// reaping runs whose worker died (atlas.reap_stale_runs()) and retention
// (atlas.apply_retention()), each a cron job with the schedule atlas.settings names
// (reap_schedule, retention_schedule). The jobs run as the superuser that scheduled them, in the
// database they were scheduled for. Without pg_cron nothing changes: every open console reaps,
// once a minute, and retention is an owner's run.
struct Housekeeping
{
    enum class State
    {
        Scheduled,   // the jobs are there (created or updated)
        Unavailable, // the server has no pg_cron (not installed, or not in shared_preload_libraries)
        Failed,      // it has, but the jobs could not be created (error says why)
    };
    State state = State::Unavailable;
    QString reapSchedule;
    QString retentionSchedule;
    QString cronDatabase; // where pg_cron keeps its jobs (cron.database_name)
    QString error;

    // Creates or updates the jobs for the database `conn` is connected to (as a superuser),
    // creating the extension where pg_cron wants it when it is missing.
    static Housekeeping schedule(Connection& conn);
    // One line for a person: what runs where, or that the consoles reap.
    QString explain() const;
    // Job names, per database.
    static QString reapJob(const QString& database) { return QStringLiteral("atlas-reap:") + database; }
    static QString retentionJob(const QString& database) { return QStringLiteral("atlas-retention:") + database; }
};

} // namespace atlas::db
