// Housekeeping inside PostgreSQL: with pg_cron loaded, `atlas-ops migrate --schedule` creates the
// jobs, and with no console open the server reaps a run whose worker died and applies each
// tenant's retention. pg_cron's smallest schedule here is a minute (Debian's 1.4 has no
// seconds), so the test waits at most about one.
#include "Fixture.h"
#include "runs/RunApi.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QSqlQuery>
#include <QtTest>

using namespace atlas;

namespace {
// pg_cron beside the server's programs (Debian: postgresql-15-cron).
bool havePgCron()
{
    const QString bin = db::EmbeddedCluster::findBinDir(nullptr);
    return !bin.isEmpty() && QFileInfo::exists(bin + QStringLiteral("/../lib/pg_cron.so"));
}
} // namespace

class TestPgCron : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<db::Connection> m_su;

    QString field(qint64 run, const QString& expr)
    {
        return m_su->scalar(QStringLiteral("SELECT (%1)::text FROM atlas.bulk_operation_runs WHERE id = ?").arg(expr), {run}).toString();
    }
    // A claimed run of `login`'s tenant; its lease is returned through *lease.
    qint64 runningRun(const QString& login, const QUuid& tenant, const QString& tag, QUuid* lease)
    {
        auto conn = m_fx.connectAs(login);
        runs::RunApi api(*conn);
        db::DbError error;
        const auto started = api.start(tenant, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("cron"), tag}}, {tag}, &error);
        if (!started)
            return 0;
        const auto claimed = api.claim(started->runId, &error);
        if (!claimed || claimed->isNull())
            return 0;
        *lease = *claimed;
        return started->runId;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_REQUIRE_BINARY();
        if (!havePgCron()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("pg_cron is missing (postgresql-15-cron), and CI always installs it (scripts/deps.sh)");
            QSKIP("pg_cron is not installed (postgresql-15-cron)");
        }
        m_fx.cluster.addConf({QStringLiteral("shared_preload_libraries = 'pg_cron'"),
                              QStringLiteral("cron.database_name = '%1'").arg(m_fx.cluster.databaseName()),
                              // Jobs run in background workers: no login over TCP, which this
                              // cluster does not listen on.
                              QStringLiteral("cron.use_background_workers = on")});
        ATLAS_SET_UP(m_fx);
        m_su = m_fx.connectSuperuser();
        QVERIFY(m_su->isOpen());
    }

    void migrateScheduleCreatesTheJobs()
    {
        // Retention every minute too, for this test (the default is daily).
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.settings SET value = '* * * * *' WHERE key = 'retention_schedule'")));
        const auto r = atlas::test::Fixture::cli({QStringLiteral("migrate"), QStringLiteral("--schedule"), QStringLiteral("--db"),
                                                  m_fx.superuserUrl(), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value(QStringLiteral("housekeeping")).toString(), QStringLiteral("scheduled"));
        QVERIFY2(r.json().value(QStringLiteral("housekeeping_message")).toString().contains(QLatin1String("pg_cron reaps")),
                 qPrintable(r.out));
        // Again: the same two jobs, not four.
        const auto again = atlas::test::Fixture::cli({QStringLiteral("migrate"), QStringLiteral("--schedule"), QStringLiteral("--db"),
                                                      m_fx.superuserUrl()});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains(QLatin1String("pg_cron reaps stale runs (* * * * *)")), qPrintable(again.out));
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT count(*) FROM cron.job WHERE database = current_database() "
                                             "AND jobname LIKE 'atlas-%'")).toInt(), 2);
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT command FROM cron.job WHERE jobname = 'atlas-reap:' || current_database()")).toString(),
                 QStringLiteral("SELECT atlas.reap_stale_runs()"));
        // Retention is the server's, not a client's to call.
        auto op = m_fx.connectAs(QStringLiteral("operator_a"));
        QVERIFY(!op->execRaw(QStringLiteral("CALL atlas.apply_retention()")));
        QCOMPARE(op->lastError().sqlState, QStringLiteral("42501"));
    }

    void theServerReapsAndPrunesWithNoConsoleOpen()
    {
        // A run whose worker died an hour ago (its heartbeat says so), and one still alive.
        QUuid deadLease, aliveLease;
        const qint64 dead = runningRun(QStringLiteral("operator_a"), m_fx.tenantA, QStringLiteral("dead"), &deadLease);
        const qint64 alive = runningRun(QStringLiteral("operator_a"), m_fx.tenantA, QStringLiteral("alive"), &aliveLease);
        QVERIFY(dead > 0 && alive > 0);
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET heartbeat_at = now() - interval '1 hour', "
                                             "started_at = now() - interval '1 hour' WHERE id = %1").arg(dead)));
        // Finished runs of three hours ago in both tenants; only tenant A keeps runs two hours.
        QUuid oldALease, oldBLease;
        const qint64 oldA = runningRun(QStringLiteral("operator_a"), m_fx.tenantA, QStringLiteral("oldA"), &oldALease);
        const qint64 oldB = runningRun(QStringLiteral("owner_b"), m_fx.tenantB, QStringLiteral("oldB"), &oldBLease);
        QVERIFY(oldA > 0 && oldB > 0);
        {
            auto a = m_fx.connectAs(QStringLiteral("operator_a"));
            auto b = m_fx.connectAs(QStringLiteral("owner_b"));
            db::DbError error;
            QVERIFY(runs::RunApi(*a).finish(oldA, oldALease, {}, {}, &error));
            QVERIFY(runs::RunApi(*b).finish(oldB, oldBLease, {}, {}, &error));
        }
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET created_at = now() - interval '3 hours', "
                                             "finished_at = now() - interval '3 hours' WHERE id IN (%1, %2)").arg(oldA).arg(oldB)));
        QVERIFY(m_su->execRaw(QStringLiteral("INSERT INTO atlas.settings (key, value) VALUES ('retention_keep:%1', '2 hours')")
                                  .arg(m_fx.a())));

        // No console is open: within a minute and a bit, pg_cron has done both.
        QTRY_COMPARE_WITH_TIMEOUT(field(dead, QStringLiteral("status || '/' || reason_code")), QStringLiteral("aborted/worker_lost"), 80000);
        QCOMPARE(field(alive, QStringLiteral("status")), QStringLiteral("running"));
        QTRY_COMPARE_WITH_TIMEOUT(m_su->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE id = ?"), {oldA}).toInt(),
                                  0, 80000);
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE id = ?"), {oldB}).toInt(), 1);
        // And the server says it was its jobs.
        // (its outcome is written once the job's transaction has committed)
        QTRY_VERIFY_WITH_TIMEOUT(m_su->scalar(QStringLiteral("SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid) "
                                                             "WHERE j.jobname = 'atlas-reap:' || current_database() "
                                                             "AND d.status = 'succeeded'"))
                                         .toInt() >= 1,
                                 10000);
    }
};

QTEST_GUILESS_MAIN(TestPgCron)
#include "tst_pgcron.moc"
