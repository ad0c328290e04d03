// A run from start to finish through the real API: status derivation, lease fencing, reaping,
// notifications, the atlas_runs channel, item validation and a 100,000-item run.
#include "Fixture.h"
#include "runs/RunApi.h"
#include "runs/RunStatus.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QtTest>

using atlas::db::Connection;
using atlas::db::DbError;
using atlas::runs::ItemResult;
using atlas::runs::RunApi;

class TestRunLifecycle : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<Connection> m_op; // operator_a
    std::unique_ptr<Connection> m_su;
    int m_scope = 0;

    struct Started
    {
        qint64 run = 0;
        QUuid lease;
    };

    Started startAndClaim(const QStringList& items)
    {
        RunApi api(*m_op);
        DbError error;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("n"), ++m_scope}}, items, &error);
        if (!started)
            return {};
        const auto lease = api.claim(started->runId, &error);
        return {started->runId, lease ? *lease : QUuid()};
    }

    QString runField(qint64 run, const QString& expr)
    {
        return m_su->scalar(QStringLiteral("SELECT (%1)::text FROM atlas.operation_runs WHERE id = %2").arg(expr).arg(run)).toString();
    }

    static QStringList ids(const QString& prefix, int n)
    {
        QStringList out;
        for (int i = 0; i < n; ++i)
            out << prefix + QString::number(i);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        m_op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        m_su = m_fx.cluster.connectSuperuser();
        QVERIFY(m_op->isOpen() && m_su->isOpen());
    }

    void statusDerivation_data()
    {
        QTest::addColumn<int>("succeeded");
        QTest::addColumn<int>("failed");
        QTest::addColumn<int>("skipped");
        QTest::addColumn<bool>("couldNotProceed");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("bucket");
        QTest::newRow("empty run succeeds") << 0 << 0 << 0 << false << "completed" << "succeeded";
        QTest::newRow("all succeeded") << 3 << 0 << 0 << false << "completed" << "succeeded";
        QTest::newRow("skips are not failures") << 0 << 0 << 2 << false << "completed" << "succeeded";
        QTest::newRow("success and skip") << 2 << 0 << 2 << false << "completed" << "succeeded";
        QTest::newRow("success and failure") << 2 << 1 << 0 << false << "completed_with_errors" << "partially_succeeded";
        QTest::newRow("one of each") << 1 << 1 << 1 << false << "completed_with_errors" << "partially_succeeded";
        QTest::newRow("only failures") << 0 << 2 << 0 << false << "failed" << "failed";
        QTest::newRow("failures and skips") << 0 << 2 << 3 << false << "failed" << "failed";
        QTest::newRow("could not proceed") << 2 << 0 << 1 << true << "failed" << "failed";
        QTest::newRow("could not proceed, nothing done") << 0 << 0 << 0 << true << "failed" << "failed";
    }
    void statusDerivation()
    {
        QFETCH(int, succeeded);
        QFETCH(int, failed);
        QFETCH(int, skipped);
        QFETCH(bool, couldNotProceed);
        QFETCH(QString, status);
        QFETCH(QString, bucket);
        const QStringList s = ids(QStringLiteral("s"), succeeded), f = ids(QStringLiteral("f"), failed),
                          k = ids(QStringLiteral("k"), skipped);
        const Started run = startAndClaim(s + f + k);
        QVERIFY(run.run > 0 && !run.lease.isNull());
        QList<ItemResult> results;
        for (const QString& id : s)
            results << ItemResult::succeeded(id);
        for (const QString& id : f)
            results << ItemResult::failed(id, QStringLiteral("policy_not_found"), QStringLiteral("gone"));
        for (const QString& id : k)
            results << ItemResult::skipped(id);
        RunApi api(*m_op);
        DbError error;
        QVERIFY2(api.record(run.run, run.lease, results, &error), qPrintable(error.message));
        const auto final = api.finish(run.run, run.lease, couldNotProceed ? QStringLiteral("source_unavailable") : QString(),
                                      couldNotProceed ? QStringLiteral("cannot reach the source") : QString(), &error);
        QVERIFY2(final.has_value(), qPrintable(error.message));
        QCOMPARE(*final, status);
        QCOMPARE(runField(run.run, QStringLiteral("status")), status);
        QCOMPARE(runField(run.run, QStringLiteral("status_bucket")), bucket);
        QCOMPARE(runField(run.run, QStringLiteral("succeeded_items || '/' || failed_items || '/' || skipped_items || '/' || processed_items")),
                 QStringLiteral("%1/%2/%3/%4").arg(succeeded).arg(failed).arg(skipped).arg(succeeded + failed + skipped));
        QCOMPARE(runField(run.run, QStringLiteral("jsonb_array_length(failures)")), QString::number(failed + (couldNotProceed ? 1 : 0)));
        QVERIFY(!runField(run.run, QStringLiteral("finished_at")).isEmpty());
        QCOMPARE(atlas::runs::bucketKey(atlas::runs::bucketFromKey(bucket)), bucket);
    }

    void statusBucketMapping_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("bucket");
        QTest::newRow("pending") << "pending" << "queued";
        QTest::newRow("running") << "running" << "running";
        QTest::newRow("completed") << "completed" << "succeeded";
        QTest::newRow("completed_with_errors") << "completed_with_errors" << "partially_succeeded";
        QTest::newRow("failed") << "failed" << "failed";
        QTest::newRow("aborted") << "aborted" << "failed";
    }
    void statusBucketMapping()
    {
        QFETCH(QString, status);
        QFETCH(QString, bucket);
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT atlas.status_bucket(?)"), {status}).toString(), bucket);
        QVERIFY(m_su->scalar(QStringLiteral("SELECT ? = ANY (atlas.bucket_statuses(?))"), {status, bucket}).toBool());
        QVERIFY(atlas::runs::bucketFromKey(bucket) != atlas::runs::Bucket::Unknown);
    }

    void leaseFencing()
    {
        const Started run = startAndClaim({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        RunApi api(*m_op);
        DbError error;
        // Not claimable twice.
        const auto again = api.claim(run.run, &error);
        QVERIFY(again.has_value() && again->isNull());
        // A made-up lease writes nothing.
        const QUuid forged = QUuid::createUuid();
        QVERIFY(!api.record(run.run, forged, {ItemResult::succeeded(QStringLiteral("a"))}, &error));
        QVERIFY(error.isLeaseLost());
        QCOMPARE(api.heartbeat(run.run, forged, &error).value_or(true), false);
        QVERIFY(!api.finish(run.run, forged, {}, {}, &error).has_value());
        QCOMPARE(runField(run.run, QStringLiteral("processed_items")), QStringLiteral("0"));
        QCOMPARE(runField(run.run, QStringLiteral("status")), QStringLiteral("running"));
        // The real lease works until the run is reaped...
        QVERIFY(api.record(run.run, run.lease, {ItemResult::succeeded(QStringLiteral("a"))}, &error));
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = %1").arg(run.run)));
        QVERIFY(api.reapStale(&error).value_or(0) >= 1);
        // ...after which it is no key at all: nothing the old holder sends changes the run.
        QVERIFY(!api.record(run.run, run.lease, {ItemResult::succeeded(QStringLiteral("b"))}, &error));
        QVERIFY(error.isLeaseLost());
        QCOMPARE(api.heartbeat(run.run, run.lease, &error).value_or(true), false);
        QVERIFY(!api.finish(run.run, run.lease, {}, {}, &error).has_value());
        QCOMPARE(runField(run.run, QStringLiteral("status || '/' || reason_code")), QStringLiteral("aborted/worker_lost"));
        QCOMPARE(runField(run.run, QStringLiteral("processed_items")), QStringLiteral("1")); // kept what was written
    }

    void reapingHonoursTheTimeout()
    {
        const Started fresh = startAndClaim({QStringLiteral("x")});
        const Started stale = startAndClaim({QStringLiteral("y")});
        RunApi api(*m_op);
        DbError error;
        QVERIFY(api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"), QJsonObject{{QStringLiteral("pending"), 1}}, {}, &error));
        const qint64 pending = m_su->scalar(QStringLiteral("SELECT max(id) FROM atlas.bulk_operation_runs WHERE status = 'pending'")).toLongLong();
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET heartbeat_at = now() - interval '3 minutes' WHERE id = %1").arg(stale.run)));
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET created_at = now() - interval '3 minutes' WHERE id = %1").arg(pending)));
        // With a 10-minute timeout nothing is stale yet.
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.settings SET value = '10 minutes' WHERE key = 'reap_timeout'")));
        QCOMPARE(api.reapStale(&error).value_or(-1), 0);
        // With the default two minutes, the silent worker and the unclaimed run are lost.
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.settings SET value = '2 minutes' WHERE key = 'reap_timeout'")));
        auto readonly = m_fx.cluster.connectAs(QStringLiteral("readonly_a"));
        RunApi roApi(*readonly);
        QCOMPARE(roApi.reapStale(&error).value_or(-1), 2);
        QCOMPARE(runField(stale.run, QStringLiteral("status_bucket || '/' || reason_code")), QStringLiteral("failed/worker_lost"));
        QCOMPARE(runField(pending, QStringLiteral("status || '/' || reason_code")), QStringLiteral("aborted/worker_lost"));
        QCOMPARE(runField(fresh.run, QStringLiteral("status")), QStringLiteral("running"));
        QVERIFY(api.heartbeat(fresh.run, fresh.lease, &error).value_or(false));
    }

    void notificationsGoToTheInitiatorOnly()
    {
        const Started run = startAndClaim({QStringLiteral("n1"), QStringLiteral("n2")});
        RunApi api(*m_op);
        DbError error;
        QVERIFY(api.record(run.run, run.lease, {ItemResult::succeeded(QStringLiteral("n1")),
                                                ItemResult::failed(QStringLiteral("n2"), QStringLiteral("payload_too_large"),
                                                                   QStringLiteral("too big; token=abc123"))}, &error));
        QVERIFY(api.finish(run.run, run.lease, {}, {}, &error));
        QSqlQuery q(m_op->database());
        QVERIFY(m_op->exec(q, QStringLiteral("SELECT event, title, body FROM atlas.my_notifications WHERE run_id = ? ORDER BY id"), {run.run}));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("queued"));
        QVERIFY(q.value(1).toString().contains(QLatin1String("queued")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("completed"));
        QCOMPARE(q.value(1).toString(), QStringLiteral("Probe: check partially succeeded"));
        QVERIFY(q.value(2).toString().contains(QLatin1String("1 succeeded, 1 failed")));
        QVERIFY(!q.next());
        for (const char* other : {"owner_a", "manager_a", "readonly_a", "owner_b"}) {
            auto conn = m_fx.cluster.connectAs(QLatin1String(other));
            QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications WHERE run_id = ?"), {run.run}).toInt(), 0);
        }
        QVERIFY(runField(run.run, QStringLiteral("failures->0->>'message'")).contains(QLatin1String("token=[REDACTED]")));
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT atlas.mark_notifications_read(ARRAY(SELECT id FROM atlas.my_notifications WHERE run_id = ?))"), {run.run}).toInt(), 2);
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications WHERE run_id = ? AND read_at IS NULL"), {run.run}).toInt(), 0);
    }

    void everyChangeIsAnnouncedWithAnOpaqueId()
    {
        auto listener = m_fx.cluster.connectAs(QStringLiteral("owner_b")); // another tenant: hears only ids
        QSqlDriver* driver = listener->database().driver();
        QVERIFY(driver->subscribeToNotification(QStringLiteral("atlas_runs")));
        QSignalSpy spy(driver, &QSqlDriver::notification);
        const Started run = startAndClaim({QStringLiteral("z")});
        RunApi api(*m_op);
        DbError error;
        QVERIFY(api.record(run.run, run.lease, {ItemResult::succeeded(QStringLiteral("z"))}, &error));
        QVERIFY(api.finish(run.run, run.lease, {}, {}, &error));
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 4, 5000); // insert, claim, record, finish
        for (const auto& args : spy) {
            QCOMPARE(args.at(0).toString(), QStringLiteral("atlas_runs"));
            const QString payload = args.at(2).toString();
            QCOMPARE(payload, QString::number(run.run)); // nothing but the id
        }
        // And owner_b still cannot read the run it heard about.
        QCOMPARE(listener->scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE id = ?"), {run.run}).toInt(), 0);
    }

    void itemResultsAreValidated()
    {
        const Started run = startAndClaim({QStringLiteral("i1"), QStringLiteral("i2")});
        RunApi api(*m_op);
        DbError error;
        QVERIFY(!api.record(run.run, run.lease, {ItemResult::succeeded(QStringLiteral("not-in-run"))}, &error));
        QVERIFY(error.isInvalidArgument());
        QVERIFY(!api.record(run.run, run.lease, {ItemResult::failed(QStringLiteral("i1"), QStringLiteral("Bad Code"), {})}, &error));
        QVERIFY(error.isInvalidArgument());
        QSqlQuery q(m_op->database());
        QVERIFY(!m_op->exec(q, QStringLiteral("SELECT atlas.record_item_results(?, ?::uuid, '[{\"item_id\": \"i1\", \"outcome\": \"great\"}]')"),
                            {run.run, run.lease.toString(QUuid::WithoutBraces)}));
        QCOMPARE(m_op->lastError().sqlState, QStringLiteral("22023"));
        QVERIFY(!m_op->exec(q, QStringLiteral("SELECT atlas.record_item_results(?, ?::uuid, '{\"item_id\": \"i1\"}')"),
                            {run.run, run.lease.toString(QUuid::WithoutBraces)}));
        QCOMPARE(m_op->lastError().sqlState, QStringLiteral("22023"));
        QCOMPARE(runField(run.run, QStringLiteral("processed_items")), QStringLiteral("0"));
        // The same item twice, in one batch or two, counts once.
        QVERIFY(api.record(run.run, run.lease, {ItemResult::succeeded(QStringLiteral("i1")), ItemResult::succeeded(QStringLiteral("i1"))}, &error));
        QVERIFY(api.record(run.run, run.lease, {ItemResult::failed(QStringLiteral("i1"), QStringLiteral("late"), {})}, &error));
        QCOMPARE(runField(run.run, QStringLiteral("processed_items || '/' || succeeded_items || '/' || failed_items")), QStringLiteral("1/1/0"));
    }

    void hundredThousandItemsRecordInBatches()
    {
        constexpr int kItems = 100000;
        constexpr int kBatch = 1000;
        const QStringList items = ids(QStringLiteral("policy-"), kItems);
        QElapsedTimer timer;
        timer.start();
        const Started run = startAndClaim(items);
        QVERIFY(run.run > 0 && !run.lease.isNull());
        const qint64 startMs = timer.restart();
        RunApi api(*m_op);
        DbError error;
        for (int offset = 0; offset < kItems; offset += kBatch) {
            QList<ItemResult> batch;
            batch.reserve(kBatch);
            for (int i = offset; i < offset + kBatch; ++i)
                batch << (i % 10 == 0 ? ItemResult::failed(items[i], QStringLiteral("payload_unreadable"), QStringLiteral("bad"))
                                      : ItemResult::succeeded(items[i]));
            QVERIFY2(api.record(run.run, run.lease, batch, &error), qPrintable(error.message));
        }
        const auto status = api.finish(run.run, run.lease, {}, {}, &error);
        const qint64 recordMs = timer.elapsed();
        QCOMPARE(status.value_or(QString()), QStringLiteral("completed_with_errors"));
        QCOMPARE(runField(run.run, QStringLiteral("processed_items || '/' || failed_items")), QStringLiteral("100000/10000"));
        qInfo("100,000 items: start+claim %lld ms, record (100 batches of 1,000) + finish %lld ms", startMs, recordMs);
    }
};

QTEST_GUILESS_MAIN(TestRunLifecycle)
#include "tst_runlifecycle.moc"
