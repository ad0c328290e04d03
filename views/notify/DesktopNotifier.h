#pragma once

#include "catalog/Catalog.h"

#include <QHash>
#include <QIcon>
#include <QObject>

class QMenu;
class QSystemTrayIcon;
class QTimer;

namespace atlas::views {

// The console's presence on the desktop: an icon in the system tray (when there is one) and
// a desktop notification per completed run of the user's (and per queued one, when asked for:
// the setting notifications/queued; the in-app list always holds both). Notifications go to the
// freedesktop notification service on the session bus when one runs (clicking one opens the
// run); otherwise to the tray icon's own balloon; with neither, the in-app list is all there
// is, without errors.
class DesktopNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopNotifier)
public:
    explicit DesktopNotifier(const QIcon& icon, QObject* parent = nullptr);
    ~DesktopNotifier() override;

    bool trayVisible() const;
    bool desktopNotifications() const;
    // Hands the notification to the desktop when its event pops up there (popsUpFor).
    void notify(const catalog::Notification& notification, const QString& tenantName);
    // "completed" always; "queued" only with the setting on.
    static bool popsUpFor(const QString& event);
    static bool queuedPopUps();
    static void setQueuedPopUps(bool on);
    void setUnread(int unread);
    // How many notifications were handed to the desktop (for diagnostics and tests).
    int sent() const { return m_sent; }

Q_SIGNALS:
    void runActivated(qint64 runId);
    void showRequested();
    void quitRequested();

private Q_SLOTS:
    void onActionInvoked(uint id, const QString& action);
    void onClosed(uint id, uint reason);

private:
    void ensureTray();

    QIcon m_icon;
    QSystemTrayIcon* m_tray = nullptr;
    QMenu* m_menu = nullptr;
    QTimer* m_trayRetry;
    QHash<uint, qint64> m_runOfNotification;
    qint64 m_lastBalloonRun = 0;
    int m_unread = 0;
    int m_sent = 0;
    bool m_service = false;
};

} // namespace atlas::views
