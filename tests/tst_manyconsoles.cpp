// Forty consoles, each its own process and login, on one server left at max_connections = 100:
// every console settles to two sessions when idle (the listener, the shared worker), a run adds
// its worker's session while it runs, a change made anywhere shows in every console (its log
// says "live: run N changed"), and the server refuses nobody.
#include "Fixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

namespace {
constexpr int kConsoles = 40;
constexpr int kRunners = 4;    // consoles' logins that also execute a run (from the command line)
constexpr int kBatch = 5;      // consoles started together, then waited for
constexpr int kItems = 1000;   // inventory the drift runs compare

QString loginOf(int i)
{
    return QStringLiteral("console%1").arg(i, 2, 10, QLatin1Char('0'));
}
} // namespace

class TestManyConsoles : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    QTemporaryDir m_homes;
    std::vector<std::unique_ptr<QProcess>> m_consoles;
    std::unique_ptr<atlas::db::Connection> m_su;

    QString consoleLog(int i) const { return atlas::test::Fixture::consoleLog(m_homes.path() + QLatin1Char('/') + loginOf(i)); }
    // Sessions of one login now, by what they are for.
    QMap<QString, int> sessionsOf(const QString& login)
    {
        QMap<QString, int> out;
        QSqlQuery q(m_su->database());
        if (m_su->exec(q, QStringLiteral("SELECT application_name, count(*) FROM pg_stat_activity WHERE usename = ? "
                                         "GROUP BY 1"),
                       {login})) {
            while (q.next())
                out.insert(q.value(0).toString(), q.value(1).toInt());
        }
        return out;
    }
    // Sessions of each console's login (while no command line runs as it: the console's own).
    QList<int> consoleSessions()
    {
        QList<int> counts(kConsoles, 0);
        QSqlQuery q(m_su->database());
        if (!m_su->exec(q, QStringLiteral("SELECT usename, count(*) FROM pg_stat_activity WHERE usename LIKE 'console%' GROUP BY 1")))
            return counts;
        while (q.next()) {
            const int i = q.value(0).toString().mid(7).toInt();
            if (i >= 1 && i <= kConsoles)
                counts[i - 1] = q.value(1).toInt();
        }
        return counts;
    }
    // All consoles' sessions by what they are for ("atlas-ops/listen=40 ...").
    QString purposes()
    {
        QStringList parts;
        QSqlQuery q(m_su->database());
        if (m_su->exec(q, QStringLiteral("SELECT application_name, count(*) FROM pg_stat_activity WHERE usename LIKE 'console%' "
                                         "GROUP BY 1 ORDER BY 1"))) {
            while (q.next())
                parts << q.value(0).toString() + QLatin1Char('=') + q.value(1).toString();
        }
        return parts.join(QLatin1Char(' '));
    }
    QString state() { return describe(consoleSessions()) + QStringLiteral(" (") + purposes() + QLatin1Char(')'); }
    bool allAtTwo()
    {
        const QList<int> counts = consoleSessions();
        return std::all_of(counts.cbegin(), counts.cend(), [](int c) { return c == 2; });
    }
    static QString describe(const QList<int>& counts)
    {
        QMap<int, int> histogram;
        for (int c : counts)
            ++histogram[c];
        QStringList parts;
        for (auto it = histogram.cbegin(); it != histogram.cend(); ++it)
            parts << QStringLiteral("%1 consoles with %2").arg(it.value()).arg(it.key());
        return parts.join(QStringLiteral(", "));
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_REQUIRE_BINARY();
        QVERIFY(m_homes.isValid());
        m_fx.cluster.addConf({QStringLiteral("max_connections = 100")});
        ATLAS_SET_UP(m_fx);
        m_su = m_fx.connectSuperuser();
        QVERIFY(m_su->isOpen());
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT current_setting('max_connections')")).toString(), QStringLiteral("100"));
        auto admin = m_fx.connectAs(QStringLiteral("admin"));
        for (int i = 1; i <= kConsoles; ++i) {
            QVERIFY(m_fx.cluster.createLogin(loginOf(i)));
            QSqlQuery q(admin->database());
            QVERIFY2(admin->exec(q, QStringLiteral("SELECT atlas.grant_role(?::uuid, ?, 'operator')"), {m_fx.a(), loginOf(i)}),
                     qPrintable(admin->lastError().message));
        }
        QVERIFY(atlas::test::TenantFixture::seedInventory(m_fx.cluster, m_fx.tenantA, QStringLiteral("many"), kItems));
    }

    void cleanupTestCase()
    {
        for (auto& p : m_consoles) {
            p->terminate();
        }
        for (auto& p : m_consoles) {
            if (!p->waitForFinished(20000)) {
                p->kill();
                p->waitForFinished(5000);
            }
        }
    }

    void fortyConsolesOnOneServer()
    {
        QElapsedTimer clock;
        clock.start();
        int startPeak = 0; // the most sessions one console held as it opened
        // Started a few at a time; each batch is up (its listener and shared worker connected)
        // before the next starts, so 40 processes never all start on two cores at once.
        for (int first = 1; first <= kConsoles; first += kBatch) {
            for (int i = first; i < first + kBatch && i <= kConsoles; ++i) {
                const QString home = m_homes.path() + QLatin1Char('/') + loginOf(i);
                const QProcessEnvironment env = atlas::test::Fixture::consoleEnvironment(home);
                auto p = std::make_unique<QProcess>();
                p->setProcessEnvironment(env);
                p->setProcessChannelMode(QProcess::MergedChannels);
                p->setStandardOutputFile(home + QStringLiteral("/stdout.txt"));
                p->start(atlas::test::Fixture::binary(),
                         {QStringLiteral("--db"), m_fx.loginUrl(loginOf(i)), QStringLiteral("--log-level"), QStringLiteral("info")});
                QVERIFY2(p->waitForStarted(10000), qPrintable(loginOf(i)));
                m_consoles.push_back(std::move(p));
            }
            // Up (listening), then settled: a console opening holds a third session, its first
            // page of runs, for DbWorker::kIdleCloseMs; forty opening within those two seconds
            // would need ~120 (see BENCHMARKS.md).
            for (int i = first; i < first + kBatch && i <= kConsoles; ++i) {
                QTRY_VERIFY2_WITH_TIMEOUT(sessionsOf(loginOf(i)).value(QStringLiteral("atlas-ops/listen")) == 1,
                                          qPrintable(loginOf(i) + QStringLiteral(" never listened")), 60000);
                QCOMPARE(m_consoles[i - 1]->state(), QProcess::Running);
            }
            const QList<int> opening = consoleSessions();
            for (int i = first; i < first + kBatch && i <= kConsoles; ++i)
                startPeak = std::max(startPeak, opening.at(i - 1));
            // Open (its first page of runs shown, so the page session has come), then back at
            // two once that session has been idle for DbWorker::kIdleCloseMs. The count is read
            // once per try: a console still opening can be at two before its page session comes.
            for (int i = first; i < first + kBatch && i <= kConsoles; ++i) {
                QTRY_VERIFY2_WITH_TIMEOUT(consoleLog(i).contains(QStringLiteral("hub: first page shown")),
                                          qPrintable(loginOf(i) + QStringLiteral(" never showed its hub")), 60000);
                int held = -1;
                QVERIFY2(QTest::qWaitFor([&] { return (held = consoleSessions().at(i - 1)) <= 2; }, 60000),
                         qPrintable(loginOf(i) + QStringLiteral(" holds %1: ").arg(held) + state()));
            }
        }
        qInfo("40 consoles up in %lld ms, at most %d sessions each while opening: %s", clock.elapsed(), startPeak,
              qPrintable(state()));

        // Idle: each settles to two sessions within a few seconds.
        for (int i = 0; i < 6; ++i) {
            QTest::qWait(2000);
            qInfo("after %lld ms: %s", clock.elapsed(), qPrintable(state()));
        }
        QVERIFY2(QTest::qWaitFor([this] { return allAtTwo(); }, 60000), qPrintable(state()));
        const int idleTotal = m_su->scalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'console%'")).toInt();
        qInfo("idle after %lld ms: %s; %d sessions of consoles in all", clock.elapsed(), qPrintable(state()), idleTotal);
        QCOMPARE(idleTotal, 2 * kConsoles);
        {
            const QMap<QString, int> one = sessionsOf(loginOf(1));
            QCOMPARE(one.value(QStringLiteral("atlas-ops/listen")), 1);
            QCOMPARE(one.value(QStringLiteral("atlas-ops/shared")), 1);
        }

        // Runs on several consoles' logins at once, each executed by its command line; a drift
        // run of its own baseline each (different runs, none reused).
        QList<qint64> baselines;
        for (int i = 1; i <= kRunners; ++i) {
            const auto r = atlas::test::Fixture::cli({QStringLiteral("baseline"), QStringLiteral("capture"), QStringLiteral("--tenant"),
                                                      m_fx.a(), QStringLiteral("--name"), QStringLiteral("b%1").arg(i),
                                                      QStringLiteral("--db"), m_fx.loginUrl(loginOf(i))});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            baselines << r.out.trimmed().toLongLong();
        }
        const qint64 before = m_su->scalar(QStringLiteral("SELECT coalesce(max(id), 0) FROM atlas.bulk_operation_runs")).toLongLong();
        std::vector<std::unique_ptr<QProcess>> runners;
        for (int i = 1; i <= kRunners; ++i) {
            auto p = std::make_unique<QProcess>();
            p->setProcessEnvironment(atlas::test::Fixture::cleanEnvironment());
            p->start(atlas::test::Fixture::binary(),
                     {QStringLiteral("run"), QStringLiteral("drift"), QStringLiteral("--tenant"), m_fx.a(), QStringLiteral("--baseline"),
                      QString::number(baselines[i - 1]), QStringLiteral("--db"), m_fx.loginUrl(loginOf(i))});
            QVERIFY(p->waitForStarted(10000));
            runners.push_back(std::move(p));
        }
        // While they run: the most sessions the server held, and what a runner's login held.
        int peak = 0;
        QMap<QString, int> runnerPeak;
        QElapsedTimer running;
        running.start();
        auto anyRunning = [&] {
            for (auto& p : runners) {
                if (p->state() != QProcess::NotRunning)
                    return true;
            }
            return false;
        };
        while (anyRunning() && running.elapsed() < 120000) {
            peak = std::max(peak, m_su->scalar(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")).toInt());
            const QMap<QString, int> now = sessionsOf(loginOf(1));
            int total = 0;
            for (int c : now)
                total += c;
            int previous = 0;
            for (int c : std::as_const(runnerPeak))
                previous += c;
            if (total > previous)
                runnerPeak = now;
            for (auto& p : runners)
                p->waitForFinished(20);
        }
        for (auto& p : runners) {
            // (waitForFinished says false for a process already finished)
            if (p->state() != QProcess::NotRunning && !p->waitForFinished(60000)) {
                QSqlQuery r(m_su->database());
                QStringList seen;
                if (m_su->exec(r, QStringLiteral("SELECT id, status, processed_items, total_items FROM atlas.bulk_operation_runs "
                                                 "WHERE id > ? ORDER BY id"), {before})) {
                    while (r.next())
                        seen << QStringLiteral("%1 %2 %3/%4").arg(r.value(0).toString(), r.value(1).toString(),
                                                                  r.value(2).toString(), r.value(3).toString());
                }
                QFAIL(qPrintable(QStringLiteral("a run did not end: %1; it printed: %2 %3")
                                     .arg(seen.join(QStringLiteral(", ")), QString::fromUtf8(p->readAllStandardOutput()),
                                          QString::fromUtf8(p->readAllStandardError()))));
            }
            QVERIFY2(p->exitCode() == 0, qPrintable(QString::fromUtf8(p->readAllStandardError())));
        }
        QStringList breakdown;
        for (auto it = runnerPeak.cbegin(); it != runnerPeak.cend(); ++it)
            breakdown << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
        qInfo("while %d runs executed: at most %d client sessions on the server; %s at most: %s", kRunners, peak,
              qPrintable(loginOf(1)), qPrintable(breakdown.join(QLatin1Char(' '))));
        QVERIFY(peak < 100);

        // Every run shows in every console.
        QList<qint64> runs;
        QSqlQuery q(m_su->database());
        QVERIFY(m_su->exec(q, QStringLiteral("SELECT id FROM atlas.bulk_operation_runs WHERE id > ? AND finished_at IS NOT NULL"), {before}));
        while (q.next())
            runs << q.value(0).toLongLong();
        QCOMPARE(runs.size(), kRunners);
        for (int i = 1; i <= kConsoles; ++i) {
            for (qint64 run : std::as_const(runs)) {
                const QString line = QStringLiteral("live: run %1 changed").arg(run);
                QTRY_VERIFY2_WITH_TIMEOUT(consoleLog(i).contains(line), qPrintable(loginOf(i) + QStringLiteral(": no ") + line), 20000);
            }
            QCOMPARE(m_consoles[i - 1]->state(), QProcess::Running);
        }

        // And each console settles back to two.
        QVERIFY2(QTest::qWaitFor([this] { return allAtTwo(); }, 60000), qPrintable(state()));

        // Nobody was refused (53300: "too many clients", or the slots left are the superusers'):
        // not by the server, not in any console's log.
        for (const char* refusal : {"too many clients", "remaining connection slots"}) {
            QVERIFY2(!m_fx.cluster.serverLog().contains(QLatin1String(refusal)), refusal);
            for (int i = 1; i <= kConsoles; ++i)
                QVERIFY2(!consoleLog(i).contains(QLatin1String(refusal)), qPrintable(loginOf(i) + QLatin1Char(' ') + QLatin1String(refusal)));
        }
        qInfo("all in %lld ms", clock.elapsed());
    }
};

QTEST_GUILESS_MAIN(TestManyConsoles)
#include "tst_manyconsoles.moc"
