// Both paths of the contract: psql -f each file (sql/migrations, then sql/definitions), and
// atlas-ops' migrator; both idempotent about the cluster-wide roles and recorded in
// atlas.schema_migrations. Migrations are applied once and never edited (checksums); definition
// files are applied again when they change, and each object is defined in one file only.
#include "Fixture.h"
#include "db/Migrator.h"

#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

using atlas::db::Connection;
using atlas::db::DbError;
using atlas::db::Migrator;

class TestMigrations : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    QString m_sourceDir;

    QStringList appliedIn(const QString& database)
    {
        Connection conn(m_fx.cluster.cluster().superuserSpec(database), QStringLiteral("check"));
        if (!conn.open())
            return {};
        return Migrator::appliedVersions(conn);
    }

    std::unique_ptr<Connection> migratedDatabase(const QString& database)
    {
        QString error;
        if (!m_fx.cluster.cluster().ensureDatabase(database, &error))
            qWarning("%s", qPrintable(error));
        auto conn = std::make_unique<Connection>(m_fx.cluster.cluster().superuserSpec(database), database);
        DbError dbError;
        if (conn->open())
            Migrator::migrate(*conn, &dbError);
        else
            dbError = conn->lastError();
        if (dbError.isError())
            qWarning("%s", qPrintable(dbError.message));
        return conn;
    }

    QProcessEnvironment superuserEnvironment(const QString& database)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGHOST"), m_fx.cluster.cluster().socketDir());
        env.insert(QStringLiteral("PGPORT"), QString::number(m_fx.cluster.cluster().port()));
        env.insert(QStringLiteral("PGUSER"), m_fx.cluster.cluster().superuser());
        env.insert(QStringLiteral("PGPASSWORD"), m_fx.cluster.cluster().superuserPassword());
        env.insert(QStringLiteral("PGDATABASE"), database);
        env.remove(QStringLiteral("PGSERVICE"));
        return env;
    }

    // psql -X -q -v ON_ERROR_STOP=1 as the superuser; stdout in *out, stderr in *err.
    bool psql(const QString& database, const QStringList& args, QString* out = nullptr, QString* err = nullptr)
    {
        QString error;
        const QString bin = atlas::db::EmbeddedCluster::findBinDir(&error);
        const QString program = QFileInfo::exists(bin + QStringLiteral("/psql")) ? bin + QStringLiteral("/psql") : QStringLiteral("psql");
        QProcess p;
        p.setProcessEnvironment(superuserEnvironment(database));
        p.start(program, QStringList{QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1")} + args);
        if (!p.waitForFinished(60000))
            return false;
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput());
        if (err)
            *err = QString::fromUtf8(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    // The schema as the catalog holds it (scripts/schema_catalog.sql), for comparing databases.
    QString catalogOf(const QString& database)
    {
        QString out;
        QString err;
        if (!psql(database, {QStringLiteral("-f"), m_sourceDir + QStringLiteral("/scripts/schema_catalog.sql")}, &out, &err))
            return QStringLiteral("psql failed: ") + err;
        return out;
    }

    QStringList sqlFiles(const QString& subdir)
    {
        QStringList files;
        const QDir dir(m_sourceDir + QStringLiteral("/sql/") + subdir);
        for (const QString& file : dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name))
            files << dir.filePath(file);
        return files;
    }

    static QString recorded(Connection& conn, const QString& table, const QString& column, const QString& name)
    {
        return conn.scalar(QStringLiteral("SELECT checksum FROM atlas.%1 WHERE %2 = ?").arg(table, column), {name}).toString();
    }

    static bool stale(Connection& conn, const QString& definition)
    {
        return conn.execRaw(QStringLiteral("UPDATE atlas.schema_definitions SET checksum = 'stale' WHERE name = '%1'").arg(definition));
    }

    static bool policyExists(Connection& conn, const QString& table, const QString& policy)
    {
        return conn.scalar(QStringLiteral("SELECT count(*) FROM pg_policies WHERE schemaname = 'atlas' AND tablename = ? "
                                          "AND policyname = ?"),
                           {table, policy})
                   .toInt() == 1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx, atlas::test::Fixture::With::NoTenants);
        m_sourceDir = qEnvironmentVariable("ATLAS_SOURCE_DIR");
    }

    void knowsItsFilesInOrder()
    {
        const QStringList known = Migrator::knownVersions();
        QVERIFY(known.size() >= 4);
        QStringList sorted = known;
        sorted.sort();
        QCOMPARE(known, sorted);
        QVERIFY(known.first().startsWith(QLatin1String("0001_")));
        QCOMPARE(appliedIn(m_fx.cluster.databaseName()), known);
        const QStringList definitions = Migrator::knownDefinitions();
        QVERIFY(definitions.size() >= 2);
        sorted = definitions;
        sorted.sort();
        QCOMPARE(definitions, sorted);
        QVERIFY(definitions.last().startsWith(QLatin1String("90_grants")));
        // The binary carries exactly the source tree's files.
        if (m_sourceDir.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        QStringList names;
        for (const QString& file : sqlFiles(QStringLiteral("migrations")))
            names << QFileInfo(file).completeBaseName();
        QCOMPARE(names, known);
        names.clear();
        for (const QString& file : sqlFiles(QStringLiteral("definitions")))
            names << QFileInfo(file).completeBaseName();
        QCOMPARE(names, definitions);
    }

    void everyFileIsRecordedWithItsChecksum()
    {
        auto su = m_fx.cluster.connectSuperuser();
        for (const QString& version : Migrator::knownVersions()) {
            QCOMPARE(recorded(*su, QStringLiteral("schema_migrations"), QStringLiteral("version"), version).size(), 64);
            QCOMPARE(recorded(*su, QStringLiteral("schema_migrations"), QStringLiteral("version"), version), Migrator::checksumOf(version));
        }
        for (const QString& name : Migrator::knownDefinitions())
            QCOMPARE(recorded(*su, QStringLiteral("schema_definitions"), QStringLiteral("name"), name), Migrator::definitionChecksumOf(name));
        // The schema's version is the latest migration's, not a definition file's.
        QCOMPARE(su->scalar(QStringLiteral("SELECT atlas.schema_version()")).toString(), Migrator::knownVersions().last());
    }

    void psqlDashFEachFileGivesTheSameSchema()
    {
        if (m_sourceDir.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        QString error;
        QVERIFY2(m_fx.cluster.cluster().ensureDatabase(QStringLiteral("via_psql"), &error), qPrintable(error));
        // The documented order: every migration, then every definition file, each in lexical order.
        for (const QString& file : sqlFiles(QStringLiteral("migrations")) + sqlFiles(QStringLiteral("definitions"))) {
            QString err;
            QVERIFY2(psql(QStringLiteral("via_psql"), {QStringLiteral("-f"), file}, nullptr, &err), qPrintable(file + QLatin1Char(' ') + err));
        }
        QCOMPARE(appliedIn(QStringLiteral("via_psql")), Migrator::knownVersions());
        const QString byMigrator = catalogOf(m_fx.cluster.databaseName());
        QVERIFY2(byMigrator.contains(QLatin1String("function | atlas.start_run(")), qPrintable(byMigrator.left(400)));
        QCOMPARE(catalogOf(QStringLiteral("via_psql")), byMigrator);

        // atlas-ops migrate afterwards: no migration again; the psql-applied ones get their
        // checksums, the definitions (not recorded by psql) are applied once more, to the same end.
        Connection conn(m_fx.cluster.cluster().superuserSpec(QStringLiteral("via_psql")), QStringLiteral("via_psql"));
        QVERIFY(conn.open());
        QVERIFY(recorded(conn, QStringLiteral("schema_migrations"), QStringLiteral("version"), QStringLiteral("0003_runs")).isEmpty());
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(conn, &dbError, &definitions), QStringList());
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, Migrator::knownDefinitions());
        QCOMPARE(recorded(conn, QStringLiteral("schema_migrations"), QStringLiteral("version"), QStringLiteral("0003_runs")),
                 Migrator::checksumOf(QStringLiteral("0003_runs")));
        QCOMPARE(catalogOf(QStringLiteral("via_psql")), byMigrator);
    }

    void migratorIsIdempotentAndRolesSurviveASecondDatabase()
    {
        QString error;
        QVERIFY2(m_fx.cluster.cluster().ensureDatabase(QStringLiteral("second"), &error), qPrintable(error));
        Connection conn(m_fx.cluster.cluster().superuserSpec(QStringLiteral("second")), QStringLiteral("second"));
        QVERIFY(conn.open());
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(conn, &dbError, &definitions), Migrator::knownVersions());
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, Migrator::knownDefinitions());
        definitions.clear();
        QCOMPARE(Migrator::migrate(conn, &dbError, &definitions), QStringList());
        QVERIFY(!dbError.isError());
        QCOMPARE(definitions, QStringList());
    }

    void anEditedMigrationIsRefusedAndNothingChanges()
    {
        auto conn = migratedDatabase(QStringLiteral("edited"));
        // As if 0003_runs.sql had been edited since it was applied.
        QVERIFY(conn->execRaw(QStringLiteral("UPDATE atlas.schema_migrations SET checksum = repeat('0', 64) WHERE version = '0003_runs'")));
        QVERIFY(conn->execRaw(QStringLiteral("UPDATE atlas.schema_migrations SET checksum = NULL WHERE version = '0005_hub_indexes'")));
        QVERIFY(conn->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '0014_definitions'")));
        QVERIFY(stale(*conn, QStringLiteral("30_runs_api")));
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(*conn, &dbError, &definitions), QStringList());
        QVERIFY(dbError.isError());
        QVERIFY2(dbError.message.contains(QLatin1String("0003_runs.sql")) && dbError.message.contains(QLatin1String("changed")),
                 qPrintable(dbError.message));
        QVERIFY(!dbError.message.contains(QLatin1Char('\n')));
        QCOMPARE(definitions, QStringList());
        // Nothing was applied or recorded: not the missing migration, not the checksum the other
        // one lacks, not the definition file.
        QVERIFY(!appliedIn(QStringLiteral("edited")).contains(QLatin1String("0014_definitions")));
        QVERIFY(conn->scalar(QStringLiteral("SELECT checksum IS NULL FROM atlas.schema_migrations WHERE version = '0005_hub_indexes'")).toBool());
        QCOMPARE(recorded(*conn, QStringLiteral("schema_definitions"), QStringLiteral("name"), QStringLiteral("30_runs_api")),
                 QStringLiteral("stale"));

        // atlas-ops migrate says so in one line and fails.
        const QString binary = qEnvironmentVariable("ATLAS_BINARY");
        if (binary.isEmpty())
            QSKIP("ATLAS_BINARY not set (run through ctest)");
        QProcess p;
        p.setProcessEnvironment(superuserEnvironment(QStringLiteral("edited")));
        p.start(binary, {QStringLiteral("migrate")});
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(QLatin1String("0003_runs.sql")) && !err.contains(QLatin1Char('\n')), qPrintable(err));
        QVERIFY(!appliedIn(QStringLiteral("edited")).contains(QLatin1String("0014_definitions")));
    }

    void aMigrationWithoutChecksumGetsOneOnFirstSight()
    {
        auto conn = migratedDatabase(QStringLiteral("first_sight"));
        QVERIFY(conn->execRaw(QStringLiteral("UPDATE atlas.schema_migrations SET checksum = NULL WHERE version IN "
                                             "('0002_tenancy', '0005_hub_indexes')")));
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(*conn, &dbError, &definitions), QStringList());
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, QStringList());
        for (const QString& version : {QStringLiteral("0002_tenancy"), QStringLiteral("0005_hub_indexes")})
            QCOMPARE(recorded(*conn, QStringLiteral("schema_migrations"), QStringLiteral("version"), version), Migrator::checksumOf(version));
    }

    void aChangedDefinitionIsAppliedAgainAndAnUnchangedOneIsSkipped()
    {
        auto conn = migratedDatabase(QStringLiteral("changed"));
        const QString version = Migrator::knownVersions().last();
        // Objects of two files are tampered with; only the later file's recorded checksum differs.
        QVERIFY(conn->execRaw(QStringLiteral("CREATE OR REPLACE FUNCTION atlas.schema_version() RETURNS text LANGUAGE sql "
                                             "STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ SELECT 'tampered' $$")));
        QVERIFY(conn->execRaw(QStringLiteral("DROP POLICY payload_snapshots_member ON atlas.payload_snapshots")));
        QVERIFY(stale(*conn, QStringLiteral("50_drift")));
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(*conn, &dbError, &definitions), QStringList());
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        // That file and the ones after it (they may build on what it replaced) are applied.
        QCOMPARE(definitions, Migrator::knownDefinitions().mid(Migrator::knownDefinitions().indexOf(QStringLiteral("50_drift"))));
        QVERIFY(policyExists(*conn, QStringLiteral("payload_snapshots"), QStringLiteral("payload_snapshots_member")));
        QCOMPARE(recorded(*conn, QStringLiteral("schema_definitions"), QStringLiteral("name"), QStringLiteral("50_drift")),
                 Migrator::definitionChecksumOf(QStringLiteral("50_drift")));
        // 10_rules.sql was skipped: its function is as tampered with.
        QCOMPARE(conn->scalar(QStringLiteral("SELECT atlas.schema_version()")).toString(), QStringLiteral("tampered"));
        QVERIFY(stale(*conn, QStringLiteral("10_rules")));
        definitions.clear();
        Migrator::migrate(*conn, &dbError, &definitions);
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, Migrator::knownDefinitions());
        QCOMPARE(conn->scalar(QStringLiteral("SELECT atlas.schema_version()")).toString(), version);
    }

    void aMigrationAppliedNowBringsEveryDefinitionBack()
    {
        auto conn = migratedDatabase(QStringLiteral("after_migration"));
        // 0011_redaction.sql only records itself: applying it again is harmless, and whatever a
        // migration dropped is defined again afterwards, changed file or not.
        QVERIFY(conn->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '0011_redaction'")));
        QVERIFY(conn->execRaw(QStringLiteral("DROP POLICY payload_snapshots_member ON atlas.payload_snapshots")));
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(*conn, &dbError, &definitions), QStringList{QStringLiteral("0011_redaction")});
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, Migrator::knownDefinitions());
        QVERIFY(policyExists(*conn, QStringLiteral("payload_snapshots"), QStringLiteral("payload_snapshots_member")));
        QCOMPARE(recorded(*conn, QStringLiteral("schema_migrations"), QStringLiteral("version"), QStringLiteral("0011_redaction")),
                 Migrator::checksumOf(QStringLiteral("0011_redaction")));
    }

    void everyDefinitionFileAppliesAgainToTheSameSchema()
    {
        if (m_sourceDir.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        auto conn = migratedDatabase(QStringLiteral("again"));
        const QString before = catalogOf(QStringLiteral("again"));
        QVERIFY(conn->execRaw(QStringLiteral("UPDATE atlas.schema_definitions SET checksum = 'stale'")));
        DbError dbError;
        QStringList definitions;
        Migrator::migrate(*conn, &dbError, &definitions);
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, Migrator::knownDefinitions());
        QCOMPARE(catalogOf(QStringLiteral("again")), before);
        // A privilege that is not in 90_grants.sql does not survive it.
        QVERIFY(conn->execRaw(QStringLiteral("GRANT SELECT ON atlas.run_leases TO atlas_client")));
        QVERIFY(stale(*conn, QStringLiteral("90_grants")));
        Migrator::migrate(*conn, &dbError);
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QVERIFY(!conn->scalar(QStringLiteral("SELECT has_table_privilege('atlas_client', 'atlas.run_leases', 'SELECT')")).toBool());
        QCOMPARE(catalogOf(QStringLiteral("again")), before);
    }

    void aFailingDefinitionFileRollsBackAndIsNamed()
    {
        auto conn = migratedDatabase(QStringLiteral("failing"));
        // 40_inventory.sql recreates its policy first and replaces retire_guard_percent last,
        // which cannot change the return type of the function there now.
        QVERIFY(conn->execRaw(QStringLiteral("DROP POLICY inventory_items_member ON atlas.inventory_items")));
        QVERIFY(conn->execRaw(QStringLiteral("DROP FUNCTION atlas.retire_guard_percent()")));
        QVERIFY(conn->execScript(QStringLiteral("SET ROLE atlas_owner; CREATE FUNCTION atlas.retire_guard_percent() RETURNS text "
                                                "LANGUAGE sql AS $$ SELECT '50' $$; RESET ROLE")));
        QVERIFY(stale(*conn, QStringLiteral("40_inventory")));
        QVERIFY(stale(*conn, QStringLiteral("50_drift")));
        DbError dbError;
        QStringList definitions;
        Migrator::migrate(*conn, &dbError, &definitions);
        QVERIFY(dbError.isError());
        QVERIFY2(dbError.message.contains(QLatin1String("40_inventory.sql")) && dbError.message.contains(QLatin1String("return type")),
                 qPrintable(dbError.message));
        QCOMPARE(definitions, QStringList());
        // Nothing of the file stayed, it is not recorded, and no later file was applied.
        QVERIFY(!policyExists(*conn, QStringLiteral("inventory_items"), QStringLiteral("inventory_items_member")));
        QCOMPARE(recorded(*conn, QStringLiteral("schema_definitions"), QStringLiteral("name"), QStringLiteral("40_inventory")),
                 QStringLiteral("stale"));
        QCOMPARE(recorded(*conn, QStringLiteral("schema_definitions"), QStringLiteral("name"), QStringLiteral("50_drift")),
                 QStringLiteral("stale"));
        // Repaired by a migration's kind of change, it applies, and so do the files after it: the
        // function created anew gets its grant back from 90_grants.sql.
        QVERIFY(conn->execRaw(QStringLiteral("DROP FUNCTION atlas.retire_guard_percent()")));
        Migrator::migrate(*conn, &dbError, &definitions);
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, Migrator::knownDefinitions().mid(Migrator::knownDefinitions().indexOf(QStringLiteral("40_inventory"))));
        QVERIFY(policyExists(*conn, QStringLiteral("inventory_items"), QStringLiteral("inventory_items_member")));
        QVERIFY(conn->scalar(QStringLiteral("SELECT has_function_privilege('atlas_client', 'atlas.retire_guard_percent()', 'EXECUTE')")).toBool());
    }

    void aNewerDatabaseKeepsItsDefinitions()
    {
        auto conn = migratedDatabase(QStringLiteral("newer"));
        QVERIFY(conn->execRaw(QStringLiteral("INSERT INTO atlas.schema_migrations (version) VALUES ('9999_from_the_future')")));
        QVERIFY(conn->execRaw(QStringLiteral("DROP POLICY payload_snapshots_member ON atlas.payload_snapshots")));
        QVERIFY(stale(*conn, QStringLiteral("50_drift")));
        DbError dbError;
        QStringList definitions;
        QCOMPARE(Migrator::migrate(*conn, &dbError, &definitions), QStringList());
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(definitions, QStringList());
        QVERIFY(!policyExists(*conn, QStringLiteral("payload_snapshots"), QStringLiteral("payload_snapshots_member")));
    }

    void noObjectIsDefinedInTwoFiles()
    {
        if (m_sourceDir.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        // Statements start at the beginning of a line (comments start with --). Procedures count
        // as functions (pg_proc holds both).
        const QList<QPair<QString, QRegularExpression>> kinds{
            {QStringLiteral("function"), QRegularExpression(QStringLiteral(R"(^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+atlas\.(\w+))"),
                                                             QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption)},
            {QStringLiteral("view"), QRegularExpression(QStringLiteral(R"(^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+atlas\.(\w+))"),
                                                         QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption)},
            {QStringLiteral("policy"), QRegularExpression(QStringLiteral(R"(^\s*CREATE\s+POLICY\s+(\w+)\s+ON\s+atlas\.(\w+))"),
                                                           QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption)},
            {QStringLiteral("trigger"), QRegularExpression(QStringLiteral(R"(^\s*CREATE\s+TRIGGER\s+(\w+)\s+[^;]*?\s+ON\s+atlas\.(\w+))"),
                                                            QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption)},
        };
        QMap<QString, QStringList> where;
        for (const QString& subdir : {QStringLiteral("migrations"), QStringLiteral("definitions")}) {
            for (const QString& path : sqlFiles(subdir)) {
                QFile file(path);
                QVERIFY(file.open(QIODevice::ReadOnly));
                const QString text = QString::fromUtf8(file.readAll());
                for (const auto& [kind, pattern] : kinds) {
                    for (auto it = pattern.globalMatch(text); it.hasNext();) {
                        const QRegularExpressionMatch m = it.next();
                        const QString object = kind + QLatin1Char(' ') +
                                               (m.lastCapturedIndex() == 2 ? m.captured(2) + QLatin1Char('.') + m.captured(1) : m.captured(1));
                        where[object] << subdir + QLatin1Char('/') + QFileInfo(path).fileName();
                    }
                }
            }
        }
        QStringList twice;
        for (auto it = where.cbegin(); it != where.cend(); ++it) {
            if (it.value().size() > 1)
                twice << it.key() + QStringLiteral(": ") + it.value().join(QStringLiteral(", "));
        }
        QVERIFY2(twice.isEmpty(), qPrintable(twice.join(QLatin1Char('\n'))));
        // The scan sees what is there: the current start_run in exactly one file, and the rules
        // a stored column and checks are made of with their tables.
        QCOMPARE(where.value(QStringLiteral("function start_run")), QStringList{QStringLiteral("definitions/30_runs_api.sql")});
        QCOMPARE(where.value(QStringLiteral("function status_bucket")), QStringList{QStringLiteral("migrations/0003_runs.sql")});
        QCOMPARE(where.value(QStringLiteral("policy tenant_members.members_read")), QStringList{QStringLiteral("definitions/20_tenancy.sql")});
        QCOMPARE(where.value(QStringLiteral("trigger bulk_operation_runs.bulk_operation_runs_changed")),
                 QStringList{QStringLiteral("definitions/30_runs_api.sql")});
        QCOMPARE(where.value(QStringLiteral("view operation_runs")), QStringList{QStringLiteral("definitions/70_hub_views.sql")});
        // Every function, view, policy and trigger of the schema is found in a file.
        auto su = m_fx.cluster.connectSuperuser();
        QSqlQuery q(su->database());
        QVERIFY(su->exec(q, QStringLiteral(
                                "SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'atlas'::regnamespace "
                                "UNION ALL SELECT 'view ' || relname FROM pg_class WHERE relnamespace = 'atlas'::regnamespace AND relkind = 'v' "
                                "UNION ALL SELECT 'policy ' || tablename || '.' || policyname FROM pg_policies WHERE schemaname = 'atlas' "
                                "UNION ALL SELECT 'trigger ' || c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                "  WHERE c.relnamespace = 'atlas'::regnamespace AND NOT t.tgisinternal")));
        int objects = 0;
        while (q.next()) {
            ++objects;
            QVERIFY2(where.contains(q.value(0).toString()), qPrintable(q.value(0).toString()));
        }
        QVERIFY(objects > 70);
    }

    void aFailingMigrationLeavesNothingHalfDone()
    {
        QString error;
        QVERIFY2(m_fx.cluster.cluster().ensureDatabase(QStringLiteral("broken"), &error), qPrintable(error));
        Connection conn(m_fx.cluster.cluster().superuserSpec(QStringLiteral("broken")), QStringLiteral("broken"));
        QVERIFY(conn.open());
        // A table of the wrong shape makes 0001 fail at its last statement: nothing of it may remain.
        QVERIFY(conn.execRaw(QStringLiteral("CREATE SCHEMA atlas")));
        QVERIFY(conn.execRaw(QStringLiteral("CREATE TABLE atlas.schema_migrations (version integer)")));
        DbError dbError;
        QCOMPARE(Migrator::migrate(conn, &dbError), QStringList());
        QVERIFY(dbError.isError());
        QVERIFY(dbError.message.contains(QLatin1String("0001_roles_and_schema")));
        QVERIFY2(dbError.message.contains(QLatin1String("integer")), qPrintable(dbError.message));
        // The file's earlier statements were rolled back with it.
        QCOMPARE(conn.scalar(QStringLiteral("SELECT tableowner::text FROM pg_tables WHERE schemaname = 'atlas'")).toString(),
                 m_fx.cluster.cluster().superuser());
        QCOMPARE(conn.scalar(QStringLiteral("SELECT count(*) FROM pg_default_acl")).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
