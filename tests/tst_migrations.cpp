// Both paths of the contract: psql -f each file, and atlas-ops' migrator; both idempotent about
// the cluster-wide roles and recorded in atlas.schema_migrations.
#include "TestCluster.h"
#include "db/Migrator.h"

#include <QProcess>
#include <QtTest>

using atlas::db::Connection;
using atlas::db::Migrator;

class TestMigrations : public QObject
{
    Q_OBJECT
    atlas::test::TestCluster m_cluster;

    QStringList appliedIn(const QString& database)
    {
        Connection conn(m_cluster.cluster().superuserSpec(database), QStringLiteral("check"));
        if (!conn.open())
            return {};
        return Migrator::appliedVersions(conn);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_cluster.setUp(&error), qPrintable(error));
    }

    void knowsItsMigrationsInOrder()
    {
        const QStringList known = Migrator::knownVersions();
        QVERIFY(known.size() >= 4);
        QStringList sorted = known;
        sorted.sort();
        QCOMPARE(known, sorted);
        QVERIFY(known.first().startsWith(QLatin1String("0001_")));
        QCOMPARE(appliedIn(m_cluster.databaseName()), known);
    }

    void psqlDashFEachFileGivesTheSameSchema()
    {
        const QString sourceDir = qEnvironmentVariable("ATLAS_SOURCE_DIR");
        if (sourceDir.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        QString error;
        QVERIFY2(m_cluster.cluster().ensureDatabase(QStringLiteral("via_psql"), &error), qPrintable(error));
        const QString bin = atlas::db::EmbeddedCluster::findBinDir(&error);
        const QString psql = QFileInfo::exists(bin + QStringLiteral("/psql")) ? bin + QStringLiteral("/psql") : QStringLiteral("psql");
        const QDir dir(sourceDir + QStringLiteral("/sql/migrations"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), m_cluster.cluster().superuserPassword());
        for (const QString& file : dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name)) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(psql, {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                           QStringLiteral("-h"), m_cluster.cluster().socketDir(), QStringLiteral("-p"), QString::number(m_cluster.cluster().port()),
                           QStringLiteral("-U"), m_cluster.cluster().superuser(), QStringLiteral("-d"), QStringLiteral("via_psql"),
                           QStringLiteral("-f"), dir.filePath(file)});
            QVERIFY(p.waitForFinished(60000));
            QVERIFY2(p.exitCode() == 0, qPrintable(file + QLatin1Char(' ') + QString::fromLocal8Bit(p.readAllStandardError())));
        }
        QCOMPARE(appliedIn(QStringLiteral("via_psql")), Migrator::knownVersions());
    }

    void migratorIsIdempotentAndRolesSurviveASecondDatabase()
    {
        QString error;
        QVERIFY2(m_cluster.cluster().ensureDatabase(QStringLiteral("second"), &error), qPrintable(error));
        Connection conn(m_cluster.cluster().superuserSpec(QStringLiteral("second")), QStringLiteral("second"));
        QVERIFY(conn.open());
        atlas::db::DbError dbError;
        QCOMPARE(Migrator::migrate(conn, &dbError), Migrator::knownVersions());
        QVERIFY2(!dbError.isError(), qPrintable(dbError.message));
        QCOMPARE(Migrator::migrate(conn, &dbError), QStringList());
        QVERIFY(!dbError.isError());
    }

    void aFailingMigrationLeavesNothingHalfDone()
    {
        QString error;
        QVERIFY2(m_cluster.cluster().ensureDatabase(QStringLiteral("broken"), &error), qPrintable(error));
        Connection conn(m_cluster.cluster().superuserSpec(QStringLiteral("broken")), QStringLiteral("broken"));
        QVERIFY(conn.open());
        // A table of the wrong shape makes 0001 fail at its last statement: nothing of it may remain.
        QVERIFY(conn.execRaw(QStringLiteral("CREATE SCHEMA atlas")));
        QVERIFY(conn.execRaw(QStringLiteral("CREATE TABLE atlas.schema_migrations (version integer)")));
        atlas::db::DbError dbError;
        QCOMPARE(Migrator::migrate(conn, &dbError), QStringList());
        QVERIFY(dbError.isError());
        QVERIFY(dbError.message.contains(QLatin1String("0001_roles_and_schema")));
        QVERIFY2(dbError.message.contains(QLatin1String("integer")), qPrintable(dbError.message));
        // The file's earlier statements were rolled back with it.
        QCOMPARE(conn.scalar(QStringLiteral("SELECT tableowner::text FROM pg_tables WHERE schemaname = 'atlas'")).toString(),
                 m_cluster.cluster().superuser());
        QVERIFY(conn.scalar(QStringLiteral("SELECT has_schema_privilege('atlas_client', 'atlas', 'USAGE')")).toBool() == false);
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
