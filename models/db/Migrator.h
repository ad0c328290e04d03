#pragma once

#include "DbError.h"

#include <QStringList>

namespace atlas::db {

class Connection;

// Applies sql/migrations (compiled into the binary as resources) in lexical order. Needs a
// superuser connection; each file runs in its own transaction and records itself.
class Migrator final
{
public:
    // The migration names this build knows, e.g. "0003_runs", in order.
    static QStringList knownVersions();
    static QString sqlOf(const QString& version);

    // Versions recorded in atlas.schema_migrations (empty when the schema does not exist yet).
    static QStringList appliedVersions(Connection& conn, DbError* error = nullptr);

    // Applies what is missing; returns the versions applied now, or sets *error.
    static QStringList migrate(Connection& conn, DbError* error);
};

} // namespace atlas::db
