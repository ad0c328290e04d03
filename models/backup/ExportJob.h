#pragma once

#include "runs/RunJob.h"
#include "runs/RunRequests.h"

#include <QSet>
#include <QString>

#include <optional>

namespace atlas::backup {

// backup_set/export: writes the backup set named in the scope ("backup_set_id") as an
// IntuneManagement export folder in the scope's "target": one folder per policy type, one file
// per policy, UTF-16LE with BOM and CRLF line ends as the tool writes them, named after the
// policy's display name made safe for every file system. One item per policy
// ("type/external id"); a file that cannot be written fails its item (export_write_failed).
// How an operator restores a tenant with IntuneManagement.
class ExportJob final : public runs::RunJob
{
public:
    static inline const QString kResource = QStringLiteral("backup_set");
    static inline const QString kAction = QStringLiteral("export");
    static constexpr int kChunk = 500;

    // Writes `backupSetId` (which must be the tenant's) as an IntuneManagement export in
    // `folder`: an empty or new folder (an export never mixes with, or overwrites, what is there).
    static std::optional<runs::RunRequest> request(db::Connection& conn, const QUuid& tenant, qint64 backupSetId,
                                                   const QString& folder, QString* error);
    void execute(runs::RunContext& ctx) override;

    // A display name as a file name on Windows, macOS and Linux alike: no reserved characters
    // or device names, no trailing dots or spaces, at most 150 characters; `taken` (lower
    // case) makes it unique within its folder with " (2)", " (3)", …
    static QString safeFileName(const QString& displayName, const QString& fallback, QSet<QString>* taken);
    // The same without the extension and the uniqueness (a type's folder).
    static QString safeName(const QString& name, const QString& fallback);
};

} // namespace atlas::backup
