#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <utility>

namespace atlas::db {

namespace detail {
// One answer on its way to the object that asked for it. Made in (and kept in) that object's
// thread, so whether the object still exists is asked in the thread that could destroy it: an
// answer to an object gone by then is dropped, never handed to a dangling pointer.
class Reply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Reply)
public:
    explicit Reply(QObject* receiver);
    // Called in any thread, once: runs `answer` in the receiver's thread if the receiver is still
    // there, then deletes this.
    void deliver(std::function<void()> answer);

private:
    QPointer<QObject> m_receiver;
};
} // namespace detail

// A thread of its own doing tasks one at a time, in the order they were posted, for objects in
// other threads (the GUI's widgets, models): post() runs `work` there and hands its result to
// `done` in the receiver's thread, or drops it when the receiver has been destroyed meanwhile.
// The one way the console leaves the GUI thread for work that may wait (a database, the
// keyring); DbWorker adds a kept-open connection for the tasks.
class Worker : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)
public:
    explicit Worker(const QString& name, QObject* parent = nullptr);
    ~Worker() override; // runs what was posted (answers to receivers gone are dropped), then stops

    template <typename T> void post(QObject* receiver, std::function<T()> work, std::function<void(T)> done)
    {
        auto* reply = new detail::Reply(receiver);
        run([reply, work = std::move(work), done = std::move(done)] {
            auto result = std::make_shared<T>(work());
            reply->deliver([done, result] { done(std::move(*result)); });
        });
    }
    // Work without an answer.
    void run(std::function<void()> work);

    // A task that keeps nothing for the next one, on a pooled thread: for work that may wait
    // long (a probe of a server that does not answer) and must hold up nothing posted after it.
    // The answer goes to `done` as with post().
    template <typename T> static void spawn(QObject* receiver, std::function<T()> work, std::function<void(T)> done)
    {
        auto* reply = new detail::Reply(receiver);
        QThreadPool::globalInstance()->start([reply, work = std::move(work), done = std::move(done)] {
            auto result = std::make_shared<T>(work());
            reply->deliver([done, result] { done(std::move(*result)); });
        });
    }

    QThread* workerThread() { return &m_thread; }

protected:
    // For a subclass whose members the tasks use: runs the posted tasks, then `last` in the
    // worker's thread (to close what the tasks opened there), and stops the thread. Call from
    // the subclass's destructor, before its members go.
    void stop(const std::function<void()>& last = {});

private:
    QThread m_thread;
    QObject* m_agent; // lives in m_thread
};

} // namespace atlas::db
