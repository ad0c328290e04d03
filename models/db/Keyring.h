#pragma once

#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace atlas::db {

// Passwords in the desktop's keyring (the freedesktop Secret Service: GNOME Keyring, KWallet),
// through QtKeychain. Its jobs answer through an event loop, so they run in a thread of the
// keyring's own (whose one event loop that is); the keyring may ask the person to unlock it,
// which takes as long as it takes.
//
// The GUI asks asynchronously: the answer comes to `done` in the thread of `receiver`, dropped
// if the receiver is gone by then. Code that runs without an event loop of its own to keep
// going (the command line, tests) may wait for the answer instead: it blocks the caller, with
// no event loop, so never call those from the GUI.
class Keyring final
{
public:
    struct Answer
    {
        bool ok = false;  // the job succeeded (a read: the key was found)
        QString password; // what a read found
        QString error;    // the keyring's reason when it did not
    };
    using Done = std::function<void(const Answer&)>;

    static QString keyFor(const QString& user, const QString& host, int port, const QString& database, const QString& service);

    static void read(const QString& key, QObject* receiver, Done done);
    static void write(const QString& key, const QString& password, QObject* receiver, Done done);
    static void remove(const QString& key, QObject* receiver, Done done);

    // Waiting versions of the same.
    static bool write(const QString& key, const QString& password, QString* error);
    static std::optional<QString> read(const QString& key, QString* error);
    static bool remove(const QString& key, QString* error);
};

} // namespace atlas::db
