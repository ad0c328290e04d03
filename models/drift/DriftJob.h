#pragma once

#include "runs/RunJob.h"
#include "runs/RunContext.h"

#include <QJsonArray>

namespace atlas::drift {

// drift/generate: compares the baseline named in the scope ("baseline_id") with the current
// inventory. One item per policy id (external id) in either; findings go to atlas.drift_findings
// and the summary counts them per kind. A payload that is not a JSON object fails its item with
// payload_unreadable.
class DriftJob final : public runs::RunJob
{
public:
    static constexpr int kChunk = 1000;
    void execute(runs::RunContext& ctx) override;

private:
    static bool writeChunk(runs::RunContext& ctx, const QList<runs::ItemResult>& results, const QJsonArray& findings);
};

} // namespace atlas::drift
