#include "TestCluster.h"

#include "db/Migrator.h"

#include <QFile>
#include <QSqlQuery>

namespace atlas::test {

TestCluster::TestCluster()
    : m_dir(QStringLiteral("/tmp/atlas-test-XXXXXX"))
{
    // A fixed port is fine: the socket lives in this cluster's own directory.
    m_cluster = std::make_unique<db::EmbeddedCluster>(m_dir.path(), 5432);
}

TestCluster::~TestCluster()
{
    QString ignored;
    m_cluster->stop(&ignored);
}

bool TestCluster::setUp(QString* error)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (!m_conf.isEmpty()) {
        const bool fresh = !m_cluster->isInitialized();
        if (!m_cluster->initialize(error))
            return false;
        if (fresh && !m_cluster->appendConf(m_conf, error))
            return false;
    }
    if (!m_cluster->start(error) || !m_cluster->ensureDatabase(databaseName(), error))
        return false;
    auto su = connectSuperuser();
    if (!su->open()) {
        *error = su->lastError().message;
        return false;
    }
    db::DbError dbError;
    db::Migrator::migrate(*su, &dbError);
    if (dbError.isError()) {
        *error = dbError.message;
        return false;
    }
    return true;
}

QString TestCluster::serverLog() const
{
    QFile log(m_cluster->logFile());
    return log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()) : QString();
}

db::ConnectionSpec TestCluster::superuserSpec() const
{
    return m_cluster->superuserSpec(databaseName());
}

db::ConnectionSpec TestCluster::loginSpec(const QString& login) const
{
    return m_cluster->loginSpec(databaseName(), login, passwordOf(login));
}

bool TestCluster::createLogin(const QString& login, bool admin)
{
    auto su = connectSuperuser();
    if (!su->open())
        return false;
    QString roles = QStringLiteral("atlas_client");
    if (admin)
        roles += QStringLiteral(", atlas_admin");
    return su->execRaw(QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%1') THEN "
                                      "CREATE ROLE %1 LOGIN PASSWORD '%2' IN ROLE %3; END IF; END $$")
                           .arg(login, passwordOf(login), roles));
}

std::unique_ptr<db::Connection> TestCluster::connectAs(const QString& login)
{
    auto conn = std::make_unique<db::Connection>(loginSpec(login), login);
    conn->open();
    return conn;
}

std::unique_ptr<db::Connection> TestCluster::connectSuperuser()
{
    auto conn = std::make_unique<db::Connection>(superuserSpec(), QStringLiteral("su"));
    conn->open();
    return conn;
}

QStringList TenantFixture::logins()
{
    return {QStringLiteral("owner_a"),    QStringLiteral("manager_a"), QStringLiteral("operator_a"),
            QStringLiteral("readonly_a"), QStringLiteral("owner_b"),   QStringLiteral("outsider"),
            QStringLiteral("admin")};
}

bool TenantFixture::create(TestCluster& cluster, QString* error)
{
    for (const QString& login : logins()) {
        if (!cluster.createLogin(login, login == QLatin1String("admin"))) {
            *error = QStringLiteral("cannot create login %1").arg(login);
            return false;
        }
    }
    auto admin = cluster.connectAs(QStringLiteral("admin"));
    const QVariant a = admin->scalar(QStringLiteral("SELECT atlas.create_tenant('Tenant A')"));
    const QVariant b = admin->scalar(QStringLiteral("SELECT atlas.create_tenant('Tenant B')"));
    if (!a.isValid() || !b.isValid()) {
        *error = admin->lastError().message;
        return false;
    }
    tenantA = QUuid::fromString(a.toString());
    tenantB = QUuid::fromString(b.toString());
    const QList<std::tuple<QUuid, QString, QString>> grants = {
        {tenantA, QStringLiteral("owner_a"), QStringLiteral("owner")},
        {tenantA, QStringLiteral("manager_a"), QStringLiteral("manager")},
        {tenantA, QStringLiteral("operator_a"), QStringLiteral("operator")},
        {tenantA, QStringLiteral("readonly_a"), QStringLiteral("readonly")},
        {tenantB, QStringLiteral("owner_b"), QStringLiteral("owner")},
    };
    for (const auto& [tenant, login, role] : grants) {
        QSqlQuery q(admin->database());
        if (!admin->exec(q, QStringLiteral("SELECT atlas.grant_role(?::uuid, ?, ?)"),
                         {tenant.toString(QUuid::WithoutBraces), login, role})) {
            *error = admin->lastError().message;
            return false;
        }
    }
    return true;
}

bool TenantFixture::seedInventory(TestCluster& cluster, const QUuid& tenant, const QString& prefix, int count)
{
    auto su = cluster.connectSuperuser();
    return su && su->execRaw(QStringLiteral("INSERT INTO atlas.inventory_items (tenant_id, policy_type, external_id, display_name, "
                                            "payload, content_hash) SELECT '%1', 'SettingsCatalog', '%2-' || g, 'Policy ' || g, p, "
                                            "atlas.content_hash(p) FROM generate_series(1, %3) g, "
                                            "LATERAL (SELECT jsonb_build_object('id', '%2-' || g, 'v', g) p) x")
                                 .arg(tenant.toString(QUuid::WithoutBraces), prefix)
                                 .arg(count));
}

} // namespace atlas::test
