#pragma once

#include "db/KeptConnection.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>

#include <memory>

class QTimer;

namespace atlas::hub {

// Follows the runs' change log (atlas.run_changes) on a dedicated connection in the thread it
// lives in and reports which runs changed. The log is read from a cursor on a short poll and
// at once on a wake-up (LISTEN atlas_runs): a wake-up is only a hint, so a full notification
// queue or a lost wake-up delays an update by one poll at most and loses nothing.
//
// Sequence numbers are taken when a change is written but become visible at its commit, and
// other tenants' entries are never visible: a gap in what was read may fill later. Gaps are
// re-read for kGapMs, then given up (another tenant's change, or a rolled-back one).
//
// Its connection is a KeptConnection: after a failed read it is asked whether it still answers.
// When it is lost the listener says so, reconnects with backoff, starts reading after the
// newest change and reports `resynced` so views re-read what they show.
class RunListener final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunListener)
public:
    static constexpr int kPollMs = 1000;
    // Without wake-ups (LISTEN refused: a hot standby in recovery, a pooler in transaction
    // mode) the log is read this often instead.
    static constexpr int kPollOnlyMs = 250;
    static constexpr int kGapMs = 10000;

    explicit RunListener(db::ConnectionSpec spec, QObject* parent = nullptr);
    ~RunListener() override;

    // Call in the listener's thread (HubSession: when that thread starts).
    void start();

Q_SIGNALS:
    void runChanged(qint64 runId);
    void connectedChanged(bool connected);
    // Another attempt to reach the database failed, for this reason (libpq's words).
    void stillAway(const QString& why);
    void resynced();

private:
    // Whether the connection answers; *fresh: it is another one than before.
    bool connectAndListen(bool* fresh);
    // Set-up of each connection opened: the cursor at the newest change, LISTEN.
    bool setUp(db::Connection& conn);
    void check();
    void wakeUp();
    // Reads the log after the cursor; false when the connection does not answer.
    bool readChanges();

    db::KeptConnection m_conn;
    quint64 m_opened = 0; // m_conn.opened() as the listener last saw it
    QTimer* m_timer = nullptr;
    QTimer* m_soon = nullptr;
    int m_backoffMs = 500;
    bool m_connected = false;
    int m_pollMs = kPollMs;       // kPollOnlyMs while the connection has no LISTEN
    qint64 m_readUpTo = 0;        // the newest change read
    QHash<qint64, qint64> m_gaps; // a number skipped below it -> when it was first missed (ms)
    QSet<qint64> m_seen;          // runs whose first change was logged
    QElapsedTimer m_clock;
};

} // namespace atlas::hub
