#pragma once

#include "RunListener.h"
#include "RunLoader.h"

#include <QObject>
#include <QThread>

namespace atlas::hub {

// The hub's background side: one thread holding the loader (its own connection) and the live
// listener (another connection). Created and destroyed in the GUI thread.
class HubSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HubSession)
public:
    explicit HubSession(const db::ConnectionSpec& spec, QObject* parent = nullptr);
    ~HubSession() override;

    // Starts listening; call once every receiver of the listener's signals is connected.
    void start();
    RunLoader* loader() const { return m_loader; }
    // A second loader on its own connection and thread for work that must never delay a page:
    // bucket counts and exports.
    RunLoader* backgroundLoader() const { return m_background; }
    RunListener* listener() const { return m_listener; }

private:
    QThread m_thread;
    QThread m_backgroundThread;
    RunLoader* m_loader;
    RunLoader* m_background;
    RunListener* m_listener;
};

} // namespace atlas::hub
