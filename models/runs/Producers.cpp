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
} // namespace

const QList<ProducerKind>& Producers::all()
{
    static const QList<ProducerKind> kinds{
        {QStringLiteral("drift"), QStringLiteral("generate"), QStringLiteral("Drift generation"), job<drift::DriftJob>()},
        {QStringLiteral("backup_set"), QStringLiteral("add_policies"), QStringLiteral("Backup set: add policies"),
         job<backup::AddPoliciesJob>()},
        {QStringLiteral("backup_set"), QStringLiteral("export"), QStringLiteral("Backup set: export"), job<backup::ExportJob>()},
        {QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("Inventory import"), job<inventory::ImportJob>()},
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

} // namespace atlas::runs
