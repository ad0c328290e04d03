// Idempotent starts: the database settles races, permutations share a key, other tenants and
// finished runs do not.
#include "Fixture.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QSqlQuery>
#include <QtTest>

#include <atomic>
#include <latch>
#include <thread>

using atlas::db::Connection;
using atlas::db::DbError;
using atlas::runs::RunApi;
using atlas::runs::StartResult;

class TestDedup : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;

    std::optional<StartResult> start(const QString& login, const QUuid& tenant, const QJsonObject& scope,
                                     const QStringList& items)
    {
        auto conn = m_fx.cluster.connectAs(login);
        RunApi api(*conn);
        DbError error;
        auto result = api.start(tenant, QStringLiteral("probe"), QStringLiteral("check"), scope, items, &error);
        if (!result)
            qWarning() << error.sqlState << error.message;
        return result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
    }

    void thirtyTwoConsolesAtOnceMakeOneRun()
    {
        constexpr int kThreads = 32;
        const QStringList logins{QStringLiteral("owner_a"), QStringLiteral("manager_a"), QStringLiteral("operator_a")};
        std::latch connected(kThreads + 1);
        std::latch go(1);
        std::vector<std::optional<StartResult>> results(kThreads);
        std::vector<QString> errors(kThreads);
        std::vector<std::thread> threads;
        const QJsonObject scope{{QStringLiteral("baseline_id"), 42}};
        QStringList items;
        for (int i = 0; i < 50; ++i)
            items << QStringLiteral("policy-%1").arg(i);
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                Connection conn(m_fx.cluster.loginSpec(logins[t % logins.size()]), QStringLiteral("race"));
                const bool open = conn.open();
                connected.count_down();
                go.wait();
                if (!open) {
                    errors[t] = conn.lastError().message;
                    return;
                }
                // Each thread sends the items in its own order: the key must not care.
                QStringList mine = items;
                std::rotate(mine.begin(), mine.begin() + (t % mine.size()), mine.end());
                RunApi api(conn);
                DbError error;
                results[t] = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"), scope, mine, &error);
                errors[t] = error.message;
            });
        }
        connected.arrive_and_wait();
        QElapsedTimer timer;
        timer.start();
        go.count_down();
        for (auto& th : threads)
            th.join();
        const qint64 elapsedMs = timer.elapsed();

        int created = 0;
        int reused = 0;
        QSet<qint64> ids;
        for (int t = 0; t < kThreads; ++t) {
            QVERIFY2(results[t].has_value(), qPrintable(errors[t]));
            ids.insert(results[t]->runId);
            (results[t]->reused ? reused : created)++;
        }
        QCOMPARE(created, 1);
        QCOMPARE(reused, kThreads - 1);
        QCOMPARE(ids.size(), 1);
        auto su = m_fx.cluster.connectSuperuser();
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE scope = '{\"baseline_id\": 42}'")).toInt(), 1);
        QCOMPARE(su->scalar(QStringLiteral("SELECT count(*) FROM atlas.notifications WHERE run_id = %1 AND event = 'queued'")
                                .arg(*ids.begin())).toInt(), 1);
        qInfo("32-way start race settled in %lld ms (one run, 31 reused)", elapsedMs);
    }

    void permutedItemsAndScopeKeysShareAKey()
    {
        const auto first = start(QStringLiteral("operator_a"), m_fx.tenantA,
                                 QJsonObject{{QStringLiteral("x"), 1}, {QStringLiteral("y"), QJsonObject{{QStringLiteral("b"), 2}, {QStringLiteral("a"), 1}}}},
                                 {QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("a")});
        const auto second = start(QStringLiteral("manager_a"), m_fx.tenantA,
                                  QJsonObject{{QStringLiteral("y"), QJsonObject{{QStringLiteral("a"), 1}, {QStringLiteral("b"), 2}}}, {QStringLiteral("x"), 1}},
                                  {QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("a")});
        QVERIFY(first && second);
        QVERIFY(!first->reused);
        QVERIFY(second->reused);
        QCOMPARE(second->runId, first->runId);
        auto su = m_fx.cluster.connectSuperuser();
        QCOMPARE(su->scalar(QStringLiteral("SELECT item_ids::text FROM atlas.bulk_operation_runs WHERE id = %1").arg(first->runId)).toString(),
                 QStringLiteral("[\"a\", \"b\", \"c\"]"));
        QCOMPARE(su->scalar(QStringLiteral("SELECT total_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(first->runId)).toInt(), 3);
        const QString key = su->scalar(QStringLiteral("SELECT idempotency_key FROM atlas.bulk_operation_runs WHERE id = %1").arg(first->runId)).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^v1:[0-9a-f]{64}$")).match(key).hasMatch());
        // start_run hashes exactly what atlas.idempotency_key does, whatever the item order given.
        QCOMPARE(su->scalar(QStringLiteral("SELECT atlas.idempotency_key('%1', 'probe', 'check', scope, '[\"c\", \"b\", \"a\", \"b\"]') "
                                           "FROM atlas.bulk_operation_runs WHERE id = %2")
                                .arg(m_fx.tenantA.toString(QUuid::WithoutBraces))
                                .arg(first->runId)).toString(),
                 key);
    }

    void itemsFromAQueryMatchTheSameItemsGiven()
    {
        // A request whose items are computed inside the starting statement reuses the run started
        // with the same items listed, and the other way round.
        auto conn = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        RunApi api(*conn);
        DbError error;
        atlas::runs::RunRequest listed{m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("q"), 1}}, {QStringLiteral("z"), QStringLiteral("y")}};
        const auto first = api.start(listed, &error);
        QVERIFY(first && !first->reused);
        atlas::runs::RunRequest queried = listed;
        queried.itemIds.clear();
        queried.itemsQuery = QStringLiteral("SELECT jsonb_build_array(?::text, ?::text, ?::text)");
        queried.itemsBinds = {QStringLiteral("y"), QStringLiteral("z"), QStringLiteral("y")};
        const auto second = api.start(queried, &error);
        QVERIFY2(second, qPrintable(error.message));
        QVERIFY(second->reused);
        QCOMPARE(second->runId, first->runId);
        queried.itemsBinds = {QStringLiteral("y"), QStringLiteral("z"), QStringLiteral("x")};
        const auto third = api.start(queried, &error);
        QVERIFY(third && !third->reused);
    }

    void otherItemsOrOtherTenantMakeOtherRuns()
    {
        const QJsonObject scope{{QStringLiteral("baseline_id"), 7}};
        const auto a = start(QStringLiteral("operator_a"), m_fx.tenantA, scope, {QStringLiteral("p1")});
        const auto a2 = start(QStringLiteral("operator_a"), m_fx.tenantA, scope, {QStringLiteral("p1"), QStringLiteral("p2")});
        const auto b = start(QStringLiteral("owner_b"), m_fx.tenantB, scope, {QStringLiteral("p1")});
        QVERIFY(a && a2 && b);
        QVERIFY(!a->reused && !a2->reused && !b->reused);
        QVERIFY(a->runId != a2->runId);
        QVERIFY(a->runId != b->runId);
        auto su = m_fx.cluster.connectSuperuser();
        QVERIFY(su->scalar(QStringLiteral("SELECT count(DISTINCT idempotency_key) FROM atlas.bulk_operation_runs WHERE id IN (%1, %2)")
                               .arg(a->runId).arg(b->runId)).toInt() == 2);
    }

    void finishedRunIsNotReused()
    {
        const QJsonObject scope{{QStringLiteral("baseline_id"), 8}};
        const auto first = start(QStringLiteral("operator_a"), m_fx.tenantA, scope, {QStringLiteral("p1")});
        QVERIFY(first && !first->reused);
        auto conn = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        RunApi api(*conn);
        DbError error;
        const auto lease = api.claim(first->runId, &error);
        QVERIFY(lease && !lease->isNull());
        // While running it is still reused...
        const auto during = start(QStringLiteral("manager_a"), m_fx.tenantA, scope, {QStringLiteral("p1")});
        QVERIFY(during && during->reused && during->runId == first->runId);
        QVERIFY(api.finish(first->runId, *lease, {}, {}, &error));
        // ...once finished, the same request makes a new run.
        const auto after = start(QStringLiteral("operator_a"), m_fx.tenantA, scope, {QStringLiteral("p1")});
        QVERIFY(after && !after->reused);
        QVERIFY(after->runId != first->runId);
    }

    void staleActiveRunDoesNotBlockAStart()
    {
        const QJsonObject scope{{QStringLiteral("baseline_id"), 9}};
        const auto first = start(QStringLiteral("operator_a"), m_fx.tenantA, scope, {});
        QVERIFY(first && !first->reused);
        auto su = m_fx.cluster.connectSuperuser();
        QVERIFY(su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET created_at = now() - interval '10 minutes' WHERE id = %1").arg(first->runId)));
        const auto second = start(QStringLiteral("operator_a"), m_fx.tenantA, scope, {});
        QVERIFY(second && !second->reused);
        QVERIFY(second->runId != first->runId);
        QCOMPARE(su->scalar(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(first->runId)).toString(),
                 QStringLiteral("aborted/worker_lost"));
    }

    void badArgumentsAreRefusedWith22023()
    {
        auto conn = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        const QString a = m_fx.tenantA.toString(QUuid::WithoutBraces);
        for (const QString& sql : {QStringLiteral("SELECT * FROM atlas.start_run('%1', 'Drift', 'generate', '{}', '[]')"),
                                   QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '[1]', '[]')"),
                                   QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{}', '[1, 2]')"),
                                   QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{}', '[\"\"]')"),
                                   QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{}', '{\"a\": 1}')")}) {
            QSqlQuery q(conn->database());
            QVERIFY(!q.exec(sql.arg(a)));
            QCOMPARE(q.lastError().nativeErrorCode(), QStringLiteral("22023"));
        }
    }
};

QTEST_GUILESS_MAIN(TestDedup)
#include "tst_dedup.moc"
