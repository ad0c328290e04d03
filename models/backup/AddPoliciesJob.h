#pragma once

#include "runs/RunJob.h"
#include "runs/RunRequests.h"

#include <optional>

namespace atlas::backup {

// backup_set/add_policies: snapshots the current payload of each item (a policy's external id)
// into the backup set named in the scope ("backup_set_id"): succeeded (snapshot written), skipped
// (the set holds identical content), failed (policy_not_found, policy_ambiguous,
// payload_too_large). The database does each batch in one call (atlas.snapshot_policies).
class AddPoliciesJob final : public runs::RunJob
{
public:
    static inline const QString kResource = QStringLiteral("backup_set");
    static inline const QString kAction = QStringLiteral("add_policies");
    static constexpr int kChunk = 1000;

    // Snapshots `policyIds` into `backupSetId` (which must be the tenant's); policyIds empty
    // means every current policy of the tenant.
    static std::optional<runs::RunRequest> request(db::Connection& conn, const QUuid& tenant, qint64 backupSetId,
                                                   const QStringList& policyIds, QString* error);
    void execute(runs::RunContext& ctx) override;
};

} // namespace atlas::backup
