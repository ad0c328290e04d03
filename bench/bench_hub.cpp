// The Operations hub at scale: 1,000,000 runs over 1,000 tenants (one large tenant of 100,000
// runs to scroll through). Times, as a readonly member of the large tenant, through RLS:
// opening the hub to 250 rows in the model, a filter change, scrolling to row 50,000, memory,
// and live-update latency between two connections; beside a naive QSqlTableModel / OFFSET
// baseline and the raw libpq time of the same query.
//
//   build/bench/bench_hub [total_runs]
//   build/bench/bench_hub 10m [total_runs]   (or ATLAS_BENCH_10M=1): 10,000,000 runs over 50 tenants,
//     1,000,000 in the tenant under test, over a year (bench/hub_10m.sql); pages, the counts
//     functions and the all-tenants page through libpq and RunLoader::loadCounts; start latency
//     empty and full; then retention of the oldest month and a day, VACUUM, and starts and pages
//     again (ATLAS_BENCH_NO_RETENTION=1 leaves that out).
#include "TestCluster.h"
#include "runs/RunApi.h"
#include "hub/HubSession.h"
#include "hub/RunLoader.h"
#include "hub/RunTableModel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSqlTableModel>
#include <QTest>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace atlas;

namespace {
double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

long rssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    f.open(QIODevice::ReadOnly);
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong() / 1024;
    }
    return -1;
}

double ms(const QElapsedTimer& t) { return t.nsecsElapsed() / 1e6; }

// Returns when the model has taken the page it asked for (signal-driven, no polling interval).
bool waitIdle(hub::RunTableModel& model)
{
    if (!model.isLoading())
        return true;
    QSignalSpy idle(&model, &hub::RunTableModel::loadingChanged);
    while (model.isLoading()) {
        if (!idle.wait(30000))
            return false;
    }
    return true;
}

// Median over `n` runs of a prepared statement (generic plan, as the hub's connection plans).
double timed(PGconn* pg, const char* name, const QByteArray& sql, const QList<QByteArray>& params, int n = 9, int* rows = nullptr)
{
    PGresult* prep = PQprepare(pg, name, sql.constData(), int(params.size()), nullptr);
    if (PQresultStatus(prep) != PGRES_COMMAND_OK)
        std::fprintf(stderr, "%s: %s\n", name, PQerrorMessage(pg));
    PQclear(prep);
    std::vector<const char*> values;
    for (const QByteArray& p : params)
        values.push_back(p.isNull() ? nullptr : p.constData());
    QList<double> times;
    for (int i = 0; i < n; ++i) {
        QElapsedTimer t;
        t.start();
        PGresult* r = PQexecPrepared(pg, name, int(values.size()), values.data(), nullptr, nullptr, 0);
        times << ms(t);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            std::fprintf(stderr, "%s: %s\n", name, PQerrorMessage(pg));
        if (rows)
            *rows = PQntuples(r);
        PQclear(r);
    }
    return median(times);
}
// The hub's first page for `f` and the page after it (median of 5 each), as the console reads them.
std::pair<double, double> timePages(db::Connection& conn, const hub::RunFilter& f)
{
    QList<double> first, next;
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer tm;
        tm.start();
        const hub::RunLoader::Page page = hub::RunLoader::loadPage(conn, f, QString(), 0, hub::RunLoader::kPageSize);
        first << ms(tm);
        tm.restart();
        if (!page.rows.isEmpty())
            hub::RunLoader::loadPage(conn, f, page.rows.last().sortValue, page.rows.last().id, hub::RunLoader::kPageSize);
        next << ms(tm);
    }
    return {median(first), median(next)};
}


// Starting a run as the console's starter does it (atlas.start_run through RunApi, operator_a,
// an inventory import of 10 items with a scope of its own each time, so none is reused), then
// the identical start again (reused, the second click), then claiming and finishing it. Medians
// and p95 of `n`, in ms. The first start is not counted: it reaps what is stale in the tenant.
struct StartTimes
{
    double fresh = 0, freshP95 = 0, reused = 0, finish = 0;
};
double p95(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[std::min<qsizetype>(v.size() - 1, v.size() * 95 / 100)];
}
StartTimes timeStarts(test::TestCluster& cluster, const QUuid& tenant, const QString& tag, int n = 30)
{
    auto op = cluster.connectAs(QStringLiteral("operator_a"));
    runs::RunApi api(*op);
    QList<double> fresh, reused, finish;
    for (int i = -1; i < n; ++i) {
        QStringList items;
        for (int j = 0; j < 10; ++j)
            items << QStringLiteral("policy-%1-%2-%3").arg(tag).arg(i).arg(j);
        const QJsonObject scope{{QStringLiteral("source"), QStringLiteral("bench %1 %2").arg(tag).arg(i)}};
        db::DbError e;
        QElapsedTimer t;
        t.start();
        const auto started = api.start(tenant, QStringLiteral("inventory"), QStringLiteral("import"), scope, items, &e);
        const double startMs = ms(t);
        if (!started || started->reused) {
            std::fprintf(stderr, "start: %s\n", qPrintable(e.message));
            return {};
        }
        t.restart();
        const auto again = api.start(tenant, QStringLiteral("inventory"), QStringLiteral("import"), scope, items, &e);
        const double againMs = ms(t);
        if (!again || !again->reused || again->runId != started->runId)
            std::fprintf(stderr, "the identical start was not reused: %s\n", qPrintable(e.message));
        t.restart();
        const auto lease = api.claim(started->runId, &e);
        if (lease && !lease->isNull())
            api.finish(started->runId, *lease, {}, {}, &e);
        const double finishMs = ms(t);
        if (i < 0)
            continue;
        fresh << startMs;
        reused << againMs;
        finish << finishMs;
    }
    return {median(fresh), p95(fresh), median(reused), median(finish)};
}
void printStarts(const char* when, const StartTimes& s)
{
    std::printf("  start_run %-34s new %6.1f ms (p95 %6.1f), identical again (reused) %6.1f ms, claim + finish %6.1f ms\n", when,
                s.fresh, s.freshP95, s.reused, s.finish);
}

struct TableSizes
{
    qint64 rows = 0;
    QString heap, indexes, dead;
};
TableSizes sizesOf(db::Connection& su, const QString& table)
{
    su.execRaw(QStringLiteral("SELECT pg_stat_force_next_flush()"));
    TableSizes out;
    out.rows = su.scalar(QStringLiteral("SELECT count(*) FROM %1").arg(table)).toLongLong();
    out.heap = su.scalar(QStringLiteral("SELECT pg_size_pretty(pg_table_size('%1'))").arg(table)).toString();
    out.indexes = su.scalar(QStringLiteral("SELECT pg_size_pretty(pg_indexes_size('%1'))").arg(table)).toString();
    out.dead = su.scalar(QStringLiteral("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = '%1'::regclass").arg(table)).toString();
    return out;
}
void printSizes(const char* when, db::Connection& su)
{
    for (const QString& table : {QStringLiteral("atlas.bulk_operation_runs"), QStringLiteral("atlas.run_item_results")}) {
        const TableSizes t = sizesOf(su, table);
        std::printf("  %-24s %-27s %9lld rows, table %8s, indexes %8s, dead rows %s\n", when, qPrintable(table), t.rows,
                    qPrintable(t.heap), qPrintable(t.indexes), qPrintable(t.dead));
    }
}

double timedSql(db::Connection& su, const QString& sql)
{
    QElapsedTimer t;
    t.start();
    if (!su.execRaw(sql))
        std::fprintf(stderr, "%s: %s\n", qPrintable(sql), qPrintable(su.lastError().message));
    return t.elapsed() / 1000.0;
}

// The hub's newest and oldest first pages (the oldest walk over what a prune deleted).
void printEdgePages(const char* when, test::TestCluster& cluster, const QUuid& tenant)
{
    db::Connection pages(cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("pages"));
    pages.open();
    hub::RunLoader::setUp(pages);
    for (const bool ascending : {false, true}) {
        hub::RunFilter f;
        f.setTenant(tenant);
        f.setSort(hub::RunFilter::SortKey::Started, ascending);
        const auto [first, next] = timePages(pages, f);
        std::printf("  hub page %-24s %-13s first %7.1f ms, next %7.1f ms\n", when, ascending ? "oldest first" : "newest first",
                    first, next);
    }
}

// Growth: retention over ten million runs, as the server's schedule runs it (atlas.apply_retention,
// batches of 1,000, each its own transaction), then VACUUM; starts and pages before and after.
void bench10mRetention(test::TestCluster& cluster, test::TenantFixture& fx, db::Connection& su)
{
    std::printf("retention at ten million runs (atlas.apply_retention, batches of 1,000, as the schedule calls it):\n");
    printSizes("before", su);
    const auto keep = [&su](const QString& age) {
        su.execRaw(QStringLiteral("UPDATE atlas.settings SET value = '%1' WHERE key = 'retention_keep'").arg(age));
    };
    const qint64 before = su.scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toLongLong();
    // The oldest month of every tenant: what turning retention on to eleven months deletes.
    keep(QStringLiteral("335 days"));
    const double monthS = timedSql(su, QStringLiteral("CALL atlas.apply_retention(1000)"));
    const qint64 afterMonth = su.scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toLongLong();
    std::printf("  prune the oldest month: %lld runs deleted in %.1f s (%.0f runs/s)\n", before - afterMonth, monthS,
                (before - afterMonth) / monthS);
    printSizes("after it, no VACUUM yet", su);
    printStarts("after the prune, no VACUUM", timeStarts(cluster, fx.tenantA, QStringLiteral("pruned")));
    printEdgePages("after, no VACUUM", cluster, fx.tenantA);
    std::printf("  autovacuum of the runs table so far: %s (it starts at 50 + %s × %lld dead rows)\n",
                qPrintable(su.scalar(QStringLiteral("SELECT coalesce(last_autovacuum::text, 'none') FROM pg_stat_user_tables "
                                                    "WHERE relid = 'atlas.bulk_operation_runs'::regclass"))
                               .toString()),
                qPrintable(su.scalar(QStringLiteral("SELECT coalesce((SELECT option_value FROM pg_options_to_table("
                                                    "(SELECT reloptions FROM pg_class WHERE oid = 'atlas.bulk_operation_runs'::regclass)) "
                                                    "WHERE option_name = 'autovacuum_vacuum_scale_factor'), "
                                                    "current_setting('autovacuum_vacuum_scale_factor'))"))
                               .toString()),
                afterMonth);
    const double vacRuns = timedSql(su, QStringLiteral("VACUUM atlas.bulk_operation_runs"));
    const double vacItems = timedSql(su, QStringLiteral("VACUUM atlas.run_item_results"));
    const double vacRest = timedSql(su, QStringLiteral("VACUUM"));
    std::printf("  VACUUM runs %.1f s, item results %.1f s, then the whole database %.1f s\n", vacRuns, vacItems, vacRest);
    printSizes("after VACUUM", su);
    printStarts("after VACUUM", timeStarts(cluster, fx.tenantA, QStringLiteral("vacuumed")));
    printEdgePages("after VACUUM", cluster, fx.tenantA);
    // Then a day: what the daily schedule deletes once retention is on.
    const qint64 beforeDay = su.scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toLongLong();
    keep(QStringLiteral("334 days"));
    const double dayS = timedSql(su, QStringLiteral("CALL atlas.apply_retention(1000)"));
    const qint64 afterDay = su.scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toLongLong();
    std::printf("  prune one more day: %lld runs deleted in %.1f s\n", beforeDay - afterDay, dayS);
    const double vacDay = timedSql(su, QStringLiteral("VACUUM atlas.bulk_operation_runs"));
    std::printf("  VACUUM runs after the day %.1f s\n", vacDay);
}

int bench10m(test::TestCluster& cluster, test::TenantFixture& fx, qint64 total)
{
    const qint64 big = std::min<qint64>(1000000, total / 10);
    auto su = cluster.connectSuperuser();
    const QString a = fx.tenantA.toString(QUuid::WithoutBraces);
    QFile script(QStringLiteral(ATLAS_SOURCE_DIR "/bench/hub_10m.sql"));
    if (!script.open(QIODevice::ReadOnly))
        return 1;
    // Start latency on the empty database first, to set beside the same at ten million.
    const StartTimes empty = timeStarts(cluster, fx.tenantA, QStringLiteral("empty"));
    QElapsedTimer load;
    load.start();
    su->execRaw(QStringLiteral("INSERT INTO atlas.tenants (name) SELECT 'Tenant ' || g FROM generate_series(1, 48) g"));
    const QString sql = QString::fromUtf8(script.readAll())
                            .replace(QLatin1String("@TOTAL@"), QString::number(total))
                            .replace(QLatin1String("@BIG@"), QString::number(big))
                            .replace(QLatin1String("@BIG_TENANT@"), a);
    if (!su->execRaw(sql)) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(su->lastError().message));
        return 1;
    }
    const double loadS = load.elapsed() / 1000.0;
    su->execRaw(QStringLiteral("VACUUM ANALYZE atlas.bulk_operation_runs, atlas.run_item_results, atlas.run_counts"));
    su->execRaw(QStringLiteral("CHECKPOINT"));
    std::printf("%lld runs over %lld tenants (%lld in the tenant under test), %lld roll-up rows, loaded in %.0f s, "
                "database %s\n",
                su->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toLongLong(),
                su->scalar(QStringLiteral("SELECT count(*) FROM atlas.tenants")).toLongLong(), big,
                su->scalar(QStringLiteral("SELECT count(*) FROM atlas.run_counts")).toLongLong(), loadS,
                qPrintable(su->scalar(QStringLiteral("SELECT pg_size_pretty(pg_database_size(current_database()))")).toString()));

    const QByteArray conninfo = QStringLiteral("host=%1 port=%2 dbname=%3 user=readonly_a password=%4")
                                    .arg(cluster.cluster().socketDir()).arg(cluster.cluster().port())
                                    .arg(cluster.databaseName(), test::TestCluster::passwordOf(QStringLiteral("readonly_a"))).toUtf8();
    PGconn* pg = PQconnectdb(conninfo.constData());
    PQclear(PQexec(pg, "SET plan_cache_mode = force_generic_plan"));
    const QByteArray cols = hub::RunRow::selectColumns().toUtf8();
    const QByteArray t = a.toUtf8();
    const QByteArray none;
    std::printf("tenant of %lld runs, readonly member, prepared statements (generic plans), median of 9:\n", big);
    std::printf("  first page (250 newest)          %8.1f ms\n",
                timed(pg, "first", "SELECT " + cols + " FROM atlas.operation_runs r WHERE r.tenant_id = $1::uuid "
                                      "ORDER BY r.created_at DESC, r.id DESC LIMIT 250", {t}));
    std::printf("  sorted page (50 longest)         %8.1f ms   ORDER BY finished_at - started_at DESC: not the hub's expression, no index\n",
                timed(pg, "sorted", "SELECT " + cols + " FROM atlas.operation_runs r WHERE r.tenant_id = $1::uuid "
                                       "ORDER BY r.finished_at - r.started_at DESC NULLS LAST, r.id DESC LIMIT 50", {t}, 3));
    std::printf("  sorted page (50 most failed)     %8.1f ms   ORDER BY failed_items DESC: bulk_operation_runs_failed_idx\n",
                timed(pg, "failed", "SELECT " + cols + " FROM atlas.operation_runs r WHERE r.tenant_id = $1::uuid "
                                       "ORDER BY r.failed_items DESC, r.id DESC LIMIT 50", {t}, 3));
    // The hub's own page queries (RunLoader::loadPage, the hub's connection set-up), first page and
    // the page after it, for every sort it offers, both directions.
    {
        db::Connection pages(cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("pages"));
        pages.open();
        hub::RunLoader::setUp(pages);
        for (const auto key : {hub::RunFilter::SortKey::Started, hub::RunFilter::SortKey::Duration, hub::RunFilter::SortKey::Failed,
                               hub::RunFilter::SortKey::Initiator, hub::RunFilter::SortKey::Operation}) {
            for (const bool ascending : {false, true}) {
                hub::RunFilter f;
                f.setTenant(fx.tenantA);
                f.setSort(key, ascending);
                const auto [first, next] = timePages(pages, f);
                std::printf("  hub page sorted by %d %-4s       first %7.1f ms, next %7.1f ms\n", int(key),
                            ascending ? "asc" : "desc", first, next);
            }
        }
    }
    std::printf("  filtered page (drift, failed)    %8.1f ms\n",
                timed(pg, "filtered", "SELECT " + cols + " FROM atlas.operation_runs r WHERE r.tenant_id = $1::uuid "
                                         "AND r.resource = $2 AND r.action = $3 AND r.status_bucket = $4 "
                                         "ORDER BY r.created_at DESC, r.id DESC LIMIT 250", {t, "drift", "generate", "failed"}));
    const QByteArray day = QDateTime::currentDateTimeUtc().addDays(-1).toString(Qt::ISODateWithMs).toUtf8();
    const QByteArray month = QDateTime::currentDateTimeUtc().addDays(-30).toString(Qt::ISODateWithMs).toUtf8();
    int n = 0;
    for (const char* fn : {"run_bucket_counts", "run_reason_counts", "runs_per_day", "duration_percentiles"}) {
        for (const auto& [label, from] : {std::pair{"1 day", day}, std::pair{"30 days", month}, std::pair{"all", none}}) {
            for (const bool op : {false, true}) {
                const QByteArray name = QByteArray(fn) + label + (op ? "op" : "");
                const double m = timed(pg, name.constData(),
                                       "SELECT * FROM atlas." + QByteArray(fn) + "(ARRAY[$1::uuid], $2, $3, $4::timestamptz, NULL)",
                                       {t, op ? QByteArray("drift") : none, op ? QByteArray("generate") : none, from},
                                       std::strcmp(fn, "duration_percentiles") == 0 ? 3 : 9, &n);
                std::printf("  %-21s %-8s %-15s %8.1f ms (%d rows)\n", fn, label, op ? "drift/generate" : "all operations", m, n);
            }
        }
    }
    // The console's own call (its connection set up as the hub's), 30 days and all time.
    db::Connection conn(cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("counts"));
    conn.open();
    hub::RunLoader::setUp(conn);
    for (const auto range : {hub::RunFilter::TimeRange::Last24Hours, hub::RunFilter::TimeRange::Last30Days, hub::RunFilter::TimeRange::All}) {
        hub::RunFilter f;
        f.setTenant(fx.tenantA);
        f.setTimeRange(range);
        QList<double> times;
        for (int i = 0; i < 9; ++i) {
            QElapsedTimer tm;
            tm.start();
            hub::RunLoader::loadCounts(conn, f);
            times << ms(tm);
        }
        std::printf("  RunLoader::loadCounts range %d   %8.1f ms\n", int(range), median(times));
    }
    // Every tenant's runs, newest first: readonly_a joins all 50 tenants.
    su->execRaw(QStringLiteral("INSERT INTO atlas.tenant_members (tenant_id, login, login_oid, role) "
                               "SELECT t.tenant_id, 'readonly_a', (SELECT oid FROM pg_roles WHERE rolname = 'readonly_a'), 'readonly' "
                               "FROM atlas.tenants t ON CONFLICT DO NOTHING"));
    PQfinish(pg);
    pg = PQconnectdb(conninfo.constData());
    PQclear(PQexec(pg, "SET plan_cache_mode = force_generic_plan"));
    std::printf("  all-tenants page (50 newest of 50 tenants) %8.1f ms   one ORDER BY over the view: no index\n",
                timed(pg, "alltenants", "SELECT " + cols + " FROM atlas.operation_runs r ORDER BY r.created_at DESC, r.id DESC LIMIT 50", {}, 3));
    {
        // The hub's All my tenants: one short index walk per tenant, merged (RunLoader::loadPage).
        db::Connection pages(cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("pages"));
        pages.open();
        hub::RunLoader::setUp(pages);
        QList<QUuid> tenants;
        QSqlQuery q(su->database());
        su->exec(q, QStringLiteral("SELECT tenant_id FROM atlas.tenants"));
        while (q.next())
            tenants << QUuid::fromString(q.value(0).toString());
        hub::RunFilter f;
        f.setTenants(tenants);
        const auto [first, next] = timePages(pages, f);
        std::printf("  hub all-tenants page (%lld tenants)  first %7.1f ms, next %7.1f ms\n", qlonglong(tenants.size()), first,
                    next);
    }
    std::printf("  bucket counts, all 50 tenants, all time %8.1f ms\n",
                timed(pg, "allcounts", "SELECT * FROM atlas.run_bucket_counts(NULL, NULL, NULL, NULL, NULL)", {}));
    PQfinish(pg);
    printStarts("on the empty database", empty);
    printStarts("after the load", timeStarts(cluster, fx.tenantA, QStringLiteral("full")));
    std::printf("memory                            RSS %ld MB\n", rssMb());
    if (!qEnvironmentVariableIsSet("ATLAS_BENCH_NO_RETENTION"))
        bench10mRetention(cluster, fx, *su);
    return 0;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("ATLAS_BENCH_DEBUG"))
        spdlog::set_level(spdlog::level::debug);
    const bool tenMillion = (argc > 1 && std::strcmp(argv[1], "10m") == 0) || qEnvironmentVariableIsSet("ATLAS_BENCH_10M");
    const int argTotal = tenMillion ? (argc > 2 ? 2 : 0) : (argc > 1 ? 1 : 0);
    const int total = argTotal ? std::atoi(argv[argTotal]) : (tenMillion ? 10000000 : 1000000);
    const int big = std::min(100000, total / 2);
    test::TestCluster cluster;
    test::TenantFixture fx;
    QString error;
    if (!cluster.setUp(&error) || !fx.create(cluster, &error)) {
        std::fprintf(stderr, "setup failed: %s\n", qPrintable(error));
        return 1;
    }
    if (tenMillion)
        return bench10m(cluster, fx, total);
    auto su = cluster.connectSuperuser();
    QElapsedTimer load;
    load.start();
    const QString a = fx.tenantA.toString(QUuid::WithoutBraces);
    su->execRaw(QStringLiteral("ALTER TABLE atlas.bulk_operation_runs DISABLE TRIGGER bulk_operation_runs_changed"));
    su->execRaw(QStringLiteral("INSERT INTO atlas.tenants (name) SELECT 'Tenant ' || g FROM generate_series(1, 998) g"));
    const QString insert = QStringLiteral(
        "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, total_items, processed_items, "
        "  succeeded_items, item_ids, idempotency_key, created_at, started_at, finished_at) "
        "SELECT %1, 'operator_a', (ARRAY['drift','backup_set','inventory'])[1 + g % 3], "
        "  (ARRAY['generate','add_policies','import'])[1 + g % 3], "
        "  (ARRAY['completed','completed_with_errors','failed','aborted','completed','completed','completed','completed'])[1 + g % 8], "
        "  10, 10, 10, jsonb_build_array('policy-' || g), 'k' || g, "
        "  now() - g * interval '1 minute', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '5 seconds' ");
    su->execRaw(insert.arg(QStringLiteral("'%1'").arg(a)) + QStringLiteral("FROM generate_series(1, %1) g").arg(big));
    su->execRaw(insert.arg(QStringLiteral("t.tenant_id")) +
                QStringLiteral("FROM atlas.tenants t, generate_series(1, %1) g WHERE t.tenant_id <> '%2'")
                    .arg((total - big) / 999)
                    .arg(a));
    su->execRaw(QStringLiteral("ALTER TABLE atlas.bulk_operation_runs ENABLE TRIGGER bulk_operation_runs_changed"));
    su->execRaw(QStringLiteral("VACUUM ANALYZE atlas.bulk_operation_runs"));
    su->execRaw(QStringLiteral("CHECKPOINT")); // measure the hub, not the write-back of the bulk load
    const qint64 rows = su->scalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toLongLong();
    std::printf("%lld runs over %lld tenants (%d in the tenant under test), loaded in %.0f s\n", rows,
                su->scalar(QStringLiteral("SELECT count(*) FROM atlas.tenants")).toLongLong(), big, load.elapsed() / 1000.0);

    const db::ConnectionSpec spec = cluster.loginSpec(QStringLiteral("readonly_a"));
    const long rssBefore = rssMb();
    hub::HubSession session(spec);
    hub::RunTableModel model(&session);
    QObject::connect(session.listener(), &hub::RunListener::runChanged, &model, &hub::RunTableModel::runChanged);
    QSignalSpy connected(session.listener(), &hub::RunListener::connectedChanged);
    session.start();
    connected.wait(5000);

    // 1. Opening the hub on the tenant: filter set -> 250 rows in the model.
    QList<double> open, change;
    for (int i = 0; i < 15; ++i) {
        hub::RunFilter f; // no tenant: an empty hub
        model.setFilter(f);
        waitIdle(model);
        QTest::qWait(50); // let the counts of the previous round finish
        QElapsedTimer t;
        t.start();
        f.setTenant(fx.tenantA);
        model.setFilter(f);
        waitIdle(model);
        open << ms(t);
    }
    // 2. A filter change: bucket "failed", then back, alternating with operation filters.
    const atlas::runs::Bucket buckets[]{atlas::runs::Bucket::Failed, atlas::runs::Bucket::PartiallySucceeded, atlas::runs::Bucket::Succeeded};
    for (int i = 0; i < 15; ++i) {
        hub::RunFilter f;
        f.setTenant(fx.tenantA);
        f.setBucket(buckets[i % 3]);
        if (i % 2)
            f.setOperation(QStringLiteral("drift/generate"));
        QElapsedTimer t;
        t.start();
        model.setFilter(f);
        waitIdle(model);
        change << ms(t);
        QTest::qWait(20); // a person does not change filters faster than this
    }
    // 3. Scrolling to row 50,000.
    hub::RunFilter all;
    all.setTenant(fx.tenantA);
    model.setFilter(all);
    waitIdle(model);
    QElapsedTimer scroll;
    scroll.start();
    QList<double> pages;
    while (model.rowCount() < 50000 && model.canFetchMore({})) {
        QElapsedTimer p;
        p.start();
        model.fetchMore({});
        waitIdle(model);
        pages << ms(p);
    }
    const double scrollMs = ms(scroll);
    const long rssAfter = rssMb();

    // 4. Live update latency: another connection changes a visible run; time to dataChanged.
    QList<double> live;
    auto writer = cluster.connectSuperuser();
    for (int i = 0; i < 20; ++i) {
        const qint64 id = model.runAt(i)->id;
        QSignalSpy changed(&model, &hub::RunTableModel::runUpdated);
        QElapsedTimer t;
        t.start();
        writer->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET skipped_items = skipped_items + 1, "
                                       "processed_items = processed_items + 1 WHERE id = %1").arg(id));
        runs::RunApi::announce(*writer, id); // the wake-up every writer sends after its commit
        changed.wait(5000);
        live << ms(t);
    }
    // A writer that sends no wake-up (a script, psql): the change log's poll finds it.
    QList<double> polled;
    for (int i = 20; i < 25; ++i) {
        const qint64 id = model.runAt(i)->id;
        QSignalSpy changed(&model, &hub::RunTableModel::runUpdated);
        QElapsedTimer t;
        t.start();
        writer->execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET skipped_items = skipped_items + 1, "
                                       "processed_items = processed_items + 1 WHERE id = %1").arg(id));
        changed.wait(5000);
        polled << ms(t);
    }

    // Baselines, same login, same rows.
    auto naiveConn = std::make_unique<db::Connection>(spec, QStringLiteral("naive"));
    naiveConn->open();
    QList<double> naiveOpen, offset50k, raw;
    for (int i = 0; i < 7; ++i) {
        QSqlTableModel naive(nullptr, naiveConn->database());
        naive.setTable(QStringLiteral("atlas.operation_runs"));
        naive.setFilter(QStringLiteral("tenant_id = '%1'").arg(a));
        naive.setSort(naive.record().indexOf(QStringLiteral("created_at")), Qt::DescendingOrder);
        QElapsedTimer t;
        t.start();
        naive.select(); // QSqlTableModel fetches its first 256 rows
        naiveOpen << ms(t);
    }
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer t;
        t.start();
        QSqlQuery q(naiveConn->database());
        q.exec(QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE r.tenant_id = '%2' "
                              "ORDER BY r.created_at DESC, r.id DESC OFFSET 49750 LIMIT 250").arg(hub::RunRow::selectColumns(), a));
        while (q.next()) {
        }
        offset50k << ms(t);
    }
    const QByteArray conninfo = QStringLiteral("host=%1 port=%2 dbname=%3 user=readonly_a password=%4")
                                    .arg(cluster.cluster().socketDir()).arg(cluster.cluster().port())
                                    .arg(cluster.databaseName(), test::TestCluster::passwordOf(QStringLiteral("readonly_a"))).toUtf8();
    PGconn* pg = PQconnectdb(conninfo.constData());
    const QByteArray rawSql = QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE r.tenant_id = '%2' "
                                             "ORDER BY r.created_at DESC, r.id DESC LIMIT 250").arg(hub::RunRow::selectColumns(), a).toUtf8();
    if (qEnvironmentVariableIsSet("ATLAS_BENCH_EXPLAIN")) {
        PGresult* r = PQexec(pg, QByteArray("EXPLAIN (ANALYZE, BUFFERS) " + rawSql).constData());
        for (int row = 0; row < PQntuples(r); ++row)
            std::printf("%s\n", PQgetvalue(r, row, 0));
        PQclear(r);
    }
    for (int i = 0; i < 15; ++i) {
        QElapsedTimer t;
        t.start();
        PGresult* r = PQexec(pg, rawSql.constData());
        PQclear(r);
        raw << ms(t);
    }
    // The same with the tenant as a parameter, as the hub sends it.
    QList<double> rawParam;
    const QByteArray paramSql = QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE r.tenant_id = $1::uuid "
                                               "ORDER BY r.created_at DESC, r.id DESC LIMIT 250").arg(hub::RunRow::selectColumns()).toUtf8();
    const QByteArray tenantParam = a.toUtf8();
    const char* values[] = {tenantParam.constData()};
    for (int i = 0; i < 15; ++i) {
        QElapsedTimer t;
        t.start();
        PGresult* r = PQexecParams(pg, paramSql.constData(), 1, nullptr, values, nullptr, nullptr, 0);
        PQclear(r);
        rawParam << ms(t);
    }
    std::printf("raw libpq, tenant as a parameter: median %.1f ms; as a literal: %.1f ms\n", median(rawParam), median(raw));
    QList<double> generic; // the hub's own way: a prepared page query, its generic plan
    {
        PGresult* set = PQexec(pg, "SET plan_cache_mode = force_generic_plan");
        PQclear(set);
        const QByteArray limitSql = QByteArray(paramSql).replace("LIMIT 250", "LIMIT $2");
        PGresult* prep = PQprepare(pg, "hubpage", limitSql.constData(), 2, nullptr);
        PQclear(prep);
        const char* both[] = {tenantParam.constData(), "250"};
        for (int i = 0; i < 15; ++i) {
            QElapsedTimer t;
            t.start();
            PGresult* r = PQexecPrepared(pg, "hubpage", 2, both, nullptr, nullptr, 0);
            PQclear(r);
            generic << ms(t);
        }
        std::printf("raw libpq, prepared, LIMIT as a parameter, generic plan: median %.1f ms\n", median(generic));
    }
    PQfinish(pg);

    std::printf("open hub -> 250 rows        median %7.1f ms   (raw libpq, same 250 rows, prepared: %.1f ms -> %.1fx; naive QSqlTableModel: %.1f ms)\n",
                median(open), median(generic), median(open) / median(generic), median(naiveOpen));
    std::printf("filter change -> rows       median %7.1f ms\n", median(change));
    std::printf("scroll to row 50,000        %7.0f ms for %d pages (median page %.1f ms; naive OFFSET 49,750 for one page: %.1f ms)\n",
                scrollMs, int(pages.size()), median(pages), median(offset50k));
    std::printf("memory                      RSS %ld MB before the hub, %ld MB with %d rows loaded\n", rssBefore, rssAfter, model.rowCount());
    std::printf("live update latency         median %7.1f ms (max %.1f ms) from UPDATE to the row's dataChanged\n", median(live),
                *std::max_element(live.begin(), live.end()));
    std::printf("  without a wake-up (poll)  median %7.1f ms (max %.1f ms)\n", median(polled),
                *std::max_element(polled.begin(), polled.end()));
    return 0;
}
