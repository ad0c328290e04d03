// Reading IntuneManagement export files: every encoding the tool writes, and every kind of bad
// input, each judged with its reason code and never a crash.
#include "TestCluster.h"
#include "inventory/ExportReader.h"

#include <QDir>
#include <QFile>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QtTest>

using atlas::inventory::ExportFile;
using atlas::inventory::ExportReader;

namespace {
const QString kPolicy = QStringLiteral("{\r\n  \"@odata.type\": \"#microsoft.graph.windows10CompliancePolicy\",\r\n"
                                       "  \"id\": \"4f9c1a2b-0000-4000-8000-000000000001\",\r\n"
                                       "  \"displayName\": \"Win - Compliance - Password – ü\"\r\n}");

QByteArray encode(QStringConverter::Encoding enc, const QString& text, bool bom)
{
    QStringEncoder encoder(enc, bom ? QStringConverter::Flag::WriteBom : QStringConverter::Flag::Default);
    return encoder.encode(text);
}

void write(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}
} // namespace

class TestExportReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void encodings_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("utf-16le with bom") << encode(QStringConverter::Utf16LE, kPolicy, true);
        QTest::newRow("utf-16be with bom") << encode(QStringConverter::Utf16BE, kPolicy, true);
        QTest::newRow("utf-16le without bom") << encode(QStringConverter::Utf16LE, kPolicy, false);
        QTest::newRow("utf-8 with bom") << encode(QStringConverter::Utf8, kPolicy, true);
        QTest::newRow("utf-8 without bom") << encode(QStringConverter::Utf8, kPolicy, false);
        QTest::newRow("utf-8 lf only") << encode(QStringConverter::Utf8, QString(kPolicy).replace(QStringLiteral("\r\n"), QStringLiteral("\n")), false);
    }
    void encodings()
    {
        QFETCH(QByteArray, bytes);
        const auto policy = ExportReader::parse(bytes);
        QVERIFY2(policy.ok(), qPrintable(policy.message));
        QCOMPARE(policy.externalId, QStringLiteral("4f9c1a2b-0000-4000-8000-000000000001"));
        QCOMPARE(policy.displayName, QStringLiteral("Win - Compliance - Password – ü"));
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::newRow("invalid json") << QByteArray("{\"id\": \"x\", ") << "payload_unreadable";
        QTest::newRow("invalid utf-8") << QByteArray("{\"id\": \"\xff\xfe\xfd\x80\"}").mid(0) << "payload_unreadable";
        QTest::newRow("json array, not object") << QByteArray("[{\"id\": \"x\"}]") << "payload_unreadable";
        QTest::newRow("empty file") << QByteArray() << "payload_unreadable";
        QTest::newRow("utf-16 encoded twice") << encode(QStringConverter::Utf16LE, QString::fromLatin1(encode(QStringConverter::Utf16LE, kPolicy, true)), true)
                                              << "payload_unreadable";
        QTest::newRow("no id") << QByteArray("{\"displayName\": \"x\"}") << "missing_id";
        QTest::newRow("id not a string") << QByteArray("{\"id\": 42}") << "missing_id";
        QTest::newRow("blank id") << QByteArray("{\"id\": \"  \"}") << "missing_id";
        QTest::newRow("too deep") << (QByteArray("{\"id\":\"x\",\"a\":") + QByteArray(200, '[') + QByteArray(200, ']') + "}") << "payload_too_deep";
        QTest::newRow("brackets inside strings do not count") << (QByteArray("{\"id\":\"x\",\"a\":\"") + QByteArray(200, '[') + "\"}") << "";
        QTest::newRow("too large") << (QByteArray("{\"id\":\"x\",\"a\":\"") + QByteArray(ExportReader::kMaxPayloadBytes, 'a') + "\"}") << "payload_too_large";
    }
    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const auto policy = ExportReader::parse(bytes);
        QCOMPARE(policy.reasonCode, reason);
        if (!reason.isEmpty())
            QVERIFY(!policy.message.isEmpty());
    }

    void scanFindsPolicyFilesAndStaysInside()
    {
        QTemporaryDir outside;
        QTemporaryDir dir;
        QVERIFY(dir.isValid() && outside.isValid());
        const QDir root(dir.path());
        QVERIFY(root.mkpath(QStringLiteral("SettingsCatalog")));
        QVERIFY(root.mkpath(QStringLiteral("CompliancePolicies")));
        write(root.filePath(QStringLiteral("SettingsCatalog/b.json")), "{}");
        write(root.filePath(QStringLiteral("SettingsCatalog/a.json")), "{}");
        write(root.filePath(QStringLiteral("SettingsCatalog/notes.txt")), "x");
        write(root.filePath(QStringLiteral("CompliancePolicies/c.json")), "{}");
        write(root.filePath(QStringLiteral("top-level.json")), "{}");
        write(outside.filePath(QStringLiteral("secret.json")), "{\"id\":\"stolen\"}");
        QVERIFY(QDir(outside.path()).mkpath(QStringLiteral("Elsewhere")));
        write(outside.filePath(QStringLiteral("Elsewhere/e.json")), "{}");
        QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret.json")), root.filePath(QStringLiteral("SettingsCatalog/link-out.json"))));
        QVERIFY(QFile::link(outside.filePath(QStringLiteral("Elsewhere")), root.filePath(QStringLiteral("LinkedType"))));
        QVERIFY(QFile::link(root.filePath(QStringLiteral("SettingsCatalog/a.json")), root.filePath(QStringLiteral("SettingsCatalog/link-in.json"))));

        QList<ExportFile> files;
        QString error;
        QVERIFY(ExportReader::scan(dir.path(), &files, &error));
        QStringList paths;
        for (const auto& f : files)
            paths << f.relativePath;
        QCOMPARE(paths, (QStringList{QStringLiteral("CompliancePolicies/c.json"), QStringLiteral("SettingsCatalog/a.json"),
                                     QStringLiteral("SettingsCatalog/b.json"), QStringLiteral("SettingsCatalog/link-in.json")}));
        QCOMPARE(files.first().policyType, QStringLiteral("CompliancePolicies"));

        QVERIFY(!ExportReader::scan(dir.filePath(QStringLiteral("missing")), &files, &error));
        QVERIFY(error.contains(QLatin1String("not a readable folder")));
    }

    void realCorruptedFileIsUnreadable()
    {
        const QString path = qEnvironmentVariable("ATLAS_SOURCE_DIR") +
                             QStringLiteral("/../shared/data/oib/windows-v3.7/SettingsCatalog/Win - OIB - ES - Encryption - D - BitLocker (OS Disk) - v3.7.json");
        ATLAS_REQUIRE_OIB(path);
        const auto policy = ExportReader::read({QStringLiteral("SettingsCatalog"), QString(), path});
        QCOMPARE(policy.reasonCode, QStringLiteral("payload_unreadable"));
    }
};

QTEST_GUILESS_MAIN(TestExportReader)
#include "tst_exportreader.moc"
