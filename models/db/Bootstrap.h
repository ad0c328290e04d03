#pragma once

#include "ConnectionSpec.h"
#include "EmbeddedCluster.h"

#include <QString>

#include <memory>

namespace atlas::db {

// Decides where the console or a command connects: --db URL, else a server named by the PG*
// environment (libpq conventions), else the private embedded cluster (started, migrated and
// given its demo on first use).
class Bootstrap final
{
public:
    struct Options
    {
        QString dbUrl;      // --db
        QString login;      // --login: another of the embedded cluster's logins
        QString clusterDir; // --data-dir or $ATLAS_DATA_DIR: where the embedded cluster lives
        bool seedDemo = true;
        bool embeddedOnly = false; // the person chose this computer's database: ignore --db and PG*
    };

    struct Target
    {
        ConnectionSpec spec;                      // the person's own login
        std::shared_ptr<EmbeddedCluster> cluster; // set in embedded mode
        bool embedded() const { return cluster != nullptr; }
    };

    static QString embeddedDatabaseName() { return QStringLiteral("atlas"); }
    // The login the embedded cluster creates for the person running the console.
    static QString consoleLoginName();

    // For commands that use the database as a person (console, runs, producers).
    static bool resolve(const Options& options, Target* target, QString* error);
    // For `migrate`: a superuser connection (embedded: the cluster's own superuser).
    static bool resolveForMigration(const Options& options, Target* target, QString* error);

private:
    static bool startEmbedded(const Options& options, Target* target, QString* error);
};

} // namespace atlas::db
