#include "DbError.h"

namespace atlas::db {

DbError DbError::fromSql(const QSqlError& error)
{
    if (!error.isValid())
        return {};
    DbError out;
    out.sqlState = error.nativeErrorCode();
    QString text = error.databaseText().trimmed();
    if (text.isEmpty())
        text = error.driverText().trimmed();
    // libpq prefixes the severity and may add CONTEXT/DETAIL lines: keep the first line only.
    text = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    for (const auto prefix : {QLatin1String("ERROR:"), QLatin1String("FATAL:")}) {
        if (text.startsWith(prefix))
            text = text.mid(prefix.size()).trimmed();
    }
    out.message = text.isEmpty() ? QStringLiteral("unknown database error") : text;
    return out;
}

} // namespace atlas::db
