#include "RunStatus.h"

#include "Producers.h"

namespace atlas::runs {

namespace {
struct BucketInfo
{
    Bucket bucket;
    const char* key;
    const char* label;
};

constexpr BucketInfo kBuckets[] = {
    {Bucket::Queued, "queued", "Queued"},          {Bucket::Running, "running", "Running"},
    {Bucket::Succeeded, "succeeded", "Succeeded"}, {Bucket::PartiallySucceeded, "partially_succeeded", "Partially succeeded"},
    {Bucket::Failed, "failed", "Failed"},
};
} // namespace

Bucket bucketFromKey(const QString& key)
{
    for (const auto& info : kBuckets) {
        if (key == QLatin1String(info.key))
            return info.bucket;
    }
    return Bucket::Unknown;
}

QString bucketKey(Bucket bucket)
{
    for (const auto& info : kBuckets) {
        if (info.bucket == bucket)
            return QLatin1String(info.key);
    }
    return QStringLiteral("unknown");
}

QString bucketLabel(Bucket bucket)
{
    for (const auto& info : kBuckets) {
        if (info.bucket == bucket)
            return QLatin1String(info.label);
    }
    return QStringLiteral("Unknown");
}

QStringList allBucketKeys()
{
    QStringList keys;
    for (const auto& info : kBuckets)
        keys << QLatin1String(info.key);
    return keys;
}

QList<Bucket> allBuckets()
{
    QList<Bucket> buckets;
    for (const auto& info : kBuckets)
        buckets << info.bucket;
    return buckets;
}

std::optional<Bucket> bucketFromFilterKey(const QString& key)
{
    const Bucket bucket = bucketFromKey(key);
    return bucket == Bucket::Unknown ? std::nullopt : std::optional<Bucket>(bucket);
}

bool isActiveBucket(Bucket bucket)
{
    return bucket == Bucket::Queued || bucket == Bucket::Running;
}

bool hasResults(Bucket bucket)
{
    return bucket == Bucket::Succeeded || bucket == Bucket::PartiallySucceeded;
}

bool isFinalBucket(Bucket bucket)
{
    return bucket == Bucket::Succeeded || bucket == Bucket::PartiallySucceeded || bucket == Bucket::Failed;
}

QString operationLabel(const QString& resource, const QString& action)
{
    if (const ProducerKind* kind = Producers::find(resource, action))
        return kind->label;
    QString words = resource;
    words.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!words.isEmpty())
        words[0] = words[0].toUpper();
    QString verb = action;
    verb.replace(QLatin1Char('_'), QLatin1Char(' '));
    return words + QStringLiteral(": ") + verb;
}

} // namespace atlas::runs
