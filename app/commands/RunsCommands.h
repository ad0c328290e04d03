#pragma once

#include "Command.h"

#include "runs/RunRequests.h"

// The commands that read runs back, and the one that ends a run.
namespace atlas::app::commands {

// runs list --tenant UUID [--bucket B] [--resource R] [--since T]: runs of the tenant, newest first.
class RunsList final : public ParsedCommand<runs::RunQueries::ListFilter>
{
public:
    RunsList();
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    bool parse(const Invocation& in, runs::RunQueries::ListFilter* filter, QString* error) const override;
    int execute(const Invocation& in, const runs::RunQueries::ListFilter& filter) const override;
};

// What runs show and runs cancel share: the run id as their one argument.
class RunIdCommand : public ParsedCommand<qint64>
{
protected:
    using ParsedCommand::ParsedCommand;
    bool parse(const Invocation& in, qint64* id, QString* error) const override;
};

// runs show ID: one run.
class RunsShow final : public RunIdCommand
{
public:
    RunsShow();

protected:
    int execute(const Invocation& in, const qint64& id) const override;
};

// runs cancel ID: owners and managers end an active run of their tenant (aborted/cancelled); the
// worker holding its lease stops at its next write. A run that had already ended is shown as it is.
class RunsCancel final : public RunIdCommand
{
public:
    RunsCancel();

protected:
    int execute(const Invocation& in, const qint64& id) const override;
};

} // namespace atlas::app::commands
