#include "RunRow.h"

#include <QSqlQuery>
#include <QTimeZone>

namespace atlas::hub {

QDateTime RunRow::fromEpoch(const QVariant& seconds)
{
    if (seconds.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(seconds.toDouble() * 1000.0), QTimeZone::utc());
}

QString RunRow::selectColumns()
{
    return QStringLiteral("r.id, r.resource, r.action, r.status, r.status_bucket, r.total_items, r.processed_items, "
                          "r.succeeded_items, r.failed_items, r.skipped_items, r.initiator, r.created_at::text, "
                          "extract(epoch FROM r.created_at)::float8, extract(epoch FROM r.started_at)::float8, "
                          "extract(epoch FROM r.finished_at)::float8, r.reason_code, left(r.summary ->> 'headline', 200), "
                          "r.tenant_id::text");
}

RunRow RunRow::fromQuery(const QSqlQuery& q)
{
    RunRow r;
    r.id = q.value(0).toLongLong();
    r.resource = q.value(1).toString();
    r.action = q.value(2).toString();
    r.status = q.value(3).toString();
    r.bucket = runs::bucketFromKey(q.value(4).toString());
    r.total = q.value(5).toInt();
    r.processed = q.value(6).toInt();
    r.succeeded = q.value(7).toInt();
    r.failed = q.value(8).toInt();
    r.skipped = q.value(9).toInt();
    r.initiator = q.value(10).toString();
    r.createdKey = q.value(11).toString();
    r.createdAt = fromEpoch(q.value(12));
    r.startedAt = fromEpoch(q.value(13));
    r.finishedAt = fromEpoch(q.value(14));
    r.reasonCode = q.value(15).toString();
    r.headline = q.value(16).toString();
    r.tenant = QUuid::fromString(q.value(17).toString());
    return r;
}

} // namespace atlas::hub
