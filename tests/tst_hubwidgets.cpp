// The hub as a person uses it, with real widgets (offscreen): no action controls for any role,
// the detail pane's sanitized failures, filtering through the widgets, the filter surviving a
// restart, and the keyboard.
#include "Fixture.h"
#include "HeldLock.h"
#include "MainWindow.h"
#include "hub/BucketList.h"
#include "hub/ReasonsPanel.h"
#include "hub/TrendsView.h"
#include "StatusStyle.h"
#include "Theme.h"
#include "pages/BackupSetsPage.h"
#include "pages/InventoryPage.h"
#include "pages/ProducerPage.h"
#include "hub/FilterBar.h"
#include "hub/HubPage.h"
#include "hub/HubSession.h"
#include "hub/RunDetailPane.h"
#include "hub/RunTableModel.h"
#include "pages/DriftPage.h"
#include "runs/RunApi.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QRegularExpression>
#include <QSettings>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QClipboard>
#include <QTableView>
#include <QMenu>
#include <QScrollBar>
#include <QToolButton>
#include <QHeaderView>
#include <QPushButton>
#include <QBarSet>
#include <QChart>
#include <QStackedBarSeries>
#include <QToolButton>
#include <QStackedWidget>
#include <QElapsedTimer>
#include <QtTest>

using atlas::hub::RunTableModel;
using atlas::views::MainWindow;

class TestHubWidgets : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    qint64 m_partialRun = 0;
    qint64 m_driftRun = 0;

    std::unique_ptr<MainWindow> open(const QString& login)
    {
        auto window = std::make_unique<MainWindow>(m_fx.cluster.loginSpec(login));
        QSignalSpy loaded(window.get(), &MainWindow::tenantsLoaded);
        window->show();
        if (!loaded.wait(10000))
            return nullptr;
        (void)QTest::qWaitFor([&] { return window->hubPage()->model()->rowCount() > 0 && !window->hubPage()->model()->isLoading(); }, 5000);
        return window;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        atlas::db::DbError dbError;
        // Runs name a backup set and a baseline of their tenant.
        const qint64 setId = op->scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'Nightly')"),
                                        {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        const qint64 baselineId = op->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'Base')"),
                                             {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        QVERIFY(setId > 0 && baselineId > 0);
        // A partially succeeded run whose failure messages carried secrets, and a plain one.
        const auto run = api.start(m_fx.tenantA, QStringLiteral("backup_set"), QStringLiteral("add_policies"),
                                   QJsonObject{{QStringLiteral("backup_set_id"), setId}},
                                   {QStringLiteral("p1"), QStringLiteral("p2"), QStringLiteral("p3")}, &dbError);
        QVERIFY(run);
        m_partialRun = run->runId;
        const auto lease = api.claim(run->runId, &dbError);
        QVERIFY(api.record(run->runId, *lease,
                           {atlas::runs::ItemResult::succeeded(QStringLiteral("p1")),
                            atlas::runs::ItemResult::failed(QStringLiteral("p2"), QStringLiteral("policy_not_found"),
                                                            QStringLiteral("lookup with client_secret=abc123 failed")),
                            atlas::runs::ItemResult::failed(QStringLiteral("p3"), QStringLiteral("payload_too_large"),
                                                            QStringLiteral("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"))},
                           &dbError));
        QVERIFY(api.finish(run->runId, *lease, {}, {}, &dbError));
        // A finished drift run with two findings.
        const auto other = api.start(m_fx.tenantA, QStringLiteral("drift"), QStringLiteral("generate"),
                                     QJsonObject{{QStringLiteral("baseline_id"), baselineId}}, {QStringLiteral("p1"), QStringLiteral("p9")}, &dbError);
        QVERIFY(other);
        m_driftRun = other->runId;
        const auto driftLease = api.claim(other->runId, &dbError);
        QVERIFY(op->scalar(QStringLiteral("SELECT atlas.record_drift_findings(?, ?::uuid, ?::jsonb)"),
                           {other->runId, driftLease->toString(QUuid::WithoutBraces),
                            QStringLiteral("[{\"policy_type\": \"SettingsCatalog\", \"external_id\": \"p1\", \"display_name\": \"Edge security\", "
                                           "\"change\": \"modified\", \"changed_paths\": [\"/settings/3\", \"/name\"]}, "
                                           "{\"policy_type\": \"SettingsCatalog\", \"external_id\": \"p9\", \"display_name\": \"New\", \"change\": \"added\"}]")})
                    .isValid());
        QVERIFY(api.record(other->runId, *driftLease, {atlas::runs::ItemResult::succeeded(QStringLiteral("p1")),
                                                       atlas::runs::ItemResult::succeeded(QStringLiteral("p9"))}, &dbError));
        QVERIFY(api.finish(other->runId, *driftLease, {}, {}, &dbError));
    }

    void noRoleSeesAnyActionControlInTheHub_data()
    {
        QTest::addColumn<QString>("login");
        for (const char* login : {"owner_a", "manager_a", "operator_a", "readonly_a"})
            QTest::newRow(login) << login;
    }
    void noRoleSeesAnyActionControlInTheHub()
    {
        QFETCH(QString, login);
        auto window = open(login);
        QVERIFY(window);
        QVERIFY(window->hubPage()->model()->rowCount() >= 2); // it shows the runs...
        static const QRegularExpression forbidden(QStringLiteral("start|re-?run|retry|cancel|delete|remove|abort|stop|generate|add polic"),
                                                  QRegularExpression::CaseInsensitiveOption);
        QStringList seen;
        for (const QAbstractButton* b : window->hubPage()->findChildren<QAbstractButton*>())
            seen << b->text() << b->toolTip();
        for (const QAction* a : window->hubPage()->findChildren<QAction*>())
            seen << a->text();
        for (const QAction* a : window->hubPage()->table()->actions())
            seen << a->text();
        for (const QString& text : seen)
            QVERIFY2(!forbidden.match(text).hasMatch(), qPrintable(login + QStringLiteral(" sees: ") + text));
        QVERIFY(seen.contains(QStringLiteral("Export CSV…"))); // ...and the controls it does have are found
    }

    void detailPaneShowsSanitizedFailures()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        window->showRun(m_partialRun);
        atlas::views::RunDetailPane* detail = window->hubPage()->detailPane();
        QTRY_COMPARE_WITH_TIMEOUT(detail->runId(), m_partialRun, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(detail->failuresTable()->rowCount(), 2, 5000);
        QCOMPARE(detail->failuresTable()->item(0, 0)->text(), QStringLiteral("p2"));
        QCOMPARE(detail->failuresTable()->item(0, 1)->text(), QStringLiteral("policy_not_found"));
        QCOMPARE(detail->failuresTable()->item(0, 2)->text(), QStringLiteral("lookup with client_secret=[REDACTED] failed"));
        QCOMPARE(detail->failuresTable()->item(1, 1)->text(), QStringLiteral("payload_too_large"));
        QVERIFY(!detail->failuresTable()->item(1, 2)->text().contains(QLatin1String("eyJ")));
        QTRY_COMPARE_WITH_TIMEOUT(detail->itemList()->rowCount(), 3, 5000);
        QVERIFY(detail->statusLabel()->text().contains(QLatin1String("Partially succeeded")));
        QLabel* result = detail->findChild<QLabel*>(QStringLiteral("detailResult"));
        QVERIFY(result->text().contains(QLatin1String("href='backup_sets/1'")));
        // The scope as a sentence with its link; storage status and key folded into Technical.
        const QString what = detail->findChild<QLabel*>(QStringLiteral("detailWhat"))->text();
        QVERIFY2(what.startsWith(QLatin1String("Adds 3 policies to <a href='backup_sets/1'>")), qPrintable(what));
        QWidget* technical = detail->findChild<QWidget*>(QStringLiteral("detailTechnical"));
        QVERIFY(!technical->isVisibleTo(detail));
        QVERIFY(!detail->statusLabel()->text().contains(QLatin1String("completed_with_errors")));
        detail->findChild<QToolButton*>(QStringLiteral("detailTechnicalToggle"))->click();
        QVERIFY(technical->isVisibleTo(detail));
        QVERIFY(detail->findChild<QLineEdit*>(QStringLiteral("detailKey"))->isVisibleTo(detail));
        // The link names the page the producer registry gives its kind: the backup set opens there.
        Q_EMIT detail->resultLinkActivated(QStringLiteral("backup_sets/1"));
        QCOMPARE(window->currentPageKey(), QStringLiteral("backup_sets"));
        QTRY_COMPARE_WITH_TIMEOUT(window->backupPage()->shownSet(), qint64(1), 5000);
    }

    void resultLinkOpensTheDriftFindings()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        window->showRun(m_driftRun);
        QLabel* result = window->hubPage()->detailPane()->findChild<QLabel*>(QStringLiteral("detailResult"));
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("drift/%1").arg(m_driftRun)), 5000);
        Q_EMIT window->hubPage()->detailPane()->resultLinkActivated(QStringLiteral("drift/%1").arg(m_driftRun));
        QTableWidget* findings = window->driftPage()->findingsTable();
        QTRY_COMPARE_WITH_TIMEOUT(findings->rowCount(), 2, 5000);
        QVERIFY(window->driftPage()->isVisible());
        QCOMPARE(window->driftPage()->shownRun(), m_driftRun);
        QVERIFY(findings->item(1, 0)->text() == QLatin1String("Modified"));
        QCOMPARE(findings->item(1, 1)->text(), QStringLiteral("Edge security"));
        QCOMPARE(findings->item(1, 3)->text(), QStringLiteral("/settings/3, /name"));
    }

    // Rows of shapes this build never writes (older or other clients, an administrator's repair):
    // the pane and the findings show what they can instead of failing.
    void rowsOfUnexpectedShapeStillShow()
    {
        auto su = m_fx.cluster.connectSuperuser();
        const QString a = m_fx.tenantA.toString(QUuid::WithoutBraces);
        const qint64 odd = su->scalar(QStringLiteral(
            "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, item_ids, scope, summary, "
            "reason_code, idempotency_key, finished_at) VALUES (?::uuid, 'legacy_tool', 'probe', 'check', 'failed', "
            "'{\"not\": \"a list\"}', '\"just text\"', '[1, 2]', 'legacy_reason', 'odd-1', now()) RETURNING id"), {a}).toLongLong();
        const qint64 drift = su->scalar(QStringLiteral(
            "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, item_ids, scope, summary, "
            "idempotency_key, finished_at) VALUES (?::uuid, 'legacy_tool', 'drift', 'generate', 'completed', "
            "'[1, {\"a\": 1}, \"p1\"]', '{\"baseline_id\": \"seven\"}', '{\"added\": \"two\", \"removed\": null}', "
            "'odd-2', now()) RETURNING id"), {a}).toLongLong();
        QVERIFY(odd > 0 && drift > 0);
        QVERIFY(su->scalar(QStringLiteral("INSERT INTO atlas.drift_results (tenant_id, run_id, policy_type, external_id, change, changed_paths) "
                                          "VALUES (?::uuid, ?, 'SettingsCatalog', 'p1', 'modified', '{\"odd\": true}') RETURNING 1"),
                           {a, drift}).isValid());
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        atlas::views::RunDetailPane* detail = window->hubPage()->detailPane();
        window->showRun(odd);
        QTRY_COMPARE_WITH_TIMEOUT(detail->runId(), odd, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(detail->statusLabel()->text().contains(QLatin1String("Failed")), 5000);
        QCOMPARE(detail->failuresTable()->rowCount(), 1);
        QCOMPARE(detail->failuresTable()->item(0, 1)->text(), QStringLiteral("legacy_reason"));
        QCOMPARE(detail->itemList()->rowCount(), 0);
        window->showRun(drift);
        QTRY_COMPARE_WITH_TIMEOUT(detail->runId(), drift, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(detail->itemList()->rowCount(), 3, 5000);
        Q_EMIT detail->resultLinkActivated(QStringLiteral("drift/%1").arg(drift));
        QTableWidget* findings = window->driftPage()->findingsTable();
        QTRY_COMPARE_WITH_TIMEOUT(findings->rowCount(), 1, 5000);
        QVERIFY(findings->item(0, 0)->text() == QLatin1String("Modified"));
        QCOMPARE(findings->item(0, 2)->text(), QStringLiteral("SettingsCatalog"));
    }

    void filtersWorkThroughTheWidgets()
    {
        auto window = open(QStringLiteral("owner_a"));
        QVERIFY(window);
        atlas::views::HubPage* hub = window->hubPage();
        const int all = hub->model()->rowCount();
        QVERIFY(all >= 2);
        // Bucket list: "Partially succeeded" leaves exactly that run; its count badge says 1.
        atlas::views::BucketList* buckets = hub->bucketList();
        QTRY_VERIFY_WITH_TIMEOUT(buckets->item(4)->data(Qt::UserRole + 1).toInt() == 1, 5000);
        buckets->setCurrentRow(4);
        QCOMPARE(hub->model()->filter().bucket(), atlas::runs::Bucket::PartiallySucceeded);
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), 1, 5000);
        QCOMPARE(hub->model()->runAt(0)->id, m_partialRun);
        buckets->setCurrentRow(0);
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), all, 5000);
        // Operation filter.
        QComboBox* op = hub->filterBar()->operationCombo();
        op->setCurrentIndex(op->findData(QStringLiteral("drift/generate")));
        QTRY_VERIFY_WITH_TIMEOUT(hub->model()->rowCount() >= 1 && hub->model()->runAt(0)->resource == QLatin1String("drift"), 5000);
        op->setCurrentIndex(0);
        // Search by item id, typed.
        QLineEdit* search = hub->filterBar()->searchEdit();
        QTest::keyClicks(search, QStringLiteral("p3"));
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->filter().search(), QStringLiteral("p3"), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), 1, 5000);
        search->clear();
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), all, 5000);
        // Nothing matches: the empty table says so and offers the way back.
        QTest::keyClicks(search, QStringLiteral("no-such-run-anywhere"));
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), 0, 5000);
        auto* clear = hub->findChild<QPushButton*>(QStringLiteral("clearFilters"));
        QVERIFY(clear);
        QTRY_VERIFY_WITH_TIMEOUT(clear->isVisible(), 5000);
        clear->click();
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), all, 5000);
        QVERIFY(search->text().isEmpty());
        QVERIFY(!clear->isVisible());
    }

    // Ctrl+C on the table copies the selected run's link (one owner of the shortcut: no
    // "ambiguous shortcut" that does nothing).
    void ctrlCCopiesTheRunsLink()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        window->showRun(m_partialRun);
        QTableView* table = window->hubPage()->table();
        QTRY_VERIFY_WITH_TIMEOUT(table->currentIndex().isValid(), 5000);
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->activateWindow();
        table->setFocus();
        QGuiApplication::clipboard()->clear();
        QTest::keySequence(table, QKeySequence::Copy);
        QTRY_COMPARE_WITH_TIMEOUT(QGuiApplication::clipboard()->text(), QStringLiteral("atlas-ops://run/%1").arg(m_partialRun), 2000);
    }

    // At 1280x800 the hub answers what ran, when, by whom, how long and why without horizontal
    // scrolling; the header's menu chooses columns, and the choice, widths and order stay.
    void columnsFitAndTheChoiceStays()
    {
        QSettings().remove(QStringLiteral("hub/columns"));
        {
            auto window = open(QStringLiteral("readonly_a"));
            QVERIFY(window);
            window->resize(1280, 800);
            QTableView* table = window->hubPage()->table();
            QTRY_VERIFY(table->model()->rowCount() > 0);
            QCoreApplication::processEvents();
            QVERIFY2(!table->horizontalScrollBar()->isVisible() || table->horizontalScrollBar()->maximum() == 0,
                     qPrintable(QString::number(table->horizontalScrollBar()->maximum())));
            QVERIFY(!window->hubPage()->detailPane()->isVisible()); // nothing selected: no room taken
            for (int c : {RunTableModel::StatusColumn, RunTableModel::ResultColumn, RunTableModel::StartedColumn,
                          RunTableModel::DurationColumn, RunTableModel::InitiatorColumn, RunTableModel::ProgressColumn})
                QVERIFY(!table->isColumnHidden(c));
            QVERIFY(table->isColumnHidden(RunTableModel::SkippedColumn));
            // The header's menu: show "Skipped", hide "Initiator".
            Q_EMIT table->horizontalHeader()->customContextMenuRequested(QPoint(10, 5));
            auto* menu = window->hubPage()->findChild<QMenu*>(QStringLiteral("columnMenu"));
            QVERIFY(menu);
            for (QAction* a : menu->actions()) {
                if (a->text() == QLatin1String("Skipped") || a->text() == QLatin1String("Initiator"))
                    a->trigger();
            }
            menu->close();
            QVERIFY(!table->isColumnHidden(RunTableModel::SkippedColumn));
            QVERIFY(table->isColumnHidden(RunTableModel::InitiatorColumn));
            table->horizontalHeader()->moveSection(table->horizontalHeader()->visualIndex(RunTableModel::DurationColumn), 1);
            table->setColumnWidth(RunTableModel::ResultColumn, 260);
            // Selecting a run opens the pane; its close button closes it again.
            window->showRun(m_partialRun);
            QTRY_VERIFY_WITH_TIMEOUT(window->hubPage()->detailPane()->isVisible(), 5000);
            window->hubPage()->detailPane()->findChild<QToolButton*>(QStringLiteral("closeDetail"))->click();
            QVERIFY(!window->hubPage()->detailPane()->isVisible());
        }
        auto again = open(QStringLiteral("readonly_a"));
        QVERIFY(again);
        again->resize(1600, 900); // room for every column at its saved width
        QTableView* table = again->hubPage()->table();
        QVERIFY(!table->isColumnHidden(RunTableModel::SkippedColumn));
        QVERIFY(table->isColumnHidden(RunTableModel::InitiatorColumn));
        QCOMPARE(table->horizontalHeader()->visualIndex(RunTableModel::DurationColumn), 1);
        QTRY_COMPARE(table->columnWidth(RunTableModel::ResultColumn), 260);
        QSettings().remove(QStringLiteral("hub/columns"));
    }

    // With the detail pane open at the window's default size (1440x880) the wordy columns give
    // up width, so every column shown stays in view without scrolling sideways (at 1280 the
    // pane leaves the table 520 pixels: less than the eight columns' least); closed, they get
    // their widths back, and what is saved is the person's widths, not the squeezed ones.
    void columnsStayInViewWithTheDetailPaneOpen()
    {
        QSettings().remove(QStringLiteral("hub/columns"));
        {
            auto window = open(QStringLiteral("readonly_a"));
            QVERIFY(window);
            window->resize(1440, 880);
            QTableView* table = window->hubPage()->table();
            QCoreApplication::processEvents();
            table->setColumnWidth(RunTableModel::ResultColumn, 240); // the person's own width
            const int result = table->columnWidth(RunTableModel::ResultColumn);
            window->showRun(m_partialRun);
            QTRY_VERIFY_WITH_TIMEOUT(window->hubPage()->detailPane()->isVisible(), 5000);
            QTRY_COMPARE_WITH_TIMEOUT(table->horizontalScrollBar()->maximum(), 0, 2000);
            QVERIFY2(table->columnWidth(RunTableModel::ResultColumn) < result,
                     qPrintable(QString::number(table->columnWidth(RunTableModel::ResultColumn))));
            for (int c : {RunTableModel::StartedColumn, RunTableModel::DurationColumn, RunTableModel::InitiatorColumn,
                          RunTableModel::ProgressColumn}) {
                const int x = table->columnViewportPosition(c);
                QVERIFY2(x >= 0 && x + 20 <= table->viewport()->width(), qPrintable(QStringLiteral("column %1 at %2").arg(c).arg(x)));
            }
            // A column hidden gives its room back to the squeezed ones; shown again, it takes it.
            const int squeezed = table->columnWidth(RunTableModel::ResultColumn);
            table->setColumnHidden(RunTableModel::InitiatorColumn, true);
            QTRY_VERIFY(table->columnWidth(RunTableModel::ResultColumn) > squeezed);
            table->setColumnHidden(RunTableModel::InitiatorColumn, false);
            QTRY_COMPARE(table->columnWidth(RunTableModel::ResultColumn), squeezed);
            QTRY_COMPARE(table->horizontalScrollBar()->maximum(), 0);
            table->horizontalHeader()->moveSection(table->horizontalHeader()->visualIndex(RunTableModel::DurationColumn), 2); // saves
            window->hubPage()->detailPane()->findChild<QToolButton*>(QStringLiteral("closeDetail"))->click();
            QTRY_COMPARE_WITH_TIMEOUT(table->columnWidth(RunTableModel::ResultColumn), result, 2000);
        }
        auto again = open(QStringLiteral("readonly_a"));
        QVERIFY(again);
        again->resize(1440, 880);
        QTRY_COMPARE(again->hubPage()->table()->columnWidth(RunTableModel::ResultColumn), 240);
        QSettings().remove(QStringLiteral("hub/columns"));
    }

    // The status says why a failed run failed; the result column carries the producer's words.
    void statusShowsTheReasonAndResultTheHeadline()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        RunTableModel* model = window->hubPage()->model();
        QTRY_VERIFY(model->rowOf(m_partialRun) >= 0);
        const int row = model->rowOf(m_partialRun);
        QCOMPARE(model->data(model->index(row, RunTableModel::StatusColumn)).toString(), QStringLiteral("Partially succeeded"));
        const QString started = model->data(model->index(row, RunTableModel::StartedColumn)).toString();
        QVERIFY2(started == QLatin1String("just now") || started.endsWith(QLatin1String("min ago")), qPrintable(started));
        QVERIFY(model->data(model->index(row, RunTableModel::StartedColumn), Qt::ToolTipRole).toString().contains(QLatin1Char(':')));
    }

    // A header click sorts in the database: descending first, ascending on the second click,
    // with the arrow on that column; a column that does not sort keeps the order.
    void headerClicksSortInTheDatabase()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        QHeaderView* header = window->hubPage()->table()->horizontalHeader();
        RunTableModel* model = window->hubPage()->model();
        Q_EMIT header->sectionClicked(RunTableModel::DurationColumn);
        QCOMPARE(model->filter().sortKey(), atlas::hub::RunFilter::SortKey::Duration);
        QVERIFY(!model->filter().ascending());
        QCOMPARE(header->sortIndicatorSection(), int(RunTableModel::DurationColumn));
        QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() > 1, 5000);
        for (int r = 1; r < model->rowCount(); ++r)
            QVERIFY(model->data(model->index(r - 1, RunTableModel::DurationColumn), RunTableModel::RawValueRole).toLongLong() >=
                    model->data(model->index(r, RunTableModel::DurationColumn), RunTableModel::RawValueRole).toLongLong() ||
                    !model->runAt(r - 1)->finishedAt.isValid() || !model->runAt(r)->finishedAt.isValid());
        Q_EMIT header->sectionClicked(RunTableModel::DurationColumn);
        QVERIFY(model->filter().ascending());
        QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
        Q_EMIT header->sectionClicked(RunTableModel::ResultColumn); // does not sort
        QCOMPARE(model->filter().sortKey(), atlas::hub::RunFilter::SortKey::Duration);
        QCOMPARE(header->sortIndicatorSection(), int(RunTableModel::DurationColumn));
        Q_EMIT header->sectionClicked(RunTableModel::StartedColumn);
        QCOMPARE(model->filter().sortKey(), atlas::hub::RunFilter::SortKey::Started);
        QVERIFY(!model->filter().ascending());
    }

    // Someone in two tenants gets "All my tenants": one hub over both, with a tenant column;
    // someone in one tenant does not.
    void allMyTenantsShowsEveryTenant()
    {
        auto admin = m_fx.connectAs(QStringLiteral("admin"));
        QVERIFY(admin->scalar(QStringLiteral("SELECT atlas.grant_role(?::uuid, 'manager_a', 'readonly')::text IS NULL"), {m_fx.b()}).isValid());
        auto ownerB = m_fx.connectAs(QStringLiteral("owner_b"));
        atlas::runs::RunApi api(*ownerB);
        atlas::db::DbError error;
        const qint64 setB = ownerB->scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'B set')"), {m_fx.b()}).toLongLong();
        const auto inB = api.start(m_fx.tenantB, QStringLiteral("backup_set"), QStringLiteral("add_policies"),
                                   QJsonObject{{QStringLiteral("backup_set_id"), setB}}, {QStringLiteral("b-1")}, &error);
        QVERIFY2(inB, qPrintable(error.message));
        {
            auto single = open(QStringLiteral("readonly_a"));
            QVERIFY(single);
            QCOMPARE(single->tenantSwitcher()->findData(MainWindow::kAllTenants), -1);
        }
        auto window = open(QStringLiteral("manager_a"));
        QVERIFY(window);
        QComboBox* switcher = window->tenantSwitcher();
        const int all = switcher->findData(MainWindow::kAllTenants);
        QCOMPARE(all, 0);
        switcher->setCurrentIndex(all);
        RunTableModel* model = window->hubPage()->model();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(inB->runId) >= 0 && model->rowOf(m_partialRun) >= 0, 5000);
        QVERIFY(!window->hubPage()->table()->isColumnHidden(RunTableModel::TenantColumn));
        QCOMPARE(model->data(model->index(model->rowOf(inB->runId), RunTableModel::TenantColumn)).toString(), QStringLiteral("Tenant B"));
        QVERIFY(window->inventoryPage()->banner()->text().contains(QLatin1String("Choose one tenant")));
        switcher->setCurrentIndex(switcher->findData(m_fx.a()));
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(inB->runId) < 0 && model->rowOf(m_partialRun) >= 0, 5000);
        QVERIFY(window->hubPage()->table()->isColumnHidden(RunTableModel::TenantColumn));
    }

    // The reasons panel counts failed items per reason over the filter and filters by one on a
    // click; the trends show runs per day in the buckets' colours and follow the appearance.
    void reasonsAndTrends()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        atlas::views::HubPage* hub = window->hubPage();
        QSignalSpy loaded(hub, &atlas::views::HubPage::insightsLoaded);
        hub->model()->refresh();
        QVERIFY(loaded.wait(5000));
        atlas::views::ReasonsPanel* reasons = hub->reasonsPanel();
        int row = -1;
        for (int r = 0; r < reasons->rowCount(); ++r)
            if (reasons->item(r, 0)->text() == QLatin1String("policy_not_found"))
                row = r;
        QVERIFY2(row >= 0, "policy_not_found is not among the reasons");
        QCOMPARE(reasons->item(row, 2)->text(), QStringLiteral("1"));
        Q_EMIT reasons->cellClicked(row, 0);
        QCOMPARE(hub->model()->filter().reason(), QStringLiteral("policy_not_found"));
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), 1, 5000);
        QCOMPARE(hub->model()->runAt(0)->id, m_partialRun);
        Q_EMIT reasons->cellClicked(row, 0); // again: every run
        QVERIFY(hub->model()->filter().reason().isEmpty());

        hub->trendsButton()->setChecked(true);
        QVERIFY(hub->trendsView()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(hub->trendsView()->days() >= 1, 5000);
        QChart* days = hub->trendsView()->dayChart();
        QCOMPARE(days->series().size(), 1);
        auto* stacked = qobject_cast<QStackedBarSeries*>(days->series().first());
        QVERIFY(stacked);
        QCOMPARE(stacked->count(), 5); // one set per bucket
        QCOMPARE(stacked->barSets().at(4)->color(), atlas::views::StatusStyle::color(atlas::runs::Bucket::Failed));
        double runs = 0;
        for (QBarSet* set : stacked->barSets())
            for (int i = 0; i < set->count(); ++i)
                runs += set->at(i);
        QTRY_COMPARE_WITH_TIMEOUT(hub->model()->rowCount(), int(runs), 5000); // every run of the table, by day
        atlas::resources::Theme::apply(QStringLiteral("dark"));
        QTRY_VERIFY(days->backgroundBrush().color().lightness() < 128);
        atlas::resources::Theme::apply(QStringLiteral("light"));
        QTRY_VERIFY(days->backgroundBrush().color().lightness() > 128);
        atlas::resources::Theme::apply(QStringLiteral("system"));
        hub->trendsButton()->setChecked(false);
    }

    // At twice the scale a 1600x1000 screen is 800x500: the window must still fit it.
    void theWindowFitsAHalfSizeScreen()
    {
        auto window = open(QStringLiteral("manager_a"));
        QVERIFY(window);
        const QSize least = window->minimumSizeHint().expandedTo(window->minimumSize());

        QVERIFY2(least.width() <= 800 && least.height() <= 500,
                 qPrintable(QStringLiteral("%1x%2").arg(least.width()).arg(least.height())));
    }

    void filterSurvivesARestartAndCtrlFFocusesSearch()
    {
        {
            auto window = open(QStringLiteral("owner_a"));
            QVERIFY(window);
            window->hubPage()->bucketList()->setCurrentRow(5); // failed
            window->hubPage()->filterBar()->rangeCombo()->setCurrentIndex(3); // last 7 days
            QTRY_COMPARE(window->hubPage()->filter().bucket(), atlas::runs::Bucket::Failed);
        }
        auto again = open(QStringLiteral("owner_a"));
        QVERIFY(again);
        QCOMPARE(again->hubPage()->filter().bucket(), atlas::runs::Bucket::Failed);
        QCOMPARE(again->hubPage()->filter().timeRange(), atlas::hub::RunFilter::TimeRange::Last7Days);
        QCOMPARE(again->hubPage()->bucketList()->bucket(), atlas::runs::Bucket::Failed);
        QCOMPARE(again->hubPage()->filterBar()->rangeCombo()->currentIndex(), 3);
        QCOMPARE(again->hubPage()->filter().tenant(), m_fx.tenantA);

        again->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(again.get()));
        again->hubPage()->table()->setFocus();
        QTest::keyClick(again.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(again->hubPage()->filterBar()->searchEdit()->hasFocus());
        QSettings().clear();
    }

    // The trends' durations are counted live (exact percentiles need the values): they go to the
    // pages worker, and only while the trends show, so one held up on the server never delays a
    // live update, nor the reasons (roll-ups, on the shared worker). Here the pages worker is held
    // by a lock while a run started elsewhere asks for them: the run shows at once, the reasons
    // follow it, the durations come once the lock is let go.
    void slowDurationsNeverHoldUpLiveUpdates()
    {
        auto window = open(QStringLiteral("readonly_a"));
        QVERIFY(window);
        atlas::views::HubPage* hub = window->hubPage();
        QSignalSpy durations(hub, &atlas::views::HubPage::durationsLoaded);
        hub->trendsButton()->setChecked(true);
        QVERIFY(durations.wait(5000));
        durations.clear();
        constexpr int kLock = 4712;
        atlas::test::HeldLock lock(m_fx.cluster, kLock);
        QVERIFY(lock.held());
        QObject context;
        hub->session()->pages()->post<bool>(
            &context, [](atlas::db::Connection& conn) { return atlas::test::HeldLock::waitIn(conn, kLock); }, [](bool) {});
        QVERIFY(lock.waitedFor(5000));
        QSignalSpy insights(hub, &atlas::views::HubPage::insightsLoaded);
        const int before = hub->model()->rowCount();
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        atlas::db::DbError error;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("while"), QStringLiteral("durations held")}},
                                       {QStringLiteral("x")}, &error);
        QVERIFY2(started, qPrintable(error.message));
        // The run changes the counts, and the counts ask for reasons and durations again: the
        // durations wait behind the held worker; the live row and the reasons do not.
        QTRY_VERIFY_WITH_TIMEOUT(hub->model()->rowOf(started->runId) >= 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!insights.isEmpty(), 5000);
        QVERIFY(durations.isEmpty());
        QVERIFY(lock.release());
        QVERIFY(durations.wait(10000));
        QCOMPARE(hub->model()->rowCount(), before + 1);
        hub->trendsButton()->setChecked(false);
    }

    // The database goes away: a banner says so in words, start controls go, the content is
    // dimmed; within five seconds of the server's return all of it is back. (Last: it restarts
    // the cluster.)
    void whileTheDatabaseIsAwayTheWindowSaysSo()
    {
        auto window = open(QStringLiteral("owner_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("inventory"));
        QPushButton* import = window->inventoryPage()->importButton();
        QTRY_VERIFY_WITH_TIMEOUT(import->isVisibleTo(window.get()), 5000);
        auto* banner = window->findChild<atlas::views::StartBanner*>(QStringLiteral("connectionBanner"));
        QVERIFY(banner);
        QVERIFY(!banner->isVisibleTo(window.get()));
        QString error;
        QVERIFY2(m_fx.cluster.cluster().stop(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisibleTo(window.get()), 10000);
        QVERIFY2(banner->text().contains(QLatin1String("not answering")), qPrintable(banner->text()));
        QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QLatin1Char('(')), 10000); // and why, in libpq's words
        QVERIFY(!import->isVisibleTo(window.get()));
        QVERIFY(window->findChild<QStackedWidget*>()->graphicsEffect());
        QVERIFY2(m_fx.cluster.cluster().start(&error), qPrintable(error));
        QElapsedTimer back;
        back.start();
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisibleTo(window.get()), 8000);
        QVERIFY2(back.elapsed() < 6000, qPrintable(QString::number(back.elapsed())));
        QVERIFY(import->isVisibleTo(window.get()));
        QVERIFY(!window->findChild<QStackedWidget*>()->graphicsEffect());
    }
};

QTEST_MAIN(TestHubWidgets)
#include "tst_hubwidgets.moc"
