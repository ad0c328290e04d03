#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace atlas::app {

// One console per person and database: the first `atlas-ops` listens on a local socket named
// after the user and the connection it was given; a later invocation hands its arguments (a
// deep link such as atlas-ops://run/42, or nothing: "come to the front") to it and exits.
//
// On a shared workstation nobody else may take part: the socket lives in $XDG_RUNTIME_DIR (else
// in a 0700 directory of the user's own under the cache directory), which must be this user's
// and closed to others; the console accepts only peers of its own uid, and an invocation hands
// its message only to a console of its own uid. When the place is not safe (someone else's
// directory or socket at the name), the console says so and runs on its own instead.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)
public:
    // `key` names the connection choice (--db, --data-dir, $ATLAS_DATA_DIR, --login, PG*
    // variables, the profile).
    explicit SingleInstance(const QString& key, QObject* parent = nullptr);
    ~SingleInstance() override;

    // Hands `message` to a running instance of this user; true if one took it.
    bool sendToRunning(const QString& message, int timeoutMs = 2000);
    // Becomes the running instance; false (with a log line) if the socket cannot be made or its
    // place is not safe: the console then runs on its own.
    bool listen();
    // The connection choice changed (File → Connect to…, the login dialog): listen under the
    // new key from now on, so that invocations naming the new choice reach this console.
    void rekey(const QString& key);
    // The socket's full path (empty when no safe directory was found).
    QString serverName() const { return m_path; }

Q_SIGNALS:
    void messageReceived(const QString& message);

private:
    static QString nameFor(const QString& key);
    bool refuse(const QString& why);

    QString m_path;
    QString m_unsafe; // why this console does not take part (set once, logged once)
    QLocalServer* m_server = nullptr;
};

} // namespace atlas::app
