#include "RunJob.h"

#include "backup/AddPoliciesJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

namespace atlas::runs {

std::unique_ptr<RunJob> RunJob::forRun(const RunRecord& run)
{
    const QString op = run.resource + QLatin1Char('/') + run.action;
    if (op == QLatin1String("inventory/import"))
        return std::make_unique<inventory::ImportJob>();
    if (op == QLatin1String("drift/generate"))
        return std::make_unique<drift::DriftJob>();
    if (op == QLatin1String("backup_set/add_policies"))
        return std::make_unique<backup::AddPoliciesJob>();
    return nullptr;
}

} // namespace atlas::runs
