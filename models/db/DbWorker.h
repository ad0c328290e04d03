#pragma once

#include "Connection.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <functional>
#include <memory>
#include <utility>

namespace atlas::db {

// One database connection kept open in a thread of its own, doing work for the GUI one task
// at a time. post() runs `work(connection)` in that thread and hands its result to `done` in
// the thread of `context` (dropped if the context is gone). Keeping the connection open is
// what lets a start answer in milliseconds; a connection found broken (a restarted server, a
// dropped network) is opened again before the next task.
class DbWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DbWorker)
public:
    DbWorker(ConnectionSpec spec, QString purpose, QObject* parent = nullptr);
    ~DbWorker() override; // waits for the task in progress

    template<typename T>
    void post(QObject* context, std::function<T(Connection&)> work, std::function<void(T)> done)
    {
        QPointer<QObject> guard(context);
        QMetaObject::invokeMethod(m_agent, [this, guard, work = std::move(work), done = std::move(done)] {
            T result = work(connection());
            QMetaObject::invokeMethod(guard.data() ? guard.data() : m_agent,
                                      [guard, done, result = std::move(result)] {
                                          if (guard)
                                              done(result);
                                      },
                                      Qt::QueuedConnection);
        }, Qt::QueuedConnection);
    }

private:
    // Called in the worker thread only.
    Connection& connection();

    ConnectionSpec m_spec;
    QString m_purpose;
    QThread m_thread;
    QObject* m_agent; // lives in m_thread
    std::unique_ptr<Connection> m_conn;
};

} // namespace atlas::db
