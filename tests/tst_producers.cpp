// The producers through the database: inventory import with every kind of bad input, what an
// import does to the inventory, add-policies outcomes, and drift on self-made and real exports.
#include "Fixture.h"
#include "runs/Producers.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "backup/ExportJob.h"
#include "catalog/Catalog.h"
#include "inventory/ExportReader.h"
#include "runs/RunWorker.h"
#include "backup/AddPoliciesJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QtTest>

using atlas::db::Connection;
using atlas::db::DbError;
using namespace atlas::runs;

class TestProducers : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::unique_ptr<Connection> m_op;
    std::unique_ptr<Connection> m_su;

    static void write(const QString& path, const QByteArray& bytes)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
    }
    static QByteArray policy(const QString& id, const QString& name, const QString& extra = QString())
    {
        return QStringLiteral("{\"id\": \"%1\", \"displayName\": \"%2\", \"lastModifiedDateTime\": \"%3\"%4}")
            .arg(id, name, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), extra)
            .toUtf8();
    }
    static QByteArray utf16(const QByteArray& utf8)
    {
        QStringEncoder enc(QStringConverter::Utf16LE, QStringConverter::Flag::WriteBom);
        return enc.encode(QString::fromUtf8(utf8).replace(QLatin1Char('\n'), QStringLiteral("\r\n")));
    }

    // Starts and executes a run as operator_a (or `login`); returns its id.
    qint64 execute(const std::optional<RunRequest>& request, const QString& login = QStringLiteral("operator_a"))
    {
        if (!request)
            return 0;
        auto conn = m_fx.cluster.connectAs(login);
        RunApi api(*conn);
        DbError error;
        const auto started = api.start(*request, &error);
        if (!started) {
            qWarning() << error.message;
            return 0;
        }
        RunWorker worker(m_fx.cluster.loginSpec(login), started->runId);
        const WorkerOutcome outcome = worker.run();
        if (!outcome.claimed || outcome.status.isEmpty())
            qWarning() << "worker:" << outcome.error;
        return started->runId;
    }

    qint64 importFolder(const QString& folder)
    {
        QString error;
        const auto request = atlas::inventory::ImportJob::request(m_fx.tenantA, folder, &error);
        if (!request)
            qWarning() << error;
        return execute(request);
    }

    QMap<QString, QString> failures(qint64 run)
    {
        QMap<QString, QString> out;
        const QString json = m_op->scalar(QStringLiteral("SELECT failures::text FROM atlas.operation_runs WHERE id = ?"), {run}).toString();
        for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array())
            out.insert(v[QLatin1String("item_id")].toString(), v[QLatin1String("reason_code")].toString());
        return out;
    }
    QString runValue(qint64 run, const QString& expr)
    {
        return m_op->scalar(QStringLiteral("SELECT (%1)::text FROM atlas.operation_runs WHERE id = ?").arg(expr), {run}).toString();
    }
    QStringList current()
    {
        QStringList out;
        QSqlQuery q(m_op->database());
        m_op->exec(q, QStringLiteral("SELECT policy_type || '/' || external_id FROM atlas.inventory_items "
                                     "WHERE tenant_id = ?::uuid AND is_current ORDER BY 1"),
                   {m_fx.tenantA.toString(QUuid::WithoutBraces)});
        while (q.next())
            out << q.value(0).toString();
        return out;
    }
    QStringList findings(qint64 run)
    {
        QStringList out;
        QSqlQuery q(m_op->database());
        m_op->exec(q, QStringLiteral("SELECT change || ' ' || policy_type || ' ' || external_id || ' ' || changed_paths::text "
                                     "FROM atlas.drift_findings WHERE run_id = ? ORDER BY external_id, policy_type"), {run});
        while (q.next())
            out << q.value(0).toString();
        return out;
    }
    void resetInventory()
    {
        QVERIFY(m_su->execRaw(QStringLiteral("DELETE FROM atlas.inventory_items")));
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
        m_op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        m_su = m_fx.cluster.connectSuperuser();
    }

    // The console's registry and atlas.operation_kinds (filled by the producers' migrations) name
    // the same kinds of run with the same labels: neither has a kind the other lacks.
    void theRegistryAndTheDatabaseNameTheSameKinds()
    {
        QMap<QString, QString> registered;
        for (const ProducerKind& kind : Producers::all()) {
            QVERIFY2(!registered.contains(kind.key()), qPrintable(kind.key() + QStringLiteral(" registered twice")));
            registered.insert(kind.key(), kind.label);
        }
        QMap<QString, QString> inDatabase;
        QSqlQuery q(m_op->database());
        QVERIFY2(m_op->exec(q, QStringLiteral("SELECT resource || '/' || action, label FROM atlas.operation_kinds")),
                 qPrintable(m_op->lastError().message));
        while (q.next())
            inDatabase.insert(q.value(0).toString(), q.value(1).toString());
        QVERIFY(!registered.isEmpty());
        for (auto it = registered.cbegin(); it != registered.cend(); ++it)
            QVERIFY2(inDatabase.value(it.key()) == it.value(),
                     qPrintable(QStringLiteral("%1 \"%2\": atlas.operation_kinds has \"%3\"")
                                    .arg(it.key(), it.value(), inDatabase.value(it.key(), QStringLiteral("no such row")))));
        for (auto it = inDatabase.cbegin(); it != inDatabase.cend(); ++it)
            QVERIFY2(registered.contains(it.key()), qPrintable(it.key() + QStringLiteral(" is not in Producers::all()")));
    }

    void importJudgesEveryKindOfBadInput()
    {
        resetInventory();
        QTemporaryDir dir, outside;
        const QDir root(dir.path());
        write(root.filePath(QStringLiteral("SettingsCatalog/good1.json")), utf16(policy(QStringLiteral("g1"), QStringLiteral("Good one"))));
        write(root.filePath(QStringLiteral("SettingsCatalog/good2.json")), policy(QStringLiteral("g2"), QStringLiteral("Good two")));
        write(root.filePath(QStringLiteral("SettingsCatalog/z-dup.json")), policy(QStringLiteral("g1"), QStringLiteral("Same id again")));
        write(root.filePath(QStringLiteral("SettingsCatalog/broken.json")), "{\"id\": \"b1\", ");
        write(root.filePath(QStringLiteral("SettingsCatalog/deep.json")), "{\"id\":\"d1\",\"a\":" + QByteArray(100, '[') + QByteArray(100, ']') + "}");
        write(root.filePath(QStringLiteral("SettingsCatalog/huge.json")), "{\"id\":\"h1\",\"a\":\"" + QByteArray(5 * 1024 * 1024, 'x') + "\"}");
        write(root.filePath(QStringLiteral("SettingsCatalog/noid.json")), "{\"displayName\": \"nameless\"}");
        write(root.filePath(QStringLiteral("CompliancePolicies/c1.json")), policy(QStringLiteral("c1"), QStringLiteral("Compliance")));
        write(outside.filePath(QStringLiteral("secret.json")), policy(QStringLiteral("stolen"), QStringLiteral("outside")));
        QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret.json")), root.filePath(QStringLiteral("SettingsCatalog/link.json"))));

        const qint64 run = importFolder(dir.path());
        QVERIFY(run > 0);
        QCOMPARE(runValue(run, QStringLiteral("status")), QStringLiteral("completed_with_errors"));
        QCOMPARE(runValue(run, QStringLiteral("total_items")), QStringLiteral("8")); // the link is not an item
        const QMap<QString, QString> expected{
            {QStringLiteral("SettingsCatalog/broken.json"), QStringLiteral("payload_unreadable")},
            {QStringLiteral("SettingsCatalog/deep.json"), QStringLiteral("payload_too_deep")},
            {QStringLiteral("SettingsCatalog/huge.json"), QStringLiteral("payload_too_large")},
            {QStringLiteral("SettingsCatalog/noid.json"), QStringLiteral("missing_id")},
            {QStringLiteral("SettingsCatalog/z-dup.json"), QStringLiteral("duplicate_external_id")},
        };
        QCOMPARE(failures(run), expected);
        QCOMPARE(current(), (QStringList{QStringLiteral("CompliancePolicies/c1"), QStringLiteral("SettingsCatalog/g1"),
                                         QStringLiteral("SettingsCatalog/g2")}));
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT display_name FROM atlas.inventory_items WHERE external_id = 'g1'")).toString(),
                 QStringLiteral("Good one"));
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE external_id = 'stolen'")).toInt(), 0);
    }

    qint64 importFolderAllowingRetire(const QString& folder)
    {
        QString error;
        return execute(atlas::inventory::ImportJob::request(m_fx.tenantA, folder, &error, true));
    }

    void importRetiresWhatItDidNotSeeUnlessItsOwnFileFailed()
    {
        resetInventory();
        QTemporaryDir first, second, third;
        for (const char* id : {"a", "b", "c"})
            write(first.filePath(QStringLiteral("SettingsCatalog/%1.json").arg(QLatin1String(id))), policy(QLatin1String(id), QLatin1String(id)));
        write(first.filePath(QStringLiteral("UpdatePolicies/u.json")), policy(QStringLiteral("u"), QStringLiteral("U")));
        QVERIFY(importFolder(first.path()) > 0);
        QCOMPARE(current().size(), 4);
        // UpdatePolicies is gone entirely.
        for (const char* id : {"a", "b", "c"})
            write(second.filePath(QStringLiteral("SettingsCatalog/%1.json").arg(QLatin1String(id))), policy(QLatin1String(id), QLatin1String(id)));
        const qint64 run2 = importFolder(second.path());
        QCOMPARE(current(), (QStringList{QStringLiteral("SettingsCatalog/a"), QStringLiteral("SettingsCatalog/b"), QStringLiteral("SettingsCatalog/c")}));
        QCOMPARE(runValue(run2, QStringLiteral("summary->>'headline'")), QStringLiteral("3 observed, 1 retired"));
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT source_item FROM atlas.inventory_items WHERE external_id = 'b'")).toString(),
                 QStringLiteral("SettingsCatalog/b.json"));
        // b.json cannot be read now: it spares b, the policy last observed from it, and nothing
        // else of its type — c is gone and is retired.
        write(third.filePath(QStringLiteral("SettingsCatalog/a.json")), policy(QStringLiteral("a"), QStringLiteral("a")));
        write(third.filePath(QStringLiteral("SettingsCatalog/b.json")), "not json");
        write(third.filePath(QStringLiteral("SettingsCatalog/d.json")), policy(QStringLiteral("d"), QStringLiteral("d")));
        const qint64 run3 = importFolder(third.path());
        QCOMPARE(runValue(run3, QStringLiteral("status")), QStringLiteral("completed_with_errors"));
        QCOMPARE(current(), (QStringList{QStringLiteral("SettingsCatalog/a"), QStringLiteral("SettingsCatalog/b"), QStringLiteral("SettingsCatalog/d")}));
        QCOMPARE(runValue(run3, QStringLiteral("(summary->>'retired') || '/' || (summary->>'spared')")), QStringLiteral("1/1"));
    }

    void anImportThatWouldRetireMostPoliciesIsRefusedUnlessAllowed()
    {
        resetInventory();
        QTemporaryDir full, partial;
        for (int i = 0; i < 10; ++i)
            write(full.filePath(QStringLiteral("SettingsCatalog/p%1.json").arg(i)), policy(QStringLiteral("p%1").arg(i), QStringLiteral("P")));
        QVERIFY(importFolder(full.path()) > 0);
        for (int i = 0; i < 4; ++i) // 6 of 10 would go: more than half
            write(partial.filePath(QStringLiteral("SettingsCatalog/p%1.json").arg(i)), policy(QStringLiteral("p%1").arg(i), QStringLiteral("P")));
        const qint64 refused = importFolder(partial.path());
        QCOMPARE(runValue(refused, QStringLiteral("status || '/' || reason_code")), QStringLiteral("failed/retire_guard"));
        QCOMPARE(current().size(), 10);
        QVERIFY(runValue(refused, QStringLiteral("message")).contains(QLatin1String("6 of the 10")));
        QCOMPARE(runValue(refused, QStringLiteral("summary->>'retired'")), QStringLiteral("0"));
        const qint64 allowed = importFolderAllowingRetire(partial.path());
        QCOMPARE(runValue(allowed, QStringLiteral("status")), QStringLiteral("completed"));
        QCOMPARE(current().size(), 4);
        QCOMPARE(runValue(allowed, QStringLiteral("summary->>'headline'")), QStringLiteral("4 observed, 6 retired"));
        // The notification says it in words.
        QVERIFY(m_op->scalar(QStringLiteral("SELECT body FROM atlas.my_notifications WHERE run_id = ? AND event = 'completed'"),
                             {allowed}).toString().contains(QLatin1String("4 observed, 6 retired")));
    }

    void aFolderWithNoPolicyRetiresNothing_data()
    {
        QTest::addColumn<QStringList>("files"); // relative path -> content "policy" or anything else
        QTest::addColumn<int>("ignored");
        QTest::newRow("empty") << QStringList{} << 0;
        QTest::newRow("only files outside policy folders") << QStringList{QStringLiteral("MigrationTable.json"), QStringLiteral(".DS_Store"),
                                                                          QStringLiteral("SettingsCatalog/readme.txt")} << 3;
        QTest::newRow("nothing readable") << QStringList{QStringLiteral("SettingsCatalog/broken.json"), QStringLiteral("MigrationTable.json")} << 1;
    }
    void aFolderWithNoPolicyRetiresNothing()
    {
        QFETCH(QStringList, files);
        QFETCH(int, ignored);
        resetInventory();
        QTemporaryDir full, wrong;
        for (int i = 0; i < 3; ++i)
            write(full.filePath(QStringLiteral("SettingsCatalog/p%1.json").arg(i)), policy(QStringLiteral("p%1").arg(i), QStringLiteral("P")));
        QVERIFY(importFolder(full.path()) > 0);
        for (const QString& f : files)
            write(wrong.filePath(f), "{ not a policy");
        const qint64 run = importFolderAllowingRetire(wrong.path()); // even when allowed to retire
        QCOMPARE(runValue(run, QStringLiteral("status || '/' || reason_code")), QStringLiteral("failed/export_folder_empty"));
        QCOMPARE(current().size(), 3);
        QCOMPARE(runValue(run, QStringLiteral("summary->>'ignored_files'")).toInt(), ignored);
        if (ignored > 0)
            QVERIFY2(runValue(run, QStringLiteral("message")).contains(QStringLiteral("%1 file").arg(ignored)), qPrintable(runValue(run, QStringLiteral("message"))));
    }

    void filesOutsidePolicyFoldersAreCountedNotImported()
    {
        resetInventory();
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("MigrationTable.json")), policy(QStringLiteral("m"), QStringLiteral("not a policy")));
        write(dir.filePath(QStringLiteral("SettingsCatalog/.DS_Store")), "\0\0\1");
        write(dir.filePath(QStringLiteral("SettingsCatalog/readme.txt")), "hello");
        write(dir.filePath(QStringLiteral("SettingsCatalog/p.json")), policy(QStringLiteral("p"), QStringLiteral("P")));
        const qint64 run = importFolder(dir.path());
        QCOMPARE(runValue(run, QStringLiteral("status || ' ' || total_items")), QStringLiteral("completed 1"));
        QCOMPARE(runValue(run, QStringLiteral("summary->>'ignored_files'")), QStringLiteral("3"));
        QCOMPARE(current(), QStringList{QStringLiteral("SettingsCatalog/p")});
    }

    void importOfAMissingFolderIsARefusalNotARun()
    {
        QString error;
        QVERIFY(!atlas::inventory::ImportJob::request(m_fx.tenantA, QStringLiteral("/nonexistent/export"), &error));
        QVERIFY(error.contains(QLatin1String("not a readable folder")));
    }

    void addPoliciesOutcomes()
    {
        resetInventory();
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("SettingsCatalog/p1.json")), policy(QStringLiteral("p1"), QStringLiteral("P1")));
        write(dir.filePath(QStringLiteral("SettingsCatalog/p2.json")), policy(QStringLiteral("p2"), QStringLiteral("P2")));
        write(dir.filePath(QStringLiteral("SettingsCatalog/large.json")),
              policy(QStringLiteral("large"), QStringLiteral("Large"), QStringLiteral(", \"blob\": \"%1\"").arg(QString(2 * 1024 * 1024, QLatin1Char('y')))));
        QVERIFY(importFolder(dir.path()) > 0);
        const qint64 set = m_op->scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'nightly')"),
                                        {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        QVERIFY(set > 0);
        QString error;
        const qint64 first = execute(atlas::backup::AddPoliciesJob::request(*m_op, m_fx.tenantA, set,
                                                              {QStringLiteral("p1"), QStringLiteral("nope"), QStringLiteral("large")}, &error));
        QCOMPARE(runValue(first, QStringLiteral("status")), QStringLiteral("completed_with_errors"));
        QCOMPARE(failures(first), (QMap<QString, QString>{{QStringLiteral("large"), QStringLiteral("payload_too_large")},
                                                          {QStringLiteral("nope"), QStringLiteral("policy_not_found")}}));
        QCOMPARE(runValue(first, QStringLiteral("succeeded_items || '/' || skipped_items")), QStringLiteral("1/0"));
        // The same again: p1 is in the set with identical content now, so it is skipped.
        const qint64 second = execute(atlas::backup::AddPoliciesJob::request(*m_op, m_fx.tenantA, set, {QStringLiteral("p1"), QStringLiteral("p2")}, &error));
        QCOMPARE(runValue(second, QStringLiteral("status")), QStringLiteral("completed"));
        QCOMPARE(runValue(second, QStringLiteral("succeeded_items || '/' || skipped_items")), QStringLiteral("1/1"));
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT count(*) FROM atlas.backup_set_items WHERE backup_set_id = ?"), {set}).toInt(), 2);
        QCOMPARE(runValue(second, QStringLiteral("summary->>'unchanged'")), QStringLiteral("1"));
        // --all takes every current policy; an unknown set is a refusal.
        const qint64 all = execute(atlas::backup::AddPoliciesJob::request(*m_op, m_fx.tenantA, set, {}, &error));
        QCOMPARE(runValue(all, QStringLiteral("total_items")).toInt(), 3);
        QVERIFY(!atlas::backup::AddPoliciesJob::request(*m_op, m_fx.tenantA, 999999, {}, &error));
        QVERIFY(error.contains(QLatin1String("not found")));
    }

    void driftOnSelfMadeExports()
    {
        resetInventory();
        QTemporaryDir before, after;
        write(before.filePath(QStringLiteral("SettingsCatalog/same.json")), policy(QStringLiteral("same"), QStringLiteral("Same")));
        write(before.filePath(QStringLiteral("SettingsCatalog/gone.json")), policy(QStringLiteral("gone"), QStringLiteral("Gone")));
        write(before.filePath(QStringLiteral("SettingsCatalog/changed.json")),
              policy(QStringLiteral("changed"), QStringLiteral("Changed"), QStringLiteral(", \"settings\": [{\"id\": \"0\", \"settingInstance\": {\"settingDefinitionId\": \"x\", \"v\": 1}}], \"tags\": [\"a\", \"b\"]")));
        QVERIFY(importFolder(before.path()) > 0);
        const qint64 baseline = m_op->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'before')"),
                                             {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        write(after.filePath(QStringLiteral("SettingsCatalog/same.json")), policy(QStringLiteral("same"), QStringLiteral("Same")));
        write(after.filePath(QStringLiteral("SettingsCatalog/new.json")), policy(QStringLiteral("new"), QStringLiteral("New")));
        write(after.filePath(QStringLiteral("SettingsCatalog/changed.json")),
              policy(QStringLiteral("changed"), QStringLiteral("Changed"), QStringLiteral(", \"settings\": [{\"id\": \"0\", \"settingInstance\": {\"settingDefinitionId\": \"x\", \"v\": 2}}], \"tags\": [\"b\", \"a\"]")));
        QVERIFY(importFolder(after.path()) > 0);
        QString error;
        const qint64 run = execute(atlas::drift::DriftJob::request(*m_op, m_fx.tenantA, baseline, &error));
        QCOMPARE(runValue(run, QStringLiteral("status")), QStringLiteral("completed"));
        QCOMPARE(findings(run), (QStringList{QStringLiteral("modified SettingsCatalog changed [\"/settings/0/settingInstance/v\"]"),
                                             QStringLiteral("removed SettingsCatalog gone []"),
                                             QStringLiteral("added SettingsCatalog new []")}));
        QCOMPARE(runValue(run, QStringLiteral("(summary->>'added') || (summary->>'removed') || (summary->>'modified') || (summary->>'unchanged')")),
                 QStringLiteral("1111"));
        QCOMPARE(runValue(run, QStringLiteral("total_items")), QStringLiteral("4"));
        QVERIFY(!atlas::drift::DriftJob::request(*m_op, m_fx.tenantA, 999999, &error));
        QVERIFY(error.contains(QLatin1String("baseline 999999 not found")));
    }

    void driftOnTheOpenIntuneBaseline()
    {
        const QString oib = qEnvironmentVariable("ATLAS_SOURCE_DIR") + QStringLiteral("/../shared/data/oib");
        ATLAS_REQUIRE_OIB(oib + QStringLiteral("/windows-v3.6"));
        resetInventory();
        const qint64 import35 = importFolder(oib + QStringLiteral("/windows-v3.5"));
        QCOMPARE(runValue(import35, QStringLiteral("status || ' ' || succeeded_items")), QStringLiteral("completed 65"));
        const qint64 baseline = m_op->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'OIB v3.5')"),
                                             {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        const qint64 import36 = importFolder(oib + QStringLiteral("/windows-v3.6"));
        // v3.6 has two files with the LAPS policy's id: the first in path order ("(24H2+)") counts.
        QCOMPARE(failures(import36), (QMap<QString, QString>{
            {QStringLiteral("SettingsCatalog/Win - OIB - ES - Windows LAPS - D - LAPS Configuration - v3.1.json"), QStringLiteral("duplicate_external_id")}}));
        QString error;
        const qint64 run = execute(atlas::drift::DriftJob::request(*m_op, m_fx.tenantA, baseline, &error));
        QCOMPARE(runValue(run, QStringLiteral("status || ' ' || total_items")), QStringLiteral("completed 69"));
        // Worked out from the files: policies added and removed between the releases, and for
        // each modified one the settings that changed (by definition id) and its renamed fields.
        const QStringList expected{
            R"(added SettingsCatalog 06bef345-3503-449e-a87e-5d6a8a0bd371 [])",
            R"(modified SettingsCatalog 09f8fe6a-6650-4386-ba29-725e3c98f96b ["/name", "/settings/3"])",
            R"(modified SettingsCatalog 2b3a8e2b-3daa-472c-8b1c-809fc76d4a1d ["/name", "/settingCount", "/settings/1"])",
            R"(modified SettingsCatalog 52358169-92ea-4efa-9abf-2af196d28ca3 ["/name", "/settingCount", "/settings/0", "/settings/1", "/settings/8", "/settings/9"])",
            R"(removed SettingsCatalog 5c0e16e2-f5f0-4d75-bad0-5cf56a56cd4e [])",
            R"(modified SettingsCatalog 76cc4a5e-1382-4f50-8679-3249d69d2932 ["/name", "/settingCount", "/settings/10"])",
            R"(added SettingsCatalog 7848bcb6-6cd3-43a4-9781-b27b54bb3524 [])",
            R"(modified SettingsCatalog 901ff2b8-8deb-4315-becc-da486661b261 ["/description"])",
            R"(modified SettingsCatalog 99ff7a9a-e27e-4217-8325-dfebd2e9cfe0 ["/name", "/settingCount", "/settings/48", "/settings/49", "/settings/50", "/settings/51", "/settings/52", "/settings/53", "/settings/54", "/settings/55", "/settings/56", "/settings/57", "/settings/58", "/settings/60", "/settings/61", "/settings/62", "/settings/63"])",
            R"(modified SettingsCatalog a48b98ee-84b8-4010-9a4c-65741327dbf7 ["/assignments", "/name", "/settings/0/settingInstance/choiceSettingValue/value"])",
            R"(modified SettingsCatalog b7b4fce7-52d7-49e5-9c98-1860b3aeb0cb ["/name", "/settingCount", "/settings/2"])",
            R"(added SettingsCatalog c1d023b7-2edc-46be-9788-c954e1a171f1 [])",
            R"(modified SettingsCatalog c7afef6d-3dac-42e7-9c04-899ead79b3f6 ["/name", "/settingCount", "/settings/1/settingInstance/choiceSettingValue/children/0/choiceSettingValue/value", "/settings/12", "/settings/15", "/settings/23", "/settings/24", "/settings/27", "/settings/29", "/settings/30", "/settings/38", "/settings/39", "/settings/40"])",
            R"(modified SettingsCatalog ccde33f8-d5c4-411c-9bbe-371e9894d1f9 ["/description", "/name", "/settingCount", "/settings/1/settingInstance/choiceSettingValue/children/0", "/settings/1/settingInstance/choiceSettingValue/value", "/settings/3/settingInstance/choiceSettingValue/value", "/settings/5"])",
            R"(modified SettingsCatalog d0cb201d-9bc3-4820-a4e2-830cf1ebb268 ["/description"])",
            R"(modified SettingsCatalog dd168bb8-53f9-4fa7-a6a5-de6eda3031e6 ["/description"])",
            R"(added SettingsCatalog e5e675ef-4eb7-4e39-9b82-06d2f051660e [])",
        };
        QCOMPARE(findings(run), expected);
        QCOMPARE(runValue(run, QStringLiteral("summary->>'unchanged'")), QStringLiteral("52"));
    }

    void theCorruptedRealFileFailsItsItemOnly()
    {
        const QString oib = qEnvironmentVariable("ATLAS_SOURCE_DIR") + QStringLiteral("/../shared/data/oib/windows-v3.7");
        ATLAS_REQUIRE_OIB(oib);
        const qint64 run = importFolder(oib);
        QCOMPARE(runValue(run, QStringLiteral("status || ' ' || total_items || ' ' || succeeded_items")),
                 QStringLiteral("completed_with_errors 69 67"));
        QCOMPARE(failures(run), (QMap<QString, QString>{
            {QStringLiteral("SettingsCatalog/Win - OIB - ES - Encryption - D - BitLocker (OS Disk) - v3.7.json"), QStringLiteral("payload_unreadable")},
            {QStringLiteral("SettingsCatalog/Win - OIB - ES - Windows LAPS - D - LAPS Configuration - v3.1.json"), QStringLiteral("duplicate_external_id")}}));
    }

    // v3.7 has one corrupted settings-catalog file. Its removals must still show, and the findings
    // of that type say that a file could not be read.
    void aBadFileDoesNotHideTheReleasesRemovals()
    {
        const QString oib = qEnvironmentVariable("ATLAS_SOURCE_DIR") + QStringLiteral("/../shared/data/oib");
        ATLAS_REQUIRE_OIB(oib + QStringLiteral("/windows-v3.7"));
        resetInventory();
        QVERIFY(importFolder(oib + QStringLiteral("/windows-v3.6")) > 0);
        const qint64 baseline = m_op->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'OIB v3.6')"),
                                             {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        const qint64 import37 = importFolder(oib + QStringLiteral("/windows-v3.7"));
        QCOMPARE(runValue(import37, QStringLiteral("summary->>'retired'")), QStringLiteral("5"));
        QString error;
        const qint64 run = execute(atlas::drift::DriftJob::request(*m_op, m_fx.tenantA, baseline, &error));
        QSqlQuery q(m_op->database());
        QVERIFY(m_op->exec(q, QStringLiteral("SELECT external_id, note->'unreadable'->>0 FROM atlas.drift_findings "
                                             "WHERE run_id = ? AND change = 'removed' ORDER BY external_id"), {run}));
        QStringList removed;
        QString bitLockerNote;
        while (q.next()) {
            removed << q.value(0).toString();
            if (q.value(0).toString() == QLatin1String("16c73d84-c3bd-4145-b0b5-a57bd3273ca1"))
                bitLockerNote = q.value(1).toString();
        }
        // Read from the two folders with a separate script: the ids in v3.6 and not in v3.7.
        QCOMPARE(removed, (QStringList{QStringLiteral("06f1e3a4-3a3d-4da3-92d2-33e7f102a587"),
                                       QStringLiteral("16c73d84-c3bd-4145-b0b5-a57bd3273ca1"), // BitLocker (OS Disk): its v3.7 file is the corrupted one
                                       QStringLiteral("901ff2b8-8deb-4315-becc-da486661b261"),
                                       QStringLiteral("d0cb201d-9bc3-4820-a4e2-830cf1ebb268"),
                                       QStringLiteral("dd168bb8-53f9-4fa7-a6a5-de6eda3031e6")}));
        QCOMPARE(bitLockerNote, QStringLiteral("SettingsCatalog/Win - OIB - ES - Encryption - D - BitLocker (OS Disk) - v3.7.json"));
        // Only the type with the unreadable file is uncertain.
        QCOMPARE(m_op->scalar(QStringLiteral("SELECT count(*) FROM atlas.drift_findings WHERE run_id = ? AND note IS NOT NULL "
                                             "AND policy_type <> 'SettingsCatalog'"), {run}).toInt(), 0);
        QVERIFY(runValue(run, QStringLiteral("summary->>'headline'")).contains(QLatin1String("uncertain")));
    }

    // A finding keeps what its run compared: viewed after a later import it still shows the
    // inventory as the run saw it, and says that the inventory has changed since.
    void aFindingShowsWhatItsRunSaw()
    {
        resetInventory();
        QTemporaryDir before, during, later;
        auto version = [](int v) { return QStringLiteral(", \"settings\": [{\"id\": \"0\", \"v\": %1}]").arg(v); };
        write(before.filePath(QStringLiteral("SettingsCatalog/x.json")), policy(QStringLiteral("x"), QStringLiteral("X"), version(1)));
        write(before.filePath(QStringLiteral("SettingsCatalog/y.json")), policy(QStringLiteral("y"), QStringLiteral("Y"), version(1)));
        QVERIFY(importFolder(before.path()) > 0);
        const qint64 baseline = m_op->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'before')"),
                                             {m_fx.tenantA.toString(QUuid::WithoutBraces)}).toLongLong();
        write(during.filePath(QStringLiteral("SettingsCatalog/x.json")), policy(QStringLiteral("x"), QStringLiteral("X"), version(2)));
        const QByteArray y2 = policy(QStringLiteral("y"), QStringLiteral("Y"), version(2)); // byte for byte the same later
        write(during.filePath(QStringLiteral("SettingsCatalog/y.json")), y2);
        QVERIFY(importFolder(during.path()) > 0);
        QString error;
        const qint64 run = execute(atlas::drift::DriftJob::request(*m_op, m_fx.tenantA, baseline, &error));
        QCOMPARE(runValue(run, QStringLiteral("summary->>'modified'")), QStringLiteral("2"));
        // x changes again; y stays as the run saw it.
        write(later.filePath(QStringLiteral("SettingsCatalog/x.json")), policy(QStringLiteral("x"), QStringLiteral("X"), version(3)));
        write(later.filePath(QStringLiteral("SettingsCatalog/y.json")), y2);
        QVERIFY(importFolder(later.path()) > 0);
        const atlas::catalog::PayloadPair x = atlas::catalog::payloads(*m_op, run, QStringLiteral("SettingsCatalog"), QStringLiteral("x"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(x.currentAsRunSawIt);
        QVERIFY(x.currentChangedSinceRun);
        QVERIFY2(x.current.contains(QLatin1String("\"v\": 2")), qPrintable(x.current));
        QVERIFY(x.baseline.contains(QLatin1String("\"v\": 1")));
        const atlas::catalog::PayloadPair y = atlas::catalog::payloads(*m_op, run, QStringLiteral("SettingsCatalog"), QStringLiteral("y"), &error);
        QVERIFY(y.currentAsRunSawIt);
        QVERIFY(!y.currentChangedSinceRun);
        // Kept once per content, not a copy per finding or run: a second drift run adds x@3 only
        // (y@2 is kept already).
        const QString count = QStringLiteral("SELECT count(*) FROM atlas.payload_snapshots WHERE tenant_id = '%1'")
                                  .arg(m_fx.tenantA.toString(QUuid::WithoutBraces));
        const int kept = m_su->scalar(count).toInt();
        const qint64 again = execute(atlas::drift::DriftJob::request(*m_op, m_fx.tenantA, baseline, &error));
        QCOMPARE(runValue(again, QStringLiteral("summary->>'modified'")), QStringLiteral("2"));
        QCOMPARE(m_su->scalar(count).toInt(), kept + 1);
    }

    void exportFileNamesAreSafeEverywhere()
    {
        QSet<QString> taken;
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QStringLiteral("Win - A/B: C? <x> \"q\" |*"), QStringLiteral("id"), &taken),
                 QStringLiteral("Win - A_B_ C_ _x_ _q_ __.json"));
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QStringLiteral("CON"), QStringLiteral("id"), &taken), QStringLiteral("_CON.json"));
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QStringLiteral("lpt1.txt"), QStringLiteral("id"), &taken), QStringLiteral("_lpt1.txt.json"));
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QStringLiteral("Trailing. . "), QStringLiteral("id"), &taken), QStringLiteral("Trailing.json"));
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QStringLiteral("trailing"), QStringLiteral("id"), &taken), QStringLiteral("trailing (2).json"));
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QStringLiteral("   "), QStringLiteral("the-id"), &taken), QStringLiteral("the-id.json"));
        QCOMPARE(atlas::backup::ExportJob::safeFileName(QString(200, QLatin1Char('x')), QStringLiteral("id"), &taken).size(), 155);
    }

    // Export a set, import it into another tenant, and drift there against a baseline of the
    // source export: nothing drifted, so what IntuneManagement gets back is what was saved.
    void anExportedSetImportsBackUnchanged()
    {
        const QString oib = qEnvironmentVariable("ATLAS_SOURCE_DIR") + QStringLiteral("/../shared/data/oib/windows-v3.6");
        ATLAS_REQUIRE_OIB(oib);
        resetInventory();
        QString error;
        QVERIFY(importFolder(oib) > 0);
        const QString a = m_fx.tenantA.toString(QUuid::WithoutBraces);
        const qint64 set = m_op->scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'to restore')"), {a}).toLongLong();
        QCOMPARE(runValue(execute(atlas::backup::AddPoliciesJob::request(*m_op, m_fx.tenantA, set, {}, &error)), QStringLiteral("status")),
                 QStringLiteral("completed"));
        const int inSet = m_op->scalar(QStringLiteral("SELECT count(*) FROM atlas.backup_set_items WHERE backup_set_id = ?"), {set}).toInt();
        QVERIFY(inSet >= 60);
        QTemporaryDir out;
        const QString folder = out.filePath(QStringLiteral("restore"));
        QVERIFY(!atlas::backup::ExportJob::request(*m_op, m_fx.tenantA, set, out.path() + QStringLiteral("/../"), &error)); // not empty
        const qint64 run = execute(atlas::backup::ExportJob::request(*m_op, m_fx.tenantA, set, folder, &error));
        QVERIFY2(run > 0, qPrintable(error));
        QCOMPARE(runValue(run, QStringLiteral("status || ' ' || succeeded_items")), QStringLiteral("completed %1").arg(inSet));
        QVERIFY(runValue(run, QStringLiteral("summary->>'headline'")).startsWith(QStringLiteral("%1 policies written").arg(inSet)));
        // The tool's layout: a folder per type, UTF-16LE with BOM, CRLF.
        QList<atlas::inventory::ExportFile> files;
        QVERIFY(atlas::inventory::ExportReader::scan(folder, &files, &error));
        QCOMPARE(files.size(), inSet);
        QFile first(files.first().absolutePath);
        QVERIFY(first.open(QIODevice::ReadOnly));
        const QByteArray bytes = first.readAll();
        QVERIFY(bytes.startsWith("\xFF\xFE"));
        QVERIFY(bytes.contains(QByteArray("\r\0\n\0", 4)));
        // Tenant B: the source export as its baseline, then the restored one as its inventory.
        QVERIFY(execute(atlas::inventory::ImportJob::request(m_fx.tenantB, oib, &error, true), QStringLiteral("owner_b")) > 0);
        auto ob = m_fx.cluster.connectAs(QStringLiteral("owner_b"));
        const qint64 baseline = ob->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'source')"),
                                           {m_fx.tenantB.toString(QUuid::WithoutBraces)}).toLongLong();
        QVERIFY(baseline > 0);
        const qint64 restored = execute(atlas::inventory::ImportJob::request(m_fx.tenantB, folder, &error, true), QStringLiteral("owner_b"));
        QCOMPARE(ob->scalar(QStringLiteral("SELECT status FROM atlas.operation_runs WHERE id = ?"), {restored}).toString(), QStringLiteral("completed"));
        const qint64 drift = execute(atlas::drift::DriftJob::request(*ob, m_fx.tenantB, baseline, &error), QStringLiteral("owner_b"));
        QCOMPARE(ob->scalar(QStringLiteral("SELECT status || ' ' || (summary->>'headline') FROM atlas.operation_runs WHERE id = ?"), {drift}).toString(),
                 QStringLiteral("completed No drift"));
        QCOMPARE(ob->scalar(QStringLiteral("SELECT count(*) FROM atlas.drift_findings WHERE run_id = ?"), {drift}).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestProducers)
#include "tst_producers.moc"
