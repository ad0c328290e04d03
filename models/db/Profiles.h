#pragma once

#include "ConnectionSpec.h"

#include <QList>
#include <QString>
#include <QVariantMap>

#include <functional>

class QObject;

namespace atlas::db {

// Where the console connects, as a person names it: the private embedded cluster, or a
// PostgreSQL server (host, port, database, user, sslmode) or a libpq service name. Kept in the
// settings; a password never is (it lives in the desktop's keyring or in ~/.pgpass).
struct ConnectionProfile
{
    enum class PasswordStore
    {
        None,    // asked for each time (or found by libpq: ~/.pgpass, PGPASSWORD)
        Keyring, // the Secret Service, through QtKeychain
        PgPass   // a line in ~/.pgpass (or $PGPASSFILE), mode 0600
    };

    QString name;
    bool embedded = true;
    QString host;
    int port = -1;
    QString database;
    QString user;
    QString sslmode; // empty: libpq's default (prefer)
    QString service; // a libpq service name; its settings come from the service file
    PasswordStore passwordStore = PasswordStore::None;

    ConnectionSpec spec(const QString& password = {}) const;
    // Where the keyring keeps this profile's password.
    QString keyringKey() const;
    // The password this profile remembers itself: the keyring's, when it keeps one there (empty
    // otherwise: libpq then looks in ~/.pgpass and PGPASSWORD on its own).
    // Waits for the keyring without an event loop: for the command line; the GUI asks with
    // the asynchronous version, whose answer comes to `done` in `receiver`'s thread.
    QString rememberedPassword() const;
    void rememberedPassword(QObject* receiver, std::function<void(const QString&)> done) const;
    QVariantMap toMap() const;
    static ConnectionProfile fromMap(const QVariantMap& map);
    // "server.example.com:5432/atlas as alice (sslmode require)"
    QString describe() const;
};

class ProfileStore final
{
public:
    static QList<ConnectionProfile> all();
    static ConnectionProfile find(const QString& name, bool* found = nullptr);
    static void save(const ConnectionProfile& profile);
    static void remove(const QString& name);
    static QString lastUsed();
    static void setLastUsed(const QString& name);
};

// ~/.pgpass, as libpq reads it: host:port:database:user:password, ':' and '\' escaped, the file
// readable by its owner only (libpq ignores it otherwise).
class PgPass final
{
public:
    static QString path(); // $PGPASSFILE, else ~/.pgpass
    // Adds or replaces the line for this host, port, database and user.
    static bool store(const ConnectionSpec& spec, const QString& password, QString* error);
    static QString escape(const QString& field);
};

} // namespace atlas::db
