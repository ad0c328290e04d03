#include "KeptConnection.h"

#include <spdlog/spdlog.h>

namespace atlas::db {

KeptConnection::KeptConnection(ConnectionSpec spec, QString purpose, std::function<bool(Connection&)> setUp, int quietMs)
    : m_spec(std::move(spec))
    , m_purpose(std::move(purpose))
    , m_setUp(std::move(setUp))
    , m_quietMs(quietMs)
{ }

KeptConnection::~KeptConnection() = default;

void KeptConnection::drop()
{
    m_conn.reset(); // a named connection must be gone before one of that name is added again
}

Connection& KeptConnection::get()
{
    if (m_conn && m_conn->isOpen()) {
        bool good = m_conn->isAlive();
        const bool doubt =
            m_conn->lastError().isError() || (m_quietMs >= 0 && m_lastUse.isValid() && m_lastUse.elapsed() > m_quietMs);
        if (good && doubt)
            good = m_conn->stillWorks();
        if (!good) {
            spdlog::debug("kept connection {} no longer answers: opening another", m_purpose.toStdString());
            drop();
        }
    } else {
        drop(); // never opened, or its set-up failed: try again
    }
    if (!m_conn) {
        m_conn = std::make_unique<Connection>(m_spec, m_purpose);
        if (m_conn->open()) {
            if (!m_setUp || m_setUp(*m_conn))
                ++m_opened;
            else
                m_conn->close();
        }
    }
    m_lastUse.start();
    return *m_conn;
}

} // namespace atlas::db
