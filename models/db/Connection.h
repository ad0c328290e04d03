#pragma once

#include "ConnectionSpec.h"
#include "DbError.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <map>
#include <memory>

namespace atlas::db {

// One named QSqlDatabase connection, owned by the thread that opened it and removed with this
// object. Every thread (GUI, each worker, the live listener) opens its own.
class Connection final
{
    Q_DISABLE_COPY_MOVE(Connection)
public:
    explicit Connection(const ConnectionSpec& spec, const QString& purpose = QStringLiteral("conn"));
    ~Connection();

    bool open();
    // Closes it (and what was prepared on it), keeping lastError().
    void close();
    bool isOpen() const;
    // Open and not known broken by libpq (a server restart or a dropped network leaves a
    // QSqlDatabase "open" whose connection is bad).
    bool isAlive() const;
    // For a connection kept open between tasks: alive and answering a trivial query. A server
    // restart leaves libpq's status "ok" until the next use, so this asks once (a round trip of
    // well under a millisecond locally).
    bool stillWorks();
    QSqlDatabase database() const;
    const QString& name() const { return m_name; }
    const ConnectionSpec& spec() const { return m_spec; }
    const DbError& lastError() const { return m_lastError; }

    // Prepares and executes sql with positional bound values. On failure returns false and
    // lastError() says why; the query is left positioned before the first row on success.
    bool exec(QSqlQuery& query, const QString& sql, const QVariantList& values);
    bool exec(QSqlQuery& query, const QString& sql, std::initializer_list<QVariant> values = {})
    {
        return exec(query, sql, QVariantList(values));
    }
    // Executes sql prepared once on this connection (kept until it closes: for the few shapes a
    // query is asked in over and over), with `values` bound in order. nullptr on failure, with
    // lastError() saying why; the query is left positioned before the first row on success.
    QSqlQuery* execPrepared(const QString& sql, const QVariantList& values);
    // Runs sql and returns the first column of the first row (invalid on error or no row).
    QVariant scalar(const QString& sql, std::initializer_list<QVariant> values = {});
    // Runs one statement without parameters.
    bool execRaw(const QString& sql);
    // Runs a script of several statements through libpq, atomically (one implicit transaction
    // unless the script says otherwise). QSqlQuery would only report the first statement.
    bool execScript(const QString& sql);

    // One statement with its parameters sent apart from it (libpq's PQexecParams, text format):
    // for large arguments such as a batch of payloads, which the driver would otherwise inline
    // into the statement as escaped literals for the server to lex again. The first column of
    // the first row goes to *first (when given). Fills lastError() on failure.
    bool execParams(const QByteArray& sql, const QList<QByteArray>& params, QByteArray* first = nullptr);

    bool begin();
    bool commit();
    bool rollback();

    // A wake-up (NOTIFY) for consoles that follow `channel`. Never part of a write: inside a
    // transaction it waits for the commit (a rollback drops it), so a full notification queue
    // can slow live updates but never fail the write; a wake-up that fails is only logged.
    void wakeAfterCommit(const QString& channel, const QString& payload);

private:
    void sendWakeUps();

    ConnectionSpec m_spec;
    QString m_name;
    DbError m_lastError;
    bool m_inTransaction = false;
    QList<QPair<QString, QString>> m_wakeUps;
    std::map<QString, std::unique_ptr<QSqlQuery>> m_prepared;
};

} // namespace atlas::db
