#pragma once

#include "runs/RunJob.h"

namespace atlas::inventory {

// inventory/import: reads the export folder named in the run's scope ("source"), one item per
// file (its path relative to the folder), and records each readable policy as last observed.
//
// What an import means for the inventory:
// - every policy read is current, with this payload, content hash and observation time;
// - a current policy that this import did not observe is no longer current, except in a policy
//   type (folder) where a file could not be read: that file may have been the policy, so the
//   type keeps its last observed state until an import reads it cleanly;
// - of two files with the same (type, id), the first in path order counts and the second fails
//   with duplicate_external_id.
class ImportJob final : public runs::RunJob
{
public:
    void execute(runs::RunContext& ctx) override;
};

} // namespace atlas::inventory
