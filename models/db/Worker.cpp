#include "Worker.h"

namespace atlas::db {

namespace detail {

Reply::Reply(QObject* receiver)
    : m_receiver(receiver)
{
    Q_ASSERT(receiver);
    if (receiver->thread() != thread())
        moveToThread(receiver->thread());
}

void Reply::deliver(std::function<void()> answer)
{
    // Nothing but this call deletes a Reply, so it is alive until the queued call has run.
    QMetaObject::invokeMethod(
        this,
        [this, answer = std::move(answer)] {
            if (m_receiver)
                answer();
            delete this;
        },
        Qt::QueuedConnection);
}

} // namespace detail

Worker::Worker(const QString& name, QObject* parent)
    : QObject(parent)
    , m_agent(new QObject)
{
    m_thread.setObjectName(name);
    m_agent->moveToThread(&m_thread);
    m_thread.start();
}

Worker::~Worker()
{
    stop();
}

void Worker::run(std::function<void()> work)
{
    Q_ASSERT(m_agent);
    QMetaObject::invokeMethod(m_agent, std::move(work), Qt::QueuedConnection);
}

void Worker::stop(const std::function<void()>& last)
{
    if (!m_agent)
        return;
    // Queued behind every task posted so far.
    QObject* agent = m_agent;
    QMetaObject::invokeMethod(
        agent,
        [agent, &last] {
            if (last)
                last();
            agent->deleteLater(); // goes as the thread ends
        },
        Qt::BlockingQueuedConnection);
    m_agent = nullptr;
    m_thread.quit();
    m_thread.wait();
}

} // namespace atlas::db
