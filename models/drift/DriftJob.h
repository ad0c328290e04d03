#pragma once

#include "runs/RunContext.h"
#include "runs/RunJob.h"
#include "runs/RunRequests.h"

#include <QJsonArray>

#include <optional>

namespace atlas::drift {

// drift/generate: compares the baseline named in the scope ("baseline_id") with the current
// inventory. One item per policy id (external id) in either; findings go to atlas.drift_findings
// and the summary counts them per kind. A payload that is not a JSON object fails its item with
// payload_unreadable.
class DriftJob final : public runs::RunJob
{
public:
    static inline const QString kResource = QStringLiteral("drift");
    static inline const QString kAction = QStringLiteral("generate");
    static constexpr int kChunk = 1000;

    // Drift of the tenant's inventory against `baselineId` (which must be the tenant's): the
    // items are counted in the statement that starts the run.
    static std::optional<runs::RunRequest> request(db::Connection& conn, const QUuid& tenant, qint64 baselineId, QString* error);
    void execute(runs::RunContext& ctx) override;

private:
    static bool writeChunk(runs::RunContext& ctx, const QList<runs::ItemResult>& results, const QJsonArray& findings);
};

} // namespace atlas::drift
