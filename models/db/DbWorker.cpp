#include "DbWorker.h"

namespace atlas::db {

DbWorker::DbWorker(ConnectionSpec spec, QString purpose, QObject* parent, std::function<bool(Connection&)> setUp)
    : Worker(QStringLiteral("db-") + purpose, parent)
    , m_conn(std::make_unique<KeptConnection>(std::move(spec), std::move(purpose), std::move(setUp)))
{
}

DbWorker::~DbWorker()
{
    // The connection belongs to the worker thread: close it there, then stop the thread.
    stop([this] { m_conn.reset(); });
}

} // namespace atlas::db
