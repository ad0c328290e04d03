#pragma once

#include "runs/RunJob.h"

namespace atlas::backup {

// backup_set/add_policies: snapshots the current payload of each item (a policy's external id)
// into the backup set named in the scope ("backup_set_id"): succeeded (snapshot written), skipped
// (the set holds identical content), failed (policy_not_found, policy_ambiguous,
// payload_too_large). The database does each batch in one call (atlas.snapshot_policies).
class AddPoliciesJob final : public runs::RunJob
{
public:
    static constexpr int kChunk = 1000;
    void execute(runs::RunContext& ctx) override;
};

} // namespace atlas::backup
