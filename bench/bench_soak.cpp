// Soak: the console's window open (hub live, notifications, pages) while its own workers
// execute N runs back to back, each started the way a click starts one (RunStarter → the
// window's RunExecutor). Reports throughput, the console's memory after warm-up and at the end,
// and the database sessions it holds before and after (pg_stat_activity), so a leak of memory
// or connections shows.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_soak [runs] [items per run] [all|other]
// "all" (default): the hub shows every run, so it holds a row for each new run — memory grows
// with what is on screen. "other": the hub is filtered to another operation, so nothing the soak
// does is added to it and any growth is the console's own.
#include "TestCluster.h"
#include "MainWindow.h"
#include "hub/HubPage.h"
#include "hub/RunFilter.h"
#include "hub/RunTableModel.h"
#include "runs/RunApi.h"
#include "runs/RunExecutor.h"
#include "runs/RunStarter.h"
#include "backup/AddPoliciesJob.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <spdlog/spdlog.h>

#include <cstdio>

using namespace atlas;

namespace {
double rssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return 0;
}
} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    spdlog::set_level(spdlog::level::warn);
    const int runs = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int items = argc > 2 ? std::atoi(argv[2]) : 3;
    const bool hubShowsAll = argc <= 3 || QByteArray(argv[3]) != "other";
    test::TestCluster cluster;
    test::TenantFixture fx;
    QString error;
    if (!cluster.setUp(&error) || !fx.create(cluster, &error)) {
        std::fprintf(stderr, "setup: %s\n", qPrintable(error));
        return 1;
    }
    const QString tenant = fx.tenantA.toString(QUuid::WithoutBraces);
    test::TenantFixture::seedInventory(cluster, fx.tenantA, QStringLiteral("soak"), 100);
    auto su = cluster.connectSuperuser();
    auto op = cluster.connectAs(QStringLiteral("operator_a"));
    const qint64 set = op->scalar(QStringLiteral("SELECT atlas.create_backup_set('%1', 'soak')").arg(tenant)).toLongLong();
    op.reset();
    auto sessions = [&] {
        return su->scalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE usename = 'operator_a'")).toInt();
    };

    views::MainWindow window(cluster.loginSpec(QStringLiteral("operator_a")));
    QSignalSpy loaded(&window, &views::MainWindow::tenantsLoaded);
    window.show();
    loaded.wait(10000);
    if (!hubShowsAll) {
        hub::RunFilter filter;
        filter.setOperation(QStringLiteral("inventory/import"));
        window.hubPage()->setFilter(filter);
    }
    QTest::qWait(1000);
    runs::RunStarter starter(cluster.loginSpec(QStringLiteral("operator_a")), window.executor());

    // Back to back: the next run starts when the previous one has finished. Alternating item
    // sets keep every start a new run (an identical run is never active at the same time).
    int started = 0;
    int finished = 0;
    int failed = 0;
    double warmRss = 0;
    int warmSessions = 0;
    QElapsedTimer clock;
    QEventLoop loop;
    std::function<void()> next = [&] {
        if (started == runs) {
            loop.quit();
            return;
        }
        QStringList ids;
        for (int i = 0; i < items; ++i)
            ids << QStringLiteral("soak-%1").arg((started * items + i) % 100 + 1);
        ++started;
        starter.start(QStringLiteral("Add policies"), [fx, set, ids](db::Connection& c, QString* e) {
            return backup::AddPoliciesJob::request(c, fx.tenantA, set, ids, e);
        });
    };
    QObject::connect(&starter, &runs::RunStarter::started, &app, [&](const runs::StartOutcome& o) {
        if (!o.runId || o.reused) {
            ++failed;
            next();
        }
    });
    QObject::connect(window.executor(), &runs::RunExecutor::finished, &app, [&](qint64, const QString& status, bool, const QString&) {
        ++finished;
        if (status != QLatin1String("completed"))
            ++failed;
        if (finished == 500) {
            QCoreApplication::processEvents();
            warmRss = rssMb();
            warmSessions = sessions();
            clock.start();
        }
        if (finished % 1000 == 0)
            std::fprintf(stderr, "%d runs, RSS %.1f MB, hub rows %d\n", finished, rssMb(), window.hubPage()->model()->rowCount());
        next();
    });
    const double startRss = rssMb();
    const int startSessions = sessions();
    next();
    loop.exec();
    QTest::qWait(2000); // the last live updates
    const double seconds = clock.elapsed() / 1000.0;
    const double endRss = rssMb();
    const int endSessions = sessions();
    std::printf("soak: %d runs of %d items back to back with the console open, hub showing %s (%d not completed)\n",
                finished, items, hubShowsAll ? "every run" : "another operation", failed);
    std::printf("  throughput after warm-up: %.0f runs/s (%d runs in %.1f s)\n", (finished - 500) / seconds, finished - 500, seconds);
    std::printf("  RSS: %.1f MB at open, %.1f MB after 500 runs, %.1f MB at the end (%+.1f%% since warm-up)\n", startRss, warmRss,
                endRss, (endRss - warmRss) / warmRss * 100.0);
    std::printf("  hub rows loaded at the end: %d\n", window.hubPage()->model()->rowCount());
    std::printf("  sessions of this login (pg_stat_activity): %d at open, %d after warm-up, %d at the end\n", startSessions,
                warmSessions, endSessions);
    return failed == 0 ? 0 : 1;
}
