#pragma once

#include "RunWorker.h"
#include "db/ConnectionSpec.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace atlas::runs {

// Executes runs in the console: a pool of workers, each RunWorker on its own connection in a
// pool thread, never the caller's. Reports progress and the outcome by queued signals. stopAll()
// asks every worker to stop; a stopped run ends `aborted` with reason `cancelled`, never left
// running.
class RunExecutor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunExecutor)
public:
    // How long a pool thread, and the connection it keeps, outlives its last run.
    static constexpr int kIdleExpiryMs = 2000;

    explicit RunExecutor(db::ConnectionSpec spec, int maxWorkers = 2, QObject* parent = nullptr);
    ~RunExecutor() override; // stops what runs and waits for it

    // Claims and executes the run in a pool thread (a run someone else holds is only reported).
    void execute(qint64 runId);
    int activeCount() const { return int(m_stops.size()); }
    QList<qint64> activeRuns() const { return m_stops.keys(); }
    void stopAll();
    // Waits until no worker runs (for shutdown and tests).
    bool waitForDone(int msecs = -1);

Q_SIGNALS:
    void progress(qint64 runId, int processed, int total);
    void finished(qint64 runId, const QString& status, bool claimed, const QString& error);

private:
    db::ConnectionSpec m_spec;
    QThreadPool m_pool;
    QHash<qint64, std::shared_ptr<std::atomic_bool>> m_stops;
};

} // namespace atlas::runs
