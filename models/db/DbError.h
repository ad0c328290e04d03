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
    bool isConnectionProblem() const { return sqlState.startsWith(QLatin1String("08")) || sqlState.isEmpty(); }

    static DbError fromSql(const QSqlError& error);
    static DbError make(const QString& state, const QString& message) { return {state, message}; }
};

} // namespace atlas::db
