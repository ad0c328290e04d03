#pragma once

#include "RunJob.h"
#include "RunRequests.h"

namespace atlas::runs {

// runs/prune: retention as a run. Deletes the tenant's finished runs older than the scope's
// "older_than" (an interval, at least an hour) with all that hangs off them, one item per batch
// of kBatch runs (atlas.prune_runs), so the hub shows its progress batch by batch. Owners only
// (the database checks it when the run starts and on every batch).
class PruneJob final : public RunJob
{
public:
    static inline const QString kResource = QStringLiteral("runs");
    static inline const QString kAction = QStringLiteral("prune");
    static constexpr int kBatch = 1000;

    // Retention of the tenant's finished runs older than `olderThan` (an interval such as
    // "90 days"), one item per batch of kBatch runs as counted now.
    static RunRequest request(const QUuid& tenant, const QString& olderThan);
    void execute(RunContext& ctx) override;
};

} // namespace atlas::runs
