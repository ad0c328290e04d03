#pragma once

#include "db/ConnectionSpec.h"
#include "runs/RunContext.h"

namespace atlas::db {
class Connection;
}

#include <QString>

#include <atomic>
#include <functional>

namespace atlas::runs {

// What became of a run a worker took on.
struct WorkerOutcome
{
    qint64 runId = 0;
    bool claimed = false;   // false: someone else holds it, or it is no longer pending
    bool leaseLost = false; // the run was taken away (reaped) while working
    QString status;         // final storage status when this worker finished it
    QString error;          // why the worker could not even start, when it could not
};

// Executes one run from claim to finish on its own database connection: claim, read the run,
// run the producer's job, write the last batch, finish. Runs synchronously in the calling
// thread (a pool thread of RunExecutor, or the command line's main thread); never throws.
class RunWorker final
{
public:
    RunWorker(db::ConnectionSpec spec, qint64 runId, const std::atomic_bool* stop = nullptr, RunContext::Progress progress = {});
    WorkerOutcome run();
    // The same on a connection the caller keeps (opened here if need be), e.g. one per pool
    // thread, so a run does not pay for a new login.
    WorkerOutcome run(db::Connection& conn);

    // How long a worker that lost its database keeps trying to end its run (under the reap
    // timeout of 2 minutes), and how long once the console asked it to stop.
    static constexpr int kReconnectForMs = 90000;
    static constexpr int kReconnectWhenStoppingMs = 5000;

private:
    using EndRun = std::function<std::optional<QString>(db::Connection&, db::DbError*)>;
    std::optional<QString> endAfterReconnect(const EndRun& end, db::DbError* error);

    db::ConnectionSpec m_spec;
    qint64 m_runId;
    const std::atomic_bool* m_stop;
    RunContext::Progress m_progress;
};

} // namespace atlas::runs
