// The pages that start runs, as people use them (real widgets, offscreen, a real cluster):
// start controls per role, importing, capturing a baseline and generating drift through the
// buttons, the findings viewer's two versions, "already running" for an identical active run,
// the Add-policies picker, a role taken away while the console is open, the notifications list,
// and closing with a run in progress.
#include "Fixture.h"
#include "MainWindow.h"
#include "catalog/Catalog.h"
#include "demo/DemoExport.h"
#include "notify/NotificationCenter.h"
#include "notify/NotificationsPage.h"
#include "pages/BackupSetsPage.h"
#include "pages/DriftPage.h"
#include "pages/InventoryPage.h"
#include "pages/PayloadDiffView.h"
#include "Theme.h"
#include "notify/DesktopNotifier.h"
#include "pages/PolicyModel.h"
#include "pages/PolicyPicker.h"
#include "runs/RunApi.h"
#include "runs/RunExecutor.h"
#include "runs/RunRequests.h"
#include "runs/RunStarter.h"
#include "drift/DriftJob.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QInputDialog>
#include <QHeaderView>
#include <QtTest>

using atlas::views::MainWindow;

namespace {
// Answers the next modal dialog (a confirmation, a warning) with `handle`, from the event loop
// the dialog runs.
void answerNextDialog(std::function<void(QWidget*)> handle)
{
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, handle] {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            timer->stop();
            timer->deleteLater();
            handle(modal);
        }
    });
    timer->start();
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}
} // namespace

class TestProducerPages : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_exports;

    QString release(int n) const { return m_exports.filePath(QStringLiteral("release%1").arg(n)); }

    std::unique_ptr<MainWindow> open(const QString& login)
    {
        auto window = std::make_unique<MainWindow>(m_fx.cluster.loginSpec(login));
        QSignalSpy loaded(window.get(), &MainWindow::tenantsLoaded);
        window->show();
        if (!loaded.wait(10000))
            return nullptr;
        const int index = window->tenantSwitcher()->findData(m_fx.tenantA.toString(QUuid::WithoutBraces));
        window->tenantSwitcher()->setCurrentIndex(index);
        return window;
    }

    QVariant su(const QString& sql)
    {
        auto c = m_fx.cluster.connectSuperuser();
        return c->scalar(sql);
    }

    // Waits for the window's worker to finish one run and returns its status.
    static QString waitForRun(MainWindow* window, qint64 runId)
    {
        QSignalSpy finished(window->executor(), &atlas::runs::RunExecutor::finished);
        for (int i = 0; i < 100; ++i) {
            for (const QList<QVariant>& args : finished)
                if (args.at(0).toLongLong() == runId)
                    return args.at(1).toString();
            finished.wait(200);
        }
        return {};
    }

    // Starts through `click` and returns the outcome the page answered with.
    static atlas::runs::StartOutcome startThrough(atlas::views::ProducerPage* page, const std::function<void()>& click)
    {
        QSignalSpy answered(page, &atlas::views::ProducerPage::startAnswered);
        click();
        if (!answered.wait(10000))
            return {};
        return answered.first().at(0).value<atlas::runs::StartOutcome>();
    }

private Q_SLOTS:
    // Switching the appearance while a diff shows re-tints it from the new palette.
    void theDiffFollowsTheAppearance()
    {
        atlas::resources::Theme::apply(QStringLiteral("light"));
        atlas::views::PayloadDiffView view;
        view.resize(800, 400);
        view.show();
        view.showPair(QStringLiteral("Baseline"), QStringLiteral("{\n  \"a\": 1\n}"), QStringLiteral("Inventory"),
                      QStringLiteral("{\n  \"a\": 2\n}"));
        QCOMPARE(view.changedLines(), 1);
        const QColor light = view.lineColor(true, 1);
        QVERIFY(light.isValid());
        QVERIFY(light.lightness() > 128);
        atlas::resources::Theme::apply(QStringLiteral("dark"));
        QTRY_VERIFY(view.lineColor(true, 1).lightness() < 128);
        QVERIFY(!view.lineColor(true, 0).isValid()); // an unchanged line stays untinted
        atlas::resources::Theme::apply(QStringLiteral("light"));
        QTRY_COMPARE(view.lineColor(true, 1), light);
        atlas::resources::Theme::apply(QStringLiteral("system"));
    }

    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid() && m_exports.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        qRegisterMetaType<atlas::runs::StartOutcome>();
        QString error;
        ATLAS_SET_UP(m_fx);
        QVERIFY2(atlas::demo::DemoExport::write(release(1), 1, &error), qPrintable(error));
        QVERIFY2(atlas::demo::DemoExport::write(release(2), 2, &error), qPrintable(error));
        atlas::views::ProducerPage::setConfirmStarts(false);
    }

    void startControlsExistOnlyForRolesThatMayStart_data()
    {
        QTest::addColumn<QString>("login");
        QTest::addColumn<bool>("starts");
        QTest::newRow("owner") << "owner_a" << true;
        QTest::newRow("manager") << "manager_a" << true;
        QTest::newRow("operator") << "operator_a" << true;
        QTest::newRow("readonly") << "readonly_a" << false;
    }
    void startControlsExistOnlyForRolesThatMayStart()
    {
        QFETCH(QString, login);
        QFETCH(bool, starts);
        auto window = open(login);
        QVERIFY(window);
        const QStringList controls{QStringLiteral("importFolder"), QStringLiteral("captureBaseline"),
                                   QStringLiteral("generateDrift"), QStringLiteral("createBackupSet"),
                                   QStringLiteral("addPolicies"), QStringLiteral("exportBackupSet")};
        for (const char* key : {"inventory", "drift", "backup_sets"}) {
            window->showPage(QLatin1String(key));
            QCoreApplication::processEvents();
            for (const QString& name : controls) {
                auto* button = window->findChild<QPushButton*>(name);
                QVERIFY2(button, qPrintable(name));
                // Not a disabled button: for readonly the control is not there at all.
                QCOMPARE(button->isHidden(), !starts);
            }
            // Whatever buttons a readonly user does see on a page start nothing.
            if (!starts) {
                const auto buttons = window->findChildren<QAbstractButton*>();
                for (const QAbstractButton* b : buttons)
                    if (b->isVisibleTo(window.get()))
                        QVERIFY2(!QRegularExpression(QStringLiteral("import|capture|generate|new backup|add polic"),
                                                     QRegularExpression::CaseInsensitiveOption)
                                      .match(b->text())
                                      .hasMatch(),
                                 qPrintable(b->text()));
            }
        }
    }

    void cancelControlsOnlyForOwnersAndManagers_data()
    {
        QTest::addColumn<QString>("login");
        QTest::addColumn<bool>("cancels");
        QTest::newRow("owner") << "owner_a" << true;
        QTest::newRow("manager") << "manager_a" << true;
        QTest::newRow("operator") << "operator_a" << false;
        QTest::newRow("readonly") << "readonly_a" << false;
    }
    void cancelControlsOnlyForOwnersAndManagers()
    {
        QFETCH(QString, login);
        QFETCH(bool, cancels);
        auto window = open(login);
        QVERIFY(window);
        const auto pages = window->findChildren<atlas::views::ProducerPage*>();
        QCOMPARE(pages.size(), 3);
        for (auto* producer : pages) {
            auto* button = producer->findChild<QPushButton*>(QStringLiteral("cancelRunButton"));
            QVERIFY2(button, qPrintable(producer->objectName()));
            QCOMPARE(button->isHidden(), !cancels);
            QCOMPARE(producer->canCancel(), cancels);
        }
    }

    void aManagerCancelsAnOperatorsRunFromThePage()
    {
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::db::DbError error;
        const auto run = atlas::runs::RunApi(*op).start(m_fx.tenantA, QStringLiteral("inventory"), QStringLiteral("import"),
                                                        QJsonObject{{QStringLiteral("source"), QStringLiteral("/mnt/share/exports")}},
                                                        {QStringLiteral("SettingsCatalog/a.json")}, &error);
        QVERIFY2(run, qPrintable(error.message));
        const auto lease = atlas::runs::RunApi(*op).claim(run->runId, &error);
        QVERIFY(lease && !lease->isNull());
        auto window = open(QStringLiteral("manager_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("inventory"));
        auto* page = window->findChild<atlas::views::ProducerPage*>(QStringLiteral("inventoryPage"));
        QVERIFY(page);
        // The button lists the tenant's active imports; the newest (ours) is chosen.
        QString offered;
        answerNextDialog([&offered](QWidget* modal) {
            auto* dialog = qobject_cast<QInputDialog*>(modal);
            if (!dialog) {
                modal->close();
                return;
            }
            offered = dialog->comboBoxItems().join(QLatin1Char('|'));
            dialog->accept();
        });
        QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("cancelRunButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->banner()->text().contains(QStringLiteral("Run #%1 cancelled").arg(run->runId)), 5000);
        QVERIFY2(offered.startsWith(QStringLiteral("Run #%1").arg(run->runId)) && offered.contains(QLatin1String("operator_a")),
                 qPrintable(offered));
        QCOMPARE(su(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(run->runId)).toString(),
                 QStringLiteral("aborted/cancelled"));
        // The operator's worker is told at its next write.
        const auto alive = atlas::runs::RunApi(*op).heartbeat(run->runId, *lease, &error);
        QVERIFY(alive && !*alive);
    }

    // The confirmation shows the folder against the inventory per type; an import that would
    // retire most policies is refused unless the box is ticked.
    void theImportConfirmationOffersTheRetireOverride_data()
    {
        QTest::addColumn<bool>("allow");
        QTest::newRow("not allowed") << false;
        QTest::newRow("allowed") << true;
    }
    void theImportConfirmationOffersTheRetireOverride()
    {
        QFETCH(bool, allow);
        auto window = open(QStringLiteral("operator_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("inventory"));
        auto* page = window->inventoryPage();
        // A full release first, then a folder with a single other policy.
        QVERIFY(startThrough(page, [&] { page->importFolder(release(1)); }).runId > 0);
        QTRY_VERIFY_WITH_TIMEOUT(su(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE status IN ('pending', 'running')")).toInt() == 0, 20000);
        const int before = su(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current")
                                  .arg(m_fx.tenantA.toString(QUuid::WithoutBraces))).toInt();
        QVERIFY(before >= 3);
        QTemporaryDir lone;
        QDir().mkpath(lone.filePath(QStringLiteral("SettingsCatalog")));
        QFile f(lone.filePath(QStringLiteral("SettingsCatalog/only.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"id\": \"only-one\", \"displayName\": \"Only\"}");
        f.close();
        QString shown;
        atlas::views::ProducerPage::setConfirmStarts(true);
        answerNextDialog([&shown, allow](QWidget* modal) {
            auto* box = qobject_cast<QMessageBox*>(modal);
            if (!box) {
                modal->close();
                return;
            }
            shown = box->text();
            if (box->checkBox() && allow)
                box->checkBox()->setChecked(true);
            box->button(QMessageBox::Yes)->click();
        });
        const atlas::runs::StartOutcome outcome = startThrough(page, [&] { page->importFolder(lone.path()); });
        atlas::views::ProducerPage::setConfirmStarts(false);
        QVERIFY2(outcome.runId > 0, qPrintable(outcome.error));
        QVERIFY2(shown.contains(QLatin1String("SettingsCatalog")) && shown.contains(QLatin1String("would be retired")), qPrintable(shown));
        const QString status = waitForRun(window.get(), outcome.runId);
        QCOMPARE(status, allow ? QStringLiteral("completed") : QStringLiteral("failed"));
        QCOMPARE(su(QStringLiteral("SELECT coalesce(reason_code, '') FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toString(),
                 allow ? QString() : QStringLiteral("retire_guard"));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current")
                        .arg(m_fx.tenantA.toString(QUuid::WithoutBraces))).toInt(),
                 allow ? 1 : before + 1);
    }

    void retentionIsAnOwnersRunOfTheConsole()
    {
        for (const char* login : {"manager_a", "operator_a", "readonly_a"}) {
            auto other = open(QLatin1String(login));
            QVERIFY(other);
            QVERIFY2(!other->retentionAction()->isVisible(), login);
        }
        auto window = open(QStringLiteral("owner_a"));
        QVERIFY(window);
        QVERIFY(window->retentionAction()->isVisible());
        // An old finished run of the tenant, and the prune that removes it, executed here.
        const qint64 old = su(QStringLiteral("INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, "
                                             "idempotency_key, created_at, started_at, finished_at) VALUES ('%1', 'operator_a', 'probe', "
                                             "'check', 'completed', 'old-for-retention', now() - interval '401 days', "
                                             "now() - interval '401 days', now() - interval '400 days') RETURNING id")
                                  .arg(m_fx.tenantA.toString(QUuid::WithoutBraces))).toLongLong();
        QVERIFY(old > 0);
        QSignalSpy answered(window->findChild<atlas::runs::RunStarter*>(), &atlas::runs::RunStarter::started);
        window->startRetention(QStringLiteral("1 year"));
        QVERIFY(answered.wait(10000));
        const auto outcome = answered.first().at(0).value<atlas::runs::StartOutcome>();
        QVERIFY2(outcome.runId > 0, qPrintable(outcome.error));
        QCOMPARE(waitForRun(window.get(), outcome.runId), QStringLiteral("completed"));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE id = %1").arg(old)).toInt(), 0);
        QVERIFY(su(QStringLiteral("SELECT (summary->>'removed')::int FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toInt() >= 1);
    }

    void importCaptureAndDriftThroughThePages()
    {
        auto window = open(QStringLiteral("operator_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("inventory"));
        atlas::views::InventoryPage* inventory = window->inventoryPage();

        // Import release 1: the banner links the new run at once; the console's worker runs it.
        auto outcome = startThrough(inventory, [&] { inventory->importFolder(release(1)); });
        QVERIFY2(outcome.runId > 0 && !outcome.reused, qPrintable(outcome.error));
        QVERIFY(inventory->banner()->text().contains(QStringLiteral("run #%1").arg(outcome.runId)));
        QVERIFY(inventory->banner()->text().contains(QStringLiteral("atlas-ops://run/%1").arg(outcome.runId)));
        QCOMPARE(waitForRun(window.get(), outcome.runId), QStringLiteral("completed"));
        const int policies1 = su(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current")
                                     .arg(m_fx.tenantA.toString(QUuid::WithoutBraces))).toInt();
        QVERIFY(policies1 > 0);
        QTRY_COMPARE_WITH_TIMEOUT(inventory->model()->rowCount(), policies1, 5000);

        // Following the banner's link opens the run in Operations.
        QSignalSpy opened(window.get(), &MainWindow::runOpened);
        Q_EMIT inventory->banner()->runLinkActivated(outcome.runId);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(window->currentPageKey(), MainWindow::kOperations);

        // Capture a baseline of release 1 from the Drift page.
        window->showPage(QStringLiteral("drift"));
        atlas::views::DriftPage* drift = window->driftPage();
        QSignalSpy lists(drift, &atlas::views::DriftPage::listsLoaded);
        drift->captureBaseline(QStringLiteral("Release 1"));
        QTRY_VERIFY_WITH_TIMEOUT(drift->baselineTable()->rowCount() == 1, 5000);
        QCOMPARE(drift->baselineTable()->item(0, 0)->text(), QStringLiteral("Release 1"));
        QCOMPARE(drift->baselineTable()->item(0, 1)->text().toInt(), policies1);

        // Release 2 changes settings, adds one policy and retires one.
        window->showPage(QStringLiteral("inventory"));
        outcome = startThrough(inventory, [&] { inventory->importFolder(release(2)); });
        QVERIFY(outcome.runId > 0);
        QCOMPARE(waitForRun(window.get(), outcome.runId), QStringLiteral("completed"));

        // Generate drift with the button against the selected (newest) baseline.
        window->showPage(QStringLiteral("drift"));
        QTRY_VERIFY_WITH_TIMEOUT(drift->generateButton()->isEnabled(), 5000);
        QSignalSpy shown(drift, &atlas::views::DriftPage::payloadsShown);
        outcome = startThrough(drift, [&] { QTest::mouseClick(drift->generateButton(), Qt::LeftButton); });
        QVERIFY2(outcome.runId > 0 && !outcome.reused, qPrintable(outcome.error));
        QCOMPARE(outcome.label, QStringLiteral("Drift generation"));
        QCOMPARE(waitForRun(window.get(), outcome.runId), QStringLiteral("completed"));
        const int findings = su(QStringLiteral("SELECT count(*) FROM atlas.drift_findings WHERE run_id = %1").arg(outcome.runId)).toInt();
        const int modified = su(QStringLiteral("SELECT count(*) FROM atlas.drift_findings WHERE run_id = %1 AND change = 'modified'")
                                    .arg(outcome.runId)).toInt();
        QVERIFY(findings > 0 && modified > 0);
        QTRY_COMPARE_WITH_TIMEOUT(drift->shownRun(), outcome.runId, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(drift->findingsTable()->rowCount(), findings, 8000);

        // The viewer opens on a modified policy and shows both versions as stored.
        const int row = drift->findingsTable()->currentRow();
        QVERIFY(row >= 0);
        QVERIFY(drift->findingsTable()->item(row, 0)->text() == QLatin1String("Modified"));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && drift->diffView()->changedLines() > 0, 5000);
        const QString externalId = shown.last().at(0).toString();
        auto pretty = [&](const QString& table, const QString& where) {
            const QString json = su(QStringLiteral("SELECT payload::text FROM atlas.%1 WHERE external_id = '%2' AND %3")
                                        .arg(table, externalId, where)).toString();
            QStringList lines = QString::fromUtf8(QJsonDocument::fromJson(json.toUtf8()).toJson(QJsonDocument::Indented))
                                    .split(QLatin1Char('\n'));
            lines.removeAll(QString());
            return lines;
        };
        auto shownLines = [](const QString& text) {
            QStringList lines = text.split(QLatin1Char('\n'));
            lines.removeAll(QString()); // the gaps that align the two sides
            return lines;
        };
        QCOMPARE(shownLines(drift->diffView()->leftText()), pretty(QStringLiteral("baseline_items"), QStringLiteral("true")));
        QCOMPARE(shownLines(drift->diffView()->rightText()), pretty(QStringLiteral("inventory_items"), QStringLiteral("is_current")));
        QVERIFY(drift->diffView()->changedLines() > 0);

        // A header click sorts the findings; a row still shows its own finding.
        QTableWidget* table = drift->findingsTable();
        table->horizontalHeader()->setSortIndicator(1, Qt::DescendingOrder);
        table->sortByColumn(1, Qt::DescendingOrder);
        for (int r = 1; r < table->rowCount(); ++r)
            QVERIFY(QString::localeAwareCompare(table->item(r - 1, 1)->text(), table->item(r, 1)->text()) >= 0);
        for (int r = 0; r < table->rowCount(); ++r) {
            if (table->item(r, 0)->text() != QLatin1String("Modified") || r == table->currentRow())
                continue;
            const int before = int(shown.size());
            table->setCurrentCell(r, 0);
            QTRY_VERIFY_WITH_TIMEOUT(shown.size() > before, 5000);
            QCOMPARE(su(QStringLiteral("SELECT display_name FROM atlas.drift_findings WHERE run_id = %1 AND external_id = '%2'")
                            .arg(outcome.runId).arg(shown.last().at(0).toString())).toString(),
                     table->item(r, 1)->text());
            break;
        }
        // The inventory sorts too.
        window->showPage(QStringLiteral("inventory"));
        QTableView* policies = inventory->findChild<QTableView*>();
        QVERIFY(policies && policies->isSortingEnabled());
        policies->sortByColumn(0, Qt::AscendingOrder);
        for (int r = 1; r < policies->model()->rowCount(); ++r)
            QVERIFY(QString::localeAwareCompare(policies->model()->index(r - 1, 0).data().toString(),
                                                policies->model()->index(r, 0).data().toString()) <= 0);
    }

    void anIdenticalActiveRunIsReusedAndLinked()
    {
        // An identical drift run is pending (started elsewhere by the same person).
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        const qint64 baseline = su(QStringLiteral("SELECT max(baseline_id) FROM atlas.baselines")).toLongLong();
        QString why;
        const auto request = atlas::drift::DriftJob::request(*op, m_fx.tenantA, baseline, &why);
        QVERIFY2(request, qPrintable(why));
        atlas::db::DbError error;
        atlas::runs::RunApi api(*op);
        const auto pending = api.start(*request, &error);
        QVERIFY(pending && !pending->reused);

        auto window = open(QStringLiteral("manager_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("drift"));
        atlas::views::DriftPage* drift = window->driftPage();
        QTRY_VERIFY_WITH_TIMEOUT(drift->generateButton()->isEnabled(), 5000);
        const int runsBefore = su(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toInt();
        const auto outcome = startThrough(drift, [&] { QTest::mouseClick(drift->generateButton(), Qt::LeftButton); });
        QCOMPARE(outcome.runId, pending->runId);
        QVERIFY(outcome.reused);
        QCOMPARE(drift->banner()->tone(), atlas::views::StartBanner::Tone::Warning);
        QVERIFY2(drift->banner()->text().contains(QLatin1String("already running")), qPrintable(drift->banner()->text()));
        QVERIFY(drift->banner()->text().contains(QStringLiteral("atlas-ops://run/%1").arg(pending->runId)));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toInt(), runsBefore);
        QCOMPARE(window->executor()->activeCount(), 0); // nothing new to execute here

        const auto lease = api.claim(pending->runId, &error);
        QVERIFY(lease && !lease->isNull());
        QVERIFY(api.finish(pending->runId, *lease, {}, {}, &error));
    }

    void pickerSearchesSelectsAllMatchingAndAdds()
    {
        auto window = open(QStringLiteral("operator_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("backup_sets"));
        atlas::views::BackupSetsPage* backups = window->backupPage();
        backups->createSet(QStringLiteral("Before the change window"));
        QTRY_VERIFY_WITH_TIMEOUT(backups->setTable()->rowCount() == 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(backups->shownSet() != 0, 5000);
        const qint64 setId = backups->shownSet();

        QSignalSpy opened(backups, &atlas::views::BackupSetsPage::pickerOpened);
        QTest::mouseClick(backups->addButton(), Qt::LeftButton);
        QCOMPARE(opened.count(), 1);
        auto* picker = backups->findChild<atlas::views::PolicyPicker*>();
        QVERIFY(picker && picker->isVisible());
        const QString tenant = m_fx.tenantA.toString(QUuid::WithoutBraces);
        const int current = su(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current").arg(tenant)).toInt();
        QTRY_COMPARE_WITH_TIMEOUT(picker->model()->rowCount(), current, 5000);
        QVERIFY(!picker->addButton()->isEnabled()); // nothing chosen yet

        QTest::keyClicks(picker->searchField(), QStringLiteral("compliance"));
        const QString matchSql = QStringLiteral("FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current AND "
                                                "(display_name ILIKE '%compliance%' OR policy_type ILIKE '%compliance%' "
                                                "OR external_id ILIKE '%compliance%')").arg(tenant);
        const int matching = su(QStringLiteral("SELECT count(*) ") + matchSql).toInt();
        QVERIFY(matching > 0 && matching < current);
        QCOMPARE(picker->table()->model()->rowCount(), matching);

        QTest::mouseClick(picker->selectAllButton(), Qt::LeftButton);
        QCOMPARE(picker->selectedIds().size(), matching);
        QCOMPARE(picker->addButton()->text(), matching == 1 ? QStringLiteral("Add 1 policy") : QStringLiteral("Add %1 policies").arg(matching));
        QTest::mouseClick(picker->clearButton(), Qt::LeftButton);
        QCOMPARE(picker->selectedIds().size(), 0);
        QTest::mouseClick(picker->selectAllButton(), Qt::LeftButton);
        // One more, checked by hand outside the search.
        picker->searchField()->clear();
        QAbstractItemModel* shownModel = picker->table()->model();
        int extraRow = -1;
        for (int r = 0; r < shownModel->rowCount() && extraRow < 0; ++r)
            if (shownModel->index(r, 0).data(Qt::CheckStateRole).toInt() == Qt::Unchecked)
                extraRow = r;
        QVERIFY(extraRow >= 0);
        QVERIFY(shownModel->setData(shownModel->index(extraRow, 0), Qt::Checked, Qt::CheckStateRole));
        const QString extraId = shownModel->index(extraRow, 2).data().toString();
        QStringList expected;
        {
            auto c = m_fx.cluster.connectSuperuser();
            QSqlQuery q(c->database());
            QVERIFY(q.exec(QStringLiteral("SELECT external_id ") + matchSql));
            while (q.next())
                expected << q.value(0).toString();
        }
        expected << extraId;
        QCOMPARE(sorted(picker->selectedIds()), sorted(expected));

        QSignalSpy answered(backups, &atlas::views::ProducerPage::startAnswered);
        QTest::mouseClick(picker->addButton(), Qt::LeftButton); // the picker's button is the confirmation
        QVERIFY(answered.wait(10000));
        const auto outcome = answered.first().at(0).value<atlas::runs::StartOutcome>();
        QVERIFY2(outcome.runId > 0, qPrintable(outcome.error));
        QCOMPARE(waitForRun(window.get(), outcome.runId), QStringLiteral("completed"));
        const QStringList runItems = QJsonDocument::fromJson(su(QStringLiteral("SELECT item_ids::text FROM atlas.operation_runs WHERE id = %1")
                                                                    .arg(outcome.runId)).toString().toUtf8())
                                         .toVariant().toStringList();
        QCOMPARE(sorted(runItems), sorted(expected));
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.backup_set_items WHERE backup_set_id = %1").arg(setId)).toInt(),
                 int(expected.size()));
        QTRY_COMPARE_WITH_TIMEOUT(backups->itemTable()->rowCount(), int(expected.size()), 5000);
    }

    void aRoleTakenAwayWhileOpenGivesOneMessageAndHidesTheControls()
    {
        QVERIFY(m_fx.cluster.createLogin(QStringLiteral("flip_a")));
        auto admin = m_fx.cluster.connectAs(QStringLiteral("admin"));
        const QString tenant = m_fx.tenantA.toString(QUuid::WithoutBraces);
        QVERIFY(admin->scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'flip_a', 'operator')::text IS NULL").arg(tenant)).isValid());
        auto window = open(QStringLiteral("flip_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("drift"));
        atlas::views::DriftPage* drift = window->driftPage();
        QVERIFY(!drift->generateButton()->isHidden());
        QTRY_VERIFY_WITH_TIMEOUT(drift->generateButton()->isEnabled(), 5000);

        // The owner makes flip_a readonly; the console still shows the old role's controls.
        QVERIFY(admin->scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'flip_a', 'readonly')::text IS NULL").arg(tenant)).isValid());
        QStringList messages;
        answerNextDialog([&messages](QWidget* modal) {
            if (auto* box = qobject_cast<QMessageBox*>(modal))
                messages << box->text();
            modal->close();
        });
        const auto outcome = startThrough(drift, [&] { QTest::mouseClick(drift->generateButton(), Qt::LeftButton); });
        QVERIFY(outcome.refused);
        QCOMPARE(outcome.runId, 0);
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 5000);
        QVERIFY2(messages.first().contains(QLatin1String("no longer start runs")), qPrintable(messages.first()));
        QCOMPARE(drift->banner()->tone(), atlas::views::StartBanner::Tone::Error);
        // The controls follow the role as the database has it now.
        QTRY_VERIFY_WITH_TIMEOUT(drift->generateButton()->isHidden(), 5000);
        QVERIFY(drift->captureButton()->isHidden());
        QCOMPARE(window->currentRole(), QStringLiteral("readonly"));
        QCOMPARE(messages.size(), 1);
    }

    void notificationsListUnreadLiveAndMarkRead()
    {
        auto window = open(QStringLiteral("operator_a"));
        QVERIFY(window);
        atlas::views::NotificationCenter* center = window->notifications();
        const QString unreadSql = QStringLiteral("SELECT count(*) FROM atlas.notifications WHERE recipient = 'operator_a' AND read_at IS NULL");
        const int unread = su(unreadSql).toInt();
        QVERIFY(unread > 0); // the runs of the tests above
        QTRY_COMPARE_WITH_TIMEOUT(center->unread(), unread, 5000);
        window->showPage(MainWindow::kNotifications);
        QTableWidget* table = window->notificationsPage()->table();
        QCOMPARE(table->rowCount(), su(QStringLiteral("SELECT count(*) FROM atlas.notifications WHERE recipient = 'operator_a'")).toInt());
        QVERIFY(window->navigation()->item(window->pageIndex(MainWindow::kNotifications))->text().contains(QStringLiteral("(%1)").arg(unread)));

        // A run of the same login from elsewhere: queued and completed arrive live.
        QSignalSpy arrived(center, &atlas::views::NotificationCenter::arrived);
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        atlas::db::DbError error;
        const auto run = api.start(m_fx.tenantA, QStringLiteral("inventory"), QStringLiteral("import"),
                                   QJsonObject{{QStringLiteral("source"), QStringLiteral("elsewhere")}}, {QStringLiteral("x")}, &error);
        QVERIFY(run);
        const auto lease = api.claim(run->runId, &error);
        // An import's file succeeds together with the policy read from it.
        QVERIFY(op->scalar(QStringLiteral("SELECT atlas.record_inventory(?, ?::uuid, '[{\"item_id\": \"x\", \"policy_type\": \"t\", "
                                          "\"external_id\": \"elsewhere-1\", \"payload\": {}}]')"),
                           {run->runId, lease->toString(QUuid::WithoutBraces)}).isValid());
        QVERIFY(api.finish(run->runId, *lease, {}, {}, &error));
        QStringList events;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     events.clear();
                                     for (const QList<QVariant>& args : arrived)
                                         for (const auto& n : args.at(0).value<QList<atlas::catalog::Notification>>())
                                             if (n.runId == run->runId)
                                                 events << n.event;
                                     return events.size() == 2;
                                 }()),
                                 5000);
        QCOMPARE(events, (QStringList{QStringLiteral("queued"), QStringLiteral("completed")}));
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), su(QStringLiteral("SELECT count(*) FROM atlas.notifications WHERE recipient = 'operator_a'")).toInt(), 5000);
        QVERIFY(table->item(0, 3)->text().contains(QStringLiteral("#%1").arg(run->runId)));

        // Someone else's notification, which marking must leave alone.
        {
            auto owner = m_fx.cluster.connectAs(QStringLiteral("owner_a"));
            QVERIFY(atlas::runs::RunApi(*owner).start(m_fx.tenantA, QStringLiteral("inventory"), QStringLiteral("import"),
                                                      QJsonObject{{QStringLiteral("source"), QStringLiteral("owner")}},
                                                      {QStringLiteral("y")}, &error));
        }
        // Mark all read: in the database, the badge and the list.
        QTest::mouseClick(window->notificationsPage()->markAllButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(su(unreadSql).toInt(), 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(center->unread(), 0, 5000);
        QCOMPARE(window->navigation()->item(window->pageIndex(MainWindow::kNotifications))->text(), QStringLiteral("Notifications"));
        // Another person's notifications were not touched.
        QVERIFY(su(QStringLiteral("SELECT count(*) FROM atlas.notifications WHERE recipient <> 'operator_a' AND read_at IS NULL")).toInt() > 0);
    }

    void aNewerSchemaMakesTheConsoleReadOnly()
    {
        auto su = m_fx.cluster.connectSuperuser();
        QVERIFY(su->execRaw(QStringLiteral("INSERT INTO atlas.schema_migrations (version) VALUES ('9999_from_the_future')")));
        auto window = open(QStringLiteral("operator_a"));
        QVERIFY(window);
        QTRY_VERIFY_WITH_TIMEOUT(window->isReadOnly(), 5000);
        QVERIFY(su->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '9999_from_the_future'")));
        for (const char* name : {"importFolder", "captureBaseline", "generateDrift", "createBackupSet", "addPolicies"})
            QVERIFY2(window->findChild<QPushButton*>(QLatin1String(name))->isHidden(), name);
        auto* indicator = window->findChild<QLabel*>(QStringLiteral("readOnlyIndicator"));
        QVERIFY(indicator && indicator->isVisible());
        QVERIFY(indicator->toolTip().contains(QLatin1String("9999_from_the_future")));
        // Browsing still works.
        window->showPage(QStringLiteral("inventory"));
        QTRY_VERIFY_WITH_TIMEOUT(window->inventoryPage()->model()->rowCount() > 0, 5000);
    }

    // Completed runs pop up on the desktop; queued ones only when the person asks for them.
    void queuedPopUpsAreASetting()
    {
        auto window = open(QStringLiteral("owner_a"));
        QVERIFY(window);
        auto* action = window->findChild<QAction*>(QStringLiteral("queuedPopUpsAction"));
        QVERIFY(action);
        QVERIFY(!action->isChecked());
        QVERIFY(atlas::views::DesktopNotifier::popsUpFor(QStringLiteral("completed")));
        QVERIFY(!atlas::views::DesktopNotifier::popsUpFor(QStringLiteral("queued")));
        action->trigger();
        QVERIFY(atlas::views::DesktopNotifier::popsUpFor(QStringLiteral("queued")));
        QVERIFY(QSettings().value(QStringLiteral("notifications/queued")).toBool());
        action->trigger();
        QVERIFY(!atlas::views::DesktopNotifier::popsUpFor(QStringLiteral("queued")));
        QVERIFY(atlas::views::DesktopNotifier::popsUpFor(QStringLiteral("completed")));
    }

    void closingWithARunInProgressStopsItAborted()
    {
        // An export large enough to still be importing when the window closes.
        QTemporaryDir big;
        QDir(big.path()).mkpath(QStringLiteral("SettingsCatalog"));
        for (int i = 0; i < 6000; ++i) {
            QFile f(big.filePath(QStringLiteral("SettingsCatalog/p%1.json").arg(i)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(QJsonObject{{QStringLiteral("id"), QStringLiteral("big-%1").arg(i)},
                                              {QStringLiteral("name"), QStringLiteral("Generated %1").arg(i)},
                                              {QStringLiteral("settingCount"), i}})
                        .toJson());
        }
        auto window = open(QStringLiteral("owner_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("inventory"));
        const auto outcome = startThrough(window->inventoryPage(), [&] { window->inventoryPage()->importFolder(big.path()); });
        QVERIFY2(outcome.runId > 0, qPrintable(outcome.error));
        QTRY_COMPARE_WITH_TIMEOUT(su(QStringLiteral("SELECT status FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toString(),
                                  QStringLiteral("running"), 5000);
        QString question, explanation;
        QStringList buttons;
        answerNextDialog([&](QWidget* modal) {
            auto* box = qobject_cast<QMessageBox*>(modal);
            QVERIFY(box);
            question = box->text();
            explanation = box->informativeText();
            for (QAbstractButton* b : box->buttons())
                buttons << b->text();
            for (QAbstractButton* b : box->buttons())
                if (b->text() == QLatin1String("Stop runs and quit"))
                    b->click();
        });
        window->close();
        QVERIFY2(question.contains(QLatin1String("still in progress")), qPrintable(question));
        // What the words offer, a button does: the tray only where there is one.
        QCOMPARE(explanation.contains(QLatin1String("tray")), buttons.contains(QStringLiteral("Keep running in tray")));
        QCOMPARE(buttons.contains(QStringLiteral("Keep running in tray")), window->desktop()->trayVisible());
        QTRY_COMPARE_WITH_TIMEOUT(window->executor()->activeCount(), 0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), 5000);
        QCOMPARE(su(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toString(),
                 QStringLiteral("aborted/cancelled"));
        QVERIFY(su(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toInt() < 6000);
    }

    // Asked to end from outside (the console's SIGTERM, SIGINT or SIGHUP): no question asked,
    // the run it executes ends aborted/cancelled at once with what it recorded, the window goes.
    void aSignalStopsTheRunsAndQuitsWithoutAsking()
    {
        QTemporaryDir big;
        QVERIFY(atlas::test::Fixture::writeExport(big.path(), 6000, "sig"));
        auto window = open(QStringLiteral("owner_a"));
        QVERIFY(window);
        window->showPage(QStringLiteral("inventory"));
        const auto outcome = startThrough(window->inventoryPage(), [&] { window->inventoryPage()->importFolder(big.path()); });
        QVERIFY2(outcome.runId > 0, qPrintable(outcome.error));
        QTRY_VERIFY_WITH_TIMEOUT(
            su(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toInt() > 0, 10000);
        bool asked = false;
        QTimer watch; // any dialog would be a question nobody is there to answer
        connect(&watch, &QTimer::timeout, this, [&] {
            if (QWidget* modal = QApplication::activeModalWidget()) {
                asked = true;
                modal->close();
            }
        });
        watch.start(20);
        window->stopRunsAndQuit();
        QTRY_COMPARE_WITH_TIMEOUT(window->executor()->activeCount(), 0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), 5000);
        QVERIFY(!asked);
        QCOMPARE(su(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toString(),
                 QStringLiteral("aborted/cancelled"));
        const int processed = su(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(outcome.runId)).toInt();
        QVERIFY(processed > 0 && processed < 6000);
        QCOMPARE(su(QStringLiteral("SELECT count(*) FROM atlas.run_item_results WHERE run_id = %1").arg(outcome.runId)).toInt(), processed);
        QGuiApplication::setQuitOnLastWindowClosed(true);
    }
};

QTEST_MAIN(TestProducerPages)
#include "tst_producerpages.moc"
