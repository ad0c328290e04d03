// Producers end to end through a throwaway PostgreSQL: inventory import, drift generation and
// backup-set "add policies" over 10,000 synthetic settings-catalog policies of realistic size.
// Prints items per second, peak memory, and each against a baseline measured in the same run
// (the raw SQL that reads or copies the same rows, with no run bookkeeping).
//
//   build/bench/bench_producers [policies]
//   build/bench/bench_producers oib [copies]     real OpenIntuneBaseline files (../shared/data/oib)
#include "TestCluster.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "runs/RunWorker.h"
#include "inventory/ExportReader.h"
#include "backup/AddPoliciesJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QStringEncoder>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <cstdio>

using namespace atlas;

namespace {
long peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// About 9 KB of JSON, shaped like an exported settings-catalog policy with 24 settings.
QByteArray policyJson(int i, int variant)
{
    QString settings;
    for (int s = 0; s < 24; ++s) {
        if (!settings.isEmpty())
            settings += QLatin1Char(',');
        const int value = (s == 3 && variant > 0) ? variant : s % 2;
        settings += QStringLiteral(
                        "{\"id\":\"%1\",\"settingInstance\":{\"@odata.type\":\"#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance\","
                        "\"settingDefinitionId\":\"device_vendor_msft_policy_config_setting_%2_%1\",\"settingInstanceTemplateReference\":null,"
                        "\"choiceSettingValue\":{\"settingValueTemplateReference\":null,\"value\":\"device_vendor_msft_policy_config_setting_%2_%1_%3\","
                        "\"children\":[]}},\"settingDefinitions\":null}")
                        .arg(s)
                        .arg(i)
                        .arg(value);
    }
    const QString json = QStringLiteral(
        "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies/$entity\","
        "\"createdDateTime\":\"2024-01-01T00:00:00Z\",\"lastModifiedDateTime\":\"2025-0%1-01T00:00:00Z\","
        "\"name\":\"Win - Bench - Policy %2\",\"description\":\"Synthetic policy for benchmarks\",\"platforms\":\"windows10\","
        "\"technologies\":\"mdm\",\"roleScopeTagIds\":[\"0\"],\"settingCount\":24,\"id\":\"bench-%2\","
        "\"templateReference\":{\"templateId\":\"\",\"templateFamily\":\"none\"},\"settings\":[%3]}")
                             .arg(variant + 1)
                             .arg(i)
                             .arg(settings);
    QStringEncoder encoder(QStringConverter::Utf16LE, QStringConverter::Flag::WriteBom);
    return encoder.encode(json);
}

void writeExport(const QString& dir, int count, int variantEvery, int skipEvery, int extra)
{
    QDir().mkpath(dir + QStringLiteral("/SettingsCatalog"));
    for (int i = 0; i < count + extra; ++i) {
        if (skipEvery && i < count && i % skipEvery == 0)
            continue;
        QFile f(dir + QStringLiteral("/SettingsCatalog/policy-%1.json").arg(i, 6, 10, QLatin1Char('0')));
        f.open(QIODevice::WriteOnly);
        f.write(policyJson(i, variantEvery && i % variantEvery == 0 ? 7 : 0));
    }
}

struct Timed
{
    double seconds;
    int items;
    QString status;
};

Timed runProducer(test::TestCluster& cluster, const std::optional<runs::RunRequest>& request)
{
    QElapsedTimer t;
    t.start();
    auto conn = cluster.connectAs(QStringLiteral("operator_a"));
    runs::RunApi api(*conn);
    db::DbError error;
    const auto started = api.start(*request, &error);
    runs::RunWorker worker(cluster.loginSpec(QStringLiteral("operator_a")), started->runId);
    const auto outcome = worker.run();
    const double seconds = t.nsecsElapsed() / 1e9;
    const int items = conn->scalar(QStringLiteral("SELECT total_items FROM atlas.operation_runs WHERE id = ?"), {started->runId}).toInt();
    return {seconds, items, outcome.status};
}

double timeSql(db::Connection& conn, const QString& sql)
{
    QElapsedTimer t;
    t.start();
    if (!conn.execRaw(sql))
        std::fprintf(stderr, "baseline query failed: %s\n", qPrintable(conn.lastError().message));
    return t.nsecsElapsed() / 1e9;
}

void report(const char* what, const Timed& run, double baselineSeconds, const char* baselineName)
{
    std::printf("%-34s %6d items  %7.2f s  %8.0f items/s  [%s]   baseline (%s) %.2f s -> %.1fx the baseline's time   peak RSS %ld MB\n",
                what, run.items, run.seconds, run.items / run.seconds, qPrintable(run.status), baselineName, baselineSeconds,
                run.seconds / baselineSeconds, peakRssMb());
}
} // namespace

// Real files: OpenIntuneBaseline v3.6's settings-catalog exports (../shared/data/oib), copied
// until there are `copies` files, each copy with an id of its own, UTF-16LE with BOM as the tool
// writes them. Baseline: a Python script that only decodes and parses the same files.
int benchOib(int copies)
{
    const QString source = QStringLiteral(ATLAS_SOURCE_DIR "/../shared/data/oib/windows-v3.6/SettingsCatalog");
    const QStringList names = QDir(source).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    if (names.isEmpty()) {
        std::fprintf(stderr, "no OpenIntuneBaseline exports at %s\n", qPrintable(source));
        return 1;
    }
    test::TestCluster cluster;
    test::TenantFixture fx;
    QString error;
    if (!cluster.setUp(&error) || !fx.create(cluster, &error)) {
        std::fprintf(stderr, "setup failed: %s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir work;
    const QString dir = work.path() + QStringLiteral("/export/SettingsCatalog");
    QDir().mkpath(dir);
    qint64 bytes = 0;
    for (int i = 0; i < copies; ++i) {
        QFile in(source + QLatin1Char('/') + names[i % names.size()]);
        in.open(QIODevice::ReadOnly);
        QString text;
        inventory::ExportReader::decode(in.readAll(), &text);
        text.replace(QRegularExpression(QStringLiteral("\"id\":\\s*\"([^\"]+)\"")), QStringLiteral("\"id\": \"\\1-%1\"").arg(i));
        QFile out(dir + QStringLiteral("/copy-%1.json").arg(i, 6, 10, QLatin1Char('0')));
        out.open(QIODevice::WriteOnly);
        QStringEncoder encoder(QStringConverter::Utf16LE, QStringConverter::Flag::WriteBom);
        bytes += out.write(encoder.encode(text));
    }
    const QString script = work.path() + QStringLiteral("/parse.py");
    QFile py(script);
    py.open(QIODevice::WriteOnly);
    py.write("import json, os, sys, time\nd = sys.argv[1]\nt = time.time()\nn = 0\n"
             "for f in sorted(os.listdir(d)):\n    json.loads(open(os.path.join(d, f), 'rb').read().decode('utf-16'))\n    n += 1\n"
             "print(n, time.time() - t)\n");
    py.close();
    QProcess python;
    python.start(QStringLiteral("python3"), {script, dir});
    python.waitForFinished(600000);
    const double pythonSeconds = QString::fromUtf8(python.readAllStandardOutput()).split(QLatin1Char(' ')).value(1).toDouble();
    const Timed run = runProducer(cluster, inventory::ImportJob::request(fx.tenantA, work.path() + QStringLiteral("/export"), &error, true));
    std::printf("%d copies of %lld OpenIntuneBaseline v3.6 settings-catalog files, %.1f KB each on average\n", copies,
                qint64(names.size()), bytes / 1024.0 / copies);
    report("inventory import (real files)", run, pythonSeconds, "python3: decode and json.loads only");
    return 0;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc > 1 && qstrcmp(argv[1], "oib") == 0)
        return benchOib(argc > 2 ? std::atoi(argv[2]) : 6000);
    const int count = argc > 1 ? std::atoi(argv[1]) : 10000;
    test::TestCluster cluster;
    test::TenantFixture fx;
    QString error;
    if (!cluster.setUp(&error) || !fx.create(cluster, &error)) {
        std::fprintf(stderr, "setup failed: %s\n", qPrintable(error));
        return 1;
    }
    if (qEnvironmentVariableIsSet("ATLAS_BENCH_SLOW_LOG")) {
        auto su0 = cluster.connectSuperuser();
        su0->execRaw(QStringLiteral("ALTER SYSTEM SET log_min_duration_statement = 30"));
        su0->execRaw(QStringLiteral("ALTER SYSTEM SET session_preload_libraries = 'auto_explain'"));
        su0->execRaw(QStringLiteral("ALTER SYSTEM SET auto_explain.log_min_duration = 500"));
        su0->execRaw(QStringLiteral("SELECT pg_reload_conf()"));
    }
    // ATLAS_BENCH_FUNCTION_STATS=1: where the database's time goes, function by function
    // (pg_stat_user_functions), printed after the first import.
    const bool functionStats = qEnvironmentVariableIsSet("ATLAS_BENCH_FUNCTION_STATS");
    if (qEnvironmentVariableIsSet("ATLAS_BENCH_ASYNC_COMMIT")) { // how much of the time is waiting for the disk
        auto su0 = cluster.connectSuperuser();
        su0->execRaw(QStringLiteral("ALTER SYSTEM SET synchronous_commit = off"));
        su0->execRaw(QStringLiteral("SELECT pg_reload_conf()"));
    }
    if (functionStats) {
        auto su0 = cluster.connectSuperuser();
        su0->execRaw(QStringLiteral("ALTER SYSTEM SET track_functions = 'all'"));
        su0->execRaw(QStringLiteral("SELECT pg_reload_conf()"));
    }
    QTemporaryDir work;
    const QString v1 = work.path() + QStringLiteral("/v1"), v2 = work.path() + QStringLiteral("/v2");
    writeExport(v1, count, 0, 0, 0);
    writeExport(v2, count, 10, 50, count / 50); // 10% modified, 2% removed, 2% added
    auto op = cluster.connectAs(QStringLiteral("operator_a"));
    auto su = cluster.connectSuperuser();
    const QString tenant = fx.tenantA.toString(QUuid::WithoutBraces);
    std::printf("%d synthetic settings-catalog policies, %.1f KB each as UTF-16 files; peak RSS at start %ld MB\n", count,
                QFileInfo(v1 + QStringLiteral("/SettingsCatalog/policy-000001.json")).size() / 1024.0, peakRssMb());

    const Timed import1 = runProducer(cluster, inventory::ImportJob::request(fx.tenantA, v1, &error));
    const double copyBaseline = timeSql(*su, QStringLiteral("CREATE TABLE scratch AS SELECT * FROM atlas.inventory_items"));
    report("inventory import (first)", import1, copyBaseline, "CREATE TABLE AS copy of the rows");
    if (functionStats) {
        QSqlQuery q(su->database());
        q.exec(QStringLiteral("SELECT funcname, calls, round(total_time), round(self_time) FROM pg_stat_user_functions "
                              "WHERE schemaname = 'atlas' ORDER BY total_time DESC LIMIT 12"));
        while (q.next())
            std::printf("   %-28s %7lld calls  %6.0f ms total  %6.0f ms self\n", qPrintable(q.value(0).toString()),
                        q.value(1).toLongLong(), q.value(2).toDouble(), q.value(3).toDouble());
    }
    const qint64 baseline = op->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'bench')"), {tenant}).toLongLong();
    const Timed import2 = runProducer(cluster, inventory::ImportJob::request(fx.tenantA, v2, &error));
    report("inventory import (changed export)", import2, copyBaseline, "CREATE TABLE AS copy of the rows");

    if (qEnvironmentVariableIsSet("ATLAS_BENCH_EXPLAIN")) {
        QSqlQuery q(op->database());
        q.exec(QStringLiteral("EXPLAIN ANALYZE SELECT external_id, policy_type, display_name, content_hash FROM atlas.baseline_items "
                              "WHERE tenant_id = '%1' AND baseline_id = %2 AND external_id IN "
                              "(SELECT jsonb_array_elements_text((SELECT jsonb_agg('bench-' || g) FROM generate_series(3000, 4000) g)))")
                   .arg(tenant).arg(baseline));
        while (q.next())
            std::printf("%s\n", qPrintable(q.value(0).toString()));
    }
    const Timed drift = runProducer(cluster, drift::DriftJob::request(*op, fx.tenantA, baseline, &error));
    const double readBaseline = timeSql(*op, QStringLiteral("SELECT count(*), sum(length(b.payload::text) + length(i.payload::text)) "
                                                           "FROM atlas.baseline_items b FULL JOIN atlas.inventory_items i "
                                                           "USING (tenant_id, policy_type, external_id)"));
    report("drift generation", drift, readBaseline, "SELECT both sides' payloads");
    std::printf("   findings: %s\n",
                qPrintable(op->scalar(QStringLiteral("SELECT summary::text FROM atlas.operation_runs WHERE resource = 'drift' ORDER BY id DESC LIMIT 1")).toString()));

    const qint64 set = op->scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'bench')"), {tenant}).toLongLong();
    const Timed add = runProducer(cluster, backup::AddPoliciesJob::request(*op, fx.tenantA, set, {}, &error));
    const double snapBaseline = timeSql(*su, QStringLiteral("CREATE TABLE scratch2 AS SELECT * FROM atlas.inventory_items WHERE is_current"));
    report("backup set: add policies (all)", add, snapBaseline, "CREATE TABLE AS copy of current rows");
    const Timed again = runProducer(cluster, backup::AddPoliciesJob::request(*op, fx.tenantA, set, {}, &error));
    report("backup set: add policies (again)", again, snapBaseline, "CREATE TABLE AS copy of current rows");
    if (qEnvironmentVariableIsSet("ATLAS_BENCH_SLOW_LOG"))
        QFile::copy(cluster.cluster().logFile(), qEnvironmentVariable("ATLAS_BENCH_SLOW_LOG"));
    return 0;
}
