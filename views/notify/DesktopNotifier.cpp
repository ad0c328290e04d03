#include "DesktopNotifier.h"

#include "runs/Redactor.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QMenu>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTimer>

#include <spdlog/spdlog.h>

namespace atlas::views {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
constexpr int kTrayRetryMs = 10000;
} // namespace

DesktopNotifier::DesktopNotifier(const QIcon& icon, QObject* parent)
    : QObject(parent)
    , m_icon(icon)
    , m_trayRetry(new QTimer(this))
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (bus.isConnected() && bus.interface()) {
        // Asked once here, then kept current by the watcher: no bus round trip per notification.
        m_service = bus.interface()->isServiceRegistered(kService).value() ||
            bus.interface()->activatableServiceNames().value().contains(kService);
        auto* watcher = new QDBusServiceWatcher(kService, bus, QDBusServiceWatcher::WatchForRegistration, this);
        connect(watcher, &QDBusServiceWatcher::serviceRegistered, this, [this] { m_service = true; });
        bus.connect(kService, kPath, kService, QStringLiteral("ActionInvoked"), this, SLOT(onActionInvoked(uint, QString)));
        bus.connect(kService, kPath, kService, QStringLiteral("NotificationClosed"), this, SLOT(onClosed(uint, uint)));
    }
    // A tray host may start after the console (a session still coming up): look again a while.
    m_trayRetry->setInterval(kTrayRetryMs);
    connect(m_trayRetry, &QTimer::timeout, this, &DesktopNotifier::ensureTray);
    ensureTray();
    if (!m_tray)
        m_trayRetry->start();
    spdlog::info("desktop: tray {}, notification service {}", m_tray ? "available" : "not available",
                 desktopNotifications() ? "available" : "not available");
}

DesktopNotifier::~DesktopNotifier() = default;

void DesktopNotifier::ensureTray()
{
    if (m_tray || !QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_trayRetry->stop();
    m_menu = new QMenu;
    m_menu->addAction(QStringLiteral("Open Atlas Ops"), this, &DesktopNotifier::showRequested);
    m_menu->addSeparator();
    m_menu->addAction(QStringLiteral("Quit"), this, &DesktopNotifier::quitRequested);
    m_tray = new QSystemTrayIcon(m_icon, this);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QObject::destroyed, m_menu, &QObject::deleteLater);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showRequested();
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        if (m_lastBalloonRun)
            Q_EMIT runActivated(m_lastBalloonRun);
    });
    setUnread(m_unread);
    m_tray->show();
    spdlog::info("desktop: tray icon shown");
}

bool DesktopNotifier::trayVisible() const
{
    return m_tray && m_tray->isVisible();
}

bool DesktopNotifier::desktopNotifications() const
{
    return m_service;
}

bool DesktopNotifier::queuedPopUps()
{
    return QSettings().value(QStringLiteral("notifications/queued"), false).toBool();
}

void DesktopNotifier::setQueuedPopUps(bool on)
{
    QSettings().setValue(QStringLiteral("notifications/queued"), on);
}

bool DesktopNotifier::popsUpFor(const QString& event)
{
    if (event == QLatin1String("completed"))
        return true;
    return event == QLatin1String("queued") && queuedPopUps();
}

void DesktopNotifier::notify(const catalog::Notification& n, const QString& tenantName)
{
    if (!popsUpFor(n.event))
        return; // stays in the in-app list only

    // Title and body are written by the database from counts, bucket and reason code only:
    // never a message, payload or secret. Redacted once more all the same: the text leaves the
    // console for the session bus, where any of this user's programs may listen.
    const QString title = runs::Redactor::sanitizeMessage(n.title);
    const QString body = runs::Redactor::redact(tenantName.isEmpty() ? n.body : QStringLiteral("%1\n%2").arg(n.body, tenantName));
    if (desktopNotifications()) {
        QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kService, QStringLiteral("Notify"));
        const QVariantMap hints{{QStringLiteral("desktop-entry"), QStringLiteral("atlas-ops")},
                                {QStringLiteral("category"), QStringLiteral("transfer")}};
        call << QStringLiteral("Atlas Ops") << uint(0) << QStringLiteral("atlas-ops") << title << body
             << QStringList{QStringLiteral("default"), QStringLiteral("Open run")} << hints << int(-1);
        auto* watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
        const qint64 runId = n.runId;
        connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, runId] {
            const QDBusPendingReply<uint> reply = *watcher;
            watcher->deleteLater();
            if (reply.isError()) {
                spdlog::warn("desktop notification failed: {}", reply.error().message().toStdString());
                return;
            }
            m_runOfNotification.insert(reply.value(), runId);
        });
        ++m_sent;
        spdlog::info("desktop: notified run {} ({})", n.runId, n.event.toStdString());
        return;
    }
    if (trayVisible() && QSystemTrayIcon::supportsMessages()) {
        m_lastBalloonRun = n.runId;
        m_tray->showMessage(title, body, m_icon, 8000);
        ++m_sent;
    }
}

void DesktopNotifier::setUnread(int unread)
{
    m_unread = unread;
    if (m_tray)
        m_tray->setToolTip(unread ? QStringLiteral("Atlas Ops — %1 unread notifications").arg(unread)
                                  : QStringLiteral("Atlas Ops"));
}

void DesktopNotifier::onActionInvoked(uint id, const QString& action)
{
    const auto it = m_runOfNotification.constFind(id);
    if (it == m_runOfNotification.cend())
        return; // another application's notification
    spdlog::info("desktop: notification for run {} clicked ({})", it.value(), action.toStdString());
    Q_EMIT runActivated(it.value());
}

void DesktopNotifier::onClosed(uint id, uint reason)
{
    Q_UNUSED(reason)
    m_runOfNotification.remove(id);
}

} // namespace atlas::views
