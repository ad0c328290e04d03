#pragma once

#include "RunListener.h"
#include "RunLoader.h"
#include "db/DbWorker.h"

#include <QObject>
#include <QThread>

namespace atlas::hub {

// The console's background side, on two sessions while it is idle: the live listener on a
// thread and connection of its own (LISTEN, the change log), and one shared worker, kept open,
// for everything a change brings about (re-reads of changed runs, the detail pane, bucket
// counts, and the console's other reads: tenants, notifications, producer pages, the reaper).
// Pages of runs, and the long reads of a filter's runs (CSV exports; the trends' durations,
// counted live, while the trends show), have a worker of their own, so none of them holds up a
// live update; its connection closes after DbWorker::kIdleCloseMs without work. Created and
// destroyed in the GUI thread; the views post RunLoader's reads to the workers
// (DbWorker::post) and hear the listener's signals.
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
    // The shared worker (live re-reads, counts, the console's reads).
    db::DbWorker* shared() const { return m_shared; }
    db::DbWorker* live() const { return m_shared; }
    db::DbWorker* background() const { return m_shared; }
    RunListener* listener() const { return m_listener; }

private:
    db::DbWorker* m_pages;
    db::DbWorker* m_shared;
    QThread m_listenThread;
    RunListener* m_listener;
};

} // namespace atlas::hub
