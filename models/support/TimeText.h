#pragma once

#include <QDateTime>
#include <QString>

namespace atlas::support {

// The one way the console writes times: a short relative form in tables ("4 min ago",
// "yesterday 14:02", "2026-11-20 14:02") and the full local time with its zone in tooltips
// and details ("2026-11-20 14:02:33 CET").
class TimeText final
{
public:
    static QString relative(const QDateTime& t, const QDateTime& now = QDateTime::currentDateTimeUtc());
    static QString full(const QDateTime& t);
    static QString dateTime(const QDateTime& t); // "2026-11-20 14:02", local
    // "4 s", "3 min 20 s", "2 h 5 min"; empty for a negative or invalid span.
    static QString duration(qint64 seconds);
};

} // namespace atlas::support
