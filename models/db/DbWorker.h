#pragma once

#include "KeptConnection.h"
#include "Worker.h"

#include <functional>
#include <memory>
#include <utility>

class QTimer;

namespace atlas::db {

// One database connection kept open in a thread of its own, doing work for the GUI one task
// at a time. post() runs `work(connection)` in that thread and hands its result to `done` in
// the thread of `context` (dropped if the context is gone). Keeping the connection open is
// what lets a start answer in milliseconds; it checks itself before a task (KeptConnection), so
// a restarted server or a dropped network costs no task. `setUp` runs on each connection it opens.
//
// With `idleCloseMs` >= 0 the connection is closed once no task has come for that long, and
// opened again by the next task: for a worker used now and then (pages of a table, starts), so
// that an idle console holds no session for it. < 0: kept open for as long as the worker lives.
class DbWorker final : public Worker
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DbWorker)
public:
    // How long a worker used now and then keeps its connection after its last task.
    static constexpr int kIdleCloseMs = 2000;

    DbWorker(ConnectionSpec spec, QString purpose, QObject* parent = nullptr, std::function<bool(Connection&)> setUp = {},
             int idleCloseMs = -1);
    ~DbWorker() override; // waits for the tasks posted, closes the connection in its thread

    template <typename T> void post(QObject* context, std::function<T(Connection&)> work, std::function<void(T)> done)
    {
        Worker::post<T>(
            context,
            [this, work = std::move(work)] {
                T result = work(m_conn->get());
                taskDone();
                return result;
            },
            std::move(done));
    }
    // Work without an answer.
    void run(std::function<void(Connection&)> work)
    {
        Worker::run([this, work = std::move(work)] {
            work(m_conn->get());
            taskDone();
        });
    }

private:
    // In the worker thread, after each task: (re)arms the idle close.
    void taskDone();

    std::unique_ptr<KeptConnection> m_conn; // used in the worker thread only
    int m_idleCloseMs;
    QTimer* m_idle = nullptr; // made, used and deleted in the worker thread
};

} // namespace atlas::db
