// One table of secret-bearing texts, run through the C++ redactor and through the database's
// atlas.redact()/atlas.sanitize_message(): both must give the same, hand-written result.
#include "Fixture.h"
#include "runs/Redactor.h"

#include <QSqlQuery>
#include <QtTest>

using atlas::runs::Redactor;

class TestRedaction : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
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

        // Authorization in any case, with or without a scheme (gitleaks curl-auth-header).
        QTest::newRow("authorization lower case") << "authorization: basic dXNlcjpwYXNzd29yZA== sent"
                                                  << "authorization: basic [REDACTED] sent" << "dXNlcjpw";
        QTest::newRow("basic upper case") << "proxy answered BASIC c3ZjOlMzY3IzdA== back"
                                          << "proxy answered BASIC [REDACTED] back" << "c3ZjOlMzY3";
        QTest::newRow("bearer upper case") << "BEARER 0123456789abcdef expired" << "BEARER [REDACTED] expired"
                                           << "0123456789abcdef";
        QTest::newRow("authorization without scheme")
            << "Authorization: 7c0e42d1-93aa-4b6e-a1f0-5d2c8e9b3f17 refused"
            << "Authorization: [REDACTED] refused" << "7c0e42d1";
        QTest::newRow("authorization json") << "{\"Authorization\": \"Bearer q8Zx-4kL2.Tn9w\"}"
                                            << "{\"Authorization\": \"Bearer [REDACTED]\"}" << "q8Zx-4kL2";
        QTest::newRow("authorization prose kept") << "authorization failed: role reader lacks write"
                                                  << "authorization failed: role reader lacks write" << "";
        QTest::newRow("basic idea kept") << "The basic idea: retry twice, then give up."
                                         << "The basic idea: retry twice, then give up." << "";

        // JWTs whose JSON has white space, so the header is not eyJ (gitleaks jwt: ey...\.ey...).
        QTest::newRow("jwt with spaced json")
            << "id_token ewogICJhbGciOiAiSFMyNTYiLAogICJ0eXAiOiAiSldUIgp9.ewogICJzdWIiOiAic3ZjLWF0bGFzIgp9."
               "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk rejected"
            << "id_token [REDACTED JWT] rejected" << "ewogICJzdWIi";
        QTest::newRow("jwt unsigned") << "got eyAiYWxnIjogIm5vbmUiIH0.ewogICJzdWIiOiAic3ZjLWF0bGFzIgp9. back"
                                      << "got [REDACTED JWT] back" << "eyAiYWxnIjog";
        QTest::newRow("dotted text kept")
            << "Agent 1.2.3.4 signed in at login.microsoftonline.com via ewr-gateway.eastus.cloudapp.net"
            << "Agent 1.2.3.4 signed in at login.microsoftonline.com via ewr-gateway.eastus.cloudapp.net"
            << "";

        // Encrypted PEM: the headers hold "-" (gitleaks private-key, detect-secrets private_key).
        QTest::newRow("pem encrypted") << "key -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                                          "DEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEowIBAAKCAQEAvu3/\n"
                                          "-----END RSA PRIVATE KEY-----\nloaded"
                                       << "key [REDACTED PEM]\nloaded" << "MIIEowIBAAKC";

        // URL credentials: empty user, / or @ in the password (detect-secrets basic_auth,
        // gitleaks curl-auth-user's empty-username sample).
        QTest::newRow("url empty user") << "cache redis://:p4ss-w0rd@cache.local:6379/0 down"
                                        << "cache redis://[REDACTED]@cache.local:6379/0 down" << "p4ss-w0rd";
        QTest::newRow("url slash in password") << "GET https://svc:pa/ss@api.example.com/v1"
                                               << "GET https://[REDACTED]@api.example.com/v1" << "pa/ss";
        QTest::newRow("url at in password") << "dsn postgresql://atlas:p@ss@db.local/atlas"
                                            << "dsn postgresql://[REDACTED]@db.local/atlas" << "p@ss";
        QTest::newRow("url without credentials kept")
            << "icon https://example.com/path@2x.png for https://graph.microsoft.com/v1.0/users/a@contoso.com"
            << "icon https://example.com/path@2x.png for https://graph.microsoft.com/v1.0/users/a@contoso.com"
            << "";

        // Connection strings: values with spaces up to ";", values in braces (detect-secrets keyword: pwd).
        QTest::newRow("connection string spaces")
            << "Server=x;Password=my secret pass;Database=y"
            << "Server=x;Password=[REDACTED];Database=y" << "secret pass";
        QTest::newRow("connection string last")
            << "Server=x;User Id=sa;Password=my secret pass"
            << "Server=x;User Id=sa;Password=[REDACTED]" << "secret pass";
        QTest::newRow("connection string braces")
            << "Driver={ODBC 18};Uid=sa;Pwd={a;b c};Server=db"
            << "Driver={ODBC 18};Uid=sa;Pwd=[REDACTED];Server=db" << "a;b c";
        QTest::newRow("password policy kept") << "Policy \"Windows - Password policy\" assigned"
                                              << "Policy \"Windows - Password policy\" assigned" << "";

        // Cloud keys (gitleaks aws-access-token, detect-secrets aws / aws_secret_access_key /
        // azure_storage_key / keyword: accountkey), with AWS's documented example values.
        QTest::newRow("aws keys") << "aws_access_key_id=AKIAIOSFODNN7EXAMPLE "
                                     "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
                                  << "aws_access_key_id=[REDACTED] aws_secret_access_key = [REDACTED]"
                                  << "EXAMPLE";
        QTest::newRow("azure storage") << "DefaultEndpointsProtocol=https;AccountName=atlas;"
                                          "AccountKey=bXlrZXk+c2VjcmV0/Zm9v==;EndpointSuffix=core.windows.net"
                                       << "DefaultEndpointsProtocol=https;AccountName=atlas;"
                                          "AccountKey=[REDACTED];EndpointSuffix=core.windows.net"
                                       << "bXlrZXk";
        QTest::newRow("azure shared access key")
            << "Endpoint=sb://atlas.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
               "SharedAccessKey=c2VjcmV0S2V5MTIz="
            << "Endpoint=sb://atlas.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
               "SharedAccessKey=[REDACTED]"
            << "c2VjcmV0S2V5";
        QTest::newRow("azure sas url")
            << "PUT https://atlas.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=Ab%2Bc9%3D"
            << "PUT https://atlas.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=[REDACTED]" << "Ab%2Bc9";

        // API-key headers (gitleaks curl-auth-header: X-...-Key).
        QTest::newRow("api key headers")
            << "X-API-Key: 9f86d081884c7d65\nOcp-Apim-Subscription-Key: 0a1b2c3d4e5f\n"
               "x-functions-key: q1W2e3R4t5=="
            << "X-API-Key: [REDACTED]\nOcp-Apim-Subscription-Key: [REDACTED]\nx-functions-key: [REDACTED]"
            << "9f86d081";

        // GitHub tokens (gitleaks github-pat/-oauth/-app-token/-refresh-token/-fine-grained-pat,
        // detect-secrets github_token).
        QTest::newRow("github tokens")
            << "push ghp_R2d2C3p0R2d2C3p0R2d2C3p0R2d2C3p0R2d2, app ghs_0123456789abcdefghijABCDEFGHIJklmnop, "
               "pat github_pat_11ABCDEFG0123456789abc_DEFghiJKLmnoPQRstuVWXyz0123456789abcdefGHIJKLmnopQRST01"
            << "push [REDACTED], app [REDACTED], pat [REDACTED]" << "R2d2C3p0";

        // Slack tokens and webhooks (gitleaks slack-bot-token/-app-token/-webhook-url, detect-secrets slack).
        QTest::newRow("slack tokens") << "bot xoxb-1234567890-9876543210123-AbCdEfGhIjKlMnOpQrStUvWx app "
                                         "xapp-1-A0123456789-1234567890123-0a1b2c3d4e5f"
                                      << "bot [REDACTED] app [REDACTED]" << "AbCdEfGh";
        QTest::newRow("slack webhook")
            << "POST https://hooks.slack.com/services/T0AB1CD2E/B0FG3HI4J/aBcDeFgHiJkLmNoPqRsTuVwX failed"
            << "POST https://hooks.slack.com/services/[REDACTED] failed" << "aBcDeFgH";

        // URL-encoded pairs: the value ends at %26 (&) or %22 (").
        QTest::newRow("url-encoded query") << "redirect=%2Fcb%3Ftoken%3DabC123%2B9%26state%3D1"
                                           << "redirect=%2Fcb%3Ftoken%3D[REDACTED]%26state%3D1" << "abC123";
        QTest::newRow("url-encoded json")
            << "body=%7B%22password%22%3A%22hunter2%22%2C%22user%22%3A%22ann%22%7D"
            << "body=%7B%22password%22%3A%22[REDACTED]%22%2C%22user%22%3A%22ann%22%7D" << "hunter2";
    }

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx, atlas::test::Fixture::With::NoTenants);
        m_su = m_fx.cluster.connectSuperuser();
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
