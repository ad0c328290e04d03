#pragma once

#include "RunRequests.h"
#include "db/ConnectionSpec.h"

#include <QElapsedTimer>
#include <QObject>

#include <functional>
#include <optional>

namespace atlas::db {
class Connection;
class DbWorker;
} // namespace atlas::db

namespace atlas::runs {

class RunExecutor;

struct StartOutcome
{
    QString label;    // "Drift generation", ...
    qint64 runId = 0; // 0 when nothing was started
    bool reused = false;
    bool refused = false; // the database said the caller may not start runs here (42501)
    QString error;        // one line, for a person
    qint64 elapsedMs = 0; // from start() to the answer
};

// Starts runs for the console: builds the request (reading what its items are) and calls
// atlas.start_run on a connection kept open in its own thread, then hands a new run to the
// executor. The answer (run id, or "already running", or why not) comes back by signal within
// milliseconds; the run itself executes afterwards in a worker.
class RunStarter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunStarter)
public:
    using Build = std::function<std::optional<RunRequest>(db::Connection&, QString* error)>;

    RunStarter(const db::ConnectionSpec& spec, RunExecutor* executor, QObject* parent = nullptr);
    ~RunStarter() override;

    // Answers through `done` (if its context still exists) and the started() signal.
    void start(const QString& label, Build build, QObject* context = nullptr, std::function<void(const StartOutcome&)> done = {});
    // Runs `work` on the starter's connection (creating a baseline or a set) and reports back.
    void call(std::function<QString(db::Connection&)> work, std::function<void(QString)> done, QObject* context);

Q_SIGNALS:
    void started(const atlas::runs::StartOutcome& outcome);

private:
    db::DbWorker* m_db;
    RunExecutor* m_executor;
};

} // namespace atlas::runs

Q_DECLARE_METATYPE(atlas::runs::StartOutcome)
