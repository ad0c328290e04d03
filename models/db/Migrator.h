#pragma once

#include "DbError.h"

#include <QStringList>

namespace atlas::db {

class Connection;

// Applies the SQL compiled into the binary as resources: first sql/migrations (versioned changes,
// each applied once, in lexical order, recorded in atlas.schema_migrations with its checksum),
// then sql/definitions (functions, views, policies, triggers and grants: idempotent files, in
// lexical order, applied again from the first whose checksum differs from the one recorded in
// atlas.schema_definitions, and all of them after a migration). Needs a superuser connection;
// each file runs in its own transaction together with its record.
class Migrator final
{
public:
    // The migration names this build knows, e.g. "0003_runs", in order.
    static QStringList knownVersions();
    static QString sqlOf(const QString& version);
    // The definition files this build knows, e.g. "30_runs_api", in order.
    static QStringList knownDefinitions();
    static QString definitionSqlOf(const QString& name);
    // SHA-256 (hex) of a migration's or definition file's bytes as compiled in.
    static QString checksumOf(const QString& version);
    static QString definitionChecksumOf(const QString& name);

    // Versions recorded in atlas.schema_migrations (empty when the schema does not exist yet).
    static QStringList appliedVersions(Connection& conn, DbError* error = nullptr);

    // Refuses (nothing changed) when an applied migration's recorded checksum differs from its
    // file; records the checksum of applied migrations that have none; applies what is missing,
    // then the definition files from the first whose checksum is not the recorded one on (all of
    // them when a migration was applied; none when the database has migrations this build does
    // not know: a newer build's definitions stay). Returns the
    // migrations applied now, and the definition files applied now in *definitions; on failure
    // sets *error, naming the file.
    static QStringList migrate(Connection& conn, DbError* error, QStringList* definitions = nullptr);

private:
    static QStringList migrateQuietly(Connection& conn, DbError* error, QStringList* definitions);
};

} // namespace atlas::db
