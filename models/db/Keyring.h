#pragma once

#include <QString>

#include <optional>

namespace atlas::db {

// Passwords in the desktop's keyring (the freedesktop Secret Service: GNOME Keyring, KWallet),
// through QtKeychain. Calls wait for the keyring's answer (it may ask the person to unlock it),
// so they belong to dialogs and start-up, not to a busy GUI.
class Keyring final
{
public:
    static QString keyFor(const QString& user, const QString& host, int port, const QString& database,
                          const QString& service);
    static bool write(const QString& key, const QString& password, QString* error);
    static std::optional<QString> read(const QString& key, QString* error);
    static bool remove(const QString& key, QString* error);
};

} // namespace atlas::db
