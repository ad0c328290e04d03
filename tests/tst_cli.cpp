// The atlas-ops binary as scripts use it: exit status, one line on stderr, --json on stdout.
#include "Fixture.h"
#include "commands/Command.h"
#include "runs/Producers.h"
#include "runs/RunApi.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QThread>

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QtTest>

class TestCli : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    QString m_binary;

    QString loginUrl(const QString& login) { return m_fx.loginUrl(login); }
    QString tenantA() const { return m_fx.a(); }
    static QJsonObject json(const QString& out) { return QJsonDocument::fromJson(out.toUtf8()).object(); }
    using Result = atlas::test::CliResult;
    static Result run(const QStringList& args, const QProcessEnvironment& env = atlas::test::Fixture::cleanEnvironment())
    {
        return atlas::test::Fixture::cli(args, env);
    }
    QString superuserUrl(const QString& database) { return m_fx.superuserUrl(database); }

    using Registry = atlas::app::commands::CommandRegistry;
    // A database that is not there: a command that got past its command line fails to connect.
    static QStringList nowhere() { return {QStringLiteral("--db"), QStringLiteral("postgresql://u@/db?host=/nonexistent-dir")}; }

    static int lines(const QString& text) { return text.trimmed().isEmpty() ? 0 : int(text.trimmed().count(QLatin1Char('\n'))) + 1; }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_REQUIRE_BINARY();
        m_binary = atlas::test::Fixture::binary();
        ATLAS_SET_UP(m_fx);
        QString error;
        QVERIFY2(m_fx.cluster.cluster().ensureDatabase(QStringLiteral("cli"), &error), qPrintable(error));
    }

    void importBaselineDriftAndShowAsJson()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("SettingsCatalog")));
        for (const char* id : {"p1", "p2"}) {
            QFile f(dir.path() + QStringLiteral("/SettingsCatalog/%1.json").arg(QLatin1String(id)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray("{\"id\": \"") + id + "\", \"displayName\": \"Policy\"}");
        }
        const QString op = loginUrl(QStringLiteral("operator_a"));
        const Result imported = run({QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"), tenantA(),
                                     dir.path(), QStringLiteral("--db"), op, QStringLiteral("--json")});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        const QJsonObject run1 = json(imported.out);
        for (const char* column : {"id", "tenant_id", "initiator", "resource", "action", "status", "status_bucket", "total_items",
                                   "processed_items", "succeeded_items", "failed_items", "skipped_items", "item_ids", "failures",
                                   "idempotency_key", "created_at", "started_at", "finished_at", "heartbeat_at", "summary", "reused"})
            QVERIFY2(run1.contains(QLatin1String(column)), column);
        QCOMPARE(run1.value(QStringLiteral("status_bucket")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(run1.value(QStringLiteral("reused")).toBool(), false);
        QCOMPARE(run1.value(QStringLiteral("initiator")).toString(), QStringLiteral("operator_a"));
        QCOMPARE(run1.value(QStringLiteral("item_ids")).toArray().size(), 2);

        const Result baseline = run({QStringLiteral("baseline"), QStringLiteral("capture"), QStringLiteral("--tenant"), tenantA(),
                                     QStringLiteral("--name"), QStringLiteral("first"), QStringLiteral("--db"), op});
        QCOMPARE(baseline.exitCode, 0);
        const qint64 baselineId = baseline.out.trimmed().toLongLong();
        QVERIFY(baselineId > 0);
        const Result drift = run({QStringLiteral("run"), QStringLiteral("drift"), QStringLiteral("--tenant"), tenantA(),
                                  QStringLiteral("--baseline"), QString::number(baselineId), QStringLiteral("--db"), op});
        QVERIFY2(drift.exitCode == 0, qPrintable(drift.err));
        QVERIFY2(drift.out.contains(QLatin1String("Drift generation: Succeeded")), qPrintable(drift.out));

        const Result show = run({QStringLiteral("runs"), QStringLiteral("show"), QString::number(run1.value(QStringLiteral("id")).toInteger()),
                                 QStringLiteral("--db"), op, QStringLiteral("--json")});
        QCOMPARE(show.exitCode, 0);
        QCOMPARE(json(show.out).value(QStringLiteral("idempotency_key")), run1.value(QStringLiteral("idempotency_key")));
        const Result list = run({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--tenant"), tenantA(),
                                 QStringLiteral("--db"), op, QStringLiteral("--json")});
        const QJsonArray runs = json(list.out).value(QStringLiteral("runs")).toArray();
        QVERIFY(runs.size() >= 2);
        QCOMPARE(runs.first().toObject().value(QStringLiteral("resource")).toString(), QStringLiteral("drift")); // newest first
        const Result onlyImports = run({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--tenant"), tenantA(),
                                        QStringLiteral("--resource"), QStringLiteral("inventory"), QStringLiteral("--bucket"),
                                        QStringLiteral("succeeded"), QStringLiteral("--since"), QStringLiteral("1h"),
                                        QStringLiteral("--db"), op, QStringLiteral("--json")});
        for (const QJsonValue& r : json(onlyImports.out).value(QStringLiteral("runs")).toArray())
            QCOMPARE(r.toObject().value(QStringLiteral("resource")).toString(), QStringLiteral("inventory"));
        QCOMPARE(json(onlyImports.out).value(QStringLiteral("runs")).toArray().size(), 1);
        // Another tenant's user cannot see the run at all.
        const Result other = run({QStringLiteral("runs"), QStringLiteral("show"), QString::number(run1.value(QStringLiteral("id")).toInteger()),
                                  QStringLiteral("--db"), loginUrl(QStringLiteral("owner_b"))});
        QCOMPARE(other.exitCode, 1);
        QVERIFY(other.err.contains(QLatin1String("not found")));
    }

    // A folder that would retire most of the inventory (a wrong path, an unmounted share) is
    // refused and says how to go on; --allow-retire goes on. An empty folder never retires.
    void theRetireGuardAndAllowRetire()
    {
        const QString op = loginUrl(QStringLiteral("operator_a"));
        auto folder = [](QTemporaryDir& dir, const QStringList& ids) {
            QDir(dir.path()).mkpath(QStringLiteral("DeviceConfiguration"));
            for (const QString& id : ids) {
                QFile f(dir.path() + QStringLiteral("/DeviceConfiguration/%1.json").arg(id));
                f.open(QIODevice::WriteOnly);
                f.write(QStringLiteral("{\"id\": \"%1\", \"displayName\": \"Policy %1\"}").arg(id).toUtf8());
            }
        };
        QTemporaryDir full, lone, empty;
        folder(full, {QStringLiteral("g1"), QStringLiteral("g2"), QStringLiteral("g3"), QStringLiteral("g4")});
        folder(lone, {QStringLiteral("g1")});
        QFile stray(empty.path() + QStringLiteral("/MigrationTable.json"));
        QVERIFY(stray.open(QIODevice::WriteOnly));
        stray.close();
        const QStringList importArgs{QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"), tenantA(),
                                     QStringLiteral("--db"), op, QStringLiteral("--json")};
        QCOMPARE(run(importArgs + QStringList{QStringLiteral("--allow-retire"), full.path()}).exitCode, 0);
        auto current = [&] {
            return m_fx.cluster.connectSuperuser()->scalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current"),
                                                        {tenantA()}).toInt();
        };
        const int before = current();
        QVERIFY(before >= 4);
        const Result refused = run(importArgs + QStringList{lone.path()});
        QCOMPARE(refused.exitCode, 0); // the run finished; its bucket says how
        QCOMPARE(json(refused.out).value(QStringLiteral("status_bucket")).toString(), QStringLiteral("failed"));
        QVERIFY2(refused.out.contains(QLatin1String("retire_guard")), qPrintable(refused.out));
        QCOMPARE(current(), before);
        const Result plain = run({QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"), tenantA(),
                                  QStringLiteral("--db"), op, lone.path()});
        QVERIFY2(plain.out.contains(QLatin1String("retire_guard")) || plain.err.contains(QLatin1String("retire_guard")), qPrintable(plain.out + plain.err));
        const Result emptied = run(importArgs + QStringList{QStringLiteral("--allow-retire"), empty.path()});
        QVERIFY2(emptied.out.contains(QLatin1String("export_folder_empty")), qPrintable(emptied.out));
        QCOMPARE(current(), before);
        const Result allowed = run(importArgs + QStringList{QStringLiteral("--allow-retire"), lone.path()});
        QCOMPARE(json(allowed.out).value(QStringLiteral("status_bucket")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(current(), 1);
        QVERIFY2(json(allowed.out).value(QStringLiteral("summary")).toObject().value(QStringLiteral("headline")).toString().endsWith(QLatin1String(" retired")),
                 qPrintable(allowed.out));
    }

    void runsCancelIsForOwnersAndManagers()
    {
        auto op = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        atlas::runs::RunApi api(*op);
        atlas::db::DbError error;
        const auto started = api.start(m_fx.tenantA, QStringLiteral("probe"), QStringLiteral("check"),
                                       QJsonObject{{QStringLiteral("cli_cancel"), 1}}, {QStringLiteral("x")}, &error);
        QVERIFY2(started, qPrintable(error.message));
        const QString id = QString::number(started->runId);
        const Result refused = run({QStringLiteral("runs"), QStringLiteral("cancel"), id, QStringLiteral("--db"), loginUrl(QStringLiteral("operator_a"))});
        QCOMPARE(refused.exitCode, 1);
        QCOMPARE(refused.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY2(refused.err.contains(QLatin1String("owners and managers")), qPrintable(refused.err));
        const Result cancelled = run({QStringLiteral("runs"), QStringLiteral("cancel"), id, QStringLiteral("--db"),
                                      loginUrl(QStringLiteral("manager_a")), QStringLiteral("--json")});
        QVERIFY2(cancelled.exitCode == 0, qPrintable(cancelled.err));
        const QJsonObject shown = json(cancelled.out);
        QCOMPARE(shown.value(QStringLiteral("status")).toString(), QStringLiteral("aborted"));
        QCOMPARE(shown.value(QStringLiteral("id")).toInteger(), started->runId);
        QVERIFY(cancelled.out.contains(QLatin1String("cancelled")));
        const Result unknown = run({QStringLiteral("runs"), QStringLiteral("cancel"), QStringLiteral("nope"), QStringLiteral("--db"),
                                    loginUrl(QStringLiteral("manager_a"))});
        QCOMPARE(unknown.exitCode, 1);
    }

    void backupSetExportWritesAnExportFolder()
    {
        const QString op = loginUrl(QStringLiteral("operator_a"));
        auto conn = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        const qint64 set = conn->scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'cli export')"), {tenantA()}).toLongLong();
        QVERIFY(set > 0);
        QTemporaryDir out;
        const QString folder = out.filePath(QStringLiteral("restore"));
        const Result exported = run({QStringLiteral("backup-set"), QStringLiteral("export"), QStringLiteral("--tenant"), tenantA(),
                                     QStringLiteral("--backup-set"), QString::number(set), folder, QStringLiteral("--db"), op,
                                     QStringLiteral("--json")});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
        const QJsonObject shown = json(exported.out);
        QCOMPARE(shown.value(QStringLiteral("resource")).toString() + QLatin1Char('/') + shown.value(QStringLiteral("action")).toString(),
                 QStringLiteral("backup_set/export"));
        QCOMPARE(shown.value(QStringLiteral("status_bucket")).toString(), QStringLiteral("succeeded"));
        QVERIFY(QFileInfo(folder).isDir());
        // Into a folder that holds something: refused in one line, nothing started.
        const Result refused = run({QStringLiteral("backup-set"), QStringLiteral("export"), QStringLiteral("--tenant"), tenantA(),
                                    QStringLiteral("--backup-set"), QString::number(set), out.path(), QStringLiteral("--db"), op});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QLatin1String("not an empty folder")), qPrintable(refused.err));
    }

    void tenantsListsOnlyTheCallersTenantsWithRoles()
    {
        const Result manager = run({QStringLiteral("tenants"), QStringLiteral("--db"), loginUrl(QStringLiteral("manager_a")),
                                    QStringLiteral("--json")});
        QVERIFY2(manager.exitCode == 0, qPrintable(manager.err));
        const QJsonArray tenants = json(manager.out).value(QStringLiteral("tenants")).toArray();
        QCOMPARE(tenants.size(), 1);
        QCOMPARE(tenants.first().toObject().value(QStringLiteral("tenant_id")).toString(), tenantA());
        QCOMPARE(tenants.first().toObject().value(QStringLiteral("role")).toString(), QStringLiteral("manager"));
        const Result outsider = run({QStringLiteral("tenants"), QStringLiteral("--db"), loginUrl(QStringLiteral("outsider"))});
        QCOMPARE(outsider.exitCode, 0);
        QCOMPARE(outsider.out.trimmed(), QStringLiteral("You are not a member of any tenant."));
        const Result other = run({QStringLiteral("tenants"), QStringLiteral("--db"), loginUrl(QStringLiteral("owner_b"))});
        QVERIFY(other.out.contains(m_fx.tenantB.toString(QUuid::WithoutBraces)));
        QVERIFY(!other.out.contains(tenantA()));
    }

    void theSchemaVersionDecidesWhatThisBuildMayDo()
    {
        auto su = m_fx.cluster.connectSuperuser();
        const QString op = loginUrl(QStringLiteral("operator_a"));
        const QStringList write{QStringLiteral("baseline"), QStringLiteral("capture"), QStringLiteral("--tenant"), tenantA(),
                                QStringLiteral("--name"), QStringLiteral("schema"), QStringLiteral("--db"), op};
        const QStringList read{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--tenant"), tenantA(),
                               QStringLiteral("--db"), op};
        // A newer Atlas Ops migrated the database: reading works, writing is refused in one line.
        QVERIFY(su->execRaw(QStringLiteral("INSERT INTO atlas.schema_migrations (version) VALUES ('9999_from_the_future')")));
        const QString baselines = QStringLiteral("SELECT count(*) FROM atlas.baselines");
        const int before = su->scalar(baselines).toInt();
        const Result refused = run(write);
        const Result listed = run(read);
        QVERIFY(su->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '9999_from_the_future'")));
        QCOMPARE(refused.exitCode, 1);
        QCOMPARE(lines(refused.err), 1);
        QVERIFY2(refused.err.contains(QLatin1String("9999_from_the_future")) && refused.err.contains(QLatin1String("newer")),
                 qPrintable(refused.err));
        QCOMPARE(su->scalar(baselines).toInt(), before);
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
        // Missing a migration this build needs: nothing works until someone migrates.
        const QString newest = su->scalar(QStringLiteral("SELECT max(version) FROM atlas.schema_migrations")).toString();
        QVERIFY(su->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '%1'").arg(newest)));
        const Result older = run(read);
        QVERIFY(su->execRaw(QStringLiteral("INSERT INTO atlas.schema_migrations (version) VALUES ('%1')").arg(newest)));
        QCOMPARE(older.exitCode, 1);
        QVERIFY2(older.err.contains(QLatin1String("older")) && older.err.contains(QLatin1String("atlas-ops migrate")),
                 qPrintable(older.err));
        // A login that is no Atlas Ops user is told so.
        QVERIFY(su->execRaw(QStringLiteral("CREATE ROLE stranger LOGIN PASSWORD 'pw-stranger'")));
        const Result stranger = run({QStringLiteral("tenants"), QStringLiteral("--db"), loginUrl(QStringLiteral("stranger"))});
        QCOMPARE(stranger.exitCode, 1);
        QVERIFY2(stranger.err.contains(QLatin1String("atlas_client")), qPrintable(stranger.err));
        QCOMPARE(run(read).exitCode, 0);
    }

    void anIdenticalActiveRunIsReusedAndFollowedWithWait()
    {
        auto conn = m_fx.cluster.connectAs(QStringLiteral("operator_a"));
        const qint64 baselineId = conn->scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'reuse')"), {tenantA()}).toLongLong();
        // Another console started the identical run and is working on it.
        atlas::runs::RunApi api(*conn);
        atlas::db::DbError error;
        QStringList items;
        QSqlQuery q(conn->database());
        QVERIFY(conn->exec(q, QStringLiteral("SELECT external_id FROM atlas.baseline_items WHERE baseline_id = ? UNION "
                                             "SELECT external_id FROM atlas.inventory_items WHERE is_current ORDER BY 1"), {baselineId}));
        while (q.next())
            items << q.value(0).toString();
        const auto started = api.start(m_fx.tenantA, QStringLiteral("drift"), QStringLiteral("generate"),
                                       QJsonObject{{QStringLiteral("baseline_id"), baselineId}}, items, &error);
        QVERIFY(started && !started->reused);
        const auto lease = api.claim(started->runId, &error);
        QVERIFY(lease && !lease->isNull());

        const QStringList args{QStringLiteral("run"), QStringLiteral("drift"), QStringLiteral("--tenant"), tenantA(),
                               QStringLiteral("--baseline"), QString::number(baselineId), QStringLiteral("--db"),
                               loginUrl(QStringLiteral("manager_a")), QStringLiteral("--json")};
        const Result reused = run(args);
        QCOMPARE(reused.exitCode, 0);
        QCOMPARE(json(reused.out).value(QStringLiteral("reused")).toBool(), true);
        QCOMPARE(json(reused.out).value(QStringLiteral("id")).toInteger(), started->runId);
        QCOMPARE(json(reused.out).value(QStringLiteral("status_bucket")).toString(), QStringLiteral("running"));

        QProcess waiting;
        waiting.start(m_binary, args + QStringList{QStringLiteral("--wait")});
        QVERIFY(waiting.waitForStarted());
        QThread::msleep(1500);
        QCOMPARE(waiting.state(), QProcess::Running); // still following
        QVERIFY(api.record(started->runId, *lease, {}, &error));
        QVERIFY(api.finish(started->runId, *lease, {}, {}, &error));
        QVERIFY(waiting.waitForFinished(20000));
        QCOMPARE(waiting.exitCode(), 0);
        const QJsonObject final = json(QString::fromUtf8(waiting.readAllStandardOutput()));
        QCOMPARE(final.value(QStringLiteral("reused")).toBool(), true);
        QCOMPARE(final.value(QStringLiteral("status_bucket")).toString(), QStringLiteral("succeeded"));
    }

    void refusalsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("login");
        QTest::addColumn<QString>("mentions");
        const QString a = QStringLiteral("TENANT_A");
        QTest::newRow("bad uuid") << QStringList{QStringLiteral("run"), QStringLiteral("drift"), QStringLiteral("--tenant"), QStringLiteral("not-a-uuid"), QStringLiteral("--baseline"), QStringLiteral("1")} << "operator_a" << "must be a UUID";
        QTest::newRow("unknown baseline") << QStringList{QStringLiteral("run"), QStringLiteral("drift"), QStringLiteral("--tenant"), a, QStringLiteral("--baseline"), QStringLiteral("987654")} << "operator_a" << "baseline 987654 not found";
        QTest::newRow("baseline not a number") << QStringList{QStringLiteral("run"), QStringLiteral("drift"), QStringLiteral("--tenant"), a, QStringLiteral("--baseline"), QStringLiteral("x")} << "operator_a" << "positive number";
        QTest::newRow("readonly may not capture") << QStringList{QStringLiteral("baseline"), QStringLiteral("capture"), QStringLiteral("--tenant"), a, QStringLiteral("--name"), QStringLiteral("x")} << "readonly_a" << "permission denied";
        QTest::newRow("readonly may not import") << QStringList{QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"), a, QStringLiteral("/tmp")} << "readonly_a" << "permission denied";
        QTest::newRow("other tenant may not create") << QStringList{QStringLiteral("backup-set"), QStringLiteral("create"), QStringLiteral("--tenant"), a, QStringLiteral("--name"), QStringLiteral("x")} << "owner_b" << "permission denied";
        QTest::newRow("policy or all") << QStringList{QStringLiteral("run"), QStringLiteral("add-policies"), QStringLiteral("--tenant"), a, QStringLiteral("--backup-set"), QStringLiteral("1")} << "operator_a" << "--policy";
        QTest::newRow("missing folder") << QStringList{QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("--tenant"), a, QStringLiteral("/nonexistent")} << "operator_a" << "not a readable folder";
        QTest::newRow("bad bucket") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--tenant"), a, QStringLiteral("--bucket"), QStringLiteral("done")} << "operator_a" << "--bucket must be";
        QTest::newRow("bad since") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--tenant"), a, QStringLiteral("--since"), QStringLiteral("yesterday")} << "operator_a" << "--since";
        QTest::newRow("run id") << QStringList{QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("abc")} << "operator_a" << "positive number";
    }
    void refusalsAreOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, login);
        QFETCH(QString, mentions);
        args.replaceInStrings(QStringLiteral("TENANT_A"), tenantA());
        const Result r = run(args + QStringList{QStringLiteral("--db"), loginUrl(login)});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void versionAndHelp()
    {
        const Result v = run({QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QCOMPARE(v.out.trimmed(), QStringLiteral("atlas-ops " ATLAS_VERSION));
        const Result h = run({QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        QVERIFY(h.out.contains(QLatin1String("migrate")));
        QVERIFY(h.out.contains(QLatin1String("--db")));
    }

    // Each registered command once in --help, with its synopsis, and nothing else there.
    void helpListsEveryRegisteredCommandOnceWithItsSynopsis()
    {
        const Result h = run({QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        const QStringList all = h.out.split(QLatin1Char('\n'));
        const qsizetype from = all.indexOf(QStringLiteral("Commands:"));
        QVERIFY2(from >= 0, qPrintable(h.out));
        QStringList listed;
        for (qsizetype i = from + 1; i < all.size() && all[i].startsWith(QLatin1String("  ")); ++i)
            listed << all[i];
        QCOMPARE(listed.value(0).simplified(), QStringLiteral("(none) open the console"));
        QCOMPARE(listed.size(), qsizetype(Registry::all().size()) + 1);
        for (const auto& command : Registry::all()) {
            QVERIFY2(command->synopsis().startsWith(command->name() + QLatin1Char(' ')) || command->synopsis() == command->name(),
                     qPrintable(command->synopsis()));
            const QString line = QStringLiteral("  ") + command->synopsis();
            qsizetype found = 0;
            for (const QString& l : std::as_const(listed))
                found += (l == line || l.startsWith(line + QLatin1Char(' '))) ? 1 : 0;
            QVERIFY2(found == 1, qPrintable(command->name()));
            QCOMPARE(Registry::find(command->words() + QStringList(command->arguments().size(), QStringLiteral("1"))),
                     command.get());
        }
    }

    // What runs list --resource filters on: every resource of the producer registry, named in --help.
    void helpNamesTheResourcesOfEveryKindOfRun()
    {
        const Result h = run({QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        const qsizetype at = h.out.indexOf(QLatin1String("  --resource <resource>"));
        QVERIFY2(at >= 0, qPrintable(h.out));
        const QString described = h.out.mid(at, h.out.indexOf(QLatin1String("\n  --"), at + 1) - at).simplified();
        QVERIFY(!atlas::runs::Producers::all().isEmpty());
        for (const atlas::runs::ProducerKind& kind : atlas::runs::Producers::all())
            QVERIFY2(described.contains(kind.resource), qPrintable(kind.resource + QStringLiteral(" not in: ") + described));
    }

    // Every registered command has its entry in the man page and in README's table, and both name
    // no command the binary does not have.
    void theManPageAndReadmeListTheRegisteredCommands()
    {
        const QString source = qEnvironmentVariable("ATLAS_SOURCE_DIR");
        if (source.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        auto read = [&](const QString& path) {
            QFile f(source + QLatin1Char('/') + path);
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
        };
        // The man page: ".B migrate" or ".BI \"runs show \" ID" under .SH COMMANDS.
        QStringList manEntries;
        bool inCommands = false;
        for (const QString& line : read(QStringLiteral("packaging/atlas-ops.1")).split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String(".SH")))
                inCommands = line == QLatin1String(".SH COMMANDS");
            else if (inCommands && (line.startsWith(QLatin1String(".B ")) || line.startsWith(QLatin1String(".BI "))))
                manEntries << line.mid(line.indexOf(QLatin1Char(' ')) + 1).remove(QLatin1Char('"')).replace(QStringLiteral("\\-"), QStringLiteral("-"));
        }
        // README: "| `atlas-ops runs show ID [--json]` | one run |".
        QStringList readmeEntries;
        for (const QString& line : read(QStringLiteral("README.md")).split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String("| `atlas-ops ")))
                readmeEntries << line.mid(13, line.indexOf(QLatin1Char('`'), 13) - 13);
        }
        QVERIFY(!manEntries.isEmpty());
        QVERIFY(!readmeEntries.isEmpty());
        for (const QStringList* entries : {&manEntries, &readmeEntries}) {
            for (const QString& entry : *entries) {
                const QStringList words = entry.split(QLatin1Char(' '), Qt::SkipEmptyParts);
                qsizetype named = 0;
                for (const auto& command : Registry::all())
                    named += words.mid(0, command->words().size()) == command->words() ? 1 : 0;
                QVERIFY2(named == 1, qPrintable(entry));
            }
            for (const auto& command : Registry::all()) {
                qsizetype found = 0;
                for (const QString& entry : *entries)
                    found += entry.split(QLatin1Char(' ')).mid(0, command->words().size()) == command->words() ? 1 : 0;
                QVERIFY2(found == 1, qPrintable(command->name() + QStringLiteral(" in ") +
                                                 (entries == &manEntries ? QStringLiteral("the man page") : QStringLiteral("README"))));
            }
        }
    }

    void anOptionTheCommandDoesNotTakeIsRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const QString t = QStringLiteral("--tenant");
        const QString a = QStringLiteral("00000000-0000-0000-0000-00000000000a");
        QTest::newRow("show --tenant") << QStringList{QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("1"), t, a} << "runs show does not take --tenant";
        QTest::newRow("tenants --baseline") << QStringList{QStringLiteral("tenants"), QStringLiteral("--baseline"), QStringLiteral("1")} << "tenants does not take --baseline";
        QTest::newRow("migrate --wait") << QStringList{QStringLiteral("migrate"), QStringLiteral("--wait")} << "migrate does not take --wait";
        QTest::newRow("drift --policy") << QStringList{QStringLiteral("run"), QStringLiteral("drift"), t, a, QStringLiteral("--baseline"), QStringLiteral("1"), QStringLiteral("--policy"), QStringLiteral("p")} << "run drift does not take --policy";
        QTest::newRow("capture --allow-retire") << QStringList{QStringLiteral("baseline"), QStringLiteral("capture"), t, a, QStringLiteral("--name"), QStringLiteral("x"), QStringLiteral("--allow-retire")} << "does not take --allow-retire";
        QTest::newRow("list --older-than") << QStringList{QStringLiteral("runs"), QStringLiteral("list"), t, a, QStringLiteral("--older-than"), QStringLiteral("90d")} << "does not take --older-than";
        QTest::newRow("import --connect") << QStringList{QStringLiteral("inventory"), QStringLiteral("import"), t, a, QStringLiteral("/tmp"), QStringLiteral("--connect")} << "does not take --connect";
    }
    // Refused before anything is read or connected: exit status 2, as an option no command has.
    void anOptionTheCommandDoesNotTakeIsRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Result r = run(args + nowhere());
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.startsWith(QLatin1String("atlas-ops: ")) && r.err.contains(mentions), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    // Every option a command says it takes gets past the check of the command line (the command
    // then fails on its values or on the missing database, with status 1).
    void everyCommandTakesTheOptionsItNames()
    {
        const atlas::app::Options options;
        for (const auto& command : Registry::all()) {
            for (const QCommandLineOption& option : options.common() + command->takes(options)) {
                if (option.names().constFirst() == QLatin1String("db"))
                    continue;
                QStringList args = command->words() + QStringList(command->arguments().size(), QStringLiteral("1"));
                args << QStringLiteral("--") + option.names().constFirst();
                if (!option.valueName().isEmpty())
                    args << QStringLiteral("1");
                const Result r = run(args + nowhere());
                QVERIFY2(r.exitCode == 1 && lines(r.err) == 1 && !r.err.contains(QLatin1String("does not take")),
                         qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.err));
            }
        }
    }

    void unknownCommandsKeepTheirExitStatus_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("status");
        QTest::newRow("no such first word") << QStringList{QStringLiteral("frobnicate")} << 2;
        QTest::newRow("no such second word") << QStringList{QStringLiteral("runs"), QStringLiteral("frobnicate")} << 1;
        QTest::newRow("first word alone") << QStringList{QStringLiteral("backup-set")} << 1;
        QTest::newRow("a word too many") << QStringList{QStringLiteral("tenants"), QStringLiteral("extra")} << 1;
    }
    void unknownCommandsKeepTheirExitStatus()
    {
        QFETCH(QStringList, args);
        QFETCH(int, status);
        const Result r = run(args + nowhere());
        QCOMPARE(r.exitCode, status);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("atlas-ops: unknown command '%1' (see --help)").arg(args.join(QLatin1Char(' ')))),
                 qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void versionAndHelpNeedNoDisplay()
    {
        QProcessEnvironment env = atlas::test::Fixture::cleanEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        for (const QString& arg : {QStringLiteral("--version"), QStringLiteral("--help")}) {
            const Result r = run({arg}, env);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QVERIFY(!r.out.isEmpty());
        }
    }

    void migrateThroughADatabaseUrl()
    {
        const Result first = run({QStringLiteral("migrate"), QStringLiteral("--db"), superuserUrl(QStringLiteral("cli")), QStringLiteral("--json")});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const QJsonObject json = QJsonDocument::fromJson(first.out.toUtf8()).object();
        QVERIFY(json.value(QStringLiteral("applied")).toArray().size() >= 4);
        QVERIFY(json.value(QStringLiteral("schema_version")).toString().startsWith(QLatin1String("00")));
        const Result second = run({QStringLiteral("migrate"), QStringLiteral("--db"), superuserUrl(QStringLiteral("cli"))});
        QCOMPARE(second.exitCode, 0);
        QVERIFY(second.out.contains(QLatin1String("up to date")));
    }

    void migrateThroughLibpqEnvironment()
    {
        QString error;
        QVERIFY2(m_fx.cluster.cluster().ensureDatabase(QStringLiteral("cli_env"), &error), qPrintable(error));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGHOST"), m_fx.cluster.cluster().socketDir());
        env.insert(QStringLiteral("PGPORT"), QString::number(m_fx.cluster.cluster().port()));
        env.insert(QStringLiteral("PGDATABASE"), QStringLiteral("cli_env"));
        env.insert(QStringLiteral("PGUSER"), m_fx.cluster.cluster().superuser());
        env.insert(QStringLiteral("PGPASSWORD"), m_fx.cluster.cluster().superuserPassword());
        p.setProcessEnvironment(env);
        p.start(m_binary, {QStringLiteral("migrate")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY(p.readAllStandardOutput().contains("Applied 0001_roles_and_schema"));
    }

    void errorsAreOneLineAndNonZero_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not a postgres url") << QStringList{QStringLiteral("migrate"), QStringLiteral("--db"), QStringLiteral("mysql://x/y")} << "postgresql://";
        QTest::newRow("no server there") << QStringList{QStringLiteral("migrate"), QStringLiteral("--db"), QStringLiteral("postgresql://u@/db?host=/nonexistent-dir")} << "connect";
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << "unknown command";
        QTest::newRow("unknown option") << QStringList{QStringLiteral("migrate"), QStringLiteral("--nope")} << "nope";
        QTest::newRow("bad url parameter") << QStringList{QStringLiteral("migrate"), QStringLiteral("--db"), QStringLiteral("postgresql://u@h/db?Bad-Key=1")} << "unknown parameter";
    }
    void errorsAreOneLineAndNonZero()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Result r = run(args);
        QVERIFY(r.exitCode != 0);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.startsWith(QLatin1String("atlas-ops: ")), qPrintable(r.err));
        QVERIFY2(r.err.contains(mentions, Qt::CaseInsensitive), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void aLoginWithoutRightsCannotMigrate()
    {
        QVERIFY(m_fx.cluster.createLogin(QStringLiteral("plain")));
        const QString url = QStringLiteral("postgresql://plain:%1@/%2?host=%3&port=%4")
                                .arg(atlas::test::TestCluster::passwordOf(QStringLiteral("plain")), QStringLiteral("cli_plain"),
                                     m_fx.cluster.cluster().socketDir()).arg(m_fx.cluster.cluster().port());
        QString error;
        QVERIFY(m_fx.cluster.cluster().ensureDatabase(QStringLiteral("cli_plain"), &error));
        const Result r = run({QStringLiteral("migrate"), QStringLiteral("--db"), url});
        QVERIFY(r.exitCode != 0);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(QLatin1String("0001_roles_and_schema")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
