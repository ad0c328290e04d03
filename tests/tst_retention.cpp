// Retention: only an owner of the tenant (or atlas_admin) prunes; only finished runs older than
// the age go, with their item results, findings and notifications; active runs never.
#include "Fixture.h"
#include "runs/RunApi.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using namespace atlas;

class TestRetention : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<db::Connection> m_su;
    QString a() const { return m_fx.tenantA.toString(QUuid::WithoutBraces); }

    // A finished run of operator_a with one failed item, its finish back-dated by `daysAgo`.
    qint64 finishedRun(int daysAgo)
    {
        static int n = 0;
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        runs::RunApi api(*op);
        db::DbError error;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("n"), ++n}}, {QStringLiteral("p")}, &error);
        const auto lease = api.claim(started->runId, &error);
        api.record(started->runId, *lease, {runs::ItemResult::failed(QStringLiteral("p"), QStringLiteral("policy_not_found"), {})}, &error);
        api.finish(started->runId, *lease, {}, {}, &error);
        m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET created_at = now() - interval '%1 days', "
                                     "finished_at = now() - interval '%1 days' WHERE id = %2").arg(daysAgo).arg(started->runId));
        return started->runId;
    }
    int count(const QString& table, const QString& where)
    {
        return m_su->scalar(QStringLiteral("SELECT count(*) FROM atlas.%1 WHERE %2").arg(table, where)).toInt();
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        m_su = m_fx.cluster.connectSuperuser();
    }

    void onlyOwnersAndAdminsPrune_data()
    {
        QTest::addColumn<QString>("login");
        QTest::addColumn<QString>("expected");
        QTest::newRow("manager") << "manager_a" << "42501";
        QTest::newRow("operator") << "operator_a" << "42501";
        QTest::newRow("readonly") << "readonly_a" << "42501";
        QTest::newRow("other tenant's owner") << "owner_b" << "42501";
        QTest::newRow("non-member") << "outsider" << "42501";
        QTest::newRow("owner") << "owner_a" << "ok";
        QTest::newRow("admin") << "admin" << "ok";
    }
    void onlyOwnersAndAdminsPrune()
    {
        QFETCH(QString, login);
        QFETCH(QString, expected);
        const qint64 old = finishedRun(120);
        auto conn = m_fx.cluster.connectAs(login);
        QSqlQuery q(conn->database());
        const bool ok = q.exec(QStringLiteral("SELECT atlas.prune_runs('%1', '90 days')").arg(a()));
        QCOMPARE(ok ? QStringLiteral("ok") : q.lastError().nativeErrorCode(), expected);
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id = %1").arg(old)), ok ? 0 : 1);
        if (!ok)
            m_su->execRaw(QStringLiteral("DELETE FROM atlas.bulk_operation_runs WHERE id = %1").arg(old));
        if (login == QLatin1String("admin")) {
            // May prune, but still reads nothing of a tenant it does not belong to.
            const qint64 recent = finishedRun(1);
            QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE tenant_id = '%1'").arg(a())).toInt(), 0);
            QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE id = %1").arg(recent)).toInt(), 0);
        }
    }

    // What a prune would delete (atlas.prunable_runs, which clients call to count a prune run's
    // batches) is read with the caller's rights: a member of the tenant sees its old finished
    // runs, another tenant's owner, a non-member and an admin outside it see none of them, and
    // nobody but the definer and the superuser may call the deleting batch itself.
    void whatAPruneWouldDeleteIsRowSecured()
    {
        const qint64 old = finishedRun(120);
        const QString sql = QStringLiteral("SELECT count(*) FROM atlas.prunable_runs('%1', now() - interval '90 days') WHERE id = %2")
                                .arg(a())
                                .arg(old);
        QCOMPARE(m_fx.cluster.connectAs(QStringLiteral("readonly_a"))->scalar(sql).toInt(), 1);
        for (const char* login : {"owner_b", "outsider", "admin"})
            QCOMPARE(m_fx.cluster.connectAs(QLatin1String(login))->scalar(sql).toInt(), 0);
        for (const char* login : {"owner_a", "admin"}) {
            auto conn = m_fx.cluster.connectAs(QLatin1String(login));
            QSqlQuery q(conn->database());
            QVERIFY(!q.exec(QStringLiteral("SELECT atlas.delete_finished_runs('%1', now() - interval '90 days', 10)").arg(a())));
            QCOMPARE(q.lastError().nativeErrorCode(), QStringLiteral("42501"));
        }
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id = %1").arg(old)), 1);
        m_su->execRaw(QStringLiteral("DELETE FROM atlas.bulk_operation_runs WHERE id = %1").arg(old));
    }

    void pruneKeepsActiveAndRecentRunsAndTakesWhatHangsOff()
    {
        const QList<qint64> old{finishedRun(100), finishedRun(200), finishedRun(95)};
        const qint64 recent = finishedRun(10);
        // An old run that is still active is never pruned (the reaper decides about it).
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        runs::RunApi api(*op);
        db::DbError error;
        const auto active = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                      QJsonObject{{QStringLiteral("active"), true}}, {}, &error);
        QVERIFY(api.claim(active->runId, &error));
        m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET created_at = now() - interval '300 days' WHERE id = %1").arg(active->runId));
        const QString oldIds = QStringLiteral("%1, %2, %3").arg(old[0]).arg(old[1]).arg(old[2]);
        QCOMPARE(count(QStringLiteral("run_item_results"), QStringLiteral("run_id IN (%1)").arg(oldIds)), 3);
        QCOMPARE(count(QStringLiteral("notifications"), QStringLiteral("run_id IN (%1)").arg(oldIds)), 6);

        const test::CliResult cli = test::Fixture::cli({QStringLiteral("runs"), QStringLiteral("prune"), QStringLiteral("--tenant"), a(),
                                                        QStringLiteral("--older-than"), QStringLiteral("90d"), QStringLiteral("--json"),
                                                        QStringLiteral("--db"), m_fx.loginUrl(QStringLiteral("owner_a"))});
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
        QCOMPARE(cli.json().value(QStringLiteral("removed")).toInt(), 3);
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id IN (%1)").arg(oldIds)), 0);
        QCOMPARE(count(QStringLiteral("run_item_results"), QStringLiteral("run_id IN (%1)").arg(oldIds)), 0);
        QCOMPARE(count(QStringLiteral("notifications"), QStringLiteral("run_id IN (%1)").arg(oldIds)), 0);
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id IN (%1, %2)").arg(recent).arg(active->runId)), 2);
        // An owner's prune is itself a run, in the hub like any other: one batch, what it removed.
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT status || ' ' || total_items || ' ' || (summary->>'removed') || ' ' || initiator "
                                             "FROM atlas.bulk_operation_runs WHERE resource = 'runs' AND action = 'prune' "
                                             "ORDER BY id DESC LIMIT 1")).toString(),
                 QStringLiteral("completed 1 3 owner_a"));
        // Only owners start it; a manager's attempt is refused before anything is counted.
        auto manager = m_fx.cluster.connectAs(QStringLiteral("manager_a"));
        QSqlQuery refusal(manager->database());
        QVERIFY(!refusal.exec(QStringLiteral("SELECT * FROM atlas.start_run('%1', 'runs', 'prune', '{\"older_than\": \"90 days\"}', '[]')").arg(a())));
        QCOMPARE(refusal.lastError().nativeErrorCode(), QStringLiteral("42501"));
        auto owner = m_fx.cluster.connectAs(QStringLiteral("owner_a"));
        QSqlQuery young(owner->database());
        QVERIFY(!young.exec(QStringLiteral("SELECT * FROM atlas.start_run('%1', 'runs', 'prune', '{\"older_than\": \"-1200 months 36001 days\"}', '[]')").arg(a())));
        QCOMPARE(young.lastError().nativeErrorCode(), QStringLiteral("22023"));
        QSqlQuery q(op->database());
        QVERIFY(!q.exec(QStringLiteral("SELECT atlas.prune_runs('%1', '1 minute')").arg(a())));
        QCOMPARE(q.lastError().nativeErrorCode(), QStringLiteral("42501")); // operator: refused before the age is looked at
    }
    // The scheduled retention (atlas.apply_retention, the superuser's) deletes only what an age of
    // at least an hour back gives, whatever the setting says: an interval of mixed signs compares
    // above an hour yet lands in the future, an overflowing one or text is no age at all. Each
    // such tenant is skipped with a warning; a just-finished run stays.
    void scheduledRetentionKeepsWhatNoAgeCovers_data()
    {
        QTest::addColumn<QString>("keep");
        QTest::newRow("mixed signs") << "-1 mon 30 days 2 hours";
        QTest::newRow("negative") << "-5 days";
        QTest::newRow("under an hour") << "59 minutes";
        QTest::newRow("overflowing") << "-100000000 years";
        QTest::newRow("not an age") << "a fortnight";
    }
    void scheduledRetentionKeepsWhatNoAgeCovers()
    {
        QFETCH(QString, keep);
        const qint64 fresh = finishedRun(0);
        const qint64 old = finishedRun(400);
        QVERIFY(m_su->execRaw(QStringLiteral("INSERT INTO atlas.settings (key, value) VALUES ('retention_keep:%1', '%2') "
                                             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value").arg(a(), keep)));
        QVERIFY2(m_su->execRaw(QStringLiteral("CALL atlas.apply_retention()")), qPrintable(m_su->lastError().message));
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id IN (%1, %2)").arg(fresh).arg(old)), 2);
        // A real age then takes the old run and keeps the fresh one.
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.settings SET value = '1 year' WHERE key = 'retention_keep:%1'").arg(a())));
        QVERIFY(m_su->execRaw(QStringLiteral("CALL atlas.apply_retention()")));
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id = %1").arg(old)), 0);
        QCOMPARE(count(QStringLiteral("bulk_operation_runs"), QStringLiteral("id = %1").arg(fresh)), 1);
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.settings WHERE key = 'retention_keep:%1'").arg(a())));
    }
};

QTEST_GUILESS_MAIN(TestRetention)
#include "tst_retention.moc"
