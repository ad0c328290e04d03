#pragma once

#include "db/DbError.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>
#include <QUuid>
#include <QVariantList>

#include <optional>

namespace atlas::db {
class Connection;
}

namespace atlas::runs {

// What to start: the arguments of atlas.start_run.
struct RunRequest
{
    QUuid tenant;
    QString resource;
    QString action;
    QJsonObject scope;
    QStringList itemIds;
    // Or: a query giving the items as one jsonb array, run inside the statement that starts the
    // run, so thousands of ids never travel to the client and back. Constant SQL, bound values.
    QString itemsQuery = {};
    QVariantList itemsBinds = {};
};

// Turns what a person asked for into a run request (reading what the items are), or says in
// one line why it cannot be done. Producers are started from their own pages and commands.
class RunRequests final
{
public:
    // `allowRetire`: the starter agreed that the import may retire more than half of the current
    // policies (the database refuses it otherwise: retire_guard).
    static std::optional<RunRequest> inventoryImport(const QUuid& tenant, const QString& folder, QString* error,
                                                     bool allowRetire = false);
    static std::optional<RunRequest> driftGenerate(db::Connection& conn, const QUuid& tenant, qint64 baselineId,
                                                   QString* error);
    // policyIds empty means every current policy of the tenant.
    static std::optional<RunRequest> addPolicies(db::Connection& conn, const QUuid& tenant, qint64 backupSetId,
                                                 const QStringList& policyIds, QString* error);
    // Writes the set as an IntuneManagement export in `folder`: an empty or new folder (an
    // export never mixes with, or overwrites, what is there).
    static std::optional<RunRequest> exportBackupSet(db::Connection& conn, const QUuid& tenant, qint64 backupSetId,
                                                     const QString& folder, QString* error);
    // Retention as a run: the tenant's finished runs older than `olderThan` (an interval such as
    // "90 days"), one item per batch of PruneJob::kBatch runs as counted now.
    static RunRequest pruneRuns(const QUuid& tenant, const QString& olderThan);
};

// Reading runs back through atlas.operation_runs, as JSON objects with its columns.
class RunQueries final
{
public:
    static std::optional<QJsonObject> run(db::Connection& conn, qint64 id, db::DbError* error);
    struct ListFilter
    {
        QUuid tenant;
        QString bucket;
        QString resource;
        QString since; // timestamptz text
        int limit = 1000;
    };
    static std::optional<QJsonArray> list(db::Connection& conn, const ListFilter& filter, db::DbError* error);
    // Describes an error of the run API for a person: "permission denied: ...", etc.
    static QString explain(const db::DbError& error);
};

} // namespace atlas::runs
