#include "Producers.h"

#include "PruneJob.h"
#include "RunJob.h"
#include "backup/AddPoliciesJob.h"
#include "backup/ExportJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"

namespace atlas::runs {

namespace {
// A kind as its job names it (Job::kResource, Job::kAction), made by that job.
template <typename Job>
ProducerKind producer(const QString& label, const QString& page, std::function<QString(const QJsonObject&, int)> describe,
                      std::function<std::optional<ResultLink>(qint64, Bucket, const QJsonObject&)> result = {})
{
    return {Job::kResource,    Job::kAction,       label, [] { return std::make_unique<Job>(); }, page,
            std::move(result), std::move(describe)};
}

QString code(const QString& text)
{
    return QStringLiteral("<code>%1</code>").arg(text.toHtmlEscaped());
}

QString setLink(const QJsonObject& scope)
{
    const qint64 id = scope.value(QLatin1String("backup_set_id")).toInteger();
    return QStringLiteral("<a href='backup_sets/%1'>backup set #%1</a>").arg(id);
}

QString policies(int n)
{
    return n == 1 ? QStringLiteral("1 policy") : QStringLiteral("%1 policies").arg(n);
}

QString describeImport(const QJsonObject& scope, int items)
{
    QString text = QStringLiteral("Reads the IntuneManagement export in %1 (%2 files)")
                       .arg(code(scope.value(QLatin1String("source")).toString()))
                       .arg(items);
    if (scope.value(QLatin1String("allow_retire")).toBool())
        text += QStringLiteral("; allowed to retire more than half of the current policies");
    return text + QLatin1Char('.');
}

QString describeDrift(const QJsonObject& scope, int items)
{
    return QStringLiteral("Compares %1 of the inventory with baseline #%2.")
        .arg(policies(items))
        .arg(scope.value(QLatin1String("baseline_id")).toInteger());
}

QString describeAdd(const QJsonObject& scope, int items)
{
    return QStringLiteral("Adds %1 to %2.").arg(policies(items), setLink(scope));
}

QString describeExport(const QJsonObject& scope, int items)
{
    return QStringLiteral("Writes the %1 of %2 as an IntuneManagement export to %3.")
        .arg(policies(items), setLink(scope), code(scope.value(QLatin1String("target")).toString()));
}

QString describePrune(const QJsonObject& scope, int)
{
    return QStringLiteral("Deletes the tenant's finished runs older than %1.")
        .arg(scope.value(QLatin1String("older_than")).toString().toHtmlEscaped());
}

// The backup set a run worked on, whatever its outcome.
std::optional<ResultLink> backupSetOf(qint64, Bucket, const QJsonObject& scope)
{
    const qint64 setId = scope.value(QLatin1String("backup_set_id")).toInteger();
    if (setId <= 0)
        return std::nullopt;
    return ResultLink{QStringLiteral("backup_sets"), setId, QStringLiteral("Open backup set #%1").arg(setId)};
}

// A drift run's own findings, once it recorded them.
std::optional<ResultLink> findingsOf(qint64 runId, Bucket bucket, const QJsonObject&)
{
    if (!hasResults(bucket))
        return std::nullopt;
    return ResultLink{QStringLiteral("drift"), runId, QStringLiteral("Open the drift findings of this run")};
}
} // namespace

const QList<ProducerKind>& Producers::all()
{
    // In the order of the console's navigation: their pages appear in this order.
    static const QList<ProducerKind> kinds{
        producer<inventory::ImportJob>(QStringLiteral("Inventory import"), QStringLiteral("inventory"), describeImport),
        producer<drift::DriftJob>(QStringLiteral("Drift generation"), QStringLiteral("drift"), describeDrift, findingsOf),
        producer<backup::AddPoliciesJob>(QStringLiteral("Backup set: add policies"), QStringLiteral("backup_sets"), describeAdd,
                                         backupSetOf),
        producer<backup::ExportJob>(QStringLiteral("Backup set: export"), QStringLiteral("backup_sets"), describeExport,
                                    backupSetOf),
        producer<PruneJob>(QStringLiteral("Retention: prune runs"), {}, describePrune),
    };
    return kinds;
}

const ProducerKind* Producers::find(const QString& resource, const QString& action)
{
    for (const ProducerKind& kind : all()) {
        if (kind.resource == resource && kind.action == action)
            return &kind;
    }
    return nullptr;
}

QString Producers::describe(const QString& resource, const QString& action, const QJsonObject& scope, int items)
{
    const ProducerKind* kind = find(resource, action);
    return kind && kind->describe ? kind->describe(scope, items) : QString();
}

std::optional<ResultLink> Producers::resultOf(const QString& resource, const QString& action, qint64 runId, Bucket bucket,
                                              const QJsonObject& scope)
{
    const ProducerKind* kind = find(resource, action);
    if (!kind || !kind->result)
        return std::nullopt;
    return kind->result(runId, bucket, scope);
}

} // namespace atlas::runs
