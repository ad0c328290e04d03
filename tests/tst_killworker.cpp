// A process executing a run, stopped from outside. Ctrl+C (SIGINT) of the command line: the run
// ends aborted/cancelled at once. SIGTERM of a console: it quits cleanly. kill -9 in the middle
// of a run: the run stays "running" until any other client reaps it as aborted/worker_lost. Every
// batch written before is kept, whole.
#include "Fixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

class TestKillWorker : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_REQUIRE_BINARY();
        ATLAS_SET_UP(m_fx);
    }

    // Ctrl+C (SIGINT) of the command line in the middle of the run it executes: the run ends
    // aborted/cancelled at once, every batch written before kept whole, and the command says
    // so and exits 130.
    void anInterruptedCommandEndsItsRunCancelled()
    {
        constexpr int kFiles = 20000;
        QTemporaryDir dir;
        QVERIFY(atlas::test::Fixture::writeExport(dir.path(), kFiles, "int"));
        QProcess cli;
        cli.setProcessEnvironment(atlas::test::Fixture::cleanEnvironment());
        cli.start(atlas::test::Fixture::binary(),
                  {QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"),
                   m_fx.tenantA.toString(QUuid::WithoutBraces), dir.path(), QStringLiteral("--db"),
                   m_fx.loginUrl(QStringLiteral("operator_a"))});
        QVERIFY(cli.waitForStarted());
        auto su = m_fx.cluster.connectSuperuser();
        qint64 run = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                run = su->scalar(QStringLiteral("SELECT id FROM atlas.bulk_operation_runs WHERE status = 'running' "
                                                "AND scope->>'source' = ? AND processed_items >= 400"),
                                 {dir.path()})
                          .toLongLong();
                return run > 0 || cli.state() != QProcess::Running;
            },
            60000));
        QVERIFY2(run > 0, "the import ended before it could be interrupted");
        QElapsedTimer stopped;
        stopped.start();
        QCOMPARE(::kill(pid_t(cli.processId()), SIGINT), 0);
        QVERIFY(cli.waitForFinished(20000));
        qInfo("the command ended %lld ms after SIGINT", stopped.elapsed());
        const QString err = QString::fromLocal8Bit(cli.readAllStandardError());
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 128 + SIGINT);
        QVERIFY2(err.contains(QStringLiteral("interrupted: run #%1 ended aborted").arg(run)), qPrintable(err));
        QCOMPARE(su->scalar(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toString(),
                 QStringLiteral("aborted/cancelled"));
        const int processed = su->scalar(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toInt();
        QVERIFY(processed >= 400 && processed < kFiles);
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_item_results WHERE run_id = ?"), {run}).toInt(), processed);
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE last_run_id = ?"), {run}).toInt(), processed);
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_leases WHERE run_id = ?"), {run}).toInt(), 0);
    }

    // A console told to end (SIGTERM: the session or the machine shutting down) quits cleanly and
    // says why in its log, instead of dying where it stands.
    void aConsoleEndsCleanlyOnSigterm()
    {
        QTemporaryDir home;
        const QProcessEnvironment env = atlas::test::Fixture::consoleEnvironment(home.path());
        QProcess console;
        console.setProcessEnvironment(env);
        console.setProcessChannelMode(QProcess::MergedChannels);
        console.start(atlas::test::Fixture::binary(), {QStringLiteral("--db"), m_fx.loginUrl(QStringLiteral("readonly_a")),
                                                       QStringLiteral("--log-level"), QStringLiteral("info")});
        QVERIFY(console.waitForStarted());
        const auto log = [&] { return atlas::test::Fixture::consoleLog(home.path()); };
        QVERIFY2(QTest::qWaitFor([&] { return log().contains(QLatin1String("hub: first page shown")); }, 60000), qPrintable(log()));
        QCOMPARE(::kill(pid_t(console.processId()), SIGTERM), 0);
        QVERIFY(console.waitForFinished(10000));
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        QCOMPARE(console.exitCode(), 0);
        QVERIFY2(log().contains(QLatin1String("signal 15: stopping the runs started here and quitting")), qPrintable(log()));
    }

    void killedMidRunIsReapedWithItsBatchesKept()
    {
        constexpr int kFiles = 20000;
        QTemporaryDir dir;
        QVERIFY(atlas::test::Fixture::writeExport(dir.path(), kFiles, "p"));
        const QString url = QStringLiteral("postgresql://operator_a:%1@/%2?host=%3&port=%4")
                                .arg(atlas::test::TestCluster::passwordOf(QStringLiteral("operator_a")), m_fx.cluster.databaseName(),
                                     m_fx.cluster.cluster().socketDir()).arg(m_fx.cluster.cluster().port());
        QProcess console;
        console.start(qEnvironmentVariable("ATLAS_BINARY"),
                      {QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"),
                       m_fx.tenantA.toString(QUuid::WithoutBraces), dir.path(), QStringLiteral("--db"), url});
        QVERIFY(console.waitForStarted());

        auto su = m_fx.cluster.connectSuperuser();
        qint64 run = 0;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000) {
            const QVariant id = su->scalar(QStringLiteral("SELECT id FROM atlas.bulk_operation_runs WHERE status = 'running' "
                                                          "AND processed_items >= 400"));
            if (id.isValid()) {
                run = id.toLongLong();
                break;
            }
            QVERIFY2(console.state() == QProcess::Running, "the import ended before it could be killed");
            QThread::msleep(5);
        }
        QVERIFY(run > 0);
        console.kill(); // SIGKILL: no chance to clean up
        QVERIFY(console.waitForFinished(10000));

        // Nothing finished it: it is still "running", with what was written before the kill.
        QCOMPARE(su->scalar(QStringLiteral("SELECT status FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toString(),
                 QStringLiteral("running"));
        const int processed = su->scalar(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toInt();
        QVERIFY(processed >= 400 && processed < kFiles);
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_item_results WHERE run_id = ?"), {run}).toInt(), processed);
        // Inventory rows were written in the same transactions as the results: none half-written.
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE last_run_id = ?"), {run}).toInt(), processed);

        // Any other client (here a readonly auditor) reaps it once its heartbeat is too old.
        QVERIFY(su->execRaw(QStringLiteral("UPDATE atlas.settings SET value = '1 second' WHERE key = 'reap_timeout'")));
        QThread::msleep(1500);
        auto auditor = m_fx.cluster.connectAs(QStringLiteral("readonly_a"));
        QCOMPARE(auditor->scalar(QStringLiteral("SELECT atlas.reap_stale_runs()")).toInt(), 1);
        QCOMPARE(auditor->scalar(QStringLiteral("SELECT status || '/' || status_bucket || '/' || reason_code FROM atlas.operation_runs WHERE id = ?"), {run}).toString(),
                 QStringLiteral("aborted/failed/worker_lost"));
        QCOMPARE(auditor->scalar(QStringLiteral("SELECT processed_items FROM atlas.operation_runs WHERE id = ?"), {run}).toInt(), processed);
    }
};

QTEST_GUILESS_MAIN(TestKillWorker)
#include "tst_killworker.moc"
