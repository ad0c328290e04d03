#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace atlas::app {

// One console per person and database: the first `atlas-ops` listens on a local socket named
// after the user and the connection it was given; a later invocation hands its arguments (a
// deep link such as atlas-ops://run/42, or nothing: "come to the front") to it and exits.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)
public:
    // `key` names the connection choice (--db, --data-dir, --login, PG* variables).
    explicit SingleInstance(const QString& key, QObject* parent = nullptr);
    ~SingleInstance() override;

    // Hands `message` to a running instance; true if one took it.
    bool sendToRunning(const QString& message, int timeoutMs = 2000);
    // Becomes the running instance; false (with a log line) if the socket cannot be made.
    bool listen();
    QString serverName() const { return m_name; }

Q_SIGNALS:
    void messageReceived(const QString& message);

private:
    QString m_name;
    QLocalServer* m_server = nullptr;
};

} // namespace atlas::app
