#pragma once

#include "catalog/Catalog.h"

#include <QObject>

class QTimer;

namespace atlas::db {
class DbWorker;
}

namespace atlas::views {

// The signed-in login's notifications (atlas.my_notifications, every tenant): the list with
// unread state, kept current from the live channel. The first read only fills the list; rows
// that appear after it are announced with arrived() (what the tray pops up), including runs
// this login started on another workstation.
class NotificationCenter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NotificationCenter)
public:
    explicit NotificationCenter(db::DbWorker* reads, QObject* parent = nullptr);

    // Reads what is new; coalesces bursts of live changes into one read.
    void pollSoon();
    void poll();
    const QList<catalog::Notification>& notifications() const { return m_rows; }
    int unread() const { return m_unread; }
    // Marks these (all when empty) read, here and in the database.
    void markRead(const QList<qint64>& ids);

Q_SIGNALS:
    void changed();
    void arrived(const QList<atlas::catalog::Notification>& fresh);
    void failed(const QString& error);

private:
    struct Poll
    {
        catalog::Rows<catalog::Notification> rows;
        int unread = 0;
        QString error;
    };

    db::DbWorker* m_reads;
    QTimer* m_debounce;
    QList<catalog::Notification> m_rows; // newest first
    qint64 m_lastId = 0;
    int m_unread = 0;
    bool m_primed = false;
    bool m_inFlight = false;
    bool m_again = false;
};

} // namespace atlas::views
