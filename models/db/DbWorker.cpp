#include "DbWorker.h"

namespace atlas::db {

DbWorker::DbWorker(ConnectionSpec spec, QString purpose, QObject* parent)
    : QObject(parent)
    , m_spec(std::move(spec))
    , m_purpose(std::move(purpose))
    , m_agent(new QObject)
{
    m_thread.setObjectName(QStringLiteral("db-") + m_purpose);
    m_agent->moveToThread(&m_thread);
    m_thread.start();
}

DbWorker::~DbWorker()
{
    // The connection belongs to the worker thread: close it there, then stop the thread.
    QMetaObject::invokeMethod(m_agent, [this] {
        m_conn.reset();
        delete m_agent;
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

Connection& DbWorker::connection()
{
    // No task should fail on a connection that is already gone.
    const bool broken = m_conn && !m_conn->stillWorks();
    if (!m_conn || broken) {
        m_conn.reset(); // a named connection must be gone before one of that name is added again
        m_conn = std::make_unique<Connection>(m_spec, m_purpose);
        m_conn->open();
    }
    return *m_conn;
}

} // namespace atlas::db
