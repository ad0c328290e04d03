// One table of secret-bearing texts, run through the C++ redactor and through the database's
// atlas.redact()/atlas.sanitize_message(): both must give the same, hand-written result.
#include "TestCluster.h"
#include "runs/Redactor.h"

#include <QSqlQuery>
#include <QtTest>

using atlas::runs::Redactor;

class TestRedaction : public QObject
{
    Q_OBJECT
    atlas::test::TestCluster m_cluster;
    std::unique_ptr<atlas::db::Connection> m_su;

    void cases()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("secret");

        QTest::newRow("bearer") << "GET failed: Authorization: Bearer abc.DEF-123_xyz~+/= (401)"
                                << "GET failed: Authorization: Bearer [REDACTED] (401)" << "abc.DEF-123";
        QTest::newRow("bearer lower case") << "header bearer 0123456789abcdef"
                                           << "header bearer [REDACTED]" << "0123456789abcdef";
        QTest::newRow("basic") << "Authorization: Basic dXNlcjpwYXNzd29yZA== rejected"
                               << "Authorization: Basic [REDACTED] rejected" << "dXNlcjpwYXNzd29yZA";
        QTest::newRow("jwt") << "token was eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl!"
                             << "token was [REDACTED JWT]!" << "eyJzdWIiOiIxMjM0In0";
        QTest::newRow("pem") << "key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
                                "-----END PRIVATE KEY----- end"
                             << "key: [REDACTED PEM] end" << "MIIEvQIBADAN";
        QTest::newRow("pem cut off") << "cert -----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE"
                                     << "cert [REDACTED PEM]" << "MIIDdzCCAl";
        QTest::newRow("url credentials") << "connect https://svc:S3cr3t!@graph.example.com/v1 failed"
                                         << "connect https://[REDACTED]@graph.example.com/v1 failed" << "S3cr3t";
        QTest::newRow("password pair") << "login password=hunter2 rejected"
                                       << "login password=[REDACTED] rejected" << "hunter2";
        QTest::newRow("client_secret json") << "{\"client_secret\": \"q~8Q.abc\", \"tenant\": \"x\"}"
                                            << "{\"client_secret\": [REDACTED], \"tenant\": \"x\"}" << "q~8Q.abc";
        QTest::newRow("query string") << "https://h/x?sig=AbC123&api_key=zzz&ok=1"
                                      << "https://h/x?sig=[REDACTED]&api_key=[REDACTED]&ok=1" << "AbC123";
        QTest::newRow("pwd colon") << "PWD: 'quoted secret'" << "PWD: [REDACTED]" << "quoted secret";
        QTest::newRow("plain text kept") << "Policy 5f1c not found in inventory (basic settings)"
                                         << "Policy 5f1c not found in inventory (basic settings)" << "";
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_cluster.setUp(&error), qPrintable(error));
        m_su = m_cluster.connectSuperuser();
        QVERIFY(m_su->isOpen());
    }

    void cpp_data() { cases(); }
    void cpp()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QFETCH(QString, secret);
        const QString out = Redactor::redact(input);
        QCOMPARE(out, expected);
        if (!secret.isEmpty())
            QVERIFY(!out.contains(secret));
    }

    void database_data() { cases(); }
    void database()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT atlas.redact(?)"), {input}).toString(), expected);
    }

    void sanitizedMessageIsCappedAndSingleLine()
    {
        const QString longText = QStringLiteral("line one\nline two\t") + QString(1000, QLatin1Char('x'));
        const QString cpp = Redactor::sanitizeMessage(longText);
        const QString sql = m_su->scalar(QStringLiteral("SELECT atlas.sanitize_message(?)"), {longText}).toString();
        QCOMPARE(cpp.size(), Redactor::kMaxMessageLength);
        QVERIFY(!cpp.contains(QLatin1Char('\n')));
        QCOMPARE(sql, cpp);
    }

    void reasonCodes_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ok") << "payload_unreadable" << true;
        QTest::newRow("digits") << "http_404" << true;
        QTest::newRow("upper") << "Payload" << false;
        QTest::newRow("leading digit") << "4xx" << false;
        QTest::newRow("space") << "bad code" << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("too long") << QString(65, QLatin1Char('a')) << false;
    }
    void reasonCodes()
    {
        QFETCH(QString, code);
        QFETCH(bool, valid);
        QCOMPARE(Redactor::isReasonCode(code), valid);
        QCOMPARE(m_su->scalar(QStringLiteral("SELECT coalesce(atlas.is_reason_code(?), false)"), {code}).toBool(),
                 valid);
    }
};

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
