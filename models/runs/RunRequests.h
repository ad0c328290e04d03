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

// What the producers' request builders share. Each producer turns what a person asked for into
// its run request (reading what the items are), or says in one line why it cannot be done, in
// its own job's static request(...): inventory::ImportJob::request, drift::DriftJob::request, ...
class RunRequests final
{
public:
    // True when `id` is a row of atlas.`table` (keyed by `key`) in `tenant`: a baseline or a
    // backup set a request names; otherwise *error says why ("backup set 7 not found in this
    // tenant", or the database's error).
    static bool existsInTenant(db::Connection& conn, const QUuid& tenant, const QString& table, const QString& key, qint64 id,
                               const QString& what, QString* error);
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
