// Start-to-link: how long after a click the console can show "View run". Measures the
// console's own path (RunStarter: a kept-open connection in its own thread builds the request,
// calls atlas.start_run, and answers by queued signal) against a throwaway PostgreSQL, for each
// producer, with a tenant of 10,000 current policies and a baseline of them.
//
//   build/bench/bench_start [policies] [repetitions]
#include "TestCluster.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "runs/RunStarter.h"
#include "backup/AddPoliciesJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace atlas;

namespace {
struct Stats
{
    double median = 0;
    double p95 = 0;
    double max = 0;
};

Stats stats(QList<double> ms)
{
    std::sort(ms.begin(), ms.end());
    if (ms.isEmpty())
        return {};
    return {ms[ms.size() / 2], ms[std::min<qsizetype>(ms.size() - 1, ms.size() * 95 / 100)], ms.last()};
}

// One start through the starter; returns its outcome (elapsedMs is measured by the starter from
// the call to the answer in this thread).
runs::StartOutcome startOnce(runs::RunStarter& starter, const QString& label, const runs::RunStarter::Build& build)
{
    runs::StartOutcome result;
    QEventLoop loop;
    starter.start(label, build, &loop, [&](const runs::StartOutcome& o) {
        result = o;
        loop.quit();
    });
    loop.exec();
    return result;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int policies = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 30;
    test::TestCluster cluster;
    test::TenantFixture fx;
    QString error;
    if (!cluster.setUp(&error) || !fx.create(cluster, &error)) {
        std::fprintf(stderr, "setup: %s\n", qPrintable(error));
        return 1;
    }
    const QString tenant = fx.tenantA.toString(QUuid::WithoutBraces);
    // The inventory, written directly by the superuser (the import itself is measured elsewhere).
    test::TenantFixture::seedInventory(cluster, fx.tenantA, QStringLiteral("bench"), policies);
    auto op = cluster.connectAs(QStringLiteral("operator_a"));
    const qint64 baseline = op->scalar(QStringLiteral("SELECT atlas.capture_baseline('%1', 'bench')").arg(tenant)).toLongLong();
    const qint64 set = op->scalar(QStringLiteral("SELECT atlas.create_backup_set('%1', 'bench')").arg(tenant)).toLongLong();
    QStringList picked;
    for (int i = 1; i <= std::min(500, policies); ++i)
        picked << QStringLiteral("bench-%1").arg(i);
    QTemporaryDir exportDir;
    QDir(exportDir.path()).mkpath(QStringLiteral("SettingsCatalog"));
    for (int i = 0; i < 2000; ++i) {
        QFile f(exportDir.filePath(QStringLiteral("SettingsCatalog/p%1.json").arg(i)));
        if (f.open(QIODevice::WriteOnly))
            f.write("{\"id\": \"x\"}");
    }

    runs::RunStarter starter(cluster.loginSpec(QStringLiteral("operator_a")), nullptr);
    runs::RunApi api(*op);
    // Ends a started run so the next start is a new one, not a reuse (not measured).
    auto finish = [&](qint64 runId) {
        db::DbError e;
        const auto lease = api.claim(runId, &e);
        if (lease && !lease->isNull())
            api.finish(runId, *lease, {}, {}, &e);
    };
    const QUuid tenantId = fx.tenantA;
    struct Case
    {
        QString name;
        runs::RunStarter::Build build;
    };
    const QList<Case> cases{
        {QStringLiteral("drift generate (%1 items)").arg(policies),
         [=](db::Connection& c, QString* e) { return drift::DriftJob::request(c, tenantId, baseline, e); }},
        {QStringLiteral("add policies, 500 picked"),
         [=](db::Connection& c, QString* e) { return backup::AddPoliciesJob::request(c, tenantId, set, picked, e); }},
        {QStringLiteral("add policies, all %1").arg(policies),
         [=](db::Connection& c, QString* e) { return backup::AddPoliciesJob::request(c, tenantId, set, {}, e); }},
        {QStringLiteral("inventory import (2,000 files scanned)"),
         [tenantId, dir = exportDir.path()](db::Connection&, QString* e) { return inventory::ImportJob::request(tenantId, dir, e); }},
    };
    if (qEnvironmentVariableIsSet("ATLAS_BENCH_DEBUG")) {
        // Where the time goes: building the request vs. atlas.start_run, on a plain connection.
        for (const Case& c : cases) {
            QElapsedTimer t;
            t.start();
            QString e;
            const auto request = c.build(*op, &e);
            const qint64 built = t.elapsed();
            db::DbError dbError;
            const auto started = api.start(*request, &dbError);
            std::printf("debug %-40s build %lld ms, start_run %lld ms\n", qPrintable(c.name), built, t.elapsed() - built);
            if (started)
                finish(started->runId);
        }
    }
    std::printf("start-to-answer on a local database, %d repetitions each (ms)\n", reps);
    std::printf("%-40s %8s %8s %8s\n", "case", "median", "p95", "max");
    startOnce(starter, QStringLiteral("warm-up"), cases[1].build); // opens the starter's connection
    for (const Case& c : cases) {
        QList<double> fresh;
        QList<double> reused;
        for (int i = 0; i < reps; ++i) {
            const runs::StartOutcome first = startOnce(starter, c.name, c.build);
            if (!first.runId) {
                std::fprintf(stderr, "%s: %s\n", qPrintable(c.name), qPrintable(first.error));
                return 1;
            }
            if (!first.reused)
                fresh << double(first.elapsedMs);
            const runs::StartOutcome again = startOnce(starter, c.name, c.build); // identical while active
            if (again.reused)
                reused << double(again.elapsedMs);
            finish(first.runId);
        }
        const Stats s = stats(fresh);
        const Stats r = stats(reused);
        std::printf("%-40s %8.0f %8.0f %8.0f\n", qPrintable(c.name), s.median, s.p95, s.max);
        std::printf("%-40s %8.0f %8.0f %8.0f\n", qPrintable(QStringLiteral("  … identical again (reused)")), r.median, r.p95, r.max);
    }
    return 0;
}
