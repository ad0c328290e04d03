#include "Profiles.h"

#include "Keyring.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSettings>
#include <QTimer>

namespace atlas::db {

namespace {
const QString kGroup = QStringLiteral("profiles");

QString storeName(ConnectionProfile::PasswordStore store)
{
    switch (store) {
    case ConnectionProfile::PasswordStore::Keyring:
        return QStringLiteral("keyring");
    case ConnectionProfile::PasswordStore::PgPass:
        return QStringLiteral("pgpass");
    case ConnectionProfile::PasswordStore::None:
        break;
    }
    return QStringLiteral("none");
}
} // namespace

ConnectionSpec ConnectionProfile::spec(const QString& password) const
{
    ConnectionSpec s;
    s.host = host;
    s.port = port;
    s.database = database;
    s.user = user;
    s.password = password;
    if (!sslmode.isEmpty())
        s.options.append({QStringLiteral("sslmode"), sslmode});
    if (!service.isEmpty())
        s.options.append({QStringLiteral("service"), service});
    return s;
}

QString ConnectionProfile::keyringKey() const
{
    return Keyring::keyFor(user, host, port, database, service);
}

QString ConnectionProfile::rememberedPassword() const
{
    if (passwordStore != PasswordStore::Keyring)
        return {};
    QString error;
    return Keyring::read(keyringKey(), &error).value_or(QString());
}

void ConnectionProfile::rememberedPassword(QObject* receiver, std::function<void(const QString&)> done) const
{
    if (passwordStore != PasswordStore::Keyring) {
        QTimer::singleShot(0, receiver, [done = std::move(done)] { done({}); }); // answers as the keyring would: later
        return;
    }
    Keyring::read(keyringKey(), receiver, [done = std::move(done)](const Keyring::Answer& answer) { done(answer.password); });
}

QVariantMap ConnectionProfile::toMap() const
{
    return {{QStringLiteral("embedded"), embedded}, {QStringLiteral("host"), host},
            {QStringLiteral("port"), port},         {QStringLiteral("database"), database},
            {QStringLiteral("user"), user},         {QStringLiteral("sslmode"), sslmode},
            {QStringLiteral("service"), service},   {QStringLiteral("password"), storeName(passwordStore)}};
}

ConnectionProfile ConnectionProfile::fromMap(const QVariantMap& map)
{
    ConnectionProfile p;
    p.embedded = map.value(QStringLiteral("embedded"), true).toBool();
    p.host = map.value(QStringLiteral("host")).toString();
    p.port = map.value(QStringLiteral("port"), -1).toInt();
    p.database = map.value(QStringLiteral("database")).toString();
    p.user = map.value(QStringLiteral("user")).toString();
    p.sslmode = map.value(QStringLiteral("sslmode")).toString();
    p.service = map.value(QStringLiteral("service")).toString();
    const QString store = map.value(QStringLiteral("password")).toString();
    p.passwordStore = store == QLatin1String("keyring") ? PasswordStore::Keyring
        : store == QLatin1String("pgpass")              ? PasswordStore::PgPass
                                                        : PasswordStore::None;
    return p;
}

QString ConnectionProfile::describe() const
{
    if (embedded)
        return QStringLiteral("this computer's private database");
    if (!service.isEmpty() && host.isEmpty())
        return QStringLiteral("service “%1”%2").arg(service, user.isEmpty() ? QString() : QStringLiteral(" as ") + user);
    QString text = spec().describe();
    if (!sslmode.isEmpty())
        text += QStringLiteral(" (sslmode %1)").arg(sslmode);
    return text;
}

QList<ConnectionProfile> ProfileStore::all()
{
    QSettings settings;
    settings.beginGroup(kGroup);
    QList<ConnectionProfile> out;
    const QStringList names = settings.childGroups();
    for (const QString& key : names) {
        settings.beginGroup(key);
        QVariantMap map;
        for (const QString& k : settings.childKeys())
            map.insert(k, settings.value(k));
        settings.endGroup();
        ConnectionProfile p = ConnectionProfile::fromMap(map);
        p.name = QByteArray::fromPercentEncoding(key.toUtf8());
        out.append(p);
    }
    return out;
}

ConnectionProfile ProfileStore::find(const QString& name, bool* found)
{
    for (const ConnectionProfile& p : all()) {
        if (p.name == name) {
            if (found)
                *found = true;
            return p;
        }
    }
    if (found)
        *found = false;
    return {};
}

void ProfileStore::save(const ConnectionProfile& profile)
{
    QSettings settings;
    settings.beginGroup(kGroup);
    settings.remove(QString::fromLatin1(profile.name.toUtf8().toPercentEncoding()));
    settings.beginGroup(QString::fromLatin1(profile.name.toUtf8().toPercentEncoding()));
    const QVariantMap map = profile.toMap();
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        settings.setValue(it.key(), it.value());
}

void ProfileStore::remove(const QString& name)
{
    QSettings settings;
    settings.beginGroup(kGroup);
    settings.remove(QString::fromLatin1(name.toUtf8().toPercentEncoding()));
}

QString ProfileStore::lastUsed()
{
    return QSettings().value(QStringLiteral("connection/profile")).toString();
}

void ProfileStore::setLastUsed(const QString& name)
{
    QSettings().setValue(QStringLiteral("connection/profile"), name);
}

QString PgPass::path()
{
    const QString configured = qEnvironmentVariable("PGPASSFILE");
    return configured.isEmpty() ? QDir::homePath() + QStringLiteral("/.pgpass") : configured;
}

QString PgPass::escape(const QString& field)
{
    QString out = field;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char(':'), QStringLiteral("\\:"));
    return out;
}

bool PgPass::store(const ConnectionSpec& spec, const QString& password, QString* error)
{
    // The fields as libpq matches them; an empty one matches anything ('*').
    const QString host = spec.host.isEmpty() ? QStringLiteral("*") : escape(spec.host);
    const QString port = spec.port > 0 ? QString::number(spec.port) : QStringLiteral("*");
    const QString database = spec.database.isEmpty() ? QStringLiteral("*") : escape(spec.database);
    const QString user = spec.user.isEmpty() ? QStringLiteral("*") : escape(spec.user);
    const QString prefix = QStringList{host, port, database, user}.join(QLatin1Char(':')) + QLatin1Char(':');
    QStringList lines;
    QFile existing(path());
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(path());
            return false;
        }
        for (const QString& line : QString::fromUtf8(existing.readAll()).split(QLatin1Char('\n')))
            if (!line.isEmpty() && !line.startsWith(prefix))
                lines << line;
    }
    lines << prefix + escape(password);
    QSaveFile file(path());
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1").arg(path());
        return false;
    }
    // Owner-only before anything is written: libpq ignores a readable file, and so should others.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write((lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1").arg(path());
        return false;
    }
    QFile::setPermissions(path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

} // namespace atlas::db
