#include "HubSession.h"

namespace atlas::hub {

HubSession::HubSession(const db::ConnectionSpec& spec, QObject* parent)
    : QObject(parent)
    , m_loader(new RunLoader(spec))
    , m_background(new RunLoader(spec))
    , m_listener(new RunListener(spec))
{
    qRegisterMetaType<atlas::hub::RunRow>();
    qRegisterMetaType<QList<atlas::hub::RunRow>>();
    qRegisterMetaType<atlas::hub::RunDetail>();
    qRegisterMetaType<atlas::hub::RunFilter>();
    qRegisterMetaType<atlas::hub::BucketCounts>();
    qRegisterMetaType<QList<qint64>>();
    m_thread.setObjectName(QStringLiteral("hub"));
    m_loader->moveToThread(&m_thread);
    m_listener->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_loader, &QObject::deleteLater);
    connect(&m_thread, &QThread::finished, m_listener, &QObject::deleteLater);
    m_backgroundThread.setObjectName(QStringLiteral("hub-background"));
    m_background->moveToThread(&m_backgroundThread);
    connect(&m_backgroundThread, &QThread::finished, m_background, &QObject::deleteLater);
    m_thread.start();
    m_backgroundThread.start();
}

void HubSession::start()
{
    QMetaObject::invokeMethod(m_listener, &RunListener::start, Qt::QueuedConnection);
}

HubSession::~HubSession()
{
    m_thread.quit();
    m_backgroundThread.quit();
    m_thread.wait();
    m_backgroundThread.wait();
}

} // namespace atlas::hub
