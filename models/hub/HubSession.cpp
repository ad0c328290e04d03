#include "HubSession.h"

namespace atlas::hub {

HubSession::HubSession(const db::ConnectionSpec& spec, QObject* parent)
    : QObject(parent)
    , m_pages(new db::DbWorker(spec, QStringLiteral("hub"), this, &RunLoader::setUp, db::DbWorker::kIdleCloseMs))
    , m_shared(new db::DbWorker(spec, QStringLiteral("shared"), this, &RunLoader::setUp))
    , m_listener(new RunListener(spec))
{
    qRegisterMetaType<atlas::hub::RunRow>();
    qRegisterMetaType<QList<atlas::hub::RunRow>>();
    qRegisterMetaType<atlas::hub::RunDetail>();
    qRegisterMetaType<atlas::hub::RunFilter>();
    qRegisterMetaType<atlas::hub::BucketCounts>();
    qRegisterMetaType<QList<qint64>>();
    // The listener has a thread and a connection of its own: a slow page never delays it.
    m_listenThread.setObjectName(QStringLiteral("hub-listen"));
    m_listener->moveToThread(&m_listenThread);
    connect(&m_listenThread, &QThread::started, m_listener, &RunListener::start);
    connect(&m_listenThread, &QThread::finished, m_listener, &QObject::deleteLater);
}

void HubSession::start()
{
    m_listenThread.start();
}

HubSession::~HubSession()
{
    if (!m_listenThread.isRunning() && !m_listenThread.isFinished()) {
        delete m_listener; // never started: nothing of it runs anywhere
        return;
    }
    m_listenThread.quit();
    m_listenThread.wait();
}

} // namespace atlas::hub
