#pragma once

#include "TestCluster.h"
#include "db/Connection.h"

#include <QTest>

#include <memory>

namespace atlas::test {

// An advisory lock a superuser session holds, to keep a worker busy on the server: a task posted
// to the worker that runs waitIn() waits for the lock until release(), as a slow query would.
class HeldLock final
{
public:
    HeldLock(TestCluster& cluster, int key)
        : m_key(key)
        , m_holder(cluster.connectSuperuser())
    {
        m_held = m_holder && m_holder->scalar(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(m_key)).isValid();
    }
    ~HeldLock() { release(); }
    HeldLock(const HeldLock&) = delete;
    HeldLock& operator=(const HeldLock&) = delete;

    bool held() const { return m_held; }
    // In a worker's task: waits for the lock, then lets it go; true once it had it.
    static bool waitIn(db::Connection& conn, int key)
    {
        return conn.scalar(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(key)).isValid() &&
               conn.scalar(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(key)).toBool();
    }
    // True once a session waits for the lock (the worker is held up), within `timeoutMs`.
    bool waitedFor(int timeoutMs = 10000)
    {
        return QTest::qWaitFor(
            [this] {
                return m_holder->scalar(QStringLiteral("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                                       "AND objid = %1 AND NOT granted").arg(m_key))
                           .toInt() == 1;
            },
            timeoutMs);
    }
    bool release()
    {
        if (!m_held)
            return false;
        m_held = false;
        return m_holder->scalar(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(m_key)).toBool();
    }

private:
    int m_key;
    std::unique_ptr<db::Connection> m_holder;
    bool m_held = false;
};

} // namespace atlas::test
