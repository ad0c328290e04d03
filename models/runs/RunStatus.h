#pragma once

#include <QHashFunctions>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

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

Bucket bucketFromKey(const QString& key); // "partially_succeeded" -> PartiallySucceeded
QString bucketKey(Bucket bucket);         // PartiallySucceeded -> "partially_succeeded"
QString bucketLabel(Bucket bucket);       // PartiallySucceeded -> "Partially succeeded"
QStringList allBucketKeys();              // the five keys, display order
QList<Bucket> allBuckets();               // the five buckets, display order
// A key given by a person or read from settings: nullopt for "all" (empty) and for anything unknown.
std::optional<Bucket> bucketFromFilterKey(const QString& key);
bool isFinalBucket(Bucket bucket);
bool isActiveBucket(Bucket bucket); // queued or running
// Finished with something to show: succeeded or partially succeeded.
bool hasResults(Bucket bucket);

inline size_t qHash(Bucket bucket, size_t seed = 0) noexcept
{
    return ::qHash(int(bucket), seed);
}

// "drift"/"generate" -> "Drift generation" (mirrors atlas.operation_label()).
QString operationLabel(const QString& resource, const QString& action);

} // namespace atlas::runs
