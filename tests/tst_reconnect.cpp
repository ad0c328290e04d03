// Staying up when PostgreSQL restarts: a worker whose database goes away mid-run gets it back
// and ends the run aborted with db_connection_lost (never left running), keeping the items it
// recorded; the console's kept-open connections (DbWorker) answer the first task after a restart.
#include "Fixture.h"
#include "db/DbWorker.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "runs/RunWorker.h"
#include "inventory/ImportJob.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent>
#include <QtTest>

class TestReconnect : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;

    // A fresh superuser connection per question: the restart kills every open one.
    QVariant su(const QString& sql)
    {
        auto c = m_fx.cluster.connectSuperuser();
        return c ? c->scalar(sql) : QVariant();
    }

    bool restart(int downMs)
    {
        QString error;
        if (!m_fx.cluster.cluster().stop(&error)) {
            qWarning() << error;
            return false;
        }
        QThread::msleep(downMs);
        if (!m_fx.cluster.cluster().start(&error)) {
            qWarning() << error;
            return false;
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
    }

    void aWorkerWhoseDatabaseRestartsEndsTheRunAborted()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("SettingsCatalog"));
        const int files = 20000;
        for (int i = 0; i < files; ++i) {
            QFile f(dir.filePath(QStringLiteral("SettingsCatalog/p%1.json").arg(i)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(QJsonObject{{QStringLiteral("id"), QStringLiteral("r-%1").arg(i)},
                                              {QStringLiteral("name"), QStringLiteral("Policy %1").arg(i)}})
                        .toJson(QJsonDocument::Compact));
        }
        QString why;
        const auto request = atlas::inventory::ImportJob::request(m_fx.tenantA, dir.path(), &why);
        QVERIFY2(request, qPrintable(why));
        qint64 runId = 0;
        {
            auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
            atlas::db::DbError error;
            const auto started = atlas::runs::RunApi(*op).start(*request, &error);
            QVERIFY(started);
            runId = started->runId;
        }
        QFuture<atlas::runs::WorkerOutcome> worker = QtConcurrent::run([this, runId] {
            return atlas::runs::RunWorker(m_fx.cluster.loginSpec(QStringLiteral("operator_a")), runId).run();
        });
        const QString processed = QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(runId);
        QTRY_VERIFY_WITH_TIMEOUT(su(processed).toInt() > 0, 30000);

        QVERIFY(restart(1500)); // mid-run: the worker's connection dies with the server
        QVERIFY(worker.isRunning() || su(processed).toInt() < files);
        QTRY_VERIFY_WITH_TIMEOUT(worker.isFinished(), 60000);
        const atlas::runs::WorkerOutcome outcome = worker.result();
        QCOMPARE(outcome.status, QStringLiteral("aborted"));
        QCOMPARE(su(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(runId)).toString(),
                 QStringLiteral("aborted/db_connection_lost"));
        // What was recorded before the loss stays, and matches the inventory written with it.
        const int recorded = su(processed).toInt();
        QVERIFY(recorded > 0 && recorded < files);
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.run_item_results WHERE run_id = %1").arg(runId)).toInt(), recorded);
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE last_run_id = %1").arg(runId)).toInt(), recorded);
        QVERIFY(su(QStringLiteral("SELECT message FROM atlas.bulk_operation_runs WHERE id = %1").arg(runId))
                    .toString()
                    .contains(QStringLiteral("%1 of %2 items were recorded").arg(recorded).arg(files)));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.run_leases WHERE run_id = %1").arg(runId)).toInt(), 0);
    }

    void keptOpenConnectionsAnswerTheFirstTaskAfterARestart()
    {
        QObject context;
        atlas::db::DbWorker reads(m_fx.cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("reads"));
        auto ask = [&] {
            QString answer;
            bool done = false;
            reads.post<QString>(
                &context,
                [](atlas::db::Connection& c) {
                    const QVariant v = c.scalar(QStringLiteral("SELECT string_agg(role, ',') FROM atlas.my_tenants"));
                    return v.isValid() ? v.toString() : QStringLiteral("error: ") + c.lastError().message;
                },
                [&](const QString& a) {
                    answer = a;
                    done = true;
                });
            (void)QTest::qWaitFor([&] { return done; }, 10000);
            return answer;
        };
        QCOMPARE(ask(), QStringLiteral("readonly"));
        QVERIFY(restart(500));
        QCOMPARE(ask(), QStringLiteral("readonly")); // the very first task after the restart
    }
};

QTEST_GUILESS_MAIN(TestReconnect)
#include "tst_reconnect.moc"
