#pragma once

#include <QObject>

#include <memory>

class QTimer;

namespace atlas::db {
class EmbeddedCluster;
class Worker;
} // namespace atlas::db

namespace atlas::demo {

// Keeps the embedded demo alive while a console shows it: the demo's own logins run real runs
// through the run API, so there is always one queued and one running (with progress and
// heartbeats) instead of runs that the reaper ends as worker_lost two minutes after seeding.
// A backup set gets policies a few at a time; a queued drift run waits, then runs and a new one
// queues. Everything happens on a worker thread of its own.
class DemoActivity final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoActivity)
public:
    DemoActivity(std::shared_ptr<db::EmbeddedCluster> cluster, const QString& database, int tickMs = 5000,
                 QObject* parent = nullptr);
    ~DemoActivity() override;
    void start();
    // Ticks done so far (tests wait on it).
    int ticks() const { return m_ticks; }

Q_SIGNALS:
    void ticked();

private:
    struct State;
    void tick();

    std::shared_ptr<db::EmbeddedCluster> m_cluster;
    QString m_database;
    std::shared_ptr<State> m_state; // used on the worker thread only
    db::Worker* m_worker;
    QTimer* m_timer;
    int m_ticks = 0;
};

} // namespace atlas::demo
