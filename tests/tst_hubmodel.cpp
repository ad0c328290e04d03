// The hub's model against a real database: keyset paging, every filter, bucket counts, hostile
// search text, live updates from another connection, and tenant isolation through RLS.
#include "Fixture.h"
#include "HeldLock.h"
#include "hub/HubSession.h"
#include "hub/RunLoader.h"
#include "hub/RunTableModel.h"
#include "runs/RunApi.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using atlas::db::Connection;
using atlas::db::DbError;
using atlas::hub::RunFilter;
using atlas::hub::RunTableModel;

class TestHubModel : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<Connection> m_su;
    std::unique_ptr<atlas::hub::HubSession> m_session;
    std::unique_ptr<RunTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QString a() const { return m_fx.tenantA.toString(QUuid::WithoutBraces); }

    // Loads everything the filter matches and returns the run ids in model order.
    QList<qint64> loadAll(const RunFilter& filter)
    {
        m_model->setFilter(filter);
        if (m_model->generation() && !QTest::qWaitFor([&] { return !m_model->isLoading(); }, 5000))
            return {};
        while (m_model->canFetchMore({})) {
            m_model->fetchMore({});
            if (!QTest::qWaitFor([&] { return !m_model->isLoading(); }, 5000))
                return {};
        }
        QList<qint64> ids;
        for (int r = 0; r < m_model->rowCount(); ++r)
            ids << m_model->runAt(r)->id;
        return ids;
    }
    QList<qint64> expected(const QString& where)
    {
        QList<qint64> ids;
        QSqlQuery q(m_su->database());
        q.exec(QStringLiteral("SELECT id FROM atlas.bulk_operation_runs WHERE tenant_id = '%1' AND (%2) "
                              "ORDER BY created_at DESC, id DESC").arg(a(), where));
        while (q.next())
            ids << q.value(0).toLongLong();
        return ids;
    }
    RunFilter base() const
    {
        RunFilter f;
        f.setTenant(m_fx.tenantA);
        return f;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        m_su = m_fx.cluster.connectSuperuser();
        // A policy of the inventory, found by its name.
        QVERIFY(m_su->execRaw(QStringLiteral(
            "INSERT INTO atlas.inventory_items (tenant_id, policy_type, external_id, display_name, payload, content_hash) "
            "VALUES ('%1', 'SettingsCatalog', 'policy-5', 'Edge Baseline', '{}', atlas.content_hash('{}'))").arg(a())));
        // 620 runs of tenant A and 50 of tenant B, spread over 40 days, in every status. Written
        // directly by the superuser: this is data to look at, not a rule under test.
        QVERIFY(m_su->execRaw(QStringLiteral(
            "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, total_items, "
            "  processed_items, succeeded_items, failed_items, item_ids, item_set, idempotency_key, created_at, started_at, finished_at) "
            "SELECT '%1', (ARRAY['operator_a', 'manager_a', 'owner_a'])[1 + g %% 3], "
            "  (ARRAY['drift', 'backup_set', 'inventory'])[1 + g %% 3], (ARRAY['generate', 'add_policies', 'import'])[1 + g %% 3], "
            "  (ARRAY['completed', 'completed_with_errors', 'failed', 'aborted', 'completed', 'completed'])[1 + g %% 6], "
            "  2, 2, 1, 1, jsonb_build_array('policy-' || g, 'shared-item'), '{}', 'k' || g, "
            "  now() - (g || ' hours')::interval * 1.5, now() - (g || ' hours')::interval * 1.5, now() - (g || ' hours')::interval * 1.5 "
            "FROM generate_series(1, 620) g").arg(a()).replace(QStringLiteral("%%"), QStringLiteral("%"))));
        QVERIFY(m_su->execRaw(QStringLiteral(
            "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, item_ids, idempotency_key, created_at) "
            "SELECT '%1', 'owner_b', 'drift', 'generate', 'completed', '[\"policy-1\"]', 'b' || g, now() - (g || ' minutes')::interval "
            "FROM generate_series(1, 50) g").arg(m_fx.tenantB.toString(QUuid::WithoutBraces))));
        m_session = std::make_unique<atlas::hub::HubSession>(m_fx.cluster.loginSpec(QStringLiteral("readonly_a")));
        m_model = std::make_unique<RunTableModel>(m_session.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QObject::connect(m_session->listener(), &atlas::hub::RunListener::runChanged, m_model.get(), &RunTableModel::runChanged);
        QSignalSpy connected(m_session->listener(), &atlas::hub::RunListener::connectedChanged);
        m_session->start();
        QVERIFY(connected.wait(5000));
    }
    void cleanupTestCase()
    {
        m_tester.reset();
        m_model.reset();
        m_session.reset();
    }

    void pagesArriveNewestFirstOnKeyset()
    {
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->setFilter(base());
        QVERIFY(inserted.wait(5000));
        // The first page is 250 rows, newest first.
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 249);
        QCOMPARE(m_model->runAt(0)->id, expected(QStringLiteral("true")).first());
        // Later pages continue exactly where the previous one ended, to the last run.
        while (m_model->canFetchMore({}) || m_model->isLoading()) {
            m_model->fetchMore({});
            QTest::qWait(10);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 620, 5000);
        QVERIFY(inserted.count() >= 3);
        QList<qint64> ids;
        for (int r = 0; r < m_model->rowCount(); ++r)
            ids << m_model->runAt(r)->id;
        QCOMPARE(ids, expected(QStringLiteral("true")));
    }

    // Every sort the hub offers comes from the database, keyset-paged across pages without a
    // gap or a repeat, in both directions; the order is the one written here in plain SQL.
    // Several tenants at once: what row security lets this login see of each, merged in order.
    // readonly_a names tenant B as well and still gets tenant A's runs only.
    void severalTenantsAreMergedAndStillRowSecured()
    {
        RunFilter f;
        f.setTenants({m_fx.tenantA, m_fx.tenantB});
        const QList<qint64> shown = loadAll(f);
        QCOMPARE(shown, expected(QStringLiteral("true")));
        QSignalSpy counts(m_model.get(), &RunTableModel::countsChanged);
        m_model->refresh();
        QVERIFY(counts.wait(5000));
        int total = 0;
        for (int n : m_model->counts())
            total += n;
        QCOMPARE(total, 620);
    }

    // A run's items page by page in their order, each with its policy name and outcome, and
    // searchable by item id or name; another tenant's run gives nothing.
    void itemsOfARunPageWithNamesAndOutcomes()
    {
        const qint64 run = m_su->scalar(QStringLiteral(
            "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, total_items, item_ids, "
            "item_set, idempotency_key) SELECT '%1', 'operator_a', 'drift', 'generate', 'running', 1200, "
            "jsonb_agg('item-' || g ORDER BY g), '{}', 'items-page' FROM generate_series(1, 1200) g RETURNING id").arg(a())).toLongLong();
        QVERIFY(run > 0);
        QVERIFY(m_su->execRaw(QStringLiteral(
            "INSERT INTO atlas.run_item_results (tenant_id, run_id, item_id, outcome, reason_code) VALUES "
            "('%1', %2, 'item-2', 'failed', 'policy_not_found'), ('%1', %2, 'item-3', 'succeeded', NULL)").arg(a()).arg(run)));
        QVERIFY(m_su->execRaw(QStringLiteral(
            "INSERT INTO atlas.inventory_items (tenant_id, policy_type, external_id, display_name, payload, content_hash) "
            "VALUES ('%1', 'SettingsCatalog', 'item-3', 'Firewall rules', '{}', atlas.content_hash('{}'))").arg(a())));
        auto conn = m_fx.connectAs(QStringLiteral("readonly_a"));
        using atlas::hub::RunLoader;
        const RunLoader::Items first = RunLoader::loadItems(*conn, run, QString(), 0, 500);
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QCOMPARE(first.rows.size(), 500);
        QVERIFY(!first.atEnd);
        QCOMPARE(first.rows.at(0).id, QStringLiteral("item-1"));
        QCOMPARE(first.rows.at(1).outcome, QStringLiteral("failed"));
        QCOMPARE(first.rows.at(1).reason, QStringLiteral("policy_not_found"));
        QCOMPARE(first.rows.at(2).name, QStringLiteral("Firewall rules"));
        QCOMPARE(first.rows.at(3).outcome, QString());
        const RunLoader::Items second = RunLoader::loadItems(*conn, run, QString(), first.last, 500);
        QCOMPARE(second.rows.first().id, QStringLiteral("item-501"));
        const RunLoader::Items third = RunLoader::loadItems(*conn, run, QString(), second.last, 500);
        QCOMPARE(third.rows.size(), 200);
        QVERIFY(third.atEnd);
        QCOMPARE(third.rows.last().id, QStringLiteral("item-1200"));
        QCOMPARE(RunLoader::loadItems(*conn, run, QStringLiteral("item-11"), 0, 500).rows.size(), 111);
        QCOMPARE(RunLoader::loadItems(*conn, run, QStringLiteral("firewall"), 0, 500).rows.size(), 1);
        QCOMPARE(RunLoader::loadItems(*conn, run, QStringLiteral("100%"), 0, 500).rows.size(), 0); // % is no wildcard
        auto other = m_fx.connectAs(QStringLiteral("owner_b"));
        QCOMPARE(RunLoader::loadItems(*other, run, QString(), 0, 500).rows.size(), 0);
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)));
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.inventory_items WHERE external_id = 'item-3'")));
    }

    void sortsAreTheDatabasesOrder_data()
    {
        QTest::addColumn<int>("key");
        QTest::addColumn<bool>("ascending");
        QTest::addColumn<QString>("orderBy");
        const QList<std::pair<RunFilter::SortKey, QString>> keys{
            {RunFilter::SortKey::Started, QStringLiteral("created_at")},
            {RunFilter::SortKey::Duration, QStringLiteral("coalesce(extract(epoch FROM finished_at - started_at), -1)")},
            {RunFilter::SortKey::Failed, QStringLiteral("failed_items")},
            {RunFilter::SortKey::Initiator, QStringLiteral("initiator")},
            {RunFilter::SortKey::Operation, QStringLiteral("resource || '/' || action")},
        };
        for (const auto& [key, sql] : keys) {
            for (bool ascending : {false, true}) {
                const QString dir = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
                QTest::addRow("%s %s", qPrintable(sql.left(24)), qPrintable(dir))
                    << int(key) << ascending << QStringLiteral("%1 %2, id %2").arg(sql, dir);
            }
        }
    }
    void sortsAreTheDatabasesOrder()
    {
        QFETCH(int, key);
        QFETCH(bool, ascending);
        QFETCH(QString, orderBy);
        RunFilter f = base();
        f.setSort(RunFilter::SortKey(key), ascending);
        const QList<qint64> shown = loadAll(f);
        QList<qint64> want;
        QSqlQuery q(m_su->database());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM atlas.bulk_operation_runs WHERE tenant_id = '%1' ORDER BY %2").arg(a(), orderBy)));
        while (q.next())
            want << q.value(0).toLongLong();
        QCOMPARE(shown.size(), 620);
        QCOMPARE(shown, want);
    }

    void everyFilterMatchesTheDatabase_data()
    {
        QTest::addColumn<QString>("bucket");
        QTest::addColumn<QString>("operation");
        QTest::addColumn<int>("range");
        QTest::addColumn<QString>("search");
        QTest::addColumn<QString>("where");
        QTest::newRow("failed bucket holds aborted too") << "failed" << "" << 0 << "" << "status IN ('failed', 'aborted')";
        QTest::newRow("partially succeeded") << "partially_succeeded" << "" << 0 << "" << "status = 'completed_with_errors'";
        QTest::newRow("operation") << "" << "drift/generate" << 0 << "" << "resource = 'drift' AND action = 'generate'";
        QTest::newRow("last 24 hours") << "" << "" << int(RunFilter::TimeRange::Last24Hours) << "" << "created_at >= now() - interval '24 hours'";
        QTest::newRow("last 7 days and bucket") << "succeeded" << "" << int(RunFilter::TimeRange::Last7Days) << ""
                                                << "created_at >= now() - interval '7 days' AND status = 'completed'";
        QTest::newRow("search by run id") << "" << "" << 0 << "SEARCH_ID" << "id = SEARCH_ID";
        QTest::newRow("search by initiator part") << "" << "" << 0 << "MANAGER" << "initiator = 'manager_a'";
        QTest::newRow("search by #id") << "" << "" << 0 << "#SEARCH_ID" << "id = SEARCH_ID";
        QTest::newRow("search by run link") << "" << "" << 0 << "atlas-ops://run/SEARCH_ID" << "id = SEARCH_ID";
        QTest::newRow("search by item id or its prefix") << "" << "" << 0 << "policy-17"
                                                      << "EXISTS (SELECT 1 FROM jsonb_array_elements_text(item_ids) e WHERE e LIKE 'policy-17%')";
        QTest::newRow("search by a shared item id") << "" << "" << 0 << "shared-item" << "true";
        QTest::newRow("an item id prefix of 8") << "" << "" << 0 << "shared-i" << "true";
        QTest::newRow("search by policy name") << "" << "" << 0 << "edge BASE" << "item_ids ? 'policy-5'";
    }
    void everyFilterMatchesTheDatabase()
    {
        QFETCH(QString, bucket);
        QFETCH(QString, operation);
        QFETCH(int, range);
        QFETCH(QString, search);
        QFETCH(QString, where);
        const QString someId = QString::number(expected(QStringLiteral("true")).at(37));
        search.replace(QStringLiteral("SEARCH_ID"), someId);
        where.replace(QStringLiteral("SEARCH_ID"), someId);
        RunFilter f = base();
        f.setBucket(atlas::runs::bucketFromFilterKey(bucket));
        f.setOperation(operation);
        f.setTimeRange(RunFilter::TimeRange(range));
        f.setSearch(search);
        const QList<qint64> shown = loadAll(f);
        QCOMPARE(shown, expected(where));
        QVERIFY(!shown.isEmpty());
    }

    void bucketCountsMatchTheDatabase()
    {
        RunFilter f = base();
        f.setOperation(QStringLiteral("backup_set/add_policies"));
        QSignalSpy counts(m_model.get(), &RunTableModel::countsChanged);
        m_model->setFilter(f);
        QVERIFY(counts.wait(5000));
        const auto got = m_model->counts();
        QSqlQuery q(m_su->database());
        QVERIFY(q.exec(QStringLiteral("SELECT atlas.status_bucket(status), count(*) FROM atlas.bulk_operation_runs "
                                      "WHERE tenant_id = '%1' AND resource = 'backup_set' GROUP BY 1").arg(a())));
        int buckets = 0;
        while (q.next()) {
            QCOMPARE(got.value(atlas::runs::bucketFromKey(q.value(0).toString())), q.value(1).toInt());
            ++buckets;
        }
        QCOMPARE(got.size(), buckets);
    }

    void hostileSearchTextFindsNothingAndBreaksNothing_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("quote") << "o'brien";
        QTest::newRow("sql") << "'; DROP TABLE atlas.bulk_operation_runs; --";
        QTest::newRow("percent") << "%";
        QTest::newRow("underscore is no wildcard") << "p_rator"; // unescaped, _ would match "operator"
        QTest::newRow("percent inside") << "op%a";
        QTest::newRow("backslash") << "\\";
        QTest::newRow("question mark") << "?";
        QTest::newRow("non-latin") << "Überwachung 監視 ✓";
        QTest::newRow("very long") << QString(5000, QLatin1Char('x'));
        QTest::newRow("json") << "[\"policy-1\"]";
    }
    void hostileSearchTextFindsNothingAndBreaksNothing()
    {
        QFETCH(QString, text);
        QSignalSpy failed(m_model.get(), &RunTableModel::loadFailed);
        RunFilter f = base();
        f.setSearch(text);
        QVERIFY(f.search().size() <= RunFilter::kMaxSearchLength);
        QCOMPARE(loadAll(f), QList<qint64>());
        QCOMPARE(failed.count(), 0);
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE tenant_id = '%1'").arg(a())).toInt(), 620);
    }

    void anotherTenantsRunsNeverShow()
    {
        RunFilter f;
        f.setTenant(m_fx.tenantB); // readonly_a asks for tenant B: RLS answers nothing
        QCOMPARE(loadAll(f), QList<qint64>());
        f.setSearch(QStringLiteral("owner_b"));
        QCOMPARE(loadAll(f), QList<qint64>());
    }

    void exportWritesEveryMatchingRunAsCsv()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.csv"));
        RunFilter f = base();
        f.setBucket(atlas::runs::Bucket::Failed);
        std::optional<atlas::hub::RunLoader::Export> done;
        QObject receiver;
        m_session->background()->post<atlas::hub::RunLoader::Export>(
            &receiver, [=](atlas::db::Connection& conn) { return atlas::hub::RunLoader::exportCsv(conn, f, path); },
            [&done](const atlas::hub::RunLoader::Export& e) { done = e; });
        QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10000);
        QCOMPARE(done->error, QString());
        const QList<qint64> ids = expected(QStringLiteral("status IN ('failed', 'aborted')"));
        QCOMPARE(done->rows, ids.size());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), ids.size() + 1);
        QVERIFY(lines.first().startsWith(QLatin1String("id,operation,resource,action,status,bucket")));
        QVERIFY(lines.at(1).startsWith(QString::number(ids.first()) + QLatin1Char(',')));
        QVERIFY(lines.at(1).contains(QLatin1String(",\"failed\",")));
    }

    void aRestartedServerIsReconnectedAndResynced()
    {
        RunFilter f = base();
        f.setTimeRange(RunFilter::TimeRange::LastHour);
        loadAll(f);
        QSignalSpy state(m_session->listener(), &atlas::hub::RunListener::connectedChanged);
        QSignalSpy resynced(m_session->listener(), &atlas::hub::RunListener::resynced);
        QString error;
        m_su.reset();
        QVERIFY2(m_fx.cluster.cluster().stop(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!state.isEmpty() && !state.last().at(0).toBool(), 15000); // "reconnecting"
        QVERIFY2(m_fx.cluster.cluster().start(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!resynced.isEmpty(), 20000);
        QVERIFY(state.last().at(0).toBool());
        m_su = m_fx.cluster.connectSuperuser();
        // The view re-reads (its loader reconnects) and live changes flow again.
        QSignalSpy failed(m_model.get(), &RunTableModel::loadFailed);
        m_model->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!m_model->isLoading(), 5000);
        QCOMPARE(failed.count(), 0);
        const int before = m_model->rowCount();
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        DbError dbError;
        QVERIFY(api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                          QJsonObject{{QStringLiteral("after_restart"), 1}}, {}, &dbError));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), before + 1, 2000);
    }

    void liveGrowthIsBoundedAndScrollingFetchesWhatWasLetGo()
    {
        // The view has asked for one page; 400 runs then arrive live.
        RunFilter f = base();
        f.setSearch(QStringLiteral("operator_a"));
        m_model->setFilter(f);
        QTRY_VERIFY_WITH_TIMEOUT(!m_model->isLoading() && m_model->rowCount() > 0, 5000);
        const int asked = m_model->rowCount();
        QVERIFY(asked <= 250);
        QVERIFY(m_su->execRaw(QStringLiteral(
            "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, item_ids, idempotency_key, created_at) "
            "SELECT '%1', 'operator_a', 'drift', 'generate', 'completed', '[]', 'live-' || g, now() + (g || ' seconds')::interval "
            "FROM generate_series(1, 400) g").arg(a())));
        const QList<qint64> all = expected(QStringLiteral("initiator = 'operator_a'"));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->runAt(0)->id, all.first(), 5000);
        QTest::qWait(500); // every live re-read is in
        // Not every run seen is held: at most a page's worth beyond what the view asked for.
        QVERIFY2(m_model->rowCount() <= std::max(asked, 250) + 250, qPrintable(QString::number(m_model->rowCount())));
        QVERIFY(m_model->canFetchMore({}));
        // Scrolling on brings back exactly the database's order, nothing lost or doubled.
        while (m_model->canFetchMore({}) || m_model->isLoading()) {
            if (m_model->canFetchMore({}))
                m_model->fetchMore({});
            QTest::qWait(20);
        }
        QList<qint64> ids;
        for (int r = 0; r < m_model->rowCount(); ++r)
            ids << m_model->runAt(r)->id;
        QCOMPARE(ids, all);
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.bulk_operation_runs WHERE idempotency_key LIKE 'live-%'")));
    }

    void liveChangesReachTheRowWithinASecond()
    {
        RunFilter f = base();
        f.setTimeRange(RunFilter::TimeRange::LastHour);
        loadAll(f);
        const int before = m_model->rowCount();
        // Another console starts a run...
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        DbError error;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("live"), 1}}, {QStringLiteral("x"), QStringLiteral("y")}, &error);
        QVERIFY(started);
        QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), before + 1, 1000);
        QCOMPARE(m_model->runAt(0)->id, started->runId);
        QCOMPARE(m_model->runAt(0)->bucket, atlas::runs::Bucket::Queued);
        // ...works on it and finishes it: the same row follows.
        const auto lease = api.claim(started->runId, &error);
        QVERIFY(api.record(started->runId, *lease, {atlas::runs::ItemResult::succeeded(QStringLiteral("x"))}, &error));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->runAt(0)->processed, 1, 1000);
        QVERIFY(api.record(started->runId, *lease, {atlas::runs::ItemResult::failed(QStringLiteral("y"), QStringLiteral("policy_not_found"), {})}, &error));
        QVERIFY(api.finish(started->runId, *lease, {}, {}, &error));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->runAt(0)->bucket, atlas::runs::Bucket::PartiallySucceeded, 1000);
        QCOMPARE(m_model->rowCount(), before + 1);

        // A run that stops matching the filter leaves the table.
        RunFilter running = base();
        running.setBucket(atlas::runs::Bucket::Running);
        const auto second = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                      QJsonObject{{QStringLiteral("live"), 2}}, {}, &error);
        const auto lease2 = api.claim(second->runId, &error);
        QCOMPARE(loadAll(running), QList<qint64>{second->runId});
        QVERIFY(api.finish(second->runId, *lease2, {}, {}, &error));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 0, 1000);
    }
    void liveChangesShowWhileThePageWorkerIsHeldUp()
    {
        RunFilter f = base();
        f.setTimeRange(RunFilter::TimeRange::LastHour);
        loadAll(f);
        const int before = m_model->rowCount();
        // A page query stuck on the server: the page worker's task waits for a lock another
        // session holds.
        constexpr int kLock = 4711;
        atlas::test::HeldLock lock(m_fx.cluster, kLock);
        QVERIFY(lock.held());
        QObject context;
        bool pageWorkerFree = false;
        m_session->pages()->post<bool>(
            &context, [](Connection& conn) { return atlas::test::HeldLock::waitIn(conn, kLock); },
            [&pageWorkerFree](bool ok) { pageWorkerFree = ok; });
        QVERIFY(lock.waitedFor(5000));
        // Meanwhile another console starts a run and works on it: the table follows.
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        DbError error;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("held"), 1}}, {QStringLiteral("x")}, &error);
        QVERIFY(started);
        QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), before + 1, 5000);
        QCOMPARE(m_model->runAt(0)->id, started->runId);
        const auto lease = api.claim(started->runId, &error);
        QVERIFY(lease);
        QVERIFY(api.record(started->runId, *lease, {atlas::runs::ItemResult::succeeded(QStringLiteral("x"))}, &error));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->runAt(0)->processed, 1, 5000);
        QVERIFY(!pageWorkerFree); // all of that while the page worker was still held
        QVERIFY(api.finish(started->runId, *lease, {}, {}, &error));
        QVERIFY(lock.release());
        QTRY_VERIFY_WITH_TIMEOUT(pageWorkerFree, 5000);
    }
};

QTEST_GUILESS_MAIN(TestHubModel)
#include "tst_hubmodel.moc"
