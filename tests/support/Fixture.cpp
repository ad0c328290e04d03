#include "Fixture.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSettings>

namespace atlas::test {

QJsonObject CliResult::json() const
{
    return QJsonDocument::fromJson(out.toUtf8()).object();
}

bool Fixture::setUp(QString* error, With with)
{
    if (!m_settings.isValid()) {
        *error = QStringLiteral("no temporary directory for settings");
        return false;
    }
    // A test never reads or writes the settings of the person running it.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
    if (!cluster.setUp(error))
        return false;
    if (with == With::NoTenants)
        return true;
    TenantFixture tenants;
    if (!tenants.create(cluster, error))
        return false;
    tenantA = tenants.tenantA;
    tenantB = tenants.tenantB;
    return true;
}

QString Fixture::loginUrl(const QString& login, const QString& database) const
{
    return QStringLiteral("postgresql://%1:%2@/%3?host=%4&port=%5")
        .arg(login, TestCluster::passwordOf(login), database.isEmpty() ? cluster.databaseName() : database,
             cluster.cluster().socketDir())
        .arg(cluster.cluster().port());
}

QString Fixture::superuserUrl(const QString& database) const
{
    const db::EmbeddedCluster& c = cluster.cluster();
    return QStringLiteral("postgresql://%1:%2@/%3?host=%4&port=%5")
        .arg(c.superuser(), c.superuserPassword(), database.isEmpty() ? cluster.databaseName() : database, c.socketDir())
        .arg(c.port());
}

bool Fixture::writeExport(const QString& dir, int files, const QByteArray& prefix, int padding)
{
    if (!QDir(dir).mkpath(QStringLiteral("SettingsCatalog")))
        return false;
    const QByteArray pad(padding, 'p');
    for (int i = 0; i < files; ++i) {
        QFile f(dir + QStringLiteral("/SettingsCatalog/policy-%1.json").arg(i, 5, 10, QLatin1Char('0')));
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write("{\"id\": \"" + prefix + QByteArray::number(i) + "\", \"displayName\": \"Policy " + QByteArray::number(i) +
                "\", \"padding\": \"" + pad + "\"}");
    }
    return true;
}

QString Fixture::binary()
{
    return qEnvironmentVariable("ATLAS_BINARY");
}

QProcessEnvironment Fixture::cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* var : {"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE"})
        env.remove(QLatin1String(var));
    return env;
}

QProcessEnvironment Fixture::consoleEnvironment(const QString& home)
{
    QProcessEnvironment env = cleanEnvironment();
    for (const char* sub : {"state", "config", "data", "cache", "run"})
        QDir().mkpath(home + QLatin1Char('/') + QLatin1String(sub));
    QFile::setPermissions(home + QStringLiteral("/run"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_STATE_HOME"), home + QStringLiteral("/state"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home + QStringLiteral("/run"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    env.remove(QStringLiteral("DISPLAY"));
    return env;
}

QString Fixture::consoleLog(const QString& home)
{
    QFile f(home + QStringLiteral("/state/atlas-ops/atlas-ops.log"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

CliResult Fixture::cli(const QStringList& args, const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(binary(), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace atlas::test
