#pragma once

#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>

namespace atlas::db {

// Where and as whom to connect. Empty fields are left to libpq, so PGHOST, PGPORT, PGDATABASE,
// PGUSER, PGPASSWORD, PGSERVICE, service files and ~/.pgpass work as they do for psql.
class ConnectionSpec
{
public:
    QString host;  // host name, or a socket directory when it starts with '/'
    int port = -1; // -1: libpq's default
    QString database;
    QString user;
    QString password;
    QList<QPair<QString, QString>> options; // further libpq keywords (sslmode, service, ...)

    // Parses postgresql://user:pass@host:port/db?sslmode=require; returns false with a reason.
    static bool fromUrl(const QString& url, ConnectionSpec* out, QString* error);
    // True when PGHOST, PGDATABASE, PGSERVICE or PGUSER say that a server is configured.
    static bool environmentNamesServer();

    ConnectionSpec withUser(const QString& login, const QString& pass) const;
    ConnectionSpec withDatabase(const QString& name) const;

    // Configures a QPSQL connection. application_name is always set.
    // `purpose` ("listen", "shared", "worker", ...) goes into application_name as
    // atlas-ops/<purpose>, so pg_stat_activity tells what each of a console's sessions is for.
    void applyTo(QSqlDatabase& db, const QString& purpose = {}) const;
    // For messages and logs: never includes the password.
    QString describe() const;
};

} // namespace atlas::db
