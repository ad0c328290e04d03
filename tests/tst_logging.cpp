// The log file: where it is, that it is written, and that secrets never reach it.
#include "support/Logging.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <spdlog/spdlog.h>

class TestLogging : public QObject
{
    Q_OBJECT
    QTemporaryDir m_state;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_state.isValid());
        qputenv("XDG_STATE_HOME", m_state.path().toUtf8());
    }

    void writesARedactedFileInTheStateDirectory()
    {
        atlas::support::Logging::setUp(QStringLiteral("debug"));
        QCOMPARE(atlas::support::Logging::logFile(), m_state.path() + QStringLiteral("/atlas-ops/atlas-ops.log"));
        spdlog::info("connecting to https://svc:Sup3rS3cret@db.example/atlas with password=hunter2");
        spdlog::warn("request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");
        spdlog::debug("plain debug line");
        spdlog::default_logger()->flush();
        QFile file(atlas::support::Logging::logFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray log = file.readAll();
        QVERIFY(log.contains("connecting to https://[REDACTED]@db.example/atlas with password=[REDACTED]"));
        QVERIFY(log.contains("plain debug line"));
        QVERIFY(log.contains("[REDACTED JWT]"));
        for (const char* secret : {"Sup3rS3cret", "hunter2", "eyJhbGci"})
            QVERIFY2(!log.contains(secret), secret);
    }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
