// Run writes do not depend on the notification queue. Any login may LISTEN and then sit in an
// open transaction, and any login may NOTIFY: together they fill the server's queue, after which
// every transaction that NOTIFYs fails at commit. Runs must still start, beat, record and finish,
// and a console must still see them change (from the change log, on its poll).
#include "Fixture.h"

#include "hub/RunListener.h"
#include "runs/RunApi.h"

#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using atlas::db::Connection;
using atlas::db::DbError;
using atlas::runs::ItemResult;
using atlas::runs::RunApi;

class TestNotifyQueue : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<Connection> m_stalled;

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
    }

    void cleanupTestCase()
    {
        if (m_stalled)
            m_stalled->rollback();
    }

    void runsGoOnWhenTheQueueIsFull()
    {
        // A console follows the runs before the attack begins.
        atlas::hub::RunListener listener(m_fx.cluster.loginSpec(QStringLiteral("readonly_a")));
        QSignalSpy connected(&listener, &atlas::hub::RunListener::connectedChanged);
        QSignalSpy changed(&listener, &atlas::hub::RunListener::runChanged);
        listener.start();
        QVERIFY(!connected.isEmpty() && connected.first().first().toBool());

        // The stalled listener: LISTEN, then an open transaction that never ends.
        m_stalled = m_fx.cluster.connectAs(QStringLiteral("outsider"));
        QVERIFY(m_stalled->execRaw(QStringLiteral("LISTEN atlas_runs")));
        QVERIFY(m_stalled->begin());
        QVERIFY(m_stalled->scalar(QStringLiteral("SELECT 1")).isValid());

        // The flood, on a channel of the attacker's own, until the server refuses more.
        auto flooder = m_fx.cluster.connectAs(QStringLiteral("outsider"));
        QString refusal;
        for (int round = 0; round < 16 && refusal.isEmpty(); ++round) {
            QSqlQuery q(flooder->database());
            if (!q.exec(QStringLiteral("SELECT count(pg_notify('flood', repeat('x', 7900) || g || '-%1')) "
                                       "FROM generate_series(1, 100000) g").arg(round)))
                refusal = q.lastError().databaseText();
        }
        QVERIFY2(refusal.contains(QLatin1String("too many notifications")), qPrintable(refusal));
        QVERIFY(flooder->scalar(QStringLiteral("SELECT pg_notification_queue_usage()")).toDouble() > 0.99);
        QSqlQuery probe(flooder->database());
        QVERIFY(!probe.exec(QStringLiteral("SELECT pg_notify('atlas_runs', '1')"))); // a NOTIFY now fails

        // Every run write goes through, as the console's API makes it.
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        RunApi api(*op);
        DbError dbError;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("flood"), 1}}, {QStringLiteral("a"), QStringLiteral("b")}, &dbError);
        QVERIFY2(started && !started->reused, qPrintable(dbError.message));
        const auto lease = api.claim(started->runId, &dbError);
        QVERIFY2(lease && !lease->isNull(), qPrintable(dbError.message));
        const auto alive = api.heartbeat(started->runId, *lease, &dbError);
        QVERIFY2(alive && *alive, qPrintable(dbError.message));
        QVERIFY(op->begin());
        QVERIFY2(api.record(started->runId, *lease, {ItemResult::succeeded(QStringLiteral("a")),
                                                     ItemResult::failed(QStringLiteral("b"), QStringLiteral("x"), {})}, &dbError),
                 qPrintable(dbError.message));
        QVERIFY2(op->commit(), qPrintable(op->lastError().message));
        const auto status = api.finish(started->runId, *lease, {}, {}, &dbError);
        QVERIFY2(status, qPrintable(dbError.message));
        QCOMPARE(*status, QStringLiteral("completed_with_errors"));
        // A cancel by a manager too.
        auto manager = m_fx.cluster.connectAs(QStringLiteral("manager_a"));
        const auto other = RunApi(*manager).start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                                  QJsonObject{{QStringLiteral("flood"), 2}}, {}, &dbError);
        QVERIFY(other);
        QCOMPARE(RunApi(*manager).cancel(other->runId, &dbError).value_or(QString()), QStringLiteral("aborted"));

        // The console still sees both runs change, without a single wake-up reaching it.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QSet<qint64> seen;
                for (const QList<QVariant>& args : std::as_const(changed))
                    seen.insert(args.first().toLongLong());
                return seen.contains(started->runId) && seen.contains(other->runId);
            }(),
            3 * atlas::hub::RunListener::kPollMs + 2000);
        QCOMPARE(m_fx.cluster.connectSuperuser()->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_changes WHERE run_id = %1")
                                                          .arg(started->runId)).toInt() >= 3, true);
    }
};

QTEST_GUILESS_MAIN(TestNotifyQueue)
#include "tst_notifyqueue.moc"
