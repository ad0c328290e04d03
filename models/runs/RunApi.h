#pragma once

#include "RunRequests.h"
#include "db/DbError.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QUuid>

#include <optional>

namespace atlas::db {
class Connection;
}

namespace atlas::runs {

struct StartResult
{
    qint64 runId = 0;
    bool reused = false;
};

// One item's outcome as the run API records it.
struct ItemResult
{
    enum class Outcome
    {
        Succeeded,
        Failed,
        Skipped
    };
    QString itemId;
    Outcome outcome = Outcome::Succeeded;
    QString reasonCode; // failed items: lower_snake_case
    QString message;    // sanitized before it leaves the process (and again in the database)

    static ItemResult succeeded(const QString& id) { return {id, Outcome::Succeeded, {}, {}}; }
    static ItemResult skipped(const QString& id) { return {id, Outcome::Skipped, {}, {}}; }
    static ItemResult failed(const QString& id, const QString& code, const QString& message)
    {
        return {id, Outcome::Failed, code, message};
    }
    QJsonObject toJson() const;
};

// Thin, typed calls of the run functions of the database contract, on the caller's connection.
// Every call returns std::nullopt / false on error and fills *error.
class RunApi final
{
public:
    explicit RunApi(db::Connection& conn)
        : m_conn(conn)
    { }

    // Starts what a RunRequest describes (its item ids, or its items query in the same statement).
    std::optional<StartResult> start(const RunRequest& request, db::DbError* error);
    std::optional<StartResult> start(const QUuid& tenant, const QString& resource, const QString& action,
                                     const QJsonObject& scope, const QStringList& itemIds, db::DbError* error);
    // NULL lease (not claimable) comes back as a null QUuid without error.
    std::optional<QUuid> claim(qint64 runId, db::DbError* error);
    std::optional<bool> heartbeat(qint64 runId, const QUuid& lease, db::DbError* error);
    bool record(qint64 runId, const QUuid& lease, const QList<ItemResult>& results, db::DbError* error);
    std::optional<QString> finish(qint64 runId, const QUuid& lease, const QString& reasonCode, const QString& message,
                                  db::DbError* error);
    // Ends the run `aborted` with a reason code (stopped on purpose, connection lost).
    std::optional<QString> abort(qint64 runId, const QUuid& lease, const QString& reasonCode, const QString& message,
                                 db::DbError* error);
    bool setSummary(qint64 runId, const QUuid& lease, const QJsonObject& summary, db::DbError* error);
    std::optional<int> reapStale(db::DbError* error);
    // An owner or manager ends an active run aborted/cancelled; returns its storage status.
    std::optional<QString> cancel(qint64 runId, db::DbError* error);

    // Wakes consoles that follow runs (after the commit of the caller's transaction, if any).
    static void announce(db::Connection& conn, qint64 runId);
    static constexpr const char* kChannel = "atlas_runs";

private:
    db::Connection& m_conn;
};

} // namespace atlas::runs
