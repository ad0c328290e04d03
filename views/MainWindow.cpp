#include "MainWindow.h"

#include "AppIcon.h"
#include "LoginDialog.h"
#include "Theme.h"
#include "db/Connection.h"
#include "db/DbWorker.h"
#include "db/SchemaCheck.h"
#include "hub/HubPage.h"
#include "hub/HubSession.h"
#include "notify/DesktopNotifier.h"
#include "notify/NotificationCenter.h"
#include "notify/NotificationsPage.h"
#include "pages/BackupSetsPage.h"
#include "pages/DriftPage.h"
#include "pages/InventoryPage.h"
#include "runs/Producers.h"
#include "runs/PruneJob.h"
#include "runs/RunApi.h"
#include "runs/RunExecutor.h"
#include "runs/RunRequests.h"
#include "runs/RunStarter.h"
#include "support/Logging.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QGraphicsOpacityEffect>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>

#include <spdlog/spdlog.h>

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

} // namespace

MainWindow::MainWindow(const db::ConnectionSpec& spec, QWidget* parent)
    : QMainWindow(parent)
    , m_spec(spec)
    , m_session(new hub::HubSession(spec, this))
    // One connection for everything but the listener and the pages of runs (HubSession).
    , m_reads(m_session->shared())
    , m_executor(new runs::RunExecutor(spec, 2, this))
    , m_starter(new runs::RunStarter(spec, m_executor, this))
    , m_notifications(new NotificationCenter(m_reads, this))
    , m_tenants(new QComboBox(this))
    , m_nav(new QListWidget(this))
    , m_pages(new QStackedWidget(this))
    , m_connection(new QLabel(this))
    , m_identity(new QLabel(this))
    , m_activity(new QLabel(this))
    , m_reaper(new QTimer(this))
    , m_pageRefresh(new QTimer(this))
    , m_readOnly(new QLabel(this))
    , m_replication(new QLabel(this))
    , m_replicationTimer(new QTimer(this))
{
    setWindowTitle(QStringLiteral("Atlas Ops"));
    setWindowIcon(resources::appIcon());
    // Roomy on a large screen, never larger than the one it opens on.
    const QRect screenArea = screen()->availableGeometry();
    resize(std::min(1440, screenArea.width() * 9 / 10), std::min(880, screenArea.height() * 9 / 10));

    buildToolBar();
    buildPages();
    buildStatusBar();
    connectPages();
    connectLive();
    connectDesktop();
    restoreFilter();
    buildMenus();

    m_session->start();
    connect(m_reaper, &QTimer::timeout, this, &MainWindow::reapStaleRuns);
    m_reaper->start(kReapIntervalMs);
    reapStaleRuns();
    loadTenants();
    m_notifications->poll();
    // A database migrated by a newer Atlas Ops: show it, change nothing.
    m_reads->post<db::SchemaCheck>(
        this, [](db::Connection& conn) { return db::SchemaCheck::of(conn); },
        [this](const db::SchemaCheck& check) {
            if (check.state == db::SchemaCheck::State::Newer)
                setReadOnly(check.explain());
            else if (check.state != db::SchemaCheck::State::Current)
                statusBar()->showMessage(check.explain());
        });
    // A hot standby takes reads only (and no LISTEN: the listener polls the change log instead).
    m_reads->post<bool>(
        this, [](db::Connection& conn) { return conn.scalar(QStringLiteral("SELECT pg_is_in_recovery()")).toBool(); },
        [this](bool standby) {
            if (standby)
                followStandby();
        });
}

namespace {
struct Replication
{
    bool valid = false;
    bool inRecovery = false;
    bool caughtUp = false; // everything received has been replayed
    double behindS = -1;   // since the last transaction replayed committed on the primary
};
} // namespace

void MainWindow::followStandby()
{
    m_standby = true;
    m_reaper->stop(); // a reap writes; the primary's consoles (or pg_cron) do it
    setReadOnly(QStringLiteral("Connected to a standby server, a read-only copy of the primary: runs cannot be "
                               "started or changed here. Changes show a moment after they happen on the primary."));
    m_replication->show();
    connect(m_replicationTimer, &QTimer::timeout, this, &MainWindow::updateReplication, Qt::UniqueConnection);
    m_replicationTimer->start(2000);
    updateReplication();
}

void MainWindow::updateReplication()
{
    m_reads->post<Replication>(
        this,
        [](db::Connection& conn) {
            Replication r;
            QSqlQuery q(conn.database());
            if (conn.exec(q,
                          QStringLiteral("SELECT pg_is_in_recovery(), "
                                         "pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(), "
                                         "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8")) &&
                q.next()) {
                r.valid = true;
                r.inRecovery = q.value(0).toBool();
                r.caughtUp = q.value(1).toBool();
                r.behindS = q.value(2).isNull() ? -1 : q.value(2).toDouble();
            }
            return r;
        },
        [this](const Replication& r) {
            if (!r.valid) {
                m_replication->setText(QStringLiteral("Standby · lag unknown  "));
                return;
            }
            if (!r.inRecovery) {
                m_replication->setText(QStringLiteral("Standby promoted: now a primary  "));
                m_replication->setToolTip(QStringLiteral("Reconnect to start runs here."));
                return;
            }
            const QString since = r.behindS < 0 ? QStringLiteral("nothing replayed yet")
                                                : QStringLiteral("%1 s since the last change replayed").arg(r.behindS, 0, 'f', 1);
            // Caught up: the primary has been quiet, not this standby slow.
            m_replication->setText(
                r.caughtUp ? QStringLiteral("Standby · up to date with the primary  ")
                           : QStringLiteral("Standby · %1 s behind the primary  ").arg(std::max(0.0, r.behindS), 0, 'f', 1));
            m_replication->setToolTip(since);
        });
}

void MainWindow::buildToolBar()
{
    auto* bar = addToolBar(QStringLiteral("Tenant"));
    bar->setObjectName(QStringLiteral("tenantBar"));
    bar->setMovable(false);
    auto* tenantLabel = new QLabel(QStringLiteral("  Tenant  "), bar);
    bar->addWidget(tenantLabel);
    m_tenants->setObjectName(QStringLiteral("tenantSwitcher"));
    m_tenants->setMinimumWidth(220);
    m_tenants->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bar->addWidget(m_tenants);
}

void MainWindow::addPage(const QString& key, const QString& label, QStyle::StandardPixmap icon, QWidget* widget,
                         ProducerPage* producer)
{
    auto* item = new QListWidgetItem(style()->standardIcon(icon), label, m_nav);
    item->setSizeHint(QSize(150, 36));
    m_pages->addWidget(widget);
    m_navPages.append({key, widget, producer});
}

// Operations first, then the producer pages in the order the registry lists their producers,
// then notifications. A producer with a page names it by key; the key picks the widget here.
void MainWindow::buildPages()
{
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setIconSize(QSize(20, 20));
    m_nav->setFixedWidth(160);
    m_nav->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_nav->setFrameShape(QFrame::NoFrame);

    const PageContext context{m_reads, m_starter};
    m_hub = new HubPage(m_session, m_pages);
    m_inventory = new InventoryPage(context, m_pages);
    m_drift = new DriftPage(context, m_pages);
    m_backups = new BackupSetsPage(context, m_pages);
    m_notificationsPage = new NotificationsPage(m_notifications, m_pages);
    struct ProducerPageInfo
    {
        ProducerPage* page;
        const char* label;
        QStyle::StandardPixmap icon;
    };
    const QHash<QString, ProducerPageInfo> producerPages{
        {QStringLiteral("inventory"), {m_inventory, "Inventory", QStyle::SP_DirIcon}},
        {QStringLiteral("drift"), {m_drift, "Drift", QStyle::SP_FileDialogContentsView}},
        {QStringLiteral("backup_sets"), {m_backups, "Backup sets", QStyle::SP_DriveHDIcon}},
    };

    addPage(kOperations, QStringLiteral("Operations"), QStyle::SP_FileDialogDetailedView, m_hub);
    for (const runs::ProducerKind& kind : runs::Producers::all()) {
        const auto it = producerPages.constFind(kind.page);
        if (kind.page.isEmpty() || pageIndex(kind.page) >= 0)
            continue;
        if (it == producerPages.constEnd()) {
            spdlog::warn("no console page {} for {}", kind.page.toStdString(), kind.key().toStdString());
            continue;
        }
        addPage(kind.page, QString::fromLatin1(it->label), it->icon, it->page, it->page);
    }
    addPage(kNotifications, QStringLiteral("Notifications"), QStyle::SP_MessageBoxInformation, m_notificationsPage);

    auto* central = new QWidget(this);
    auto* h = new QHBoxLayout(central);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(0);
    h->addWidget(m_nav);
    auto* right = new QVBoxLayout;
    right->setContentsMargins(0, 0, 0, 0);
    m_away = new StartBanner(central);
    m_away->setObjectName(QStringLiteral("connectionBanner"));
    m_away->hide();
    right->addWidget(m_away);
    right->addWidget(m_pages, 1);
    h->addLayout(right, 1);
    setCentralWidget(central);
    connect(m_nav, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_nav->setCurrentRow(pageIndex(kOperations));
}

void MainWindow::buildStatusBar()
{
    m_readOnly->setObjectName(QStringLiteral("readOnlyIndicator"));
    m_readOnly->hide();
    statusBar()->addPermanentWidget(m_readOnly);
    m_replication->setObjectName(QStringLiteral("replicationLag"));
    m_replication->hide();
    statusBar()->addPermanentWidget(m_replication);
    statusBar()->addPermanentWidget(m_activity);
    statusBar()->addPermanentWidget(m_identity);
    statusBar()->addPermanentWidget(m_connection);
    setConnected(false);
    m_connection->setText(QStringLiteral("Connecting…"));
}

void MainWindow::connectPages()
{
    connect(m_hub, &HubPage::resultLinkActivated, this, &MainWindow::openResult);
    connect(m_hub, &HubPage::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    for (ProducerPage* page : producerPages())
        connect(page, &ProducerPage::runLinkActivated, this, &MainWindow::showRun);
    connect(m_notificationsPage, &NotificationsPage::runLinkActivated, this, &MainWindow::openRun);
    connect(m_starter, &runs::RunStarter::started, this, &MainWindow::startAnswered);
    connect(m_tenants, &QComboBox::currentIndexChanged, this, &MainWindow::tenantChosen);
}

// One tenant: every page works on it. All my tenants: the hub shows every one of them (with a
// tenant column); the producer pages wait for one to be chosen.
void MainWindow::tenantChosen()
{
    const QUuid tenant = currentTenant();
    const QString who = m_spec.user.isEmpty() ? QStringLiteral("you") : m_spec.user;
    if (allTenants()) {
        m_hub->setTenants(m_tenantNames);
        QSettings().setValue(QStringLiteral("console/tenant"), kAllTenants);
        m_identity->setText(QStringLiteral("%1 · %2 tenants  ").arg(who).arg(m_tenantNames.size()));
    } else {
        m_hub->setTenant(tenant);
        if (!tenant.isNull())
            QSettings().setValue(QStringLiteral("console/tenant"), tenant.toString(QUuid::WithoutBraces));
        m_identity->setText(QStringLiteral("%1 · %2  ").arg(who, currentRole()));
    }
    const QString name = m_tenantNames.value(tenant);
    for (ProducerPage* page : producerPages())
        page->setTenant(tenant, name, currentRole());
    updateRetention();
}

bool MainWindow::allTenants() const
{
    return m_tenants->currentData().toString() == kAllTenants;
}

// Live: run changes refresh the producer page in view and read new notifications.
void MainWindow::connectLive()
{
    connect(m_session->listener(), &hub::RunListener::connectedChanged, this, &MainWindow::setConnected);
    connect(m_session->listener(), &hub::RunListener::stillAway, this, [this](const QString& why) {
        if (m_everConnected)
            showAway(why);
        else
            m_awayReason = why;
    });
    m_pageRefresh->setSingleShot(true);
    m_pageRefresh->setInterval(400);
    connect(m_pageRefresh, &QTimer::timeout, this, [this] {
        for (ProducerPage* page : producerPages())
            page->refreshSoon(); // the page in view re-reads now, the others when shown
    });
    connect(m_session->listener(), &hub::RunListener::runChanged, this, [this] {
        m_notifications->pollSoon();
        if (!m_pageRefresh->isActive())
            m_pageRefresh->start();
    });
    connect(m_session->listener(), &hub::RunListener::resynced, this, [this] {
        m_notifications->pollSoon();
        m_pageRefresh->start();
    });
    connect(m_executor, &runs::RunExecutor::progress, this, &MainWindow::updateActivity);
    connect(m_executor, &runs::RunExecutor::finished, this,
            [this](qint64 runId, const QString& status, bool, const QString& error) {
                spdlog::info("run {} ended here: {} {}", runId, status.toStdString(), error.toStdString());
                updateActivity();
                m_pageRefresh->start();
                if (m_stopping && m_executor->activeCount() == 0)
                    close(); // every run stopped: now the window may go
            });
}

// Desktop presence: tray icon and notifications of the user's runs.
void MainWindow::connectDesktop()
{
    m_desktop = new DesktopNotifier(windowIcon(), this);
    connect(m_notifications, &NotificationCenter::changed, this, &MainWindow::updateBadge);
    connect(m_notifications, &NotificationCenter::arrived, this, [this](const QList<catalog::Notification>& fresh) {
        for (const catalog::Notification& n : fresh)
            m_desktop->notify(n, m_tenantNames.value(n.tenant));
    });
    connect(m_desktop, &DesktopNotifier::runActivated, this, [this](qint64 runId) {
        bringToFront();
        openRun(runId);
    });
    connect(m_desktop, &DesktopNotifier::showRequested, this, &MainWindow::bringToFront);
    connect(m_desktop, &DesktopNotifier::quitRequested, this, &MainWindow::quitFromTray);
}

// The filter survives a restart.
void MainWindow::restoreFilter()
{
    hub::RunFilter saved;
    saved.fromMap(QSettings().value(QStringLiteral("hub/filter")).toMap());
    m_hub->setFilter(saved);
    connect(m_hub, &HubPage::filterChanged, this,
            [](const hub::RunFilter& f) { QSettings().setValue(QStringLiteral("hub/filter"), f.toMap()); });
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(QStringLiteral("&Connect to another database…"), this, &MainWindow::connectElsewhere);
    m_retention = file->addAction(QStringLiteral("&Retention…"), this, &MainWindow::chooseRetention);
    m_retention->setObjectName(QStringLiteral("retentionAction"));
    m_retention->setToolTip(QStringLiteral("Delete this tenant's finished runs older than an age (owners)"));
    updateRetention();
    file->addSeparator();
    file->addAction(QStringLiteral("&Quit"), QKeySequence::Quit, this, &MainWindow::quitFromTray);
    auto* view = menuBar()->addMenu(QStringLiteral("&View"));
    auto* appearance = view->addMenu(QStringLiteral("&Appearance"));
    auto* themes = new QActionGroup(this);
    for (const auto& [key, label] : {std::pair{QStringLiteral("system"), QStringLiteral("Like the &desktop")},
                                     std::pair{QStringLiteral("light"), QStringLiteral("&Light")},
                                     std::pair{QStringLiteral("dark"), QStringLiteral("D&ark")}}) {
        QAction* action = appearance->addAction(label);
        action->setCheckable(true);
        action->setChecked(resources::Theme::configured() == key);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [key] {
            QSettings().setValue(QStringLiteral("appearance/theme"), key);
            resources::Theme::apply(key);
        });
    }
    QAction* queued = view->addAction(QStringLiteral("Desktop notifications for &queued runs"));
    queued->setObjectName(QStringLiteral("queuedPopUpsAction"));
    queued->setCheckable(true);
    queued->setChecked(DesktopNotifier::queuedPopUps());
    queued->setToolTip(QStringLiteral("Completed runs always notify; queued ones are in Notifications either way"));
    connect(queued, &QAction::toggled, this, &DesktopNotifier::setQueuedPopUps);
    auto* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About Atlas Ops…"), this, &MainWindow::showAbout);
}

// A result link of the hub's detail pane ("drift/42"): the producer page it names opens on it.
void MainWindow::openResult(const QString& link)
{
    const QString key = link.section(QLatin1Char('/'), 0, 0);
    const qint64 id = link.section(QLatin1Char('/'), 1).toLongLong();
    const int index = pageIndex(key);
    if (index < 0 || !m_navPages[index].producer || id <= 0)
        return;
    m_navPages[index].producer->showResult(id);
    m_nav->setCurrentRow(index);
}

int MainWindow::pageIndex(const QString& key) const
{
    for (int i = 0; i < m_navPages.size(); ++i) {
        if (m_navPages[i].key == key)
            return i;
    }
    return -1;
}

QString MainWindow::currentPageKey() const
{
    const int row = m_nav->currentRow();
    return row >= 0 && row < m_navPages.size() ? m_navPages[row].key : QString();
}

void MainWindow::showPage(const QString& key)
{
    const int index = pageIndex(key);
    if (index >= 0)
        m_nav->setCurrentRow(index);
}

void MainWindow::setReadOnly(const QString& reason)
{
    m_readOnlyReason = reason;
    m_readOnly->setText(QStringLiteral("⚠ Read-only  "));
    m_readOnly->setToolTip(reason);
    m_readOnly->show();
    for (ProducerPage* page : producerPages())
        page->setWritable(false);
    updateRetention();
    statusBar()->showMessage(reason);
    spdlog::warn("console is read-only: {}", reason.toStdString());
}

MainWindow::~MainWindow() = default;

QList<ProducerPage*> MainWindow::producerPages() const
{
    QList<ProducerPage*> pages;
    for (const NavPage& page : m_navPages) {
        if (page.producer)
            pages << page.producer;
    }
    return pages;
}

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
    spdlog::info("showing run {} in Operations", id);
    m_nav->setCurrentRow(pageIndex(kOperations));
    m_hub->selectRun(id);
    Q_EMIT runOpened(id);
}

void MainWindow::openRun(qint64 id)
{
    m_reads->post<QUuid>(
        this,
        [id](db::Connection& conn) {
            QString error;
            return catalog::tenantOfRun(conn, id, &error);
        },
        [this, id](const QUuid& tenant) {
            if (tenant.isNull()) {
                statusBar()->showMessage(QStringLiteral("Run #%1 does not exist or is not in your tenants.").arg(id), 8000);
                return;
            }
            if (!allTenants() && tenant != currentTenant()) {
                const int index = m_tenants->findData(tenant.toString(QUuid::WithoutBraces));
                if (index >= 0)
                    m_tenants->setCurrentIndex(index);
            }
            showRun(id);
        });
}

bool MainWindow::openLink(const QString& link)
{
    static const QRegularExpression runLink(QStringLiteral("^atlas-ops://run/(\\d{1,18})/?$"));
    const QRegularExpressionMatch match = runLink.match(link.trimmed());
    if (!match.hasMatch())
        return false;
    openRun(match.captured(1).toLongLong());
    return true;
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

void MainWindow::startAnswered(const runs::StartOutcome& outcome)
{
    updateActivity();
    if (!outcome.refused)
        return;
    // The database said no: the role changed since the console read it. Say so once and let
    // the controls follow the role as it is now.
    QMessageBox::warning(this, QStringLiteral("Not allowed"),
                         QStringLiteral("You can no longer start runs in %1: your role there has changed.\n\n"
                                        "The console now shows what your current role allows.")
                             .arg(m_tenantNames.value(currentTenant(), QStringLiteral("this tenant"))));
    loadTenants();
}

void MainWindow::updateRetention()
{
    if (m_retention)
        m_retention->setVisible(!isReadOnly() && !currentTenant().isNull() && currentRole() == QLatin1String("owner"));
}

void MainWindow::chooseRetention()
{
    const QStringList ages{QStringLiteral("30 days"), QStringLiteral("90 days"), QStringLiteral("180 days"),
                           QStringLiteral("1 year"), QStringLiteral("2 years")};
    bool ok = false;
    const QString tenantName = m_tenantNames.value(currentTenant());
    const QString age =
        QInputDialog::getItem(this, QStringLiteral("Retention"),
                              QStringLiteral("Delete the finished runs of %1 older than:").arg(tenantName), ages, 1, false, &ok);
    if (!ok)
        return;
    if (QMessageBox::question(this, QStringLiteral("Retention"),
                              QStringLiteral("Delete the finished runs of %1 older than %2, with their item results, "
                                             "findings and notifications? Active runs are kept.")
                                  .arg(tenantName, age),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    startRetention(age);
}

void MainWindow::startRetention(const QString& age)
{
    const QUuid tenant = currentTenant();
    m_starter->start(
        QStringLiteral("Retention: prune runs"),
        [tenant, age](db::Connection&, QString*) { return std::optional(runs::PruneJob::request(tenant, age)); }, this,
        [this](const runs::StartOutcome& outcome) {
            statusBar()->showMessage(
                outcome.runId ? QStringLiteral("Retention %1 as run #%2")
                                    .arg(outcome.reused ? QStringLiteral("already running") : QStringLiteral("started"))
                                    .arg(outcome.runId)
                              : QStringLiteral("Retention did not start: %1").arg(outcome.error),
                8000);
        });
}

void MainWindow::updateActivity()
{
    const int active = m_executor->activeCount();
    m_activity->setText(active ? QStringLiteral("⟳ %1 run%2 in progress  ").arg(active).arg(active == 1 ? "" : "s") : QString());
}

void MainWindow::updateBadge()
{
    const int unread = m_notifications->unread();
    QListWidgetItem* item = m_nav->item(pageIndex(kNotifications));
    item->setText(unread ? QStringLiteral("Notifications  (%1)").arg(unread) : QStringLiteral("Notifications"));
    QFont f = m_nav->font();
    f.setBold(unread > 0);
    item->setFont(f);
    m_desktop->setUnread(unread);
}

void MainWindow::connectElsewhere()
{
    LoginDialog dialog(this);
    bool found = false;
    const db::ConnectionProfile current = db::ProfileStore::find(db::ProfileStore::lastUsed(), &found);
    if (found)
        dialog.setProfile(current);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_switch = true;
    m_switchEmbedded = dialog.profile().embedded;
    m_switchSpec = dialog.spec();
    m_quitting = true;
    close(); // asks about runs in progress first; the console then opens on the new database
    if (isVisible() && !m_stopping)
        m_switch = false; // the person kept this window after all
}

void MainWindow::quitFromTray()
{
    m_quitting = true;
    if (m_executor->activeCount() > 0)
        bringToFront();
    close();
}

// Asked to end from outside the window (SIGTERM when the session or machine shuts down, Ctrl+C
// in the terminal it was started from): as "Stop runs and quit", without asking. The runs it
// executes end aborted/cancelled at once with what they recorded, not later by the reaper.
void MainWindow::stopRunsAndQuit()
{
    m_quitting = true;
    QGuiApplication::setQuitOnLastWindowClosed(false); // the window quits itself once closed, shown or in the tray
    if (m_executor->activeCount() == 0) {
        close();
        QCoreApplication::quit();
        return;
    }
    stopRuns();
}

// Every run executed here ends aborted/cancelled; the last one to end closes the window.
void MainWindow::stopRuns()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_quitting = true;
    setEnabled(false);
    statusBar()->showMessage(QStringLiteral("Stopping runs…"));
    m_executor->stopAll();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const int active = m_executor->activeCount();
    if (active == 0) {
        event->accept();
        if (!QGuiApplication::quitOnLastWindowClosed())
            QCoreApplication::quit(); // kept alive for the tray until now
        return;
    }
    if (m_stopping) {
        event->ignore(); // still waiting for the workers to stop
        return;
    }
    QMessageBox box(this);
    box.setIcon(QMessageBox::Question);
    box.setWindowTitle(QStringLiteral("Runs in progress"));
    box.setText(active == 1 ? QStringLiteral("A run started here is still in progress.")
                            : QStringLiteral("%1 runs started here are still in progress.").arg(active));
    // The tray is offered only where there is one, and then as a button as well as in words.
    const bool tray = !m_quitting && m_desktop->trayVisible();
    box.setInformativeText((tray ? QStringLiteral("Keep them running with Atlas Ops in the system tray, or stop them? ")
                                 : QStringLiteral("Stop them now, or cancel and let them finish? ")) +
                           QStringLiteral("A stopped run ends as aborted (cancelled); what it recorded so far is kept."));
    QPushButton* keep = nullptr;
    if (tray)
        keep = box.addButton(QStringLiteral("Keep running in tray"), QMessageBox::AcceptRole);
    QPushButton* stop = box.addButton(QStringLiteral("Stop runs and quit"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep ? keep : stop);
    box.exec();
    event->ignore();
    if (keep && box.clickedButton() == keep) {
        QGuiApplication::setQuitOnLastWindowClosed(false);
        hide();
    } else if (box.clickedButton() == stop) {
        stopRuns();
    } else {
        m_quitting = false;
    }
}

QString MainWindow::diagnostics() const
{
    return QStringLiteral("Atlas Ops %1\nQt %2 on %3 (%4)\nDatabase: %5\nTenant: %6 (%7)\nLive updates: %8\nLog file: %9")
        .arg(QStringLiteral(ATLAS_VERSION), QString::fromLatin1(qVersion()), QSysInfo::prettyProductName(),
             QGuiApplication::platformName(), m_spec.describe(), m_tenants->currentText(),
             currentTenant().toString(QUuid::WithoutBraces), m_connection->text(), support::Logging::logFile());
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

// While the database is away: a banner says so in words, what shows is dimmed as possibly out
// of date, and nothing can be started; all of it goes when the connection is back.
void MainWindow::showAway(const QString& why)
{
    m_awayReason = why.trimmed();
    const QString detail = m_awayReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_awayReason.toHtmlEscaped());
    m_away->showMessage(StartBanner::Tone::Warning,
                        QStringLiteral("<b>The database is not answering</b>%1. What you see may be out of date, and "
                                       "starting runs waits until it is back. Retrying…")
                            .arg(detail));
}

void MainWindow::setConnected(bool connected)
{
    if (connected != m_live) {
        m_live = connected;
        if (!connected && m_everConnected)
            showAway(m_awayReason);
        else if (connected)
            m_away->hide();
        m_everConnected = m_everConnected || connected;
        auto* dim = qobject_cast<QGraphicsOpacityEffect*>(m_pages->graphicsEffect());
        if (!connected && m_everConnected && !dim) {
            dim = new QGraphicsOpacityEffect(m_pages);
            dim->setOpacity(0.55);
            m_pages->setGraphicsEffect(dim);
        } else if (connected) {
            m_pages->setGraphicsEffect(nullptr);
        }
        for (ProducerPage* page : producerPages())
            page->setWritable(connected && !isReadOnly());
    }
    m_connection->setText(connected ? QStringLiteral("● Live") : QStringLiteral("○ Reconnecting…"));
    m_connection->setToolTip(connected ? QStringLiteral("Connected to %1; changes show as they happen").arg(m_spec.describe())
                                       : QStringLiteral("The database connection was lost; retrying"));
}

void MainWindow::reapStaleRuns()
{
    if (m_standby)
        return; // nothing can be written here
    // Runs whose worker died must not stay "running": any console marks them worker_lost. On
    // the shared connection: a reap is one short statement, not worth a session of its own.
    m_reads->run([](db::Connection& conn) {
        db::DbError error;
        if (conn.isOpen())
            runs::RunApi(conn).reapStale(&error);
    });
}

void MainWindow::loadTenants()
{
    m_reads->post<TenantLoad>(
        this,
        [](db::Connection& conn) {
            TenantLoad load;
            QSqlQuery q(conn.database());
            if (!conn.isOpen() ||
                !conn.exec(q, QStringLiteral("SELECT tenant_id, tenant_name, role FROM atlas.my_tenants ORDER BY tenant_name"))) {
                load.error = conn.lastError().message;
                return load;
            }
            while (q.next())
                load.rows.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
            return load;
        },
        [this](const TenantLoad& load) {
            if (!load.error.isEmpty()) {
                statusBar()->showMessage(QStringLiteral("Cannot read your tenants: %1").arg(load.error));
                return;
            }
            const QString shown = currentTenant().isNull() ? QSettings().value(QStringLiteral("console/tenant")).toString()
                                                           : currentTenant().toString(QUuid::WithoutBraces);
            m_tenants->blockSignals(true);
            m_tenants->clear();
            int select = -1;
            m_tenantNames.clear();
            if (load.rows.size() > 1) {
                m_tenants->addItem(QStringLiteral("All my tenants (%1)").arg(load.rows.size()), kAllTenants);
                if (shown == kAllTenants)
                    select = 0;
            }
            for (const TenantRow& row : load.rows) {
                m_tenantNames.insert(QUuid::fromString(row.id), row.name);
                m_tenants->addItem(QStringLiteral("%1 — %2").arg(row.name, row.role), row.id);
                m_tenants->setItemData(m_tenants->count() - 1, row.role, Qt::UserRole + 1);
                if (row.id == shown)
                    select = m_tenants->count() - 1;
            }
            if (select < 0) // the first tenant, not "All my tenants", until the person chooses
                select = load.rows.size() > 1 ? 1 : 0;
            m_tenants->setCurrentIndex(load.rows.isEmpty() ? -1 : select);
            m_tenants->blockSignals(false);
            Q_EMIT m_tenants->currentIndexChanged(m_tenants->currentIndex());
            m_notificationsPage->setTenantNames(m_tenantNames);
            if (load.rows.isEmpty())
                statusBar()->showMessage(QStringLiteral("You are not a member of any tenant."));
            Q_EMIT tenantsLoaded();
        });
}

} // namespace atlas::views
