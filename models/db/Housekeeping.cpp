#include "Housekeeping.h"

#include <QSqlQuery>

#include <spdlog/spdlog.h>

namespace atlas::db {

namespace {
QString setting(Connection& conn, const QString& key, const QString& fallback)
{
    const QVariant v = conn.scalar(QStringLiteral("SELECT value FROM atlas.settings WHERE key = ?"), {key});
    return v.isValid() && !v.toString().trimmed().isEmpty() ? v.toString().trimmed() : fallback;
}
} // namespace

Housekeeping Housekeeping::schedule(Connection& conn)
{
    Housekeeping out;
    // pg_cron works only when the server loaded it at start (shared_preload_libraries).
    const QVariant loaded = conn.scalar(QStringLiteral(
        "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron') "
        "AND 'pg_cron' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))"));
    if (!loaded.isValid()) {
        out.state = State::Failed;
        out.error = conn.lastError().message;
        return out;
    }
    if (!loaded.toBool())
        return out; // Unavailable
    out.cronDatabase = conn.scalar(QStringLiteral("SELECT current_setting('cron.database_name', true)")).toString();
    if (out.cronDatabase.isEmpty())
        out.cronDatabase = QStringLiteral("postgres");
    const QString database = conn.scalar(QStringLiteral("SELECT current_database()")).toString();
    out.reapSchedule = setting(conn, QStringLiteral("reap_schedule"), QStringLiteral("* * * * *"));
    out.retentionSchedule = setting(conn, QStringLiteral("retention_schedule"), QStringLiteral("23 3 * * *"));

    // The jobs live in pg_cron's own database; they may run in another (schedule_in_database).
    std::unique_ptr<Connection> other;
    Connection* cron = &conn;
    if (out.cronDatabase != database) {
        other = std::make_unique<Connection>(conn.spec().withDatabase(out.cronDatabase), QStringLiteral("cron"));
        if (!other->open()) {
            out.state = State::Failed;
            out.error = QStringLiteral("cannot connect to %1, where pg_cron keeps its jobs: %2")
                            .arg(out.cronDatabase, other->lastError().message);
            return out;
        }
        cron = other.get();
    }
    if (!cron->execRaw(QStringLiteral("CREATE EXTENSION IF NOT EXISTS pg_cron"))) {
        out.state = State::Failed;
        out.error = cron->lastError().message;
        return out;
    }
    const QList<std::pair<QString, QString>> jobs{
        {reapJob(database), QStringLiteral("SELECT atlas.reap_stale_runs()")},
        {retentionJob(database), QStringLiteral("CALL atlas.apply_retention()")},
    };
    for (const auto& [name, command] : jobs) {
        const QString schedule = name == reapJob(database) ? out.reapSchedule : out.retentionSchedule;
        // Scheduling a job of the same name again (same user) replaces it.
        QSqlQuery q(cron->database());
        if (!cron->exec(q, QStringLiteral("SELECT cron.schedule_in_database(?, ?, ?, ?)"), {name, schedule, command, database})) {
            out.state = State::Failed;
            out.error = QStringLiteral("cannot schedule %1: %2").arg(name, cron->lastError().message);
            return out;
        }
    }
    spdlog::info("housekeeping scheduled with pg_cron in {}: reap '{}', retention '{}'", out.cronDatabase.toStdString(),
                 out.reapSchedule.toStdString(), out.retentionSchedule.toStdString());
    out.state = State::Scheduled;
    return out;
}

QString Housekeeping::explain() const
{
    switch (state) {
    case State::Scheduled:
        return QStringLiteral("pg_cron reaps stale runs (%1) and applies retention (%2) in the server; jobs in database %3.")
            .arg(reapSchedule, retentionSchedule, cronDatabase);
    case State::Unavailable:
        return QStringLiteral("This server has no pg_cron (installed and in shared_preload_libraries): open consoles reap "
                              "stale runs, once a minute, as before; retention is an owner's run.");
    case State::Failed:
        break;
    }
    return QStringLiteral("pg_cron is there, but the housekeeping jobs could not be scheduled: %1").arg(error);
}

} // namespace atlas::db
