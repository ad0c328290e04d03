#include "RunListener.h"

#include "db/Connection.h"
#include "runs/RunApi.h"

#include <QSqlDriver>
#include <QSqlQuery>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace atlas::hub {

namespace {
constexpr int kMaxBackoffMs = 4000;      // back within 5 s of the server returning
constexpr int kWakeUpDelayMs = 5;        // wake-ups in a burst are read together
constexpr int kPageSize = 2000;          // changes per read
constexpr qint64 kMaxTrackedGap = 20000; // numbers skipped at once, and gaps kept
} // namespace

RunListener::RunListener(db::ConnectionSpec spec, QObject* parent)
    : QObject(parent)
    // A lost connection shows as a failed read on the next poll: no check before each one.
    , m_conn(
          std::move(spec), QStringLiteral("listen"), [this](db::Connection& conn) { return setUp(conn); }, -1)
{
    m_clock.start();
}

RunListener::~RunListener() = default;

void RunListener::start()
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &RunListener::check);
    m_soon = new QTimer(this);
    m_soon->setSingleShot(true);
    m_soon->setInterval(kWakeUpDelayMs);
    connect(m_soon, &QTimer::timeout, this, [this] {
        if (m_connected)
            readChanges();
    });
    bool fresh = false;
    if (connectAndListen(&fresh)) {
        m_connected = true;
        Q_EMIT connectedChanged(true);
    }
    m_timer->start(m_connected ? m_pollMs : m_backoffMs);
}

bool RunListener::connectAndListen(bool* fresh)
{
    // After a failed read the kept connection asks whether it still answers, else opens another.
    const bool open = m_conn.get().isOpen();
    *fresh = m_conn.opened() != m_opened;
    m_opened = m_conn.opened();
    return open;
}

bool RunListener::setUp(db::Connection& conn)
{
    // Start after the newest change: what is on screen is read by the views themselves.
    const QVariant head = conn.scalar(QStringLiteral("SELECT atlas.change_log_head()"));
    if (!head.isValid())
        return false;
    m_readUpTo = head.toLongLong();
    m_gaps.clear();
    QSqlDriver* driver = conn.database().driver();
    connect(driver, &QSqlDriver::notification, this,
            [this](const QString& channel, QSqlDriver::NotificationSource, const QVariant&) {
                if (channel == QLatin1String(runs::RunApi::kChannel))
                    wakeUp();
            });
    // Without wake-ups (LISTEN refused; a standby refuses it during recovery) a shorter poll
    // follows every change.
    if (driver->subscribeToNotification(QString::fromLatin1(runs::RunApi::kChannel))) {
        m_pollMs = kPollMs;
    } else {
        m_pollMs = kPollOnlyMs;
        spdlog::warn("live updates: LISTEN refused, following changes by polling every {} ms", kPollOnlyMs);
    }
    return true;
}

void RunListener::wakeUp()
{
    if (!m_soon->isActive())
        m_soon->start();
}

bool RunListener::readChanges()
{
    const qint64 now = m_clock.elapsed();
    QList<qint64> changed;
    auto deliver = [&changed](qint64 run) {
        if (!changed.contains(run))
            changed << run;
    };
    db::Connection& conn = m_conn.get();
    if (m_conn.opened() != m_opened && conn.isOpen()) {
        // The kept connection found the last one broken and opened another on the way (the
        // server went away and came back, or another server took over): the cursor now starts
        // after the newest change, so what changed meanwhile is for the views to re-read.
        m_opened = m_conn.opened();
        spdlog::warn("live updates: the connection was lost and is back; re-reading");
        Q_EMIT resynced();
    }
    QSqlQuery q(conn.database());
    // Gaps that may have committed since: looked up by their sequence numbers.
    for (auto it = m_gaps.begin(); it != m_gaps.end();) {
        if (now - it.value() > kGapMs)
            it = m_gaps.erase(it);
        else
            ++it;
    }
    if (!m_gaps.isEmpty()) {
        QStringList seqs;
        seqs.reserve(m_gaps.size());
        for (auto it = m_gaps.keyBegin(); it != m_gaps.keyEnd(); ++it)
            seqs << QString::number(*it);
        if (!conn.exec(q, QStringLiteral("SELECT seq, run_id FROM atlas.run_changes WHERE seq = ANY (?::bigint[])"),
                       {QString(QLatin1Char('{') + seqs.join(QLatin1Char(',')) + QLatin1Char('}'))}))
            return false;
        while (q.next()) {
            m_gaps.remove(q.value(0).toLongLong());
            deliver(q.value(1).toLongLong());
        }
    }
    // Then what is new after the cursor.
    if (!conn.exec(q, QStringLiteral("SELECT seq, run_id FROM atlas.run_changes WHERE seq > ? ORDER BY seq LIMIT ?"),
                   {QVariant(m_readUpTo), QVariant(kPageSize)}))
        return false;
    int rows = 0;
    while (q.next()) {
        ++rows;
        const qint64 seq = q.value(0).toLongLong();
        // Numbers skipped between two rows read may belong to changes not yet committed.
        if (seq - m_readUpTo <= kMaxTrackedGap && m_gaps.size() < kMaxTrackedGap) {
            for (qint64 missing = m_readUpTo + 1; missing < seq; ++missing)
                m_gaps.insert(missing, now);
        }
        m_readUpTo = seq;
        deliver(q.value(1).toLongLong());
    }
    for (qint64 run : std::as_const(changed)) {
        // One line per run, the first time this console hears of it: what "live" means, seen
        // in the log, without a line per progress step.
        if (!m_seen.contains(run)) {
            if (m_seen.size() >= kMaxTrackedGap)
                m_seen.clear();
            m_seen.insert(run);
            spdlog::info("live: run {} changed", run);
        }
        Q_EMIT runChanged(run);
    }
    if (rows == kPageSize)
        wakeUp(); // more to read
    return true;
}

void RunListener::check()
{
    if (m_connected && readChanges()) {
        m_backoffMs = 500;
        m_timer->start(m_pollMs);
        return;
    }
    bool fresh = false;
    const bool answers = connectAndListen(&fresh);
    if (m_connected && answers && !fresh) {
        // A read failed on a connection that still answers: nothing was lost, read again soon.
        m_timer->start(m_pollMs);
        return;
    }
    if (m_connected) {
        m_connected = false;
        spdlog::warn("live updates: connection lost, reconnecting");
        Q_EMIT connectedChanged(false);
    }
    if (answers) {
        m_connected = true;
        m_backoffMs = 500;
        Q_EMIT connectedChanged(true);
        Q_EMIT resynced();
        m_timer->start(m_pollMs);
        return;
    }
    Q_EMIT stillAway(m_conn.get().lastError().message);
    m_backoffMs = std::min(m_backoffMs * 2, kMaxBackoffMs);
    m_timer->start(m_backoffMs);
}

} // namespace atlas::hub
