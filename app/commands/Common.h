#pragma once

#include "Command.h"

#include "db/Bootstrap.h"
#include "db/Connection.h"
#include "runs/RunRequests.h"

#include <QJsonObject>
#include <QUuid>

#include <functional>
#include <memory>
#include <optional>

// What the commands share: output, the connection, reading options, and the one step that
// starts a run, executes it here and follows it.
namespace atlas::app::commands {

void printLine(const QString& text);
void printJson(const QJsonObject& object);

struct Session
{
    db::Bootstrap::Target target;
    std::unique_ptr<db::Connection> conn;
};

// Reads are allowed on a database whose schema is newer than this build; writes are not.
enum class Access
{
    Read,
    Write
};

bool openSession(const Invocation& in, Session* session, QString* error, Access access);

// --tenant, required, a UUID.
bool tenantOption(const Invocation& in, QUuid* tenant, QString* error);
// A required option with a positive id (--baseline, --backup-set).
bool idOption(const Invocation& in, const QCommandLineOption& option, qint64* id, QString* error);

// Prints the run (--json: its columns plus "reused"); 0, or the exit status of a failure.
int printRun(db::Connection& conn, qint64 id, bool reused, bool json);

// Starts the run and executes it here with a progress bar (or, when an identical run is active
// elsewhere, follows it to its end with --wait). 0 with *runId and *reused, or the exit status of
// a failure already reported.
int execute(Session& session, const runs::RunRequest& request, const Invocation& in, qint64* runId, bool* reused);
// execute(), then prints the run.
int startAndExecute(Session& session, const runs::RunRequest& request, const Invocation& in);

// What a run command starts, read with the caller's connection; nullopt with a one-line reason.
using RequestBuilder = std::function<std::optional<runs::RunRequest>(db::Connection& conn, QString* error)>;
// Opens a session that may write, builds the request and runs startAndExecute().
int startRequest(const Invocation& in, const RequestBuilder& build);

} // namespace atlas::app::commands
