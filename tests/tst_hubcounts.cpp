// The hub's counts (atlas.run_bucket_counts, run_reason_counts, runs_per_day,
// duration_percentiles): equal to a plain count over the runs after inserts, status changes,
// cancel, reap, back-dating across midnights and prune; only the caller's tenants count; and 32
// workers finishing runs of one tenant and day at once never wait for one another's counts.
#include "Fixture.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <atomic>
#include <barrier>
#include <thread>

using namespace atlas;

class TestHubCounts : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<db::Connection> m_su;
    std::unique_ptr<db::Connection> m_op;
    int m_n = 0;
    QString m_waits; // what the most waiting finishers waited for

    QString su(const QString& sql)
    {
        const QVariant v = m_su->scalar(sql);
        return v.isValid() ? v.toString() : QStringLiteral("error: ") + m_su->lastError().message;
    }

    // A run of operator_a in tenant A: started, and (by `to`) claimed, given failed items, ended.
    qint64 run(const QString& resource, const QString& action, const QString& to, const QString& reason = {})
    {
        const qint64 id = m_op->scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', '%2', '%3', '{\"n\": %4}', "
                                                      "'[\"p1\", \"p2\", \"p3\"]')")
                                           .arg(m_fx.a(), resource, action).arg(++m_n)).toLongLong();
        if (to == QLatin1String("pending"))
            return id;
        const QString lease = m_op->scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(id)).toString();
        if (to == QLatin1String("running"))
            return id;
        m_op->scalar(QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"p1\", \"outcome\": \"failed\", "
                                    "\"reason_code\": \"policy_not_found\"}, {\"item_id\": \"p2\", \"outcome\": \"%3\"}]')::text")
                         .arg(id).arg(lease, to == QLatin1String("completed") ? QStringLiteral("succeeded") : QStringLiteral("failed")));
        if (to == QLatin1String("aborted"))
            m_op->scalar(QStringLiteral("SELECT atlas.abort_run(%1, '%2', '%3')").arg(id).arg(lease, reason));
        else
            m_op->scalar(QStringLiteral("SELECT atlas.finish_run(%1, '%2', %3)")
                             .arg(id).arg(lease, reason.isEmpty() ? QStringLiteral("NULL") : QLatin1Char('\'') + reason + QLatin1Char('\'')));
        return id;
    }

    // What `login` is told by the functions and what a plain count over the runs says, for the
    // caller's tenants among `tenants` (an SQL uuid[] or NULL) and the filter.
    struct Answer
    {
        QString buckets, reasons, days;
        bool operator==(const Answer&) const = default;
    };
    Answer told(const QString& login, const QString& args)
    {
        auto c = m_fx.connectAs(login);
        Answer a;
        a.buckets = c->scalar(QStringLiteral("SELECT coalesce(string_agg(bucket || '=' || runs, ',' ORDER BY bucket), '') "
                                             "FROM atlas.run_bucket_counts(%1)").arg(args)).toString();
        a.reasons = c->scalar(QStringLiteral("SELECT coalesce(string_agg(coalesce(reason_code, '-') || '=' || runs || '/' || failed_items, "
                                             "',' ORDER BY reason_code), '') FROM atlas.run_reason_counts(%1)").arg(args)).toString();
        a.days = c->scalar(QStringLiteral("SELECT coalesce(string_agg(day || ':' || bucket || '=' || runs, ',' ORDER BY day, bucket), '') "
                                          "FROM atlas.runs_per_day(%1)").arg(args)).toString();
        return a;
    }
    Answer counted(const QString& login, const QString& tenants, const QString& resource, const QString& action,
                   const QString& from, const QString& to)
    {
        const QString where = QStringLiteral(
            "r.tenant_id IN (SELECT m.tenant_id FROM atlas.tenant_members m WHERE m.login = '%1') "
            "AND (%2::uuid[] IS NULL OR r.tenant_id = ANY (%2::uuid[])) AND (%3::text IS NULL OR r.resource = %3) "
            "AND (%4::text IS NULL OR r.action = %4) AND (%5::timestamptz IS NULL OR r.created_at >= %5) "
            "AND (%6::timestamptz IS NULL OR r.created_at < %6)").arg(login, tenants, resource, action, from, to);
        Answer a;
        a.buckets = su(QStringLiteral("SELECT coalesce(string_agg(b || '=' || n, ',' ORDER BY b), '') FROM "
                                      "(SELECT r.status_bucket b, count(*) n FROM atlas.bulk_operation_runs r WHERE %1 GROUP BY 1) s").arg(where));
        a.reasons = su(QStringLiteral(
            "SELECT coalesce(string_agg(coalesce(x, '-') || '=' || n || '/' || i, ',' ORDER BY x), '') FROM "
            "(SELECT x, sum(n) n, sum(i) i FROM (SELECT r.reason_code x, 1 n, 0 i FROM atlas.bulk_operation_runs r "
            "  WHERE %1 AND r.status_bucket = 'failed' UNION ALL SELECT f.reason_code, 0, 1 FROM atlas.bulk_operation_runs r "
            "  JOIN atlas.run_item_results f ON f.tenant_id = r.tenant_id AND f.run_id = r.id AND f.outcome = 'failed' WHERE %1) u "
            " GROUP BY x) s").arg(where));
        a.days = su(QStringLiteral("SELECT coalesce(string_agg(d || ':' || b || '=' || n, ',' ORDER BY d, b), '') FROM "
                                   "(SELECT (r.created_at AT TIME ZONE 'UTC')::date d, r.status_bucket b, count(*) n "
                                   "FROM atlas.bulk_operation_runs r WHERE %1 GROUP BY 1, 2) s").arg(where));
        return a;
    }
    void compareAll(const QString& login, const QString& tenants = QStringLiteral("NULL"))
    {
        // Ranges that start and end on midnights, just before or after them, within one day, open.
        const QStringList ends{QStringLiteral("NULL"), QStringLiteral("(SELECT d FROM mid)"),
                               QStringLiteral("(SELECT d - interval '1 microsecond' FROM mid)"),
                               QStringLiteral("(SELECT d + interval '1 second' FROM mid)"),
                               QStringLiteral("(SELECT d + interval '2 days' FROM mid)"),
                               QStringLiteral("(SELECT d + interval '2 days 6 hours' FROM mid)"),
                               QStringLiteral("(SELECT d - interval '3 days 12 hours' FROM mid)")};
        const QList<QPair<QString, QString>> operations{{QStringLiteral("NULL"), QStringLiteral("NULL")},
                                                        {QStringLiteral("'probe'"), QStringLiteral("'check'")},
                                                        {QStringLiteral("'probe'"), QStringLiteral("NULL")},
                                                        {QStringLiteral("NULL"), QStringLiteral("'other'")}};
        const QString mid = QStringLiteral("(WITH mid(d) AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
                                           "- interval '2 days') SELECT %1)");
        for (const auto& [resource, action] : operations) {
            for (const QString& from : ends) {
                for (const QString& to : ends) {
                    const QString f = from == QLatin1String("NULL") ? from : mid.arg(from);
                    const QString t = to == QLatin1String("NULL") ? to : mid.arg(to);
                    const QString args = QStringLiteral("%1, %2, %3, %4, %5").arg(tenants, resource, action, f, t);
                    const Answer expected = counted(login, tenants, resource, action, f, t);
                    const Answer got = told(login, args);
                    QVERIFY2(got == expected, qPrintable(QStringLiteral("%1 (%2):\n told    %3 | %4 | %5\n counted %6 | %7 | %8")
                                                             .arg(login, args, got.buckets, got.reasons, got.days, expected.buckets,
                                                                  expected.reasons, expected.days)));
                }
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        m_su = m_fx.connectSuperuser();
        m_op = m_fx.connectAs(QStringLiteral("operator_a"));
    }

    void countsFollowEveryChange()
    {
        QList<qint64> ids;
        for (const char* to : {"pending", "running", "completed", "completed_with_errors", "failed", "aborted"}) {
            for (const QString& op : {QStringLiteral("check"), QStringLiteral("other")})
                ids << run(QStringLiteral("probe"), op, QLatin1String(to),
                           QLatin1String(to) == QLatin1String("aborted") ? QStringLiteral("cancelled")
                           : QLatin1String(to) == QLatin1String("failed") ? QStringLiteral("graph_throttled") : QString());
        }
        ids << run(QStringLiteral("other_kind"), QStringLiteral("other"), QStringLiteral("completed"));
        compareAll(QStringLiteral("owner_a"));
        // Across the days around a midnight two days back: just before, on, just after it, ...
        const QStringList offsets{QStringLiteral("- interval '1 microsecond'"), QString(), QStringLiteral("+ interval '1 microsecond'"),
                                  QStringLiteral("+ interval '23 hours 59 minutes'"), QStringLiteral("+ interval '1 day 3 hours'"),
                                  QStringLiteral("- interval '3 days'"), QStringLiteral("+ interval '2 days 5 hours'")};
        for (int i = 0; i < ids.size(); ++i)
            QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET created_at = "
                                                 "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') - interval '2 days' %1 "
                                                 "WHERE id = %2").arg(offsets[i % offsets.size()]).arg(ids[i])));
        compareAll(QStringLiteral("owner_a"));
        // Cancel (an owner's), reap (stale heartbeat), then the appended rows folded.
        auto owner = m_fx.connectAs(QStringLiteral("owner_a"));
        QCOMPARE(owner->scalar(QStringLiteral("SELECT atlas.cancel_run(%1)").arg(ids[0])).toString(), QStringLiteral("aborted"));
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = %1")
                                  .arg(ids[2])));
        QVERIFY(su(QStringLiteral("SELECT count(*) FROM atlas.run_counts WHERE NOT compacted")).toInt() > 0);
        QVERIFY(owner->scalar(QStringLiteral("SELECT atlas.reap_stale_runs()")).toInt() >= 1);
        QCOMPARE(su(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(ids[2])),
                 QStringLiteral("aborted/worker_lost"));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.run_counts WHERE NOT compacted")), QStringLiteral("0"));
        compareAll(QStringLiteral("owner_a"));
        // Prune: finished runs older than a day go, with their items.
        QVERIFY(m_su->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET finished_at = created_at WHERE finished_at IS NOT NULL")));
        const int pruned = owner->scalar(QStringLiteral("SELECT atlas.prune_runs('%1', '1 day 6 hours')").arg(m_fx.a())).toInt();
        QVERIFY2(pruned > 0, qPrintable(owner->lastError().message));
        compareAll(QStringLiteral("owner_a"));
        // A repair counts the same.
        const QString before = told(QStringLiteral("owner_a"), QStringLiteral("NULL, NULL, NULL, NULL, NULL")).reasons;
        QVERIFY(su(QStringLiteral("SELECT atlas.rebuild_run_counts()")).toInt() > 0);
        QCOMPARE(told(QStringLiteral("owner_a"), QStringLiteral("NULL, NULL, NULL, NULL, NULL")).reasons, before);
        compareAll(QStringLiteral("owner_a"));
        // Durations: what percentile_cont says over the same runs.
        QCOMPARE(m_fx.connectAs(QStringLiteral("readonly_a"))->scalar(QStringLiteral(
                     "SELECT string_agg(resource || '/' || action || '=' || runs || ':' || round(p50_seconds::numeric, 3) || ':' || "
                     "round(p99_seconds::numeric, 3), ',' ORDER BY resource, action) FROM atlas.duration_percentiles(NULL, NULL, NULL, NULL, NULL)")).toString(),
                 su(QStringLiteral("SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT resource || '/' || action || '=' || count(*) || ':' || "
                                   "round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at))::numeric, 3) || ':' || "
                                   "round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at))::numeric, 3) x "
                                   "FROM atlas.bulk_operation_runs WHERE tenant_id = '%1' AND status NOT IN ('pending', 'running') "
                                   "AND started_at IS NOT NULL AND finished_at IS NOT NULL GROUP BY resource, action) s").arg(m_fx.a())));
    }

    // No client can stop the roll-ups from being folded: compaction takes a table lock clients
    // have no right to (an advisory lock, as it once was, any login could hold for ever).
    void noClientStopsCompaction()
    {
        run(QStringLiteral("probe"), QStringLiteral("check"), QStringLiteral("failed"), QStringLiteral("timeout"));
        QVERIFY(su(QStringLiteral("SELECT count(*) FROM atlas.run_counts WHERE NOT compacted")).toInt() > 0);
        auto outsider = m_fx.connectAs(QStringLiteral("outsider"));
        // What it can try: the old advisory key, and the table lock itself inside a transaction.
        QVERIFY(outsider->scalar(QStringLiteral("SELECT pg_advisory_lock(hashtext('atlas.compact_run_counts'))")).isValid());
        QVERIFY(outsider->execRaw(QStringLiteral("BEGIN")));
        QSqlQuery lock(outsider->database());
        QVERIFY(!lock.exec(QStringLiteral("LOCK TABLE atlas.run_counts IN SHARE UPDATE EXCLUSIVE MODE NOWAIT")));
        QCOMPARE(lock.lastError().nativeErrorCode(), QStringLiteral("42501"));
        QVERIFY(outsider->execRaw(QStringLiteral("ROLLBACK")));
        auto owner = m_fx.connectAs(QStringLiteral("owner_a"));
        QVERIFY(owner->scalar(QStringLiteral("SELECT atlas.reap_stale_runs()")).isValid());
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.run_counts WHERE NOT compacted")), QStringLiteral("0"));
        compareAll(QStringLiteral("owner_a"));
    }

    void onlyTheCallersTenantsCount()
    {
        run(QStringLiteral("probe"), QStringLiteral("check"), QStringLiteral("failed"), QStringLiteral("timeout"));
        auto ownerB = m_fx.connectAs(QStringLiteral("owner_b"));
        QVERIFY(ownerB->scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', '{}', '[\"q\"]')").arg(m_fx.b())).isValid());
        const QString all = QStringLiteral("NULL, NULL, NULL, NULL, NULL");
        QVERIFY(!told(QStringLiteral("readonly_a"), all).buckets.isEmpty());
        for (const QString& tenants : {QStringLiteral("NULL"), QStringLiteral("ARRAY['%1']::uuid[]").arg(m_fx.a()),
                                       QStringLiteral("ARRAY['%1', '%2']::uuid[]").arg(m_fx.a(), m_fx.b())}) {
            for (const QString& login : {QStringLiteral("owner_b"), QStringLiteral("outsider"), QStringLiteral("admin")}) {
                const Answer b = told(login, tenants + QStringLiteral(", NULL, NULL, NULL, NULL"));
                const Answer onlyB = login == QLatin1String("owner_b")
                                         ? told(login, QStringLiteral("ARRAY['%1']::uuid[], NULL, NULL, NULL, NULL").arg(m_fx.b()))
                                         : Answer{};
                // Naming tenant A adds nothing to what owner_b sees of B.
                QCOMPARE(b, tenants.contains(m_fx.b()) || tenants == QLatin1String("NULL") ? onlyB : Answer{});
                auto c = m_fx.connectAs(login);
                QCOMPARE(c->scalar(QStringLiteral("SELECT count(*) FROM atlas.duration_percentiles(ARRAY['%1']::uuid[], NULL, NULL, NULL, NULL)")
                                       .arg(m_fx.a())).toInt(), 0);
            }
            compareAll(QStringLiteral("owner_b"), tenants);
        }
        QCOMPARE(m_fx.connectAs(QStringLiteral("owner_b"))->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_counts")), QVariant());
        // NULL: every tenant of the caller. readonly_a joins B for a moment.
        QVERIFY(m_su->execRaw(QStringLiteral("INSERT INTO atlas.tenant_members (tenant_id, login, login_oid, role) "
                                             "SELECT '%1', 'readonly_a', oid, 'readonly' FROM pg_roles WHERE rolname = 'readonly_a'").arg(m_fx.b())));
        const Answer both = told(QStringLiteral("readonly_a"), all);
        QVERIFY(both != told(QStringLiteral("readonly_a"), QStringLiteral("ARRAY['%1']::uuid[], NULL, NULL, NULL, NULL").arg(m_fx.a())));
        QVERIFY(both != told(QStringLiteral("readonly_a"), QStringLiteral("ARRAY['%1']::uuid[], NULL, NULL, NULL, NULL").arg(m_fx.b())));
        compareAll(QStringLiteral("readonly_a"));
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.tenant_members WHERE tenant_id = '%1' AND login = 'readonly_a'").arg(m_fx.b())));
    }

    void aDeletedTenantLeavesNoCounts()
    {
        const QString t = su(QStringLiteral("INSERT INTO atlas.tenants (name) VALUES ('Gone') RETURNING tenant_id"));
        QVERIFY(m_su->execRaw(QStringLiteral("INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, "
                                             "idempotency_key) SELECT '%1', 'x', 'probe', 'check', 'failed', 'k' || g "
                                             "FROM generate_series(1, 5) g").arg(t)));
        QCOMPARE(su(QStringLiteral("SELECT sum(runs) FROM atlas.run_counts WHERE tenant_id = '%1'").arg(t)), QStringLiteral("5"));
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.tenants WHERE tenant_id = '%1'").arg(t)));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.run_counts WHERE tenant_id = '%1'").arg(t)), QStringLiteral("0"));
    }

    // 32 workers of one tenant finish runs created the same day at once. Waiting locks are
    // sampled while they do: none on a row or the roll-ups (a shared counter row would queue
    // them, as the control shows).
    void concurrentFinishersDoNotQueue()
    {
        constexpr int kWorkers = 32;
        constexpr int kRunsEach = 5;
        struct Job
        {
            qint64 id;
            QString lease;
        };
        QList<Job> jobs;
        for (int i = 0; i < kWorkers * kRunsEach; ++i) {
            const qint64 id = run(QStringLiteral("probe"), QStringLiteral("burst"), QStringLiteral("running"));
            jobs << Job{id, su(QStringLiteral("SELECT lease FROM atlas.run_leases WHERE run_id = %1").arg(id))};
        }
        const auto burst = [&](const db::ConnectionSpec& spec, const std::function<QString(int, int)>& sqlOf, int* maxWaiting,
                               double* seconds, int* failures) {
            std::atomic<bool> done{false};
            std::atomic<int> failed{0};
            std::barrier start(kWorkers + 1);
            std::vector<std::thread> threads;
            for (int w = 0; w < kWorkers; ++w) {
                threads.emplace_back([&, w] {
                    db::Connection c(spec, QStringLiteral("finisher%1").arg(w));
                    const bool open = c.open();
                    start.arrive_and_wait();
                    for (int k = 0; k < kRunsEach; ++k) {
                        if (!open || !c.execRaw(sqlOf(w, k)))
                            ++failed;
                    }
                });
            }
            auto monitor = m_fx.connectSuperuser();
            start.arrive_and_wait();
            QElapsedTimer t;
            t.start();
            std::thread joiner([&] {
                for (auto& th : threads)
                    th.join();
                done = true;
            });
            *maxWaiting = 0;
            while (!done) {
                // Queueing on a row (another transaction's row lock) or on the roll-ups; the brief
                // extension locks of appending tables (roll-ups, change log) are not queueing on a row.
                QSqlQuery q(monitor->database());
                q.exec(QStringLiteral("SELECT count(*), string_agg(l.locktype || ' ' || l.mode || ' ' || coalesce(l.relation::regclass::text, '') "
                                      "|| ' ' || left(a.query, 60), '; ') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                                      "WHERE NOT l.granted AND (l.locktype IN ('transactionid', 'tuple') "
                                      "OR (l.relation = 'atlas.run_counts'::regclass AND l.locktype <> 'extend'))"));
                if (q.next() && q.value(0).toInt() > *maxWaiting) {
                    *maxWaiting = q.value(0).toInt();
                    m_waits = q.value(1).toString();
                }
            }
            joiner.join();
            *seconds = t.nsecsElapsed() / 1e9;
            *failures = failed;
        };
        int waiting = -1;
        int failures = -1;
        double seconds = 0;
        burst(m_fx.cluster.loginSpec(QStringLiteral("operator_a")),
              [&](int w, int k) {
                  const Job& j = jobs[w * kRunsEach + k];
                  return QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"p1\", \"outcome\": \"failed\", "
                                        "\"reason_code\": \"r%3\"}]')::text, atlas.finish_run(%1, '%2')").arg(j.id).arg(j.lease).arg(k);
              },
              &waiting, &seconds, &failures);
        qInfo("%d finishers, %d runs each: %.0f finishes/s, at most %d waiting on a row lock or the roll-ups at once", kWorkers, kRunsEach,
              kWorkers * kRunsEach / seconds, waiting);
        QCOMPARE(failures, 0);
        QVERIFY2(waiting == 0, qPrintable(m_waits));
        compareAll(QStringLiteral("operator_a"));

        // Control: the same burst with every transaction also adding to one shared row.
        QVERIFY(m_su->execRaw(QStringLiteral("CREATE TABLE public.hot_counter (n bigint); INSERT INTO public.hot_counter VALUES (0)")));
        burst(m_fx.cluster.superuserSpec(),
              [](int, int) { return QStringLiteral("BEGIN; UPDATE public.hot_counter SET n = n + 1; SELECT pg_sleep(0.01); COMMIT"); },
              &waiting, &seconds, &failures);
        qInfo("control with one shared counter row: %.0f transactions/s, at most %d waiting on a row lock at once",
              kWorkers * kRunsEach / seconds, waiting);
        QCOMPARE(failures, 0);
        QVERIFY(waiting > 0);
        QVERIFY(m_su->execRaw(QStringLiteral("DROP TABLE public.hot_counter")));
    }
};

QTEST_GUILESS_MAIN(TestHubCounts)
#include "tst_hubcounts.moc"
