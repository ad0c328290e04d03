#pragma once

#include "db/ConnectionSpec.h"

#include <QHash>
#include <QMainWindow>
#include <QUuid>

#include <QList>
#include <QStyle>

class QAction;
class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTimer;

namespace atlas::db {
class DbWorker;
}
namespace atlas::hub {
class HubSession;
}
namespace atlas::runs {
class RunExecutor;
class RunStarter;
struct StartOutcome;
} // namespace atlas::runs

namespace atlas::views {

class BackupSetsPage;
class DesktopNotifier;
class DriftPage;
class HubPage;
class InventoryPage;
class NotificationCenter;
class NotificationsPage;
class ProducerPage;
class StartBanner;

// The console: tenant switcher, navigation (Operations, Inventory, Drift, Backup sets,
// Notifications), the pages, local workers for the runs started here, the tray icon and
// desktop notifications, and a status bar with the connection state.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // Page keys: "operations", "notifications", and each producer page's key from the producer
    // registry ("inventory", "drift", "backup_sets").
    static inline const QString kOperations = QStringLiteral("operations");
    static inline const QString kNotifications = QStringLiteral("notifications");
    // The tenant switcher's "All my tenants" entry (for people in more than one tenant).
    static inline const QString kAllTenants = QStringLiteral("*");
    bool allTenants() const;

    explicit MainWindow(const db::ConnectionSpec& spec, QWidget* parent = nullptr);
    ~MainWindow() override;

    HubPage* hubPage() const { return m_hub; }
    InventoryPage* inventoryPage() const { return m_inventory; }
    DriftPage* driftPage() const { return m_drift; }
    BackupSetsPage* backupPage() const { return m_backups; }
    NotificationsPage* notificationsPage() const { return m_notificationsPage; }
    NotificationCenter* notifications() const { return m_notifications; }
    DesktopNotifier* desktop() const { return m_desktop; }
    runs::RunExecutor* executor() const { return m_executor; }
    QComboBox* tenantSwitcher() const { return m_tenants; }
    QListWidget* navigation() const { return m_nav; }
    QUuid currentTenant() const;
    QString currentRole() const;
    // The navigation row of page `key`; -1 for none.
    int pageIndex(const QString& key) const;
    QString currentPageKey() const;
    void showPage(const QString& key);
    // Shows run `id` in the hub of the current tenant.
    void showRun(qint64 id);
    // Shows run `id` in the hub, switching to its tenant first if need be.
    void openRun(qint64 id);
    // Handles an `atlas-ops://run/<id>` link; false if it is not one.
    bool openLink(const QString& link);
    void bringToFront();
    // Ends as "Stop runs and quit" does, without asking (a signal from outside).
    void stopRunsAndQuit();
    // After the window closed: whether the person chose another database (File → Connect to…),
    // and which (an empty spec with switchToEmbedded() for this computer's private one).
    bool switchRequested() const { return m_switch; }
    bool switchToEmbedded() const { return m_switchEmbedded; }
    const db::ConnectionSpec& switchSpec() const { return m_switchSpec; }
    // Shows everything but starts nothing (the database's schema is newer than this build).
    void setReadOnly(const QString& reason);
    bool isReadOnly() const { return !m_readOnlyReason.isEmpty(); }
    // Re-reads the tenants and the roles in them (after a refused start, for instance).
    void loadTenants();
    // Version, platform, connection (never a password), tenant, live state, log file.
    QString diagnostics() const;
    // File → Retention… (owners of the current tenant): asks for an age and prunes the tenant's
    // finished runs older than it, as a run of this console.
    QAction* retentionAction() const { return m_retention; }
    // Starts that run for `age` ("90 days") without asking; the answer goes to the status bar.
    void startRetention(const QString& age);

Q_SIGNALS:
    void tenantsLoaded();
    void runOpened(qint64 id);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void stopRuns();
    struct NavPage
    {
        QString key;
        QWidget* widget;
        ProducerPage* producer; // nullptr for the hub and notifications
    };
    void buildToolBar();
    void buildPages();
    void addPage(const QString& key, const QString& label, QStyle::StandardPixmap icon, QWidget* widget,
                 ProducerPage* producer = nullptr);
    void buildStatusBar();
    void connectPages();
    void connectLive();
    void connectDesktop();
    void restoreFilter();
    void buildMenus();
    void openResult(const QString& link);
    void tenantChosen();
    void updateRetention();
    void chooseRetention();
    QList<ProducerPage*> producerPages() const;
    void reapStaleRuns();
    // A standby (in recovery): read-only, no reaping, and how far behind the primary it is.
    void followStandby();
    void updateReplication();
    void setConnected(bool connected);
    void showAway(const QString& why);
    void showAbout();
    void startAnswered(const runs::StartOutcome& outcome);
    void updateActivity();
    void updateBadge();
    void quitFromTray();
    void connectElsewhere();

    db::ConnectionSpec m_spec;
    hub::HubSession* m_session;
    db::DbWorker* m_reads; // the session's shared worker: reads, notifications, the reaper
    runs::RunExecutor* m_executor;
    runs::RunStarter* m_starter;
    NotificationCenter* m_notifications;
    DesktopNotifier* m_desktop = nullptr;
    QComboBox* m_tenants;
    QListWidget* m_nav;
    QList<NavPage> m_navPages; // in navigation order
    QStackedWidget* m_pages;
    HubPage* m_hub;
    InventoryPage* m_inventory;
    DriftPage* m_drift;
    BackupSetsPage* m_backups;
    NotificationsPage* m_notificationsPage;
    QLabel* m_connection;
    QLabel* m_identity;
    QLabel* m_activity;
    QTimer* m_reaper;
    QTimer* m_pageRefresh;
    QHash<QUuid, QString> m_tenantNames;
    QString m_readOnlyReason;
    QAction* m_retention = nullptr;
    bool m_switch = false;
    bool m_switchEmbedded = false;
    db::ConnectionSpec m_switchSpec;
    QLabel* m_readOnly;
    StartBanner* m_away = nullptr; // the database is not answering
    QString m_awayReason;
    bool m_live = false;
    bool m_everConnected = false;
    QLabel* m_replication; // on a standby: how far behind the primary
    QTimer* m_replicationTimer;
    bool m_standby = false;
    bool m_stopping = false; // stopping runs on the way out
    bool m_quitting = false; // closing for good, not into the tray
};

} // namespace atlas::views
