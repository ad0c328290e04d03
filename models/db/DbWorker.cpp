#include "DbWorker.h"

#include <QTimer>

#include <spdlog/spdlog.h>

namespace atlas::db {

DbWorker::DbWorker(ConnectionSpec spec, QString purpose, QObject* parent, std::function<bool(Connection&)> setUp, int idleCloseMs)
    : Worker(QStringLiteral("db-") + purpose, parent)
    , m_conn(std::make_unique<KeptConnection>(std::move(spec), std::move(purpose), std::move(setUp)))
    , m_idleCloseMs(idleCloseMs)
{ }

DbWorker::~DbWorker()
{
    // The connection and the timer belong to the worker thread: gone there, then the thread stops.
    stop([this] {
        delete m_idle;
        m_idle = nullptr;
        m_conn.reset();
    });
}

void DbWorker::taskDone()
{
    if (m_idleCloseMs < 0)
        return;
    if (!m_idle) {
        m_idle = new QTimer; // in the worker thread, which runs an event loop
        m_idle->setSingleShot(true);
        QObject::connect(m_idle, &QTimer::timeout, m_idle, [this] {
            // Queued behind nothing: no task is running now (tasks run in this same thread).
            if (m_conn->isOpen()) {
                spdlog::debug("{}: idle for {} ms, closing its connection", workerThread()->objectName().toStdString(),
                              m_idleCloseMs);
                m_conn->drop();
            }
        });
    }
    m_idle->start(m_idleCloseMs);
}

} // namespace atlas::db
