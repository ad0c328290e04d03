#include "RunJob.h"

#include "Producers.h"

namespace atlas::runs {

std::unique_ptr<RunJob> RunJob::forRun(const RunRecord& run)
{
    const ProducerKind* kind = Producers::find(run.resource, run.action);
    return kind ? kind->makeJob() : nullptr;
}

} // namespace atlas::runs
