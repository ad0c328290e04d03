// The console's run executor: runs in pool threads with queued results, stop ends a run as
// aborted/cancelled (never left running), a run claimed by another worker is only reported.
#include "Fixture.h"
#include "runs/RunApi.h"
#include "runs/RunExecutor.h"
#include "runs/RunRequests.h"
#include "inventory/ImportJob.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace atlas;

class TestRunExecutor : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<db::Connection> m_op;
    QTemporaryDir m_dir;

    QString exportOf(const QString& name, int files)
    {
        const QString path = m_dir.filePath(name);
        QDir().mkpath(path + QStringLiteral("/SettingsCatalog"));
        for (int i = 0; i < files; ++i) {
            QFile f(path + QStringLiteral("/SettingsCatalog/p%1.json").arg(i, 5, 10, QLatin1Char('0')));
            f.open(QIODevice::WriteOnly);
            f.write("{\"id\": \"" + name.toUtf8() + "-" + QByteArray::number(i) + "\", \"displayName\": \"P\", \"pad\": \"" +
                    QByteArray(800, 'x') + "\"}");
        }
        return path;
    }
    qint64 startImport(const QString& folder)
    {
        QString error;
        // Each folder holds other policies: allowed to retire the last one's (this tests the executor).
        const auto request = inventory::ImportJob::request(m_fx.tenantA, folder, &error, true);
        runs::RunApi api(*m_op);
        db::DbError dbError;
        const auto started = api.start(*request, &dbError);
        return started ? started->runId : 0;
    }
    QString field(qint64 run, const QString& expr)
    {
        return m_op->scalar(QStringLiteral("SELECT (%1)::text FROM atlas.operation_runs WHERE id = ?").arg(expr), {run}).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        m_op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
    }

    void runsExecuteInThePoolAndReportBack()
    {
        runs::RunExecutor executor(m_fx.cluster.loginSpec(QStringLiteral("operator_a")), 2);
        QSignalSpy finished(&executor, &runs::RunExecutor::finished);
        QSignalSpy progress(&executor, &runs::RunExecutor::progress);
        QList<qint64> ids;
        for (const char* name : {"one", "two", "three"})
            ids << startImport(exportOf(QLatin1String(name), 300));
        for (qint64 id : ids)
            executor.execute(id);
        // Results are queued to this thread: nothing can have arrived before the event loop runs.
        QCOMPARE(finished.count(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 30000);
        QSet<qint64> done;
        for (const auto& args : finished) {
            done.insert(args.at(0).toLongLong());
            QCOMPARE(args.at(1).toString(), QStringLiteral("completed"));
            QVERIFY(args.at(2).toBool());
        }
        QCOMPARE(done, QSet<qint64>(ids.cbegin(), ids.cend()));
        QVERIFY(progress.count() >= 3);
        QCOMPARE(progress.last().at(2).toInt(), 300);
        QCOMPARE(executor.activeCount(), 0);
        for (qint64 id : ids)
            QCOMPARE(field(id, QStringLiteral("processed_items")), QStringLiteral("300"));
    }

    void stoppingEndsARunAbortedAsCancelled()
    {
        const qint64 id = startImport(exportOf(QStringLiteral("big"), 20000));
        runs::RunExecutor executor(m_fx.cluster.loginSpec(QStringLiteral("operator_a")), 1);
        QSignalSpy finished(&executor, &runs::RunExecutor::finished);
        QSignalSpy progress(&executor, &runs::RunExecutor::progress);
        executor.execute(id);
        QVERIFY(progress.wait(20000));
        executor.stopAll();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(finished.first().at(1).toString(), QStringLiteral("aborted"));
        QCOMPARE(field(id, QStringLiteral("status || '/' || reason_code")), QStringLiteral("aborted/cancelled"));
        QVERIFY(field(id, QStringLiteral("processed_items")).toInt() < 20000);
    }

    void aRunClaimedElsewhereIsOnlyReported()
    {
        const qint64 id = startImport(exportOf(QStringLiteral("taken"), 5));
        runs::RunApi api(*m_op);
        db::DbError error;
        QVERIFY(!api.claim(id, &error).value_or(QUuid()).isNull()); // another worker has it
        runs::RunExecutor executor(m_fx.cluster.loginSpec(QStringLiteral("operator_a")));
        QSignalSpy finished(&executor, &runs::RunExecutor::finished);
        executor.execute(id);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(2).toBool(), false);
        QCOMPARE(field(id, QStringLiteral("status")), QStringLiteral("running"));
    }

    // A manager cancels a run this console executes, or an admin demotes its initiator: the
    // worker sees 55000 at its next write and stops there, recording nothing more.
    void aRunEndedElsewhereStopsItsWorker_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("cancelled by a manager") << "cancel";
        QTest::newRow("initiator demoted") << "demote";
    }
    void aRunEndedElsewhereStopsItsWorker()
    {
        QFETCH(QString, how);
        m_fx.cluster.createLogin(QStringLiteral("worker_op"));
        auto admin = m_fx.cluster.connectAs(QStringLiteral("admin"));
        const QString tenant = m_fx.tenantA.toString(QUuid::WithoutBraces);
        QVERIFY(admin->scalar(QStringLiteral("SELECT atlas.grant_role(?::uuid, 'worker_op', 'operator')::text IS NULL"), {tenant}).isValid());
        auto op = m_fx.cluster.connectAs(QStringLiteral("worker_op"));
        QString error;
        const auto request = inventory::ImportJob::request(m_fx.tenantA, exportOf(QStringLiteral("ended-") + how, 20000), &error);
        QVERIFY2(request, qPrintable(error));
        db::DbError dbError;
        const auto started = runs::RunApi(*op).start(*request, &dbError);
        QVERIFY2(started, qPrintable(dbError.message));
        runs::RunExecutor executor(m_fx.cluster.loginSpec(QStringLiteral("worker_op")), 1);
        QSignalSpy finished(&executor, &runs::RunExecutor::finished);
        QSignalSpy progress(&executor, &runs::RunExecutor::progress);
        executor.execute(started->runId);
        QVERIFY(progress.wait(20000));
        if (how == QLatin1String("cancel")) {
            auto manager = m_fx.cluster.connectAs(QStringLiteral("manager_a"));
            QCOMPARE(runs::RunApi(*manager).cancel(started->runId, &dbError).value_or(QString()), QStringLiteral("aborted"));
        } else {
            QVERIFY2(admin->scalar(QStringLiteral("SELECT atlas.grant_role(?::uuid, 'worker_op', 'readonly')::text IS NULL"), {tenant}).isValid(),
                     qPrintable(admin->lastError().sqlState + QLatin1Char(' ') + admin->lastError().message));
        }
        const QString processedAtEnd = field(started->runId, QStringLiteral("processed_items"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(field(started->runId, QStringLiteral("status || '/' || reason_code")),
                 how == QLatin1String("cancel") ? QStringLiteral("aborted/cancelled") : QStringLiteral("aborted/role_revoked"));
        QCOMPARE(field(started->runId, QStringLiteral("processed_items")), processedAtEnd);
        QVERIFY(processedAtEnd.toInt() < 20000);
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_item_results WHERE run_id = ?"), {started->runId}).toString(),
                 processedAtEnd);
        QVERIFY(admin->scalar(QStringLiteral("SELECT atlas.grant_role(?::uuid, 'worker_op', 'operator')::text IS NULL"), {tenant}).isValid());
    }

    // A run adds one session while it runs, its worker's, and the console holds none for runs
    // once the pool has retired the thread (RunExecutor::kIdleExpiryMs after the last run).
    void aRunHoldsOneSessionOnlyWhileItRuns()
    {
        auto su = m_fx.connectSuperuser();
        auto workers = [&su] {
            return su->scalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE usename = 'operator_a' "
                                             "AND application_name = 'atlas-ops/worker'")).toInt();
        };
        QTRY_COMPARE_WITH_TIMEOUT(workers(), 0, 10000);
        runs::RunExecutor executor(m_fx.cluster.loginSpec(QStringLiteral("operator_a")), 2);
        QSignalSpy finished(&executor, &runs::RunExecutor::finished);
        const qint64 id = startImport(exportOf(QStringLiteral("sessions"), 3000));
        QVERIFY(id > 0);
        executor.execute(id);
        int most = 0;
        while (finished.isEmpty()) {
            most = std::max(most, workers());
            QTest::qWait(5);
        }
        QCOMPARE(finished.first().at(1).toString(), QStringLiteral("completed"));
        QCOMPARE(most, 1);
        QTRY_COMPARE_WITH_TIMEOUT(workers(), 0, runs::RunExecutor::kIdleExpiryMs + 5000);
    }
};

QTEST_GUILESS_MAIN(TestRunExecutor)
#include "tst_runexecutor.moc"
