#include "Connection.h"

#include <QAtomicInteger>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>

#include <spdlog/spdlog.h>

#include <libpq-fe.h>

#include <vector>

namespace atlas::db {

namespace {
QAtomicInteger<quint64> s_counter;

// libpq's handle under the QPSQL driver (its type is named either way by Qt versions).
PGconn* nativeHandle(const QSqlDatabase& db)
{
    if (!db.isOpen())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        return nullptr;
    return *static_cast<PGconn* const*>(handle.constData());
}
// A failed libpq result as a DbError (no SQLSTATE when the connection itself failed).
DbError errorOf(const PGresult* result, PGconn* pg)
{
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    return DbError::make(QString::fromLatin1(state ? state : ""),
                         QString::fromUtf8(primary ? primary : PQerrorMessage(pg)).trimmed());
}
} // namespace

Connection::Connection(const ConnectionSpec& spec, const QString& purpose)
    : m_spec(spec)
    , m_name(QStringLiteral("atlas-%1-%2").arg(purpose).arg(s_counter.fetchAndAddRelaxed(1)))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
    m_spec.applyTo(db, purpose);
}

Connection::~Connection()
{
    m_prepared.clear(); // they belong to the connection
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

bool Connection::open()
{
    QSqlDatabase db = QSqlDatabase::database(m_name, false);
    if (db.isOpen())
        return true;
    if (!db.open()) {
        m_lastError = DbError::fromSql(db.lastError());
        if (m_lastError.message.isEmpty())
            m_lastError.message = QStringLiteral("cannot connect to %1").arg(m_spec.describe());
        spdlog::debug("connection {} failed: {}", m_name.toStdString(), m_lastError.message.toStdString());
        return false;
    }
    m_lastError = {};
    return true;
}

void Connection::close()
{
    m_prepared.clear();
    QSqlDatabase db = QSqlDatabase::database(m_name, false);
    if (db.isOpen())
        db.close();
}

bool Connection::isOpen() const
{
    return QSqlDatabase::database(m_name, false).isOpen();
}

bool Connection::isAlive() const
{
    PGconn* pg = nativeHandle(database());
    return pg && PQstatus(pg) == CONNECTION_OK;
}

bool Connection::stillWorks()
{
    return isAlive() && execRaw(QStringLiteral("SELECT 1"));
}

QSqlDatabase Connection::database() const
{
    return QSqlDatabase::database(m_name, false);
}

bool Connection::exec(QSqlQuery& query, const QString& sql, const QVariantList& values)
{
    query.setForwardOnly(true);
    if (!query.prepare(sql)) {
        m_lastError = DbError::fromSql(query.lastError());
        return false;
    }
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec()) {
        m_lastError = DbError::fromSql(query.lastError());
        return false;
    }
    m_lastError = {};
    return true;
}

QSqlQuery* Connection::execPrepared(const QString& sql, const QVariantList& values)
{
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        auto q = std::make_unique<QSqlQuery>(database());
        q->setForwardOnly(true);
        if (!q->prepare(sql)) {
            m_lastError = DbError::fromSql(q->lastError());
            if (m_lastError.message.isEmpty())
                m_lastError.message = QStringLiteral("the query cannot be prepared");
            return nullptr;
        }
        it = m_prepared.emplace(sql, std::move(q)).first;
    }
    QSqlQuery* q = it->second.get();
    for (int i = 0; i < values.size(); ++i)
        q->bindValue(i, values[i]);
    if (!q->exec()) {
        m_lastError = DbError::fromSql(q->lastError());
        if (m_lastError.message.isEmpty())
            m_lastError.message = QStringLiteral("the database cannot be reached");
        m_prepared.erase(it); // prepared again next time (on this connection or a new one)
        return nullptr;
    }
    m_lastError = {};
    return q;
}

QVariant Connection::scalar(const QString& sql, std::initializer_list<QVariant> values)
{
    QSqlQuery query(database());
    if (!exec(query, sql, values) || !query.next())
        return {};
    return query.value(0);
}

bool Connection::execRaw(const QString& sql)
{
    QSqlQuery query(database());
    if (!query.exec(sql)) {
        m_lastError = DbError::fromSql(query.lastError());
        return false;
    }
    m_lastError = {};
    return true;
}

bool Connection::execParams(const QByteArray& sql, const QList<QByteArray>& params, QByteArray* first)
{
    PGconn* pg = nativeHandle(database());
    if (!pg) {
        m_lastError = DbError::make(QString(), QStringLiteral("not connected"));
        return false;
    }
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const QByteArray& p : params) {
        values.push_back(p.isNull() ? nullptr : p.constData());
        lengths.push_back(int(p.size()));
    }
    PGresult* result = PQexecParams(pg, sql.constData(), int(values.size()), nullptr, values.data(), lengths.data(), nullptr, 0);
    const ExecStatusType status = PQresultStatus(result);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (ok) {
        m_lastError = {};
        if (first)
            *first = PQntuples(result) > 0 && !PQgetisnull(result, 0, 0) ? QByteArray(PQgetvalue(result, 0, 0)) : QByteArray();
    } else {
        m_lastError = errorOf(result, pg);
    }
    PQclear(result);
    return ok;
}

bool Connection::execScript(const QString& sql)
{
    PGconn* pg = nativeHandle(database());
    if (!pg) {
        m_lastError = DbError::make(QString(), QStringLiteral("not connected"));
        return false;
    }
    PGresult* result = PQexec(pg, sql.toUtf8().constData());
    const ExecStatusType status = PQresultStatus(result);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
    if (ok) {
        m_lastError = {};
    } else {
        m_lastError = errorOf(result, pg);
    }
    PQclear(result);
    return ok;
}

bool Connection::begin()
{
    if (!database().transaction()) {
        m_lastError = DbError::fromSql(database().lastError());
        return false;
    }
    m_inTransaction = true;
    return true;
}

bool Connection::commit()
{
    m_inTransaction = false;
    if (!database().commit()) {
        m_lastError = DbError::fromSql(database().lastError());
        m_wakeUps.clear();
        return false;
    }
    sendWakeUps();
    return true;
}

bool Connection::rollback()
{
    m_inTransaction = false;
    m_wakeUps.clear();
    return database().rollback();
}

void Connection::wakeAfterCommit(const QString& channel, const QString& payload)
{
    const QPair<QString, QString> wakeUp{channel, payload};
    if (!m_wakeUps.contains(wakeUp))
        m_wakeUps.append(wakeUp);
    if (!m_inTransaction)
        sendWakeUps();
}

void Connection::sendWakeUps()
{
    const auto wakeUps = std::exchange(m_wakeUps, {});
    if (wakeUps.isEmpty() || !isOpen())
        return;
    const DbError kept = m_lastError; // a failed wake-up is not the caller's error
    for (const auto& [channel, payload] : wakeUps) {
        // One round trip each, after every batch: no statement to prepare first.
        if (!execParams("SELECT pg_notify($1, $2)", {channel.toUtf8(), payload.toUtf8()}))
            spdlog::debug("wake-up on {} not sent: {}", channel.toStdString(), m_lastError.message.toStdString());
    }
    m_lastError = kept;
}

} // namespace atlas::db
