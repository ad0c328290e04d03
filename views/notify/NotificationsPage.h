#pragma once

#include <QHash>
#include <QUuid>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace atlas::views {

class NotificationCenter;

// The in-app list of the user's notifications: unread ones in bold, "Mark read", "Mark all
// read"; a double-click (or Enter) opens the run.
class NotificationsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NotificationsPage)
public:
    NotificationsPage(NotificationCenter* center, QWidget* parent = nullptr);

    void setTenantNames(const QHash<QUuid, QString>& names);
    QTableWidget* table() const { return m_table; }
    QPushButton* markReadButton() const { return m_markRead; }
    QPushButton* markAllButton() const { return m_markAll; }

Q_SIGNALS:
    void runLinkActivated(qint64 runId);

private:
    void refill();
    QList<qint64> selectedIds() const;

    NotificationCenter* m_center;
    QHash<QUuid, QString> m_tenantNames;
    QLabel* m_summary;
    QPushButton* m_markRead;
    QPushButton* m_markAll;
    QTableWidget* m_table;
};

} // namespace atlas::views
