#pragma once

#include "db/Bootstrap.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

namespace atlas::app {

// Options shared by the console and the commands.
struct Options
{
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("PostgreSQL URL (postgresql://user@host/db?sslmode=...)."),
                          QStringLiteral("url")};
    QCommandLineOption login{QStringLiteral("login"), QStringLiteral("Embedded cluster only: act as another of its logins."),
                             QStringLiteral("name")};
    QCommandLineOption dataDir{QStringLiteral("data-dir"),
                               QStringLiteral("Where the embedded cluster lives (default: your data directory)."),
                               QStringLiteral("dir")};
    QCommandLineOption chooseConnection{QStringLiteral("connect"),
                                        QStringLiteral("Console: choose the database in the connection dialog first.")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print one JSON object on stdout.")};
    QCommandLineOption logLevel{QStringLiteral("log-level"), QStringLiteral("trace, debug, info, warn, error (default warn)."),
                                QStringLiteral("level")};
    QCommandLineOption tenant{QStringLiteral("tenant"), QStringLiteral("Tenant id (UUID)."), QStringLiteral("uuid")};
    QCommandLineOption name{QStringLiteral("name"), QStringLiteral("Name of the baseline or backup set."),
                            QStringLiteral("name")};
    QCommandLineOption baseline{QStringLiteral("baseline"), QStringLiteral("Baseline id."), QStringLiteral("id")};
    QCommandLineOption backupSet{QStringLiteral("backup-set"), QStringLiteral("Backup set id."), QStringLiteral("id")};
    QCommandLineOption policy{QStringLiteral("policy"), QStringLiteral("Policy external id (repeatable)."), QStringLiteral("id")};
    QCommandLineOption all{QStringLiteral("all"), QStringLiteral("All current policies of the tenant.")};
    QCommandLineOption wait{QStringLiteral("wait"), QStringLiteral("Follow a reused run until it finishes.")};
    QCommandLineOption bucket{QStringLiteral("bucket"),
                              QStringLiteral("queued, running, succeeded, partially_succeeded or failed."),
                              QStringLiteral("bucket")};
    QCommandLineOption resource{QStringLiteral("resource"), resourceHelp(), QStringLiteral("resource")};
    QCommandLineOption since{QStringLiteral("since"), QStringLiteral("ISO date/time, or an age such as 24h or 7d."),
                             QStringLiteral("time")};

    QCommandLineOption olderThan{QStringLiteral("older-than"), QStringLiteral("Age of finished runs to prune (90d, 12w, 48h)."),
                                 QStringLiteral("age")};
    QCommandLineOption schedule{QStringLiteral("schedule"),
                                QStringLiteral("Migrate: have pg_cron reap stale runs and apply retention in the server.")};
    QCommandLineOption allowRetire{QStringLiteral("allow-retire"),
                                   QStringLiteral("Import: let the folder retire more than half of the current policies.")};

    QList<QCommandLineOption> all_() const
    {
        return {db,     login, dataDir, chooseConnection, json,     logLevel, tenant,    name,        baseline, backupSet,
                policy, all,   wait,    bucket,           resource, since,    olderThan, allowRetire, schedule};
    }
    // What every command takes; the others only the commands that name them (Command::takes).
    QList<QCommandLineOption> common() const { return {db, login, dataDir, json, logLevel}; }
    // "drift, backup_set, ...": the resources of the kinds of run this build knows (runs::Producers).
    static QString resourceHelp();
    // Names of the options that take a value (to find the command among the arguments).
    QStringList valueOptionNames() const;
    db::Bootstrap::Options bootstrap(const QCommandLineParser& parser) const;
};

// The commands are registered in app/commands/Registry.cpp; these read that list.

// Runs a command (the positional words, e.g. {"run", "drift"}); returns the exit status: 2 for an
// option the command does not take, 1 for words no command has.
int runCommand(const QStringList& words, const QCommandLineParser& parser, const Options& options);
// Whether some command begins with this word.
bool isCommand(const QString& firstWord);
// The "Commands:" part of --help: every command once, with its synopsis.
QString commandsHelp();

} // namespace atlas::app
