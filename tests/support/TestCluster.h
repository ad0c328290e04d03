#pragma once

#include "db/Connection.h"
#include "db/EmbeddedCluster.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

// Tests that read the real OpenIntuneBaseline exports (../shared/data/oib beside the checkout)
// skip without them on a developer's machine, but fail in CI, which always has them.
#define ATLAS_REQUIRE_OIB(path)                                                                    \
    do {                                                                                           \
        if (!QFileInfo::exists(path)) {                                                            \
            if (qEnvironmentVariableIsSet("CI"))                                                   \
                QFAIL("../shared/data/oib is missing, and CI always has it");                      \
            QSKIP("../shared/data/oib is not there");                                              \
        }                                                                                          \
    } while (false)

namespace atlas::test {

// A throwaway PostgreSQL cluster for one test executable: initdb in a temporary directory, a
// private socket, the migrations applied as superuser into a fresh database. Stopped and
// deleted when the object goes.
class TestCluster final
{
    Q_DISABLE_COPY_MOVE(TestCluster)
public:
    TestCluster();
    ~TestCluster();

    // Lines for postgresql.conf ("max_connections = 100", "shared_preload_libraries = 'pg_cron'"),
    // written after initdb and before the first start; call before setUp.
    void addConf(const QStringList& lines) { m_conf += lines; }
    // Starts the cluster and migrates; QFAIL-style message in *error on failure.
    bool setUp(QString* error);
    // The server's log so far (to look for what it refused).
    QString serverLog() const;

    db::EmbeddedCluster& cluster() { return *m_cluster; }
    const db::EmbeddedCluster& cluster() const { return *m_cluster; }
    QString databaseName() const { return QStringLiteral("atlas_test"); }
    db::ConnectionSpec superuserSpec() const;
    db::ConnectionSpec loginSpec(const QString& login) const;
    static QString passwordOf(const QString& login) { return QStringLiteral("pw-") + login; }

    // CREATE ROLE login LOGIN PASSWORD ... IN ROLE atlas_client (and atlas_admin when admin).
    bool createLogin(const QString& login, bool admin = false);

    std::unique_ptr<db::Connection> connectAs(const QString& login);
    std::unique_ptr<db::Connection> connectSuperuser();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<db::EmbeddedCluster> m_cluster;
    QStringList m_conf;
};

// Two tenants and a login per role:
//   owner_a, manager_a, operator_a, readonly_a  in tenant A
//   owner_b                                       in tenant B (the other tenant's user)
//   outsider                                      atlas_client, member of no tenant
//   admin                                         atlas_admin (+ atlas_client), member of none
struct TenantFixture
{
    QUuid tenantA;
    QUuid tenantB;
    static QStringList logins();
    bool create(TestCluster& cluster, QString* error);
    // `count` current policies <prefix>-1..count in `tenant`, written directly by the superuser
    // (for benchmarks that measure something other than the import).
    static bool seedInventory(TestCluster& cluster, const QUuid& tenant, const QString& prefix, int count);
};

} // namespace atlas::test
