// Auditors on a hot standby: a console connected to a streaming-replication standby opens
// read-only (no start controls, and it says why), follows the runs from the change log (LISTEN
// is refused during recovery), and shows how far behind the primary it is. Two local clusters:
// the test's primary and a pg_basebackup -R copy on its own socket. Last, failover: the primary
// goes, the standby is promoted, and a console and a run on a multi-host connection carry on.
#include "Fixture.h"
#include "MainWindow.h"
#include "hub/HubPage.h"
#include "hub/HubSession.h"
#include "inventory/ImportJob.h"
#include "hub/RunTableModel.h"
#include "runs/RunApi.h"
#include "runs/RunExecutor.h"
#include "runs/RunRequests.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace atlas;

class TestStandby : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    QTemporaryDir m_standbyDir{QStringLiteral("/tmp/atlas-standby-XXXXXX")};
    std::unique_ptr<db::EmbeddedCluster> m_standby;

    db::ConnectionSpec standbySpec(const QString& login) const
    {
        return m_standby->loginSpec(m_fx.cluster.databaseName(), login, atlas::test::TestCluster::passwordOf(login));
    }
    // The row of `run` in `model`, or nullptr.
    static const hub::RunRow* rowOf(const hub::RunTableModel& model, qint64 run)
    {
        for (int r = 0; r < model.rowCount(); ++r) {
            if (model.runAt(r)->id == run)
                return model.runAt(r);
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_fx.cluster.addConf({QStringLiteral("wal_level = replica"), QStringLiteral("max_wal_senders = 4")});
        ATLAS_SET_UP(m_fx);
        QVERIFY(m_standbyDir.isValid());
        m_standby = std::make_unique<db::EmbeddedCluster>(m_standbyDir.path(), m_fx.cluster.cluster().port());
        QString error;
        QVERIFY2(m_standby->initializeAsStandbyOf(m_fx.cluster.cluster(), &error), qPrintable(error));
        QVERIFY2(m_standby->start(&error), qPrintable(error));
        // The logins and tenants are there once the standby has replayed them.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                db::Connection conn(standbySpec(QStringLiteral("operator_a")), QStringLiteral("probe"));
                return conn.open() && conn.scalar(QStringLiteral("SELECT count(*) FROM atlas.my_tenants")).toInt() == 1;
            }(),
            30000);
        db::Connection conn(standbySpec(QStringLiteral("operator_a")), QStringLiteral("probe"));
        QVERIFY(conn.open());
        QVERIFY(conn.scalar(QStringLiteral("SELECT pg_is_in_recovery()")).toBool());
    }

    void cleanupTestCase()
    {
        QString ignored;
        if (m_standby)
            m_standby->stop(&ignored);
    }

    void aConsoleOnTheStandbyIsReadOnlyAndSaysWhy()
    {
        // An operator may start runs, but not here.
        views::MainWindow window(standbySpec(QStringLiteral("operator_a")));
        QTRY_VERIFY_WITH_TIMEOUT(window.isReadOnly(), 10000);
        auto* indicator = window.findChild<QLabel*>(QStringLiteral("readOnlyIndicator"));
        QVERIFY(indicator);
        QVERIFY2(indicator->toolTip().contains(QLatin1String("standby")), qPrintable(indicator->toolTip()));
        for (const char* key : {"inventory", "drift", "backup_sets"}) {
            window.showPage(QLatin1String(key));
            QCoreApplication::processEvents();
            for (const char* name : {"importFolder", "captureBaseline", "generateDrift", "createBackupSet"}) {
                if (auto* button = window.findChild<QPushButton*>(QLatin1String(name)))
                    QVERIFY2(button->isHidden(), name);
            }
        }
        QVERIFY(!window.retentionAction() || !window.retentionAction()->isVisible());
        // How far behind the primary it is, in the status bar.
        auto* lag = window.findChild<QLabel*>(QStringLiteral("replicationLag"));
        QVERIFY(lag);
        QTRY_VERIFY2_WITH_TIMEOUT(lag->text().startsWith(QStringLiteral("Standby ·")), qPrintable(lag->text()), 10000);
        qInfo("status bar: %s (%s)", qPrintable(lag->text().trimmed()), qPrintable(lag->toolTip()));
    }

    void theStandbyFollowsARunOnThePrimary()
    {
        hub::HubSession session(standbySpec(QStringLiteral("readonly_a")));
        hub::RunTableModel model(&session);
        QObject::connect(session.listener(), &hub::RunListener::runChanged, &model, &hub::RunTableModel::runChanged);
        QSignalSpy connected(session.listener(), &hub::RunListener::connectedChanged);
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() && connected.last().at(0).toBool(), 10000);
        hub::RunFilter filter;
        filter.setTenant(m_fx.tenantA);
        model.setFilter(filter);
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), 10000);

        // A run on the primary, item by item.
        auto op = m_fx.connectAs(QStringLiteral("operator_a"));
        runs::RunApi api(*op);
        db::DbError error;
        const QStringList items{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("standby"), 1}}, items, &error);
        QVERIFY2(started, qPrintable(error.message));
        const qint64 run = started->runId;
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(model, run), 10000);
        const auto lease = api.claim(run, &error);
        QVERIFY(lease && !lease->isNull());
        for (int i = 0; i < items.size(); ++i) {
            QVERIFY(api.record(run, *lease, {runs::ItemResult::succeeded(items[i])}, &error));
            QTRY_VERIFY_WITH_TIMEOUT(rowOf(model, run) && rowOf(model, run)->processed == i + 1, 10000);
            QCOMPARE(rowOf(model, run)->status, QStringLiteral("running"));
        }
        QVERIFY(api.finish(run, *lease, {}, {}, &error));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(model, run) && rowOf(model, run)->status != QLatin1String("running"), 10000);
        qInfo("run %lld on the standby: %s, %d items", run, qPrintable(rowOf(model, run)->status), rowOf(model, run)->processed);
        // What the primary says, the standby says.
        QCOMPARE(rowOf(model, run)->status,
                 op->scalar(QStringLiteral("SELECT status FROM atlas.operation_runs WHERE id = ?"), {run}).toString());
    }

    // Last (it takes the primary away). Failover: a whole console (its window, hub, listener and
    // its own run executor) on a multi-host connection (primary, standby;
    // target_session_attrs=read-write), with a run it executes part-way, survives the primary's
    // loss and the standby's promotion. It reconnects to the new primary and re-reads what it
    // shows; the run ends there, finished or aborted/db_connection_lost, with what it recorded
    // kept: never left running; and a run started afterwards shows in its hub live.
    void failoverToThePromotedStandby()
    {
        db::ConnectionSpec both = m_fx.cluster.loginSpec(QStringLiteral("operator_a"));
        both.host = m_fx.cluster.cluster().socketDir() + QLatin1Char(',') + m_standby->socketDir();
        both.options.append({QStringLiteral("target_session_attrs"), QStringLiteral("read-write")});

        views::MainWindow window(both);
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.currentTenant(), m_fx.tenantA, 10000);
        QVERIFY(!window.isReadOnly());
        QVERIFY(window.executor());
        hub::RunTableModel* model = window.hubPage()->model();
        auto* banner = window.findChild<QWidget*>(QStringLiteral("connectionBanner"));
        QVERIFY(banner);

        // An import big enough to be stopped part-way, executed by the console itself.
        constexpr int kFiles = 20000;
        QTemporaryDir dir;
        QVERIFY(atlas::test::Fixture::writeExport(dir.path(), kFiles, "f"));
        QString why;
        const auto request = inventory::ImportJob::request(m_fx.tenantA, dir.path(), &why, true);
        QVERIFY2(request, qPrintable(why));
        db::Connection op(both, QStringLiteral("start"));
        QVERIFY(op.open());
        db::DbError error;
        const auto started = runs::RunApi(op).start(*request, &error);
        QVERIFY2(started, qPrintable(error.message));
        const qint64 run = started->runId;
        op.close();
        QSignalSpy finished(window.executor(), &runs::RunExecutor::finished);
        window.executor()->execute(run);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*model, run) && rowOf(*model, run)->bucket == runs::Bucket::Running, 20000);

        auto su = m_fx.connectSuperuser();
        QElapsedTimer clock;
        clock.start();
        int before = 0;
        while (clock.elapsed() < 60000 && finished.isEmpty()) {
            before = su->scalar(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toInt();
            if (before >= 400)
                break;
            QTest::qWait(5);
        }
        QVERIFY2(finished.isEmpty() && before >= 400, "the import ended before the primary could be taken away");
        su.reset();

        // The primary goes; the standby becomes the primary.
        QString failed;
        QElapsedTimer failover;
        failover.start();
        QVERIFY2(m_fx.cluster.cluster().stop(&failed), qPrintable(failed));
        QVERIFY2(m_standby->promote(&failed), qPrintable(failed));
        qInfo("primary stopped and standby promoted in %lld ms, the run at %d of %d items", failover.elapsed(), before, kFiles);

        // The run ends on the new primary, never left running.
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 120000);
        qInfo("run %lld ended %lld ms after the failover began: %s %s", run, failover.elapsed(),
              qPrintable(finished.first().at(1).toString()), qPrintable(finished.first().at(3).toString()));
        db::Connection now(m_standby->superuserSpec(m_fx.cluster.databaseName()), QStringLiteral("check"));
        QVERIFY(now.open());
        const QString status =
            now.scalar(QStringLiteral("SELECT status FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toString();
        const QString outcome =
            status + QLatin1Char('/') +
            now.scalar(QStringLiteral("SELECT coalesce(reason_code, '') FROM atlas.bulk_operation_runs WHERE id = ?"), {run})
                .toString();
        QVERIFY2(outcome == QLatin1String("aborted/db_connection_lost") || outcome.startsWith(QLatin1String("completed")) ||
                     outcome.startsWith(QLatin1String("succeeded")),
                 qPrintable(outcome));
        const int processed = now.scalar(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = ?"), {run}).toInt();
        QVERIFY(processed >= before);
        QCOMPARE(now.scalar(QStringLiteral("SELECT count(*) FROM atlas.run_item_results WHERE run_id = ?"), {run}).toInt(), processed);
        qInfo("on the new primary: %s, %d items recorded", qPrintable(outcome), processed);

        // The console is back on the new primary (its listener's kept connection finds the old
        // one broken and opens the next host in one go, usually too fast for the "database
        // away" banner to show): no banner, and the run's end re-read into its hub.
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*model, run) && rowOf(*model, run)->status == status, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(banner->isHidden(), 10000);
        qInfo("the console's hub shows run %lld %s %lld ms after the failover began", run, qPrintable(status), failover.elapsed());
        QVERIFY(!window.isReadOnly());

        // And it is live there: a run started elsewhere on the new primary shows in its hub.
        db::Connection again(both, QStringLiteral("again"));
        QVERIFY(again.open());
        const auto next = runs::RunApi(again).start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                                    QJsonObject{{QStringLiteral("after"), 1}}, {QStringLiteral("x")}, &error);
        QVERIFY2(next, qPrintable(error.message));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*model, next->runId), 10000);
    }
};

QTEST_MAIN(TestStandby)
#include "tst_standby.moc"
