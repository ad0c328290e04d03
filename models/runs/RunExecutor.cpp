#include "RunExecutor.h"

#include "db/KeptConnection.h"

#include <QPointer>

namespace atlas::runs {

RunExecutor::RunExecutor(db::ConnectionSpec spec, int maxWorkers, QObject* parent)
    : QObject(parent)
    , m_spec(std::move(spec))
{
    m_pool.setMaxThreadCount(std::max(1, maxWorkers));
    m_pool.setObjectName(QStringLiteral("run-workers"));
    // A thread (and with it its connection) goes soon after its last run: a console that is
    // not executing anything holds no session for runs.
    m_pool.setExpiryTimeout(kIdleExpiryMs);
}

RunExecutor::~RunExecutor()
{
    stopAll();
    m_pool.waitForDone();
}

void RunExecutor::execute(qint64 runId)
{
    if (m_stops.contains(runId))
        return;
    auto stop = std::make_shared<std::atomic_bool>(false);
    m_stops.insert(runId, stop);
    QPointer<RunExecutor> self(this);
    const db::ConnectionSpec spec = m_spec;
    m_pool.start([self, spec, runId, stop] {
        // One connection per pool thread, kept between runs (a new login costs more than a small
        // run) and checking itself before each use (KeptConnection). It closes when the pool
        // retires the thread, kIdleExpiryMs after its last run. The pool is this executor's own,
        // so its threads only ever connect with this executor's spec.
        thread_local std::unique_ptr<db::KeptConnection> kept;
        if (!kept)
            kept = std::make_unique<db::KeptConnection>(spec, QStringLiteral("worker"));
        db::Connection* conn = &kept->get();
        RunWorker worker(spec, runId, stop.get(), [self, runId](int done, int total) {
            if (self)
                QMetaObject::invokeMethod(
                    self,
                    [self, runId, done, total] {
                        if (self)
                            Q_EMIT self->progress(runId, done, total);
                    },
                    Qt::QueuedConnection);
        });
        const WorkerOutcome outcome = worker.run(*conn);
        if (!self)
            return;
        QMetaObject::invokeMethod(
            self,
            [self, outcome] {
                if (!self)
                    return;
                self->m_stops.remove(outcome.runId);
                Q_EMIT self->finished(outcome.runId, outcome.status, outcome.claimed,
                                      outcome.leaseLost ? QStringLiteral("lease lost") : outcome.error);
            },
            Qt::QueuedConnection);
    });
}

void RunExecutor::stopAll()
{
    for (const auto& stop : std::as_const(m_stops))
        stop->store(true);
}

bool RunExecutor::waitForDone(int msecs)
{
    return m_pool.waitForDone(msecs);
}

} // namespace atlas::runs
