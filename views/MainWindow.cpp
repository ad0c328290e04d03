#include "MainWindow.h"

#include "db/Connection.h"
#include "hub/HubPage.h"
#include "hub/HubSession.h"
#include "pages/ResultPage.h"
#include "support/Logging.h"

#include <QApplication>
#include <QClipboard>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStatusBar>
#include <QScreen>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QtConcurrent>

namespace atlas::views {

namespace {
struct TenantRow
{
    QString id;
    QString name;
    QString role;
};

struct TenantLoad
{
    QList<TenantRow> rows;
    QString error;
};

constexpr int kReapIntervalMs = 60000;

QWidget* infoPage(const QString& title, const QString& text, QWidget* parent)
{
    auto* page = new QWidget(parent);
    auto* v = new QVBoxLayout(page);
    auto* heading = new QLabel(title, page);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.4);
    f.setBold(true);
    heading->setFont(f);
    auto* body = new QLabel(text, page);
    body->setWordWrap(true);
    v->addWidget(heading);
    v->addWidget(body);
    v->addStretch(1);
    return page;
}
} // namespace

MainWindow::MainWindow(const db::ConnectionSpec& spec, QWidget* parent)
    : QMainWindow(parent)
    , m_spec(spec)
    , m_session(new hub::HubSession(spec, this))
    , m_tenants(new QComboBox(this))
    , m_nav(new QListWidget(this))
    , m_pages(new QStackedWidget(this))
    , m_connection(new QLabel(this))
    , m_identity(new QLabel(this))
    , m_reaper(new QTimer(this))
{
    setWindowTitle(QStringLiteral("Atlas Ops"));
    setWindowIcon(QIcon::fromTheme(QStringLiteral("atlas-ops")));
    // Roomy on a large screen, never larger than the one it opens on.
    const QRect screenArea = screen()->availableGeometry();
    resize(std::min(1440, screenArea.width() * 9 / 10), std::min(880, screenArea.height() * 9 / 10));

    auto* bar = addToolBar(QStringLiteral("Tenant"));
    bar->setObjectName(QStringLiteral("tenantBar"));
    bar->setMovable(false);
    auto* tenantLabel = new QLabel(QStringLiteral("  Tenant  "), bar);
    bar->addWidget(tenantLabel);
    m_tenants->setObjectName(QStringLiteral("tenantSwitcher"));
    m_tenants->setMinimumWidth(280);
    m_tenants->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bar->addWidget(m_tenants);

    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setIconSize(QSize(20, 20));
    m_nav->setFixedWidth(170);
    m_nav->setFrameShape(QFrame::NoFrame);
    const QStyle* s = style();
    new QListWidgetItem(s->standardIcon(QStyle::SP_FileDialogDetailedView), QStringLiteral("Operations"), m_nav);
    new QListWidgetItem(s->standardIcon(QStyle::SP_FileDialogContentsView), QStringLiteral("Drift"), m_nav);
    new QListWidgetItem(s->standardIcon(QStyle::SP_DriveHDIcon), QStringLiteral("Backup sets"), m_nav);
    new QListWidgetItem(s->standardIcon(QStyle::SP_MessageBoxInformation), QStringLiteral("Notifications"), m_nav);
    for (int i = 0; i < m_nav->count(); ++i)
        m_nav->item(i)->setSizeHint(QSize(160, 36));

    m_hub = new HubPage(m_session, m_pages);
    m_pages->addWidget(m_hub);
    m_drift = new ResultPage(ResultPage::Kind::DriftFindings, spec, m_pages);
    m_backups = new ResultPage(ResultPage::Kind::BackupSetItems, spec, m_pages);
    m_pages->addWidget(m_drift);
    m_pages->addWidget(m_backups);
    m_pages->addWidget(infoPage(QStringLiteral("Notifications"),
                                QStringLiteral("Your notifications: a run of yours was queued or has finished."), m_pages));

    auto* central = new QWidget(this);
    auto* h = new QHBoxLayout(central);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(0);
    h->addWidget(m_nav);
    h->addWidget(m_pages, 1);
    setCentralWidget(central);
    connect(m_nav, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_nav->setCurrentRow(0);

    statusBar()->addPermanentWidget(m_identity);
    statusBar()->addPermanentWidget(m_connection);
    setConnected(false);
    m_connection->setText(QStringLiteral("Connecting…"));
    connect(m_session->listener(), &hub::RunListener::connectedChanged, this, &MainWindow::setConnected);
    connect(m_hub, &HubPage::resultLinkActivated, this, [this](const QString& link) {
        const qint64 id = link.section(QLatin1Char('/'), 1).toLongLong();
        if (link.startsWith(QLatin1String("drift/"))) {
            m_drift->showResult(id);
            m_nav->setCurrentRow(1);
        } else if (link.startsWith(QLatin1String("backup_set/"))) {
            m_backups->showResult(id);
            m_nav->setCurrentRow(2);
        }
    });
    connect(m_hub, &HubPage::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });

    // The filter survives a restart.
    QSettings settings;
    hub::RunFilter saved;
    saved.fromMap(settings.value(QStringLiteral("hub/filter")).toMap());
    m_hub->setFilter(saved);
    connect(m_hub, &HubPage::filterChanged, this, [](const hub::RunFilter& f) {
        QSettings().setValue(QStringLiteral("hub/filter"), f.toMap());
    });
    connect(m_tenants, &QComboBox::currentIndexChanged, this, [this] {
        const QUuid tenant = currentTenant();
        m_hub->setTenant(tenant);
        if (!tenant.isNull())
            QSettings().setValue(QStringLiteral("console/tenant"), tenant.toString(QUuid::WithoutBraces));
        m_identity->setText(QStringLiteral("%1 · %2  ").arg(m_spec.user.isEmpty() ? QStringLiteral("you") : m_spec.user,
                                                            currentRole()));
    });

    auto* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About Atlas Ops…"), this, &MainWindow::showAbout);
    m_session->start();
    connect(m_reaper, &QTimer::timeout, this, &MainWindow::reapStaleRuns);
    m_reaper->start(kReapIntervalMs);
    reapStaleRuns();
    loadTenants();
}

MainWindow::~MainWindow() = default;

QUuid MainWindow::currentTenant() const
{
    return QUuid::fromString(m_tenants->currentData().toString());
}

QString MainWindow::currentRole() const
{
    return m_tenants->currentData(Qt::UserRole + 1).toString();
}

void MainWindow::showRun(qint64 id)
{
    m_nav->setCurrentRow(0);
    m_hub->selectRun(id);
}

QString MainWindow::diagnostics() const
{
    return QStringLiteral("Atlas Ops %1\nQt %2 on %3 (%4)\nDatabase: %5\nTenant: %6 (%7)\nLive updates: %8\nLog file: %9")
        .arg(QStringLiteral(ATLAS_VERSION), QString::fromLatin1(qVersion()), QSysInfo::prettyProductName(),
             QGuiApplication::platformName(), m_spec.describe(), m_tenants->currentText(), currentTenant().toString(QUuid::WithoutBraces),
             m_connection->text(), support::Logging::logFile());
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(QStringLiteral("About Atlas Ops"));
    box.setIconPixmap(windowIcon().pixmap(64, 64));
    box.setText(QStringLiteral("<b>Atlas Ops %1</b><br>Operations console for a multi-tenant Intune configuration service.")
                    .arg(QStringLiteral(ATLAS_VERSION)));
    box.setInformativeText(diagnostics().toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    QPushButton* copy = box.addButton(QStringLiteral("Copy diagnostics"), QMessageBox::ActionRole);
    box.addButton(QMessageBox::Close);
    box.exec();
    if (box.clickedButton() == copy)
        QGuiApplication::clipboard()->setText(diagnostics());
}

void MainWindow::setConnected(bool connected)
{
    m_connection->setText(connected ? QStringLiteral("● Live") : QStringLiteral("○ Reconnecting…"));
    m_connection->setToolTip(connected ? QStringLiteral("Connected to %1; changes show as they happen").arg(m_spec.describe())
                                       : QStringLiteral("The database connection was lost; retrying"));
}

void MainWindow::reapStaleRuns()
{
    // Runs whose worker died must not stay "running": any console marks them worker_lost.
    const db::ConnectionSpec spec = m_spec;
    (void)QtConcurrent::run([spec] {
        db::Connection conn(spec, QStringLiteral("reaper"));
        if (conn.open())
            conn.scalar(QStringLiteral("SELECT atlas.reap_stale_runs()"));
    });
}

void MainWindow::loadTenants()
{
    auto* watcher = new QFutureWatcher<TenantLoad>(this);
    connect(watcher, &QFutureWatcher<TenantLoad>::finished, this, [this, watcher] {
        const TenantLoad load = watcher->result();
        watcher->deleteLater();
        if (!load.error.isEmpty()) {
            statusBar()->showMessage(QStringLiteral("Cannot read your tenants: %1").arg(load.error));
            return;
        }
        const QString remembered = QSettings().value(QStringLiteral("console/tenant")).toString();
        m_tenants->blockSignals(true);
        m_tenants->clear();
        int select = 0;
        for (const TenantRow& row : load.rows) {
            m_tenants->addItem(QStringLiteral("%1 — %2").arg(row.name, row.role), row.id);
            m_tenants->setItemData(m_tenants->count() - 1, row.role, Qt::UserRole + 1);
            if (row.id == remembered)
                select = m_tenants->count() - 1;
        }
        m_tenants->setCurrentIndex(load.rows.isEmpty() ? -1 : select);
        m_tenants->blockSignals(false);
        Q_EMIT m_tenants->currentIndexChanged(m_tenants->currentIndex());
        if (load.rows.isEmpty())
            statusBar()->showMessage(QStringLiteral("You are not a member of any tenant."));
        Q_EMIT tenantsLoaded();
    });
    const db::ConnectionSpec spec = m_spec;
    watcher->setFuture(QtConcurrent::run([spec] {
        TenantLoad load;
        db::Connection conn(spec, QStringLiteral("tenants"));
        QSqlQuery q(conn.database());
        if (!conn.open() ||
            !conn.exec(q, QStringLiteral("SELECT tenant_id, tenant_name, role FROM atlas.my_tenants ORDER BY tenant_name"))) {
            load.error = conn.lastError().message;
            return load;
        }
        while (q.next())
            load.rows.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
        return load;
    }));
}

} // namespace atlas::views
