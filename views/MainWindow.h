#pragma once

#include "db/ConnectionSpec.h"

#include <QMainWindow>
#include <QUuid>

class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTimer;

namespace atlas::hub {
class HubSession;
}

namespace atlas::views {

class HubPage;
class ResultPage;

// The console: tenant switcher, navigation (Operations, Drift, Backup sets, Notifications),
// the pages, and a status bar with the connection state.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(const db::ConnectionSpec& spec, QWidget* parent = nullptr);
    ~MainWindow() override;

    HubPage* hubPage() const { return m_hub; }
    ResultPage* driftPage() const { return m_drift; }
    ResultPage* backupPage() const { return m_backups; }
    QComboBox* tenantSwitcher() const { return m_tenants; }
    QUuid currentTenant() const;
    QString currentRole() const;
    void showRun(qint64 id);
    // Version, platform, connection (never a password), tenant, live state, log file.
    QString diagnostics() const;

Q_SIGNALS:
    void tenantsLoaded();

private:
    void loadTenants();
    void reapStaleRuns();
    void setConnected(bool connected);
    void showAbout();

    db::ConnectionSpec m_spec;
    hub::HubSession* m_session;
    QComboBox* m_tenants;
    QListWidget* m_nav;
    QStackedWidget* m_pages;
    HubPage* m_hub;
    ResultPage* m_drift;
    ResultPage* m_backups;
    QLabel* m_connection;
    QLabel* m_identity;
    QTimer* m_reaper;
};

} // namespace atlas::views
