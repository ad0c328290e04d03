#pragma once

#include "RunApi.h"
#include "RunJob.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <atomic>
#include <functional>

namespace atlas::db {
class Connection;
}

namespace atlas::runs {

// A running job's link to its run: the job writes its results in batches (of kBatchSize items or
// more), each batch in one transaction with whatever the producer writes alongside. Every batch
// beats the run's heart; between batches shouldStop(), which every job asks between items or
// chunks, sends a heartbeat when kHeartbeatMs have passed. A lost lease or a stop request ends it.
class RunContext final
{
    Q_DISABLE_COPY_MOVE(RunContext)
public:
    static constexpr int kBatchSize = 200;
    static constexpr int kHeartbeatMs = 10000;

    using BatchWriter = std::function<bool(db::Connection&, db::DbError*)>;
    using Progress = std::function<void(int processed, int total)>;

    RunContext(db::Connection& conn, RunRecord run, QUuid lease, const std::atomic_bool* stop, Progress progress);

    const RunRecord& run() const { return m_run; }
    db::Connection& connection() { return m_conn; }
    const QUuid& lease() const { return m_lease; }

    // Writes one batch now, in one transaction with `alongside`. `recordedByWriter` counts items
    // whose results the writer recorded itself (a database function that does both).
    bool writeBatch(const QList<ItemResult>& results, const BatchWriter& alongside, int recordedByWriter = 0);
    void couldNotProceed(const QString& reasonCode, const QString& message);
    void setSummary(const QJsonObject& summary) { m_summary = summary; }

    // True once the job must stop: lease lost, stop requested or a write failed. Sends a
    // heartbeat when one is due, so a job that asks between items keeps its run alive.
    bool shouldStop();
    bool leaseLost() const { return m_leaseLost; }
    bool stopRequested() const { return m_stop && m_stop->load(); }
    const QString& failureCode() const { return m_failureCode; }
    const QString& failureMessage() const { return m_failureMessage; }
    const QJsonObject& summary() const { return m_summary; }
    int processed() const { return m_processed; }

private:
    bool handleError(const db::DbError& error);
    void heartbeatIfDue();

    db::Connection& m_conn;
    RunRecord m_run;
    QUuid m_lease;
    const std::atomic_bool* m_stop;
    Progress m_progress;
    QElapsedTimer m_sinceHeartbeat;
    bool m_leaseLost = false;
    bool m_writeFailed = false;
    QString m_failureCode;
    QString m_failureMessage;
    QJsonObject m_summary;
    int m_processed = 0;
};

} // namespace atlas::runs
