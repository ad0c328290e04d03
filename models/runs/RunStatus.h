#pragma once

#include <QString>
#include <QStringList>

namespace atlas::runs {

// The five buckets the UI shows. The database's atlas.status_bucket() is the one mapping from
// storage status to bucket; this enum only names the buckets it returns, in display order.
enum class Bucket
{
    Queued,
    Running,
    Succeeded,
    PartiallySucceeded,
    Failed,
    Unknown,
};

Bucket bucketFromKey(const QString& key);       // "partially_succeeded" -> PartiallySucceeded
QString bucketKey(Bucket bucket);               // PartiallySucceeded -> "partially_succeeded"
QString bucketLabel(Bucket bucket);             // PartiallySucceeded -> "Partially succeeded"
QStringList allBucketKeys();                    // the five keys, display order
bool isFinalBucket(Bucket bucket);

// "drift"/"generate" -> "Drift generation" (mirrors atlas.operation_label()).
QString operationLabel(const QString& resource, const QString& action);

} // namespace atlas::runs
