#include "RunStarter.h"

#include "RunApi.h"
#include "RunExecutor.h"
#include "db/DbWorker.h"

#include <QPointer>

#include <spdlog/spdlog.h>

namespace atlas::runs {

RunStarter::RunStarter(const db::ConnectionSpec& spec, RunExecutor* executor, QObject* parent)
    : QObject(parent)
    // Starts come now and then: the connection closes when none has come for a moment.
    , m_db(new db::DbWorker(spec, QStringLiteral("starter"), this, {}, db::DbWorker::kIdleCloseMs))
    , m_executor(executor)
{ }

RunStarter::~RunStarter() = default;

void RunStarter::start(const QString& label, Build build, QObject* context, std::function<void(const StartOutcome&)> done)
{
    QPointer<QObject> receiver(context);
    QElapsedTimer clock;
    clock.start();
    m_db->post<StartOutcome>(
        this,
        [label, build = std::move(build)](db::Connection& conn) {
            StartOutcome out;
            out.label = label;
            if (!conn.isAlive()) {
                out.error = RunQueries::explain(conn.lastError());
                return out;
            }
            QString why;
            const std::optional<RunRequest> request = build(conn, &why);
            if (!request) {
                out.error = why;
                return out;
            }
            db::DbError error;
            const auto started = RunApi(conn).start(*request, &error);
            if (!started) {
                out.refused = error.sqlState == QLatin1String("42501");
                out.error = RunQueries::explain(error);
                return out;
            }
            out.runId = started->runId;
            out.reused = started->reused;
            return out;
        },
        [this, clock, receiver, hasReceiver = context != nullptr, done = std::move(done)](StartOutcome out) {
            out.elapsedMs = clock.elapsed();
            if (out.runId && !out.reused && m_executor)
                m_executor->execute(out.runId);
            spdlog::info("start {}: run {} reused={} refused={} in {} ms", out.label.toStdString(), out.runId, out.reused,
                         out.refused, out.elapsedMs);
            if (done && (!hasReceiver || receiver))
                done(out);
            Q_EMIT started(out);
        });
}

void RunStarter::call(std::function<QString(db::Connection&)> work, std::function<void(QString)> done, QObject* context)
{
    m_db->post<QString>(context, std::move(work), std::move(done));
}

} // namespace atlas::runs
