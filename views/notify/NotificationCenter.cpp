#include "NotificationCenter.h"

#include "db/DbWorker.h"

#include <QTimer>

namespace atlas::views {

namespace {
constexpr int kKeep = 500;
}

NotificationCenter::NotificationCenter(db::DbWorker* reads, QObject* parent)
    : QObject(parent)
    , m_reads(reads)
    , m_debounce(new QTimer(this))
{
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(120);
    connect(m_debounce, &QTimer::timeout, this, &NotificationCenter::poll);
}

void NotificationCenter::pollSoon()
{
    if (!m_debounce->isActive())
        m_debounce->start();
}

void NotificationCenter::poll()
{
    if (m_inFlight) {
        m_again = true; // one more read once this one is back
        return;
    }
    m_inFlight = true;
    const qint64 after = m_lastId;
    m_reads->post<Poll>(
        this,
        [after](db::Connection& conn) {
            Poll p;
            p.rows = catalog::notifications(conn, after, kKeep);
            p.unread = catalog::unreadNotifications(conn, &p.error);
            if (p.error.isEmpty())
                p.error = p.rows.error;
            return p;
        },
        [this](const Poll& p) {
            m_inFlight = false;
            if (!p.error.isEmpty()) {
                Q_EMIT failed(p.error);
            } else {
                const bool announce = m_primed;
                m_primed = true;
                if (!p.rows.rows.isEmpty()) {
                    m_lastId = std::max(m_lastId, p.rows.rows.first().id);
                    m_rows = p.rows.rows + m_rows;
                    if (m_rows.size() > kKeep)
                        m_rows.resize(kKeep);
                }
                m_unread = p.unread;
                Q_EMIT changed();
                if (announce && !p.rows.rows.isEmpty()) {
                    // Oldest first, as they happened.
                    QList<catalog::Notification> fresh(p.rows.rows.rbegin(), p.rows.rows.rend());
                    Q_EMIT arrived(fresh);
                }
            }
            if (std::exchange(m_again, false))
                poll();
        });
}

void NotificationCenter::markRead(const QList<qint64>& ids)
{
    int marked = 0;
    for (catalog::Notification& n : m_rows) {
        if (!n.read && (ids.isEmpty() || ids.contains(n.id))) {
            n.read = true;
            ++marked;
        }
    }
    if (!marked)
        return;
    m_unread = std::max(0, m_unread - marked);
    Q_EMIT changed();
    m_reads->post<QString>(
        this,
        [ids](db::Connection& conn) {
            QString error;
            catalog::markNotificationsRead(conn, ids, &error);
            return error;
        },
        [this](const QString& error) {
            if (!error.isEmpty())
                Q_EMIT failed(error);
            pollSoon(); // the count as the database has it
        });
}

} // namespace atlas::views
