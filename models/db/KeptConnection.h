#pragma once

#include "Connection.h"

#include <QElapsedTimer>

#include <functional>
#include <memory>

namespace atlas::db {

// A connection kept open between uses, in the one thread that uses it, that checks itself
// before each use: opened when there is none, opened again when libpq knows it broken, and
// asked a trivial query (a round trip of well under a millisecond locally) when its last
// statement failed or when it has not been used for a moment: a server restart or a dropped
// network leaves libpq's status "ok" until the next use, and no task should fail on a
// connection already gone. `setUp` runs on every connection it opens (session settings,
// LISTEN); a connection whose set-up fails counts as not open.
class KeptConnection final
{
    Q_DISABLE_COPY_MOVE(KeptConnection)
public:
    // A pause longer than this and the connection is asked before it is used again; < 0: only
    // after a failure (for a user that notices a lost connection itself, such as a poll).
    static constexpr int kQuietMs = 200;

    KeptConnection(ConnectionSpec spec, QString purpose, std::function<bool(Connection&)> setUp = {}, int quietMs = kQuietMs);
    ~KeptConnection();

    // The connection, checked as above. When the server cannot be reached it is not open and
    // its lastError() says why; the next get() tries again.
    Connection& get();
    // How many connections have been opened (and set up) so far: a change tells a user that
    // what it had on the previous one (a position, a subscription) is gone.
    quint64 opened() const { return m_opened; }
    // Whether a connection is open now (without checking it).
    bool isOpen() const { return m_conn && m_conn->isOpen(); }
    // Lets go of the connection; the next get() opens another.
    void drop();

private:
    ConnectionSpec m_spec;
    QString m_purpose;
    std::function<bool(Connection&)> m_setUp;
    int m_quietMs;
    std::unique_ptr<Connection> m_conn;
    QElapsedTimer m_lastUse;
    quint64 m_opened = 0;
};

} // namespace atlas::db
