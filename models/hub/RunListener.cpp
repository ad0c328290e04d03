#include "RunListener.h"

#include "db/Connection.h"

#include <QSqlDriver>
#include <QTimer>

#include <spdlog/spdlog.h>

namespace atlas::hub {

namespace {
constexpr int kCheckMs = 3000;
constexpr int kMaxBackoffMs = 30000;
} // namespace

RunListener::RunListener(db::ConnectionSpec spec, QObject* parent)
    : QObject(parent)
    , m_spec(std::move(spec))
{
}

RunListener::~RunListener() = default;

void RunListener::start()
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &RunListener::check);
    if (connectAndListen()) {
        m_connected = true;
        Q_EMIT connectedChanged(true);
    }
    m_timer->start(m_connected ? kCheckMs : m_backoffMs);
}

bool RunListener::connectAndListen()
{
    m_conn = std::make_unique<db::Connection>(m_spec, QStringLiteral("listen"));
    if (!m_conn->open())
        return false;
    QSqlDriver* driver = m_conn->database().driver();
    connect(driver, &QSqlDriver::notification, this,
            [this](const QString& channel, QSqlDriver::NotificationSource, const QVariant& payload) {
                bool ok = false;
                const qint64 id = payload.toString().toLongLong(&ok);
                if (channel == QLatin1String("atlas_runs") && ok)
                    Q_EMIT runChanged(id);
            });
    return driver->subscribeToNotification(QStringLiteral("atlas_runs"));
}

void RunListener::check()
{
    const bool alive = m_conn && m_conn->isOpen() && m_conn->scalar(QStringLiteral("SELECT 1")).isValid();
    if (alive) {
        m_backoffMs = 500;
        m_timer->start(kCheckMs);
        return;
    }
    if (m_connected) {
        m_connected = false;
        spdlog::warn("live updates: connection lost, reconnecting");
        Q_EMIT connectedChanged(false);
    }
    if (connectAndListen()) {
        m_connected = true;
        m_backoffMs = 500;
        Q_EMIT connectedChanged(true);
        Q_EMIT resynced();
        m_timer->start(kCheckMs);
        return;
    }
    m_backoffMs = std::min(m_backoffMs * 2, kMaxBackoffMs);
    m_timer->start(m_backoffMs);
}

} // namespace atlas::hub
