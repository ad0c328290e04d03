#include "Producers.h"

#include "PruneJob.h"
#include "RunJob.h"
#include "backup/AddPoliciesJob.h"
#include "backup/ExportJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

namespace atlas::runs {

namespace {
// A kind as its job names it (Job::kResource, Job::kAction), made by that job.
template <typename Job>
ProducerKind producer(const QString& label, const QString& page = {},
                      std::function<std::optional<ResultLink>(qint64, Bucket, const QJsonObject&)> result = {})
{
    return {Job::kResource, Job::kAction, label, [] { return std::make_unique<Job>(); }, page, std::move(result)};
}

// The backup set a run worked on, whatever its outcome.
std::optional<ResultLink> backupSetOf(qint64, Bucket, const QJsonObject& scope)
{
    const qint64 setId = scope.value(QLatin1String("backup_set_id")).toInteger();
    if (setId <= 0)
        return std::nullopt;
    return ResultLink{QStringLiteral("backup_sets"), setId, QStringLiteral("Open backup set #%1").arg(setId)};
}

// A drift run's own findings, once it recorded them.
std::optional<ResultLink> findingsOf(qint64 runId, Bucket bucket, const QJsonObject&)
{
    if (!hasResults(bucket))
        return std::nullopt;
    return ResultLink{QStringLiteral("drift"), runId, QStringLiteral("Open the drift findings of this run")};
}
} // namespace

const QList<ProducerKind>& Producers::all()
{
    // In the order of the console's navigation: their pages appear in this order.
    static const QList<ProducerKind> kinds{
        producer<inventory::ImportJob>(QStringLiteral("Inventory import"), QStringLiteral("inventory")),
        producer<drift::DriftJob>(QStringLiteral("Drift generation"), QStringLiteral("drift"), findingsOf),
        producer<backup::AddPoliciesJob>(QStringLiteral("Backup set: add policies"), QStringLiteral("backup_sets"), backupSetOf),
        producer<backup::ExportJob>(QStringLiteral("Backup set: export"), QStringLiteral("backup_sets"), backupSetOf),
        producer<PruneJob>(QStringLiteral("Retention: prune runs")),
    };
    return kinds;
}

const ProducerKind* Producers::find(const QString& resource, const QString& action)
{
    for (const ProducerKind& kind : all()) {
        if (kind.resource == resource && kind.action == action)
            return &kind;
    }
    return nullptr;
}

std::optional<ResultLink> Producers::resultOf(const QString& resource, const QString& action, qint64 runId, Bucket bucket,
                                              const QJsonObject& scope)
{
    const ProducerKind* kind = find(resource, action);
    if (!kind || !kind->result)
        return std::nullopt;
    return kind->result(runId, bucket, scope);
}

} // namespace atlas::runs
