#pragma once

#include "Command.h"

#include <QUuid>

// The commands that set things up and answer at once: no run.
namespace atlas::app::commands {

struct NoArguments
{ };

// migrate: applies pending migrations (a superuser connection).
class Migrate final : public ParsedCommand<NoArguments>
{
public:
    Migrate();

protected:
    QList<QCommandLineOption> takes(const Options& options) const override { return {options.schedule}; }
    bool parse(const Invocation&, NoArguments*, QString*) const override { return true; }
    int execute(const Invocation& in, const NoArguments&) const override;
};

// tenants: the tenants the caller belongs to and the role in each, where a script finds its --tenant.
class Tenants final : public ParsedCommand<NoArguments>
{
public:
    Tenants();

protected:
    bool parse(const Invocation&, NoArguments*, QString*) const override { return true; }
    int execute(const Invocation& in, const NoArguments&) const override;
};

struct Named
{
    QUuid tenant;
    QString name;
};

// What baseline capture and backup-set create share: --tenant and --name, one database function
// that returns the new id.
class CreateCommand : public ParsedCommand<Named>
{
public:
    QList<QCommandLineOption> takes(const Options& options) const override;

protected:
    // `function`: atlas.FUNCTION(tenant, name); `key`: the id's name in --json.
    CreateCommand(Spec spec, QString function, QString key);
    bool parse(const Invocation& in, Named* parsed, QString* error) const override;
    int execute(const Invocation& in, const Named& parsed) const override;

private:
    QString m_function;
    QString m_key;
};

// baseline capture: captures the current inventory as a baseline; prints its id.
class BaselineCapture final : public CreateCommand
{
public:
    BaselineCapture();
};

// backup-set create: creates an empty backup set; prints its id.
class BackupSetCreate final : public CreateCommand
{
public:
    BackupSetCreate();
};

} // namespace atlas::app::commands
