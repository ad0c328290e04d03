#include "Producers.h"

#include "PruneJob.h"
#include "RunJob.h"
#include "backup/AddPoliciesJob.h"
#include "backup/ExportJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

namespace atlas::runs {

namespace {
template <typename Job>
std::function<std::unique_ptr<RunJob>()> job()
{
    return [] { return std::make_unique<Job>(); };
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
        {QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("Inventory import"), job<inventory::ImportJob>(),
         QStringLiteral("inventory")},
        {QStringLiteral("drift"), QStringLiteral("generate"), QStringLiteral("Drift generation"), job<drift::DriftJob>(),
         QStringLiteral("drift"), findingsOf},
        {QStringLiteral("backup_set"), QStringLiteral("add_policies"), QStringLiteral("Backup set: add policies"),
         job<backup::AddPoliciesJob>(), QStringLiteral("backup_sets"), backupSetOf},
        {QStringLiteral("backup_set"), QStringLiteral("export"), QStringLiteral("Backup set: export"), job<backup::ExportJob>(),
         QStringLiteral("backup_sets"), backupSetOf},
        {QStringLiteral("runs"), QStringLiteral("prune"), QStringLiteral("Retention: prune runs"), job<PruneJob>()},
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
