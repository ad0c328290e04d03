#pragma once

#include "KeptConnection.h"
#include "Worker.h"

#include <functional>
#include <memory>
#include <utility>

namespace atlas::db {

// One database connection kept open in a thread of its own, doing work for the GUI one task
// at a time. post() runs `work(connection)` in that thread and hands its result to `done` in
// the thread of `context` (dropped if the context is gone). Keeping the connection open is
// what lets a start answer in milliseconds; it checks itself before a task (KeptConnection), so
// a restarted server or a dropped network costs no task. `setUp` runs on each connection it opens.
class DbWorker final : public Worker
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DbWorker)
public:
    DbWorker(ConnectionSpec spec, QString purpose, QObject* parent = nullptr,
             std::function<bool(Connection&)> setUp = {});
    ~DbWorker() override; // waits for the tasks posted, closes the connection in its thread

    template<typename T>
    void post(QObject* context, std::function<T(Connection&)> work, std::function<void(T)> done)
    {
        Worker::post<T>(context, [this, work = std::move(work)] { return work(m_conn->get()); }, std::move(done));
    }
    // Work without an answer.
    void run(std::function<void(Connection&)> work)
    {
        Worker::run([this, work = std::move(work)] { work(m_conn->get()); });
    }

private:
    std::unique_ptr<KeptConnection> m_conn; // used in the worker thread only
};

} // namespace atlas::db
