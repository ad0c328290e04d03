#pragma once

#include "db/ConnectionSpec.h"

#include <QObject>

#include <memory>

class QTimer;

namespace atlas::db {
class Connection;
}

namespace atlas::hub {

// LISTENs on atlas_runs on a dedicated connection in the thread it lives in and reports which
// runs changed. Checks the connection every few seconds; when it is lost it says so, reconnects
// with backoff, subscribes again and reports `resynced` so views re-read what they show.
class RunListener final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunListener)
public:
    explicit RunListener(db::ConnectionSpec spec, QObject* parent = nullptr);
    ~RunListener() override;

    // Call in the listener's thread (queued) once it has moved there.
    void start();

Q_SIGNALS:
    void runChanged(qint64 runId);
    void connectedChanged(bool connected);
    void resynced();

private:
    bool connectAndListen();
    void check();

    db::ConnectionSpec m_spec;
    std::unique_ptr<db::Connection> m_conn;
    QTimer* m_timer = nullptr;
    int m_backoffMs = 500;
    bool m_connected = false;
};

} // namespace atlas::hub
