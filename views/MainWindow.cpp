#include "MainWindow.h"

#include "db/Connection.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStatusBar>
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
} // namespace

MainWindow::MainWindow(const db::ConnectionSpec& spec, QWidget* parent)
    : QMainWindow(parent)
    , m_spec(spec)
{
    setWindowTitle(QStringLiteral("Atlas Ops"));
    resize(1280, 800);

    auto* bar = addToolBar(QStringLiteral("Tenant"));
    bar->setMovable(false);
    bar->addWidget(new QLabel(QStringLiteral("Tenant: "), bar));
    m_tenants = new QComboBox(bar);
    m_tenants->setMinimumWidth(260);
    bar->addWidget(m_tenants);

    m_pages = new QStackedWidget(this);
    auto* placeholder = new QLabel(QStringLiteral("Operations"), m_pages);
    placeholder->setAlignment(Qt::AlignCenter);
    m_pages->addWidget(placeholder);
    setCentralWidget(m_pages);

    m_connection = new QLabel(QStringLiteral("Connecting…"), this);
    statusBar()->addPermanentWidget(m_connection);
    loadTenants();
}

MainWindow::~MainWindow() = default;

void MainWindow::loadTenants()
{
    auto* watcher = new QFutureWatcher<TenantLoad>(this);
    connect(watcher, &QFutureWatcher<TenantLoad>::finished, this, [this, watcher] {
        const TenantLoad load = watcher->result();
        watcher->deleteLater();
        if (!load.error.isEmpty()) {
            m_connection->setText(QStringLiteral("Not connected: %1").arg(load.error));
            return;
        }
        m_connection->setText(QStringLiteral("Connected: %1").arg(m_spec.describe()));
        m_tenants->clear();
        for (const TenantRow& row : load.rows)
            m_tenants->addItem(QStringLiteral("%1 (%2)").arg(row.name, row.role), row.id);
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
