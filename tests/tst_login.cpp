// Connecting as a person does: what a failed connection is called (no server, wrong password,
// no database, not an Atlas Ops login, schema too old or too new), the login dialog saying it,
// profiles kept in the settings without passwords, passwords remembered in ~/.pgpass (used by
// libpq afterwards) or in the desktop keyring (when ATLAS_TEST_KEYRING=1: a private Secret
// Service, see tests/keyring_session.sh).
#include "Fixture.h"
#include "AppIcon.h"
#include "LoginDialog.h"
#include "db/ConnectionProbe.h"
#include "db/Keyring.h"
#include "db/Profiles.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using atlas::db::ConnectionProbe;
using Result = atlas::db::ConnectionProbe::Result;

class TestLogin : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    QTemporaryDir m_home;

    atlas::db::ConnectionSpec spec(const QString& login, const QString& password)
    {
        return m_fx.cluster.loginSpec(login).withUser(login, password);
    }

    void fill(atlas::views::LoginDialog& dialog, const QString& login, const QString& password)
    {
        const atlas::db::ConnectionSpec s = m_fx.cluster.loginSpec(login);
        dialog.serverChoice()->setChecked(true);
        dialog.hostField()->setText(s.host);
        dialog.portField()->setValue(s.port);
        dialog.databaseField()->setText(s.database);
        dialog.userField()->setText(login);
        dialog.passwordField()->setText(password);
    }

    // Clicks Connect and waits for the answer.
    static bool connectThrough(atlas::views::LoginDialog& dialog)
    {
        QSignalSpy probed(&dialog, &atlas::views::LoginDialog::probed);
        QTest::mouseClick(dialog.connectButton(), Qt::LeftButton);
        if (!probed.wait(20000))
            return false;
        return probed.first().at(0).toBool();
    }

private Q_SLOTS:
    // The icon's drawing is compiled in and found however the program started: no other code
    // of this test registers resources.
    void theApplicationIconIsDrawn()
    {
        const QImage image = atlas::resources::renderAppIcon(64);
        int opaque = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                opaque += qAlpha(image.pixel(x, y)) > 0;
        QVERIFY2(opaque > 64 * 64 / 4, qPrintable(QString::number(opaque)));
        QVERIFY(QFile::exists(QStringLiteral(":/icons/atlas-ops.svg")));
    }

    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("PGPASSFILE", m_home.filePath(QStringLiteral("pgpass")).toLocal8Bit());
        ATLAS_SET_UP(m_fx);
        // Settings where the test reads them back as a file.
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_home.filePath(QStringLiteral("settings")));
        auto su = m_fx.cluster.connectSuperuser();
        QVERIFY(su->execRaw(QStringLiteral("CREATE ROLE stranger LOGIN PASSWORD 'pw-stranger'")));
    }

    void eachFailureHasItsName()
    {
        QCOMPARE(ConnectionProbe::run(spec(QStringLiteral("operator_a"), QStringLiteral("pw-operator_a"))).result, Result::Ok);
        atlas::db::ConnectionSpec nowhere = spec(QStringLiteral("operator_a"), QStringLiteral("pw-operator_a"));
        nowhere.port = 1; // nothing listens there
        const ConnectionProbe noServer = ConnectionProbe::run(nowhere);
        QCOMPARE(noServer.result, Result::NoServer);
        QVERIFY(noServer.message.contains(QLatin1String("No PostgreSQL server")));
        const ConnectionProbe wrong = ConnectionProbe::run(spec(QStringLiteral("operator_a"), QStringLiteral("not-it")));
        QCOMPARE(wrong.result, Result::BadPassword);
        QVERIFY(wrong.message.contains(QLatin1String("operator_a")));
        QCOMPARE(ConnectionProbe::run(spec(QStringLiteral("operator_a"), QStringLiteral("pw-operator_a")).withDatabase(QStringLiteral("nope"))).result,
                 Result::NoDatabase);
        const ConnectionProbe stranger = ConnectionProbe::run(spec(QStringLiteral("stranger"), QStringLiteral("pw-stranger")));
        QCOMPARE(stranger.result, Result::NoAccess);
        QVERIFY(stranger.message.contains(QLatin1String("atlas_client")));

        auto su = m_fx.cluster.connectSuperuser();
        QVERIFY(su->execRaw(QStringLiteral("INSERT INTO atlas.schema_migrations (version) VALUES ('9999_from_the_future')")));
        const ConnectionProbe newer = ConnectionProbe::run(spec(QStringLiteral("operator_a"), QStringLiteral("pw-operator_a")));
        QVERIFY(su->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '9999_from_the_future'")));
        QCOMPARE(newer.result, Result::ReadOnly);
        QVERIFY(newer.usable());
        const QString newest = su->scalar(QStringLiteral("SELECT max(version) FROM atlas.schema_migrations")).toString();
        QVERIFY(su->execRaw(QStringLiteral("DELETE FROM atlas.schema_migrations WHERE version = '%1'").arg(newest)));
        const ConnectionProbe older = ConnectionProbe::run(spec(QStringLiteral("operator_a"), QStringLiteral("pw-operator_a")));
        QVERIFY(su->execRaw(QStringLiteral("INSERT INTO atlas.schema_migrations (version) VALUES ('%1')").arg(newest)));
        QCOMPARE(older.result, Result::SchemaOlder);
        QVERIFY(!older.usable());
        QVERIFY(older.message.contains(QLatin1String("atlas-ops migrate")));
    }

    void theDialogSaysWhatFailedAndRemembersInPgpass()
    {
        atlas::views::LoginDialog dialog;
        dialog.show();
        fill(dialog, QStringLiteral("manager_a"), QStringLiteral("guessed"));
        QVERIFY(!connectThrough(dialog));
        QVERIFY(dialog.isVisible()); // stays open, says why
        QVERIFY2(dialog.problem().contains(QLatin1String("password for manager_a is wrong")), qPrintable(dialog.problem()));

        dialog.passwordField()->setText(QStringLiteral("pw-manager_a"));
        dialog.rememberField()->setCurrentIndex(dialog.rememberField()->findData(int(atlas::db::ConnectionProfile::PasswordStore::PgPass)));
        dialog.findChild<QLineEdit*>()->setText(QStringLiteral("Team server")); // the profile's name field comes first
        QVERIFY(connectThrough(dialog));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.spec().user, QStringLiteral("manager_a"));

        // ~/.pgpass holds it, owner-only; libpq now connects without being given a password.
        QFile pgpass(atlas::db::PgPass::path());
        QVERIFY(pgpass.exists());
        QCOMPARE(pgpass.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QVERIFY(pgpass.open(QIODevice::ReadOnly));
        const QString line = QString::fromUtf8(pgpass.readAll()).trimmed();
        QVERIFY2(line.endsWith(QLatin1String(":manager_a:pw-manager_a")), qPrintable(line));
        QCOMPARE(ConnectionProbe::run(spec(QStringLiteral("manager_a"), QString())).result, Result::Ok);

        // The profile is in the settings, the password is not.
        bool found = false;
        const atlas::db::ConnectionProfile saved = atlas::db::ProfileStore::find(QStringLiteral("Team server"), &found);
        QVERIFY(found);
        QVERIFY(!saved.embedded);
        QCOMPARE(saved.user, QStringLiteral("manager_a"));
        QCOMPARE(saved.passwordStore, atlas::db::ConnectionProfile::PasswordStore::PgPass);
        QCOMPARE(atlas::db::ProfileStore::lastUsed(), QStringLiteral("Team server"));
        QSettings().sync();
        QString settingsText;
        QDirIterator it(m_home.filePath(QStringLiteral("settings")), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            settingsText += QString::fromUtf8(f.readAll());
        }
        QVERIFY(settingsText.contains(QLatin1String("manager_a")));
        QVERIFY(!settingsText.contains(QLatin1String("pw-manager_a")));

        // Opening the dialog again restores the profile, with an empty password field.
        atlas::views::LoginDialog again;
        again.setProfile(saved);
        QCOMPARE(again.userField()->text(), QStringLiteral("manager_a"));
        QCOMPARE(again.passwordField()->text(), QString());
        QVERIFY(again.serverChoice()->isChecked());
    }

    void libpqMessagesAreSorted()
    {
        QCOMPARE(ConnectionProbe::classify(QStringLiteral("connection to server at \"10.0.0.1\", port 5432 failed: received invalid response to SSL negotiation: H")),
                 Result::NotPostgres);
        QCOMPARE(ConnectionProbe::classify(QStringLiteral("connection to server at \"db\", port 5432 failed: server does not support SSL, but SSL was required")),
                 Result::Tls);
        QCOMPARE(ConnectionProbe::classify(QStringLiteral("could not translate host name \"nohost\" to address: Name or service not known")),
                 Result::NoServer);
        QCOMPARE(ConnectionProbe::classify(QStringLiteral("connection to server at \"db\", port 5432 failed: fe_sendauth: no password supplied")),
                 Result::PasswordNeeded);
    }

    void pgpassFieldsAreEscaped()
    {
        QCOMPARE(atlas::db::PgPass::escape(QStringLiteral("a:b\\c")), QStringLiteral("a\\:b\\\\c"));
    }

    void theKeyringRemembersAPassword()
    {
        if (qEnvironmentVariable("ATLAS_TEST_KEYRING") != QLatin1String("1"))
            QSKIP("runs inside tests/keyring_session.sh (a private Secret Service)");
        const QString key = atlas::db::Keyring::keyFor(QStringLiteral("owner_a"), m_fx.cluster.loginSpec(QStringLiteral("owner_a")).host,
                                                       m_fx.cluster.cluster().port(), m_fx.cluster.databaseName(), {});
        atlas::views::LoginDialog dialog;
        fill(dialog, QStringLiteral("owner_a"), QStringLiteral("pw-owner_a"));
        dialog.rememberField()->setCurrentIndex(dialog.rememberField()->findData(int(atlas::db::ConnectionProfile::PasswordStore::Keyring)));
        dialog.findChild<QLineEdit*>()->setText(QStringLiteral("Keyring profile"));
        QVERIFY(connectThrough(dialog));
        QString error;
        const auto stored = atlas::db::Keyring::read(key, &error);
        QVERIFY2(stored, qPrintable(error));
        QCOMPARE(*stored, QStringLiteral("pw-owner_a"));
        // A later dialog on the same profile connects with the keyring's password alone.
        atlas::views::LoginDialog later;
        later.setProfile(atlas::db::ProfileStore::find(QStringLiteral("Keyring profile")));
        QVERIFY(later.passwordField()->text().isEmpty());
        QVERIFY(connectThrough(later));
        QVERIFY(atlas::db::Keyring::remove(key, &error));
        QVERIFY(!atlas::db::Keyring::read(key, &error));
    }
};

QTEST_MAIN(TestLogin)
#include "tst_login.moc"
