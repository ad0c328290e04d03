#pragma once

#include "TestCluster.h"

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

// Sets up a Fixture in initTestCase: fails the test with what went wrong.
#define ATLAS_SET_UP(fixture, ...)                                                                 \
    do {                                                                                           \
        QString setUpError_;                                                                       \
        QVERIFY2((fixture).setUp(&setUpError_, ##__VA_ARGS__), qPrintable(setUpError_));           \
    } while (false)

// Tests that run the atlas-ops binary skip when not run through ctest (which sets ATLAS_BINARY).
#define ATLAS_REQUIRE_BINARY()                                                                     \
    do {                                                                                           \
        if (atlas::test::Fixture::binary().isEmpty())                                              \
            QSKIP("ATLAS_BINARY not set (run through ctest)");                                     \
    } while (false)

namespace atlas::test {

// What one run of the command line printed.
struct CliResult
{
    int exitCode = -1; // -1: it did not finish in time
    QString out;
    QString err;
    QJsonObject json() const;
};

// What a database test starts from: a throwaway cluster with the migrations applied, two
// tenants with a login per role (see TenantFixture), settings in a private directory, and the
// command line under test. One per test executable, set up in initTestCase with ATLAS_SET_UP.
class Fixture final
{
    Q_DISABLE_COPY_MOVE(Fixture)
public:
    enum class With
    {
        Tenants,   // the two tenants and their logins
        NoTenants, // only the migrated database
    };
    Fixture() = default;

    bool setUp(QString* error, With with = With::Tenants);

    TestCluster cluster;
    QUuid tenantA;
    QUuid tenantB;
    QString a() const { return tenantA.toString(QUuid::WithoutBraces); }
    QString b() const { return tenantB.toString(QUuid::WithoutBraces); }

    std::unique_ptr<db::Connection> connectAs(const QString& login) { return cluster.connectAs(login); }
    std::unique_ptr<db::Connection> connectSuperuser() { return cluster.connectSuperuser(); }
    // postgresql:// URLs for --db: as a test login, or as the cluster's superuser.
    QString loginUrl(const QString& login, const QString& database = {}) const;
    QString superuserUrl(const QString& database = {}) const;

    // An export folder of `files` SettingsCatalog policies (ids <prefix>0..), each padded to about
    // `padding` bytes: an import big enough to be caught part-way. False when a file cannot be written.
    static bool writeExport(const QString& dir, int files, const QByteArray& prefix, int padding = 1500);
    // The binary under test ($ATLAS_BINARY); empty outside ctest.
    static QString binary();
    // The environment without libpq's PG* variables, so only what a test passes counts.
    static QProcessEnvironment cleanEnvironment();
    // A console process's own home under `home` (state, config, data, cache, runtime dirs made),
    // offscreen, with no session bus or display: one person's desktop, private to the test.
    static QProcessEnvironment consoleEnvironment(const QString& home);
    // What that console wrote to its log so far.
    static QString consoleLog(const QString& home);
    // Runs atlas-ops with `args` and waits for it (at most two minutes).
    static CliResult cli(const QStringList& args, const QProcessEnvironment& env = cleanEnvironment());

private:
    QTemporaryDir m_settings;
};

} // namespace atlas::test
