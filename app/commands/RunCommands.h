#pragma once

#include "Common.h"

#include "runs/RunRequests.h"

#include <QUuid>

#include <optional>

// The commands that start a run: each executes it in this process through the one
// start-execute-follow step (Common.h) and returns once it has finished.
namespace atlas::app::commands {

// A command whose work is one run: parse() reads the command line, request() says what to start
// (reading with the caller's connection), and the shared step starts, executes and prints it.
template <typename Parsed> class RunCommand : public ParsedCommand<Parsed>
{
protected:
    using ParsedCommand<Parsed>::ParsedCommand;
    virtual std::optional<runs::RunRequest> request(db::Connection& conn, const Parsed& parsed, QString* error) const = 0;
    int execute(const Invocation& in, const Parsed& parsed) const final
    {
        return startRequest(in, [&](db::Connection& conn, QString* error) { return request(conn, parsed, error); });
    }
};

// inventory import --tenant UUID [--allow-retire] DIR (the folder is read before connecting).
class InventoryImport final : public RunCommand<runs::RunRequest>
{
public:
    InventoryImport();
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    bool parse(const Invocation& in, runs::RunRequest* parsed, QString* error) const override;
    std::optional<runs::RunRequest> request(db::Connection&, const runs::RunRequest& parsed, QString*) const override
    {
        return parsed;
    }
};

struct DriftArguments
{
    QUuid tenant;
    qint64 baseline = 0;
};

// run drift --tenant UUID --baseline ID: compares the baseline with the current inventory.
class RunDrift final : public RunCommand<DriftArguments>
{
public:
    RunDrift();
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    bool parse(const Invocation& in, DriftArguments* parsed, QString* error) const override;
    std::optional<runs::RunRequest> request(db::Connection& conn, const DriftArguments& parsed, QString* error) const override;
};

struct AddPoliciesArguments
{
    QUuid tenant;
    qint64 backupSet = 0;
    QStringList policies; // empty: --all
};

// run add-policies --tenant UUID --backup-set ID (--policy ID... | --all): snapshots policies into the set.
class RunAddPolicies final : public RunCommand<AddPoliciesArguments>
{
public:
    RunAddPolicies();
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    bool parse(const Invocation& in, AddPoliciesArguments* parsed, QString* error) const override;
    std::optional<runs::RunRequest> request(db::Connection& conn, const AddPoliciesArguments& parsed,
                                            QString* error) const override;
};

struct ExportArguments
{
    QUuid tenant;
    qint64 backupSet = 0;
    QString folder;
};

// backup-set export --tenant UUID --backup-set ID DIR: writes the set as an IntuneManagement export folder.
class BackupSetExport final : public RunCommand<ExportArguments>
{
public:
    BackupSetExport();
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    bool parse(const Invocation& in, ExportArguments* parsed, QString* error) const override;
    std::optional<runs::RunRequest> request(db::Connection& conn, const ExportArguments& parsed, QString* error) const override;
};

struct PruneArguments
{
    QUuid tenant;
    QString interval; // "90 days"
};

// runs prune --tenant UUID --older-than AGE: an owner's prune is a run (in the hub, batch by
// batch); an administrator who is not a member of the tenant prunes directly, batch by batch too.
class RunsPrune final : public ParsedCommand<PruneArguments>
{
public:
    RunsPrune();
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    bool parse(const Invocation& in, PruneArguments* parsed, QString* error) const override;
    int execute(const Invocation& in, const PruneArguments& parsed) const override;

private:
    // The owner's way: 0 with *removed, or the exit status of a failure already reported.
    static int pruneAsRun(Session& session, const Invocation& in, const PruneArguments& parsed, qint64* removed);
    static int pruneDirectly(Session& session, const PruneArguments& parsed, qint64* removed);
};

} // namespace atlas::app::commands
