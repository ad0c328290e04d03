#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <memory>

namespace atlas::runs {

class RunContext;

// What a worker knows of the run it claimed (read back through atlas.operation_runs).
struct RunRecord
{
    qint64 id = 0;
    QUuid tenant;
    QString resource;
    QString action;
    QJsonObject scope;
    QStringList itemIds;
};

// The producer-specific part of a run: processes the run's items through the context.
// Returns normally when done; calls ctx.couldNotProceed() when the run cannot proceed at all.
class RunJob
{
public:
    virtual ~RunJob() = default;
    virtual void execute(RunContext& ctx) = 0;

    // The job for a run's resource/action, or nullptr when this build has none.
    static std::unique_ptr<RunJob> forRun(const RunRecord& run);
};

} // namespace atlas::runs
