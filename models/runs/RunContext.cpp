#include "RunContext.h"

#include "db/Connection.h"

#include <spdlog/spdlog.h>

namespace atlas::runs {

RunContext::RunContext(db::Connection& conn, RunRecord run, QUuid lease, const std::atomic_bool* stop, Progress progress)
    : m_conn(conn)
    , m_run(std::move(run))
    , m_lease(lease)
    , m_stop(stop)
    , m_progress(std::move(progress))
{
    m_sinceHeartbeat.start();
}

bool RunContext::shouldStop()
{
    heartbeatIfDue();
    return m_leaseLost || m_writeFailed || stopRequested();
}

bool RunContext::handleError(const db::DbError& error)
{
    if (error.isLeaseLost()) {
        m_leaseLost = true;
        spdlog::warn("run {}: lease lost, stopping", m_run.id);
    } else {
        m_writeFailed = true;
        m_failureCode = error.isConnectionProblem() ? QStringLiteral("db_connection_lost") : QStringLiteral("write_failed");
        m_failureMessage = error.message;
        spdlog::error("run {}: write failed: {}", m_run.id, error.message.toStdString());
    }
    return false;
}

bool RunContext::writeBatch(const QList<ItemResult>& results, const BatchWriter& alongside, int recordedByWriter)
{
    if (m_leaseLost || m_writeFailed)
        return false;
    db::DbError error;
    if (!m_conn.begin())
        return handleError(m_conn.lastError());
    bool ok = true;
    if (alongside)
        ok = alongside(m_conn, &error);
    RunApi api(m_conn);
    if (ok && !results.isEmpty())
        ok = api.record(m_run.id, m_lease, results, &error);
    if (!ok) {
        m_conn.rollback();
        return handleError(error);
    }
    RunApi::announce(m_conn, m_run.id);
    if (!m_conn.commit())
        return handleError(m_conn.lastError());
    m_processed += int(results.size()) + recordedByWriter;
    m_sinceHeartbeat.restart(); // record_item_results beats the heart too
    if (m_progress)
        m_progress(m_processed, int(m_run.itemIds.size()));
    return true;
}

void RunContext::heartbeatIfDue()
{
    if (m_sinceHeartbeat.elapsed() < kHeartbeatMs || m_leaseLost || m_writeFailed)
        return;
    m_sinceHeartbeat.restart();
    RunApi api(m_conn);
    db::DbError error;
    const auto alive = api.heartbeat(m_run.id, m_lease, &error);
    if (!alive)
        handleError(error);
    else if (!*alive)
        m_leaseLost = true;
}

void RunContext::couldNotProceed(const QString& reasonCode, const QString& message)
{
    if (m_failureCode.isEmpty()) {
        m_failureCode = reasonCode;
        m_failureMessage = message;
    }
}

} // namespace atlas::runs
