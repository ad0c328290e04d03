#include "RunWorker.h"

#include "RunApi.h"
#include "db/Connection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

#include <spdlog/spdlog.h>

#include <exception>

namespace atlas::runs {

RunWorker::RunWorker(db::ConnectionSpec spec, qint64 runId, const std::atomic_bool* stop,
                     RunContext::Progress progress)
    : m_spec(std::move(spec))
    , m_runId(runId)
    , m_stop(stop)
    , m_progress(std::move(progress))
{
}

WorkerOutcome RunWorker::run()
{
    WorkerOutcome outcome;
    outcome.runId = m_runId;
    db::Connection conn(m_spec, QStringLiteral("worker"));
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
        if (!conn.exec(q, QStringLiteral("SELECT tenant_id, resource, action, scope::text, item_ids::text "
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
    if (!ctx.summary().isEmpty())
        api.setSummary(m_runId, *lease, ctx.summary(), &error);
    // Stopped on purpose: aborted with a reason, whatever was recorded so far stays.
    const auto status = ctx.stopRequested() && ctx.failureCode().isEmpty()
                            ? api.abort(m_runId, *lease, QStringLiteral("cancelled"),
                                        QStringLiteral("Stopped before all items were processed."), &error)
                            : api.finish(m_runId, *lease, ctx.failureCode(), ctx.failureMessage(), &error);
    if (!status) {
        outcome.leaseLost = error.isLeaseLost();
        outcome.error = error.message;
        return outcome;
    }
    outcome.status = *status;
    return outcome;
}

} // namespace atlas::runs
