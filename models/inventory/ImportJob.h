#pragma once

#include "runs/RunJob.h"
#include "runs/RunRequests.h"

#include <optional>

namespace atlas::inventory {

// inventory/import: reads the export folder named in the run's scope ("source"), one item per
// file (its path relative to the folder), and records each readable policy as last observed.
//
// What an import means for the inventory (decided by the database, atlas.retire_unobserved):
// - every policy read is current, with this payload, content hash, observation time and the
//   file it was read from;
// - a current policy that this import did not observe is no longer current, except the one last
//   observed from a file this import could not read (or read as a duplicate);
// - an import that read no policy at all retires nothing and fails (export_folder_empty), and
//   one that would retire more than half of the current policies fails (retire_guard) unless its
//   scope allows it ("allow_retire": true);
// - of two files with the same (type, id), the first in path order counts and the second fails
//   with duplicate_external_id;
// - files outside policy-type folders and files that are not JSON take no part; they are
//   counted in the summary.
class ImportJob final : public runs::RunJob
{
public:
    static inline const QString kResource = QStringLiteral("inventory");
    static inline const QString kAction = QStringLiteral("import");

    // An import of the export `folder` (scanned now: one item per file). `allowRetire`: the
    // starter agreed that the import may retire more than half of the current policies (the
    // database refuses it otherwise: retire_guard).
    static std::optional<runs::RunRequest> request(const QUuid& tenant, const QString& folder, QString* error,
                                                   bool allowRetire = false);
    void execute(runs::RunContext& ctx) override;
};

} // namespace atlas::inventory
