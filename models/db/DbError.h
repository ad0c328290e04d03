#pragma once

#include <QSqlError>
#include <QString>

namespace atlas::db {

// A database error reduced to what callers act on: the SQLSTATE and one readable line.
struct DbError
{
    QString sqlState;
    QString message;

    bool isError() const { return !sqlState.isEmpty() || !message.isEmpty(); }
    bool isPermissionDenied() const { return sqlState == QLatin1String("42501"); }
    bool isInvalidArgument() const { return sqlState == QLatin1String("22023"); }
    bool isLeaseLost() const { return sqlState == QLatin1String("55000"); }
    // Connection exceptions (08...), the server shutting down or restarting (57P01-57P03), or
    // no SQLSTATE at all (libpq lost the socket).
    bool isConnectionProblem() const
    {
        return sqlState.startsWith(QLatin1String("08")) || sqlState.startsWith(QLatin1String("57P")) || sqlState.isEmpty();
    }

    static DbError fromSql(const QSqlError& error);
    static DbError make(const QString& state, const QString& message) { return {state, message}; }
};

} // namespace atlas::db
