#include "RunWorker.h"

#include "RunApi.h"
#include "db/Connection.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QThread>

#include <spdlog/spdlog.h>

#include <exception>

namespace atlas::runs {

RunWorker::RunWorker(db::ConnectionSpec spec, qint64 runId, const std::atomic_bool* stop, RunContext::Progress progress)
    : m_spec(std::move(spec))
    , m_runId(runId)
    , m_stop(stop)
    , m_progress(std::move(progress))
{ }

WorkerOutcome RunWorker::run()
{
    db::Connection own(m_spec, QStringLiteral("worker"));
    return run(own);
}

WorkerOutcome RunWorker::run(db::Connection& conn)
{
    WorkerOutcome outcome;
    outcome.runId = m_runId;
    if (!conn.open()) {
        outcome.error = conn.lastError().message;
        return outcome;
    }
    RunApi api(conn);
    db::DbError error;
    const auto lease = api.claim(m_runId, &error);
    if (!lease) {
        outcome.error = error.message;
        return outcome;
    }
    if (lease->isNull())
        return outcome; // not pending any more: another worker has it, or it was reaped
    outcome.claimed = true;

    RunRecord record;
    record.id = m_runId;
    {
        QSqlQuery q(conn.database());
        if (!conn.exec(q,
                       QStringLiteral("SELECT tenant_id, resource, action, scope::text, item_ids::text "
                                      "FROM atlas.operation_runs WHERE id = ?"),
                       {m_runId}) ||
            !q.next()) {
            outcome.error = conn.lastError().message;
            api.finish(m_runId, *lease, QStringLiteral("internal_error"), QStringLiteral("cannot read the run"), &error);
            return outcome;
        }
        record.tenant = QUuid::fromString(q.value(0).toString());
        record.resource = q.value(1).toString();
        record.action = q.value(2).toString();
        record.scope = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
        for (const QJsonValue& v : QJsonDocument::fromJson(q.value(4).toString().toUtf8()).array())
            record.itemIds << v.toString();
    }

    RunContext ctx(conn, record, *lease, m_stop, m_progress);
    std::unique_ptr<RunJob> job = RunJob::forRun(record);
    if (!job) {
        ctx.couldNotProceed(QStringLiteral("unsupported_operation"),
                            QStringLiteral("This console cannot execute %1/%2 runs.").arg(record.resource, record.action));
    } else {
        try {
            job->execute(ctx);
        } catch (const std::exception& e) {
            spdlog::error("run {}: job failed: {}", m_runId, e.what());
            ctx.couldNotProceed(QStringLiteral("internal_error"), QStringLiteral("The worker failed unexpectedly."));
        }
    }
    if (ctx.leaseLost()) {
        outcome.leaseLost = true;
        return outcome;
    }
    // Ends the run on `c`: finished as its items say, or aborted when it was stopped or its
    // connection was lost part-way.
    const QString code = ctx.stopRequested() && ctx.failureCode().isEmpty() ? QStringLiteral("cancelled") : ctx.failureCode();
    const bool abort = code == QLatin1String("cancelled") || code == QLatin1String("db_connection_lost");
    const QString message = code == QLatin1String("cancelled") ? QStringLiteral("Stopped before all items were processed.")
        : code == QLatin1String("db_connection_lost")
        ? QStringLiteral("The database connection was lost during the run; %1 of %2 items were recorded.")
              .arg(ctx.processed())
              .arg(record.itemIds.size())
        : ctx.failureMessage();
    const QJsonObject summary = ctx.summary();
    auto end = [&](db::Connection& c, db::DbError* e) {
        RunApi a(c);
        if (!summary.isEmpty())
            a.setSummary(m_runId, *lease, summary, e);
        return abort ? a.abort(m_runId, *lease, code, message, e) : a.finish(m_runId, *lease, code, message, e);
    };
    auto status = end(conn, &error);
    if (!status && error.isConnectionProblem())
        status = endAfterReconnect(end, &error);
    if (!status) {
        outcome.leaseLost = error.isLeaseLost();
        outcome.error = error.message;
        return outcome;
    }
    outcome.status = *status;
    return outcome;
}

std::optional<QString> RunWorker::endAfterReconnect(const EndRun& end, db::DbError* error)
{
    // The database went away (a restart, the network). Get it back and end the run with the
    // lease the worker still holds, well before the reaper would call it lost; give up sooner
    // when asked to stop (the reaper then ends it as worker_lost). Never left running for good.
    QElapsedTimer waited;
    waited.start();
    int backoffMs = 250;
    while (waited.elapsed() < kReconnectForMs) {
        QThread::msleep(backoffMs);
        backoffMs = std::min(backoffMs * 2, 5000);
        db::Connection fresh(m_spec, QStringLiteral("worker-reconnect"));
        if (!fresh.open()) {
            *error = fresh.lastError();
        } else {
            const auto status = end(fresh, error);
            if (status || !error->isConnectionProblem()) {
                spdlog::info("run {}: ended after reconnecting ({})", m_runId,
                             status ? status->toStdString() : error->message.toStdString());
                return status;
            }
        }
        if (m_stop && m_stop->load() && waited.elapsed() > kReconnectWhenStoppingMs)
            break;
    }
    spdlog::error("run {}: database unreachable for {} s; the run is left to be reaped", m_runId, waited.elapsed() / 1000);
    return std::nullopt;
}

} // namespace atlas::runs
