// The embedded default: a private cluster is created, migrated and given its demo; a second
// start reuses it; the console's login sees two tenants with runs in every bucket; what holds a
// secret is closed to other users.
#include "TestCluster.h"
#include "db/Bootstrap.h"
#include "demo/DemoActivity.h"
#include "demo/DemoSeeder.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <sys/stat.h>
#include <unistd.h>

using atlas::db::Bootstrap;
using atlas::db::Connection;

class TestEmbedded : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir{QStringLiteral("/tmp/atlas-embedded-XXXXXX")};
    Bootstrap::Target m_target;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // When root runs this, the cluster's own account must be able to reach the directory.
        QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                                QFileDevice::ExeGroup | QFileDevice::ExeOther);
        Bootstrap::Options options;
        options.clusterDir = m_dir.path() + QStringLiteral("/cluster");
        QString error;
        QVERIFY2(Bootstrap::resolve(options, &m_target, &error), qPrintable(error));
        QVERIFY(m_target.embedded());
    }
    void cleanupTestCase()
    {
        if (m_target.cluster) {
            QString error;
            QVERIFY2(m_target.cluster->stop(&error), qPrintable(error));
        }
    }

    void consoleLoginSeesBothDemoTenantsAsOwner()
    {
        Connection conn(m_target.spec, QStringLiteral("me"));
        QVERIFY2(conn.open(), qPrintable(conn.lastError().message));
        QCOMPARE(conn.scalar(QStringLiteral("SELECT session_user::text")).toString(), Bootstrap::consoleLoginName());
        QCOMPARE(conn.scalar(QStringLiteral("SELECT string_agg(tenant_name || ':' || role, ',' ORDER BY tenant_name) FROM atlas.my_tenants")).toString(),
                 QStringLiteral("Contoso (demo):owner,Fabrikam (demo):owner"));
    }

    void demoHasRunsInEveryBucket()
    {
        Connection conn(m_target.spec, QStringLiteral("me"));
        QVERIFY(conn.open());
        QSqlQuery q(conn.database());
        QVERIFY(conn.exec(q, QStringLiteral("SELECT DISTINCT status_bucket FROM atlas.operation_runs r JOIN atlas.my_tenants t USING (tenant_id) "
                                            "WHERE t.tenant_name = 'Contoso (demo)' ORDER BY 1")));
        QStringList buckets;
        while (q.next())
            buckets << q.value(0).toString();
        QCOMPARE(buckets, (QStringList{QStringLiteral("failed"), QStringLiteral("partially_succeeded"), QStringLiteral("queued"),
                                       QStringLiteral("running"), QStringLiteral("succeeded")}));
        QCOMPARE(conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE reason_code = 'worker_lost'")).toInt(), 1);
        // Stored failures carry no secrets even though the demo's error text had a bearer token.
        QCOMPARE(conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE failures::text LIKE '%eyJ%'")).toInt(), 0);
    }

    void demoInventoryAndHistoryComeFromTheRealProducers()
    {
        Connection conn(m_target.spec, QStringLiteral("me"));
        QVERIFY(conn.open());
        const QString contoso = QStringLiteral("(SELECT tenant_id FROM atlas.my_tenants WHERE tenant_name = 'Contoso (demo)')");
        // Release 2 of the demo export: nine current policies; the legacy firewall retired.
        QCOMPARE(conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE is_current AND tenant_id = %1").arg(contoso)).toInt(), 9);
        QCOMPARE(conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE NOT is_current AND tenant_id = %1").arg(contoso)).toInt(), 1);
        QCOMPARE(conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE resource = 'inventory' AND status = 'completed'")).toInt(), 3);
        // Drift of release 2 against the baseline of release 1, worked out from DemoExport.cpp.
        QSqlQuery q(conn.database());
        QVERIFY(conn.exec(q, QStringLiteral("SELECT change || ' ' || display_name || ' ' || changed_paths::text FROM atlas.drift_findings "
                                            "ORDER BY change, display_name")));
        QStringList findings;
        while (q.next())
            findings << q.value(0).toString();
        QCOMPARE(findings, (QStringList{
            QStringLiteral("added Win - SC - Windows Sandbox []"),
            QStringLiteral("modified Win - Compliance - Device Health [\"/passwordMinimumLength\"]"),
            QStringLiteral("modified Win - SC - Defender Antivirus - Configuration [\"/settings/2/settingInstance/choiceSettingValue/value\"]"),
            QStringLiteral("modified Win - SC - Microsoft Edge - Security [\"/settingCount\", \"/settings/3\"]"),
            QStringLiteral("modified Win - WUfB - Ring 2 - Production [\"/qualityUpdatesDeferralPeriodInDays\"]"),
            QStringLiteral("removed Win - SC - Firewall - Legacy []")}));
        // The nightly backup set took every current policy; the retired one is a failure.
        QCOMPARE(conn.scalar(QStringLiteral("SELECT status || ' ' || succeeded_items || ' ' || failed_items FROM atlas.operation_runs "
                                            "WHERE resource = 'backup_set'")).toString(), QStringLiteral("completed_with_errors 9 1"));
    }

    void everyDemoLoginHasItsRole()
    {
        const QStringList expected{QStringLiteral("owner"), QStringLiteral("manager"), QStringLiteral("operator"), QStringLiteral("readonly")};
        const QStringList logins = atlas::demo::DemoSeeder::demoLogins();
        for (int i = 0; i < expected.size(); ++i) {
            Connection conn(m_target.cluster->loginSpec(Bootstrap::embeddedDatabaseName(), logins[i],
                                                        m_target.cluster->loginPassword(logins[i])), QStringLiteral("demo"));
            QVERIFY2(conn.open(), qPrintable(conn.lastError().message));
            QCOMPARE(conn.scalar(QStringLiteral("SELECT role FROM atlas.my_tenants")).toString(), expected[i]);
        }
    }

    void secondStartReusesTheClusterAndAddsNothing()
    {
        Connection before(m_target.spec, QStringLiteral("count"));
        QVERIFY(before.open());
        const int runs = before.scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs")).toInt();
        Bootstrap::Options options;
        options.clusterDir = m_dir.path() + QStringLiteral("/cluster");
        options.login = QStringLiteral("demo_readonly");
        Bootstrap::Target again;
        QString error;
        QVERIFY2(Bootstrap::resolve(options, &again, &error), qPrintable(error));
        QCOMPARE(again.spec.user, QStringLiteral("demo_readonly"));
        QCOMPARE(before.scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs")).toInt(), runs);
        QCOMPARE(before.scalar(QStringLiteral("SELECT count(*) FROM atlas.my_tenants")).toInt(), 2);
    }

    // While a console shows the demo, its logins keep a queued and a running run going through
    // the run API: progress, heartbeats, a finish, the next one; nothing is reaped as lost.
    void theDemoKeepsRunsGoing()
    {
        auto activity = std::make_unique<atlas::demo::DemoActivity>(m_target.cluster, Bootstrap::embeddedDatabaseName(), 100);
        activity->start();
        Connection conn(m_target.spec, QStringLiteral("watch"));
        QVERIFY(conn.open());
        const auto count = [&](const char* where) {
            return conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE initiator IN "
                                              "('demo_manager', 'demo_operator') AND item_ids::text LIKE '%\"demo-%' AND %1")
                                   .arg(QLatin1String(where))).toInt();
        };
        // What holds only for a while is read once per try (qWaitFor), never read again after.
        QVERIFY(QTest::qWaitFor(
            [&] { return count("status = 'running' AND processed_items > 0 AND heartbeat_at > now() - interval '10 seconds'") == 1; },
            10000));
        QVERIFY(QTest::qWaitFor([&] { return count("status = 'pending' AND resource = 'drift'") == 1; }, 10000));
        // A whole add-policies run goes by (24 items, two a tick), with its failures, and the next starts.
        QTRY_VERIFY_WITH_TIMEOUT(count("status = 'completed_with_errors' AND resource = 'backup_set' AND processed_items = 24") >= 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(count("status = 'completed' AND resource = 'drift'") >= 1, 20000);
        QVERIFY(QTest::qWaitFor([&] { return count("status = 'running' AND resource = 'backup_set'") == 1; }, 5000)); // the next one
        QCOMPARE(conn.scalar(QStringLiteral("SELECT atlas.reap_stale_runs()")).toInt(), 0); // nothing of it is stale
        // The console closes: what it was running or had queued ends stopped on purpose.
        activity.reset();
        QCOMPARE(count("status IN ('pending', 'running')"), 0);
        QVERIFY(count("status = 'aborted' AND reason_code = 'cancelled'") >= 2);
    }

    // The server killed where it stood (kill -9, a power cut) leaves its pid file and socket
    // behind: the next start sees that their process is gone and starts it again, instead of
    // connecting to a socket nobody answers ("Connection refused").
    void aKilledServerIsStartedAgain()
    {
        const std::shared_ptr<atlas::db::EmbeddedCluster> cluster = m_target.cluster;
        QVERIFY(cluster && cluster->isRunning());
        QFile pidFile(cluster->dataDir() + QStringLiteral("/postmaster.pid"));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const pid_t pid = pid_t(pidFile.readLine().trimmed().toLong());
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return ::kill(pid, 0) != 0; }, 10000));
        QVERIFY(QFile::exists(cluster->dataDir() + QStringLiteral("/postmaster.pid"))); // left behind
        QVERIFY(!cluster->isRunning());
        // Its backends leave as they notice; until then the old shared memory keeps a new server out.
        QString error;
        QVERIFY2(QTest::qWaitFor([&] { return cluster->start(&error); }, 30000), qPrintable(error));
        Connection conn(m_target.spec, QStringLiteral("after"));
        QVERIFY2(conn.open(), qPrintable(conn.lastError().message));
        QCOMPARE(conn.scalar(QStringLiteral("SELECT 1")).toInt(), 1);
    }

    void filesHoldingSecretsArePrivate()
    {
        const QString root = m_target.cluster->rootDir();
        const auto mode = [](const QString& path) {
            struct stat st {};
            return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? (st.st_mode & 07777) : mode_t(-1);
        };
        // Closed to others (as root, the server's account may only pass through).
        QCOMPARE(mode(root), ::geteuid() == 0 ? mode_t(0711) : mode_t(0700));
        QCOMPARE(mode(m_target.cluster->socketDir()), mode_t(0700));
        QCOMPARE(mode(m_target.cluster->dataDir()), mode_t(0700));
        // The passwords, and the server's log (statements with their values).
        for (const char* name : {"superuser.secret", "logins.json", "postgresql.log"})
            QVERIFY2(mode(root + QLatin1Char('/') + QLatin1String(name)) == 0600, name);
        QVERIFY(!QFile::exists(root + QStringLiteral("/initdb.pw")));
        Connection su(m_target.cluster->superuserSpec(QStringLiteral("postgres")), QStringLiteral("su"));
        QVERIFY(su.open());
        QCOMPARE(su.scalar(QStringLiteral("SELECT current_setting('log_file_mode')")).toString(), QStringLiteral("0600"));
    }

    // A cluster made by an older version, its directory open to all and its log 0644: the next
    // start closes both before the server writes another line.
    void nextStartClosesWhatAnOlderVersionLeftOpen()
    {
        const QString root = m_target.cluster->rootDir();
        QVERIFY(::chmod(QFile::encodeName(root).constData(), 0755) == 0);
        QVERIFY(::chmod(QFile::encodeName(m_target.cluster->logFile()).constData(), 0644) == 0);
        QString error;
        QVERIFY2(m_target.cluster->stop(&error), qPrintable(error));
        QVERIFY2(m_target.cluster->start(&error), qPrintable(error));
        QCOMPARE(QFileInfo(root).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        QCOMPARE(QFileInfo(m_target.cluster->logFile()).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
    }
};

QTEST_GUILESS_MAIN(TestEmbedded)
#include "tst_embedded.moc"
