// The atlas-ops binary as scripts use it: exit status, one line on stderr, --json on stdout.
#include "TestCluster.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

class TestCli : public QObject
{
    Q_OBJECT
    atlas::test::TestCluster m_cluster;
    QString m_binary;

    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    Result run(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        QProcessEnvironment clean = env;
        for (const char* var : {"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE"})
            clean.remove(QLatin1String(var));
        p.setProcessEnvironment(clean);
        p.start(m_binary, args);
        if (!p.waitForFinished(120000))
            return {};
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    QString superuserUrl(const QString& database)
    {
        return QStringLiteral("postgresql://%1:%2@/%3?host=%4&port=%5")
            .arg(m_cluster.cluster().superuser(), m_cluster.cluster().superuserPassword(), database,
                 m_cluster.cluster().socketDir())
            .arg(m_cluster.cluster().port());
    }

    static int lines(const QString& text) { return text.trimmed().isEmpty() ? 0 : int(text.trimmed().count(QLatin1Char('\n'))) + 1; }

private Q_SLOTS:
    void initTestCase()
    {
        m_binary = qEnvironmentVariable("ATLAS_BINARY");
        if (m_binary.isEmpty())
            QSKIP("ATLAS_BINARY not set (run through ctest)");
        QString error;
        QVERIFY2(m_cluster.setUp(&error), qPrintable(error));
        QVERIFY2(m_cluster.cluster().ensureDatabase(QStringLiteral("cli"), &error), qPrintable(error));
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

    void migrateThroughADatabaseUrl()
    {
        const Result first = run({QStringLiteral("migrate"), QStringLiteral("--db"), superuserUrl(QStringLiteral("cli")), QStringLiteral("--json")});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const QJsonObject json = QJsonDocument::fromJson(first.out.toUtf8()).object();
        QVERIFY(json.value(QStringLiteral("applied")).toArray().size() >= 4);
        QVERIFY(json.value(QStringLiteral("schema_version")).toString().startsWith(QLatin1String("000")));
        const Result second = run({QStringLiteral("migrate"), QStringLiteral("--db"), superuserUrl(QStringLiteral("cli"))});
        QCOMPARE(second.exitCode, 0);
        QVERIFY(second.out.contains(QLatin1String("up to date")));
    }

    void migrateThroughLibpqEnvironment()
    {
        QString error;
        QVERIFY2(m_cluster.cluster().ensureDatabase(QStringLiteral("cli_env"), &error), qPrintable(error));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGHOST"), m_cluster.cluster().socketDir());
        env.insert(QStringLiteral("PGPORT"), QString::number(m_cluster.cluster().port()));
        env.insert(QStringLiteral("PGDATABASE"), QStringLiteral("cli_env"));
        env.insert(QStringLiteral("PGUSER"), m_cluster.cluster().superuser());
        env.insert(QStringLiteral("PGPASSWORD"), m_cluster.cluster().superuserPassword());
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
        QVERIFY(m_cluster.createLogin(QStringLiteral("plain")));
        const QString url = QStringLiteral("postgresql://plain:%1@/%2?host=%3&port=%4")
                                .arg(atlas::test::TestCluster::passwordOf(QStringLiteral("plain")), QStringLiteral("cli_plain"),
                                     m_cluster.cluster().socketDir()).arg(m_cluster.cluster().port());
        QString error;
        QVERIFY(m_cluster.cluster().ensureDatabase(QStringLiteral("cli_plain"), &error));
        const Result r = run({QStringLiteral("migrate"), QStringLiteral("--db"), url});
        QVERIFY(r.exitCode != 0);
        QCOMPARE(lines(r.err), 1);
        QVERIFY2(r.err.contains(QLatin1String("0001_roles_and_schema")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
