#pragma once

#include "RunListener.h"
#include "RunLoader.h"
#include "db/DbWorker.h"

#include <QObject>
#include <QThread>

namespace atlas::hub {

// The hub's background side, each part on a thread and connection of its own so that none
// waits for another: pages of runs; the re-reads of changed runs and the detail pane (live
// updates never wait behind a page); bucket counts and exports (never in front of a page);
// and the live listener. Created and destroyed in the GUI thread; the views post RunLoader's
// reads to the workers (DbWorker::post) and hear the listener's signals.
class HubSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HubSession)
public:
    explicit HubSession(const db::ConnectionSpec& spec, QObject* parent = nullptr);
    ~HubSession() override;

    // Starts listening; call once every receiver of the listener's signals is connected.
    void start();
    db::DbWorker* pages() const { return m_pages; }
    db::DbWorker* live() const { return m_live; }
    db::DbWorker* background() const { return m_background; }
    RunListener* listener() const { return m_listener; }

private:
    db::DbWorker* m_pages;
    db::DbWorker* m_live;
    db::DbWorker* m_background;
    QThread m_listenThread;
    RunListener* m_listener;
};

} // namespace atlas::hub
