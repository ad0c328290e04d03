#include "ConnectionSpec.h"

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

namespace atlas::db {

namespace {
bool isConninfoKeyword(const QString& key)
{
    for (QChar c : key) {
        if (!(c.isLower() || c == QLatin1Char('_')))
            return false;
    }
    return !key.isEmpty();
}

QString quoteValue(const QString& value)
{
    QString v = value;
    v.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    v.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + v + QLatin1Char('\'');
}
} // namespace

bool ConnectionSpec::fromUrl(const QString& url, ConnectionSpec* out, QString* error)
{
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || (parsed.scheme() != QLatin1String("postgresql") && parsed.scheme() != QLatin1String("postgres"))) {
        *error = QStringLiteral("--db must be a postgresql:// URL");
        return false;
    }
    ConnectionSpec spec;
    spec.host = parsed.host();
    spec.port = parsed.port(-1);
    spec.user = parsed.userName();
    spec.password = parsed.password();
    spec.database = parsed.path().mid(1);
    const QUrlQuery query(parsed);
    for (const auto& [key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("host")) {
            spec.host = value;
        } else if (!isConninfoKeyword(key)) {
            *error = QStringLiteral("--db has an unknown parameter: %1").arg(key.left(40));
            return false;
        } else {
            spec.options.append({key, value});
        }
    }
    *out = spec;
    return true;
}

bool ConnectionSpec::environmentNamesServer()
{
    for (const char* name : {"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", "PGUSER"}) {
        if (!qEnvironmentVariableIsEmpty(name))
            return true;
    }
    return false;
}

ConnectionSpec ConnectionSpec::withUser(const QString& login, const QString& pass) const
{
    ConnectionSpec copy = *this;
    copy.user = login;
    copy.password = pass;
    return copy;
}

ConnectionSpec ConnectionSpec::withDatabase(const QString& name) const
{
    ConnectionSpec copy = *this;
    copy.database = name;
    return copy;
}

void ConnectionSpec::applyTo(QSqlDatabase& db, const QString& purpose) const
{
    if (!host.isEmpty())
        db.setHostName(host);
    if (port > 0)
        db.setPort(port);
    if (!database.isEmpty())
        db.setDatabaseName(database);
    if (!user.isEmpty())
        db.setUserName(user);
    if (!password.isEmpty())
        db.setPassword(password);
    QString application = QStringLiteral("atlas-ops");
    if (!purpose.isEmpty())
        application += QLatin1Char('/') + QString(purpose).remove(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]")));
    QStringList opts{QStringLiteral("application_name=") + application, QStringLiteral("connect_timeout=10")};
    for (const auto& [key, value] : options)
        opts << key + QLatin1Char('=') + quoteValue(value);
    db.setConnectOptions(opts.join(QLatin1Char(';')));
}

QString ConnectionSpec::describe() const
{
    QString where = host.isEmpty() ? QStringLiteral("(libpq default host)") : host;
    if (port > 0)
        where += QLatin1Char(':') + QString::number(port);
    return QStringLiteral("%1/%2 as %3")
        .arg(where, database.isEmpty() ? QStringLiteral("(default db)") : database,
             user.isEmpty() ? QStringLiteral("(default user)") : user);
}

} // namespace atlas::db
