#include "TimeText.h"

#include <QTimeZone>

namespace atlas::support {

QString TimeText::dateTime(const QDateTime& t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

QString TimeText::full(const QDateTime& t)
{
    if (!t.isValid())
        return {};
    const QDateTime local = t.toLocalTime();
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss ")) + local.timeZoneAbbreviation();
}

QString TimeText::relative(const QDateTime& t, const QDateTime& now)
{
    if (!t.isValid())
        return {};
    const qint64 secs = t.secsTo(now);
    if (secs < 0)
        return dateTime(t); // in the future: a clock apart; say when exactly
    if (secs < 45)
        return QStringLiteral("just now");
    if (secs < 3600)
        return QStringLiteral("%1 min ago").arg(std::max<qint64>(1, (secs + 30) / 60));
    const QDateTime local = t.toLocalTime();
    const QDate today = now.toLocalTime().date();
    if (secs < 6 * 3600 || local.date() == today)
        return secs < 6 * 3600 ? QStringLiteral("%1 h ago").arg(secs / 3600)
                               : QStringLiteral("today %1").arg(local.toString(QStringLiteral("HH:mm")));
    if (local.date() == today.addDays(-1))
        return QStringLiteral("yesterday %1").arg(local.toString(QStringLiteral("HH:mm")));
    return dateTime(t);
}

QString TimeText::duration(qint64 secs)
{
    if (secs < 0)
        return {};
    if (secs < 60)
        return QStringLiteral("%1 s").arg(secs);
    if (secs < 3600)
        return QStringLiteral("%1 min %2 s").arg(secs / 60).arg(secs % 60);
    return QStringLiteral("%1 h %2 min").arg(secs / 3600).arg((secs % 3600) / 60);
}

} // namespace atlas::support
