#include "RunCommands.h"

#include "backup/AddPoliciesJob.h"
#include "backup/ExportJob.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"
#include "runs/PruneJob.h"

#include <QRegularExpression>
#include <QSqlQuery>

namespace atlas::app::commands {

InventoryImport::InventoryImport()
    : RunCommand({{QStringLiteral("inventory"), QStringLiteral("import")},
                  QStringLiteral("inventory import --tenant UUID [--allow-retire] DIR"),
                  QStringLiteral("import an IntuneManagement export folder"),
                  {QStringLiteral("DIR")}})
{ }

QList<QCommandLineOption> InventoryImport::takes(const Options& options) const
{
    return {options.tenant, options.allowRetire, options.wait};
}

bool InventoryImport::parse(const Invocation& in, runs::RunRequest* parsed, QString* error) const
{
    QUuid tenant;
    if (!tenantOption(in, &tenant, error))
        return false;
    if (in.arguments.size() != 1) {
        *error = usage();
        return false;
    }
    const auto request = inventory::ImportJob::request(tenant, in.arguments[0], error, in.isSet(in.options.allowRetire));
    if (!request)
        return false;
    *parsed = *request;
    return true;
}

RunDrift::RunDrift()
    : RunCommand({{QStringLiteral("run"), QStringLiteral("drift")},
                  QStringLiteral("run drift --tenant UUID --baseline ID [--wait] [--json]"),
                  QString()})
{ }

QList<QCommandLineOption> RunDrift::takes(const Options& options) const
{
    return {options.tenant, options.baseline, options.wait};
}

bool RunDrift::parse(const Invocation& in, DriftArguments* parsed, QString* error) const
{
    return tenantOption(in, &parsed->tenant, error) && idOption(in, in.options.baseline, &parsed->baseline, error);
}

std::optional<runs::RunRequest> RunDrift::request(db::Connection& conn, const DriftArguments& parsed, QString* error) const
{
    return drift::DriftJob::request(conn, parsed.tenant, parsed.baseline, error);
}

RunAddPolicies::RunAddPolicies()
    : RunCommand({{QStringLiteral("run"), QStringLiteral("add-policies")},
                  QStringLiteral("run add-policies --tenant UUID --backup-set ID (--policy ID... | --all) [--wait] [--json]"),
                  QString()})
{ }

QList<QCommandLineOption> RunAddPolicies::takes(const Options& options) const
{
    return {options.tenant, options.backupSet, options.policy, options.all, options.wait};
}

bool RunAddPolicies::parse(const Invocation& in, AddPoliciesArguments* parsed, QString* error) const
{
    if (!tenantOption(in, &parsed->tenant, error) || !idOption(in, in.options.backupSet, &parsed->backupSet, error))
        return false;
    parsed->policies = in.parser.values(in.options.policy);
    if (parsed->policies.isEmpty() == !in.isSet(in.options.all)) {
        *error = QStringLiteral("give either --policy EXTERNAL_ID (one or more) or --all");
        return false;
    }
    return true;
}

std::optional<runs::RunRequest> RunAddPolicies::request(db::Connection& conn, const AddPoliciesArguments& parsed,
                                                        QString* error) const
{
    return backup::AddPoliciesJob::request(conn, parsed.tenant, parsed.backupSet, parsed.policies, error);
}

BackupSetExport::BackupSetExport()
    : RunCommand({{QStringLiteral("backup-set"), QStringLiteral("export")},
                  QStringLiteral("backup-set export --tenant UUID --backup-set ID DIR"),
                  QStringLiteral("write the set as an IntuneManagement export"),
                  {QStringLiteral("DIR")}})
{ }

QList<QCommandLineOption> BackupSetExport::takes(const Options& options) const
{
    return {options.tenant, options.backupSet, options.wait};
}

bool BackupSetExport::parse(const Invocation& in, ExportArguments* parsed, QString* error) const
{
    if (!tenantOption(in, &parsed->tenant, error) || !idOption(in, in.options.backupSet, &parsed->backupSet, error))
        return false;
    if (in.arguments.size() != 1) {
        *error = usage();
        return false;
    }
    parsed->folder = in.arguments[0];
    return true;
}

std::optional<runs::RunRequest> BackupSetExport::request(db::Connection& conn, const ExportArguments& parsed,
                                                         QString* error) const
{
    return backup::ExportJob::request(conn, parsed.tenant, parsed.backupSet, parsed.folder, error);
}

RunsPrune::RunsPrune()
    : ParsedCommand({{QStringLiteral("runs"), QStringLiteral("prune")},
                     QStringLiteral("runs prune --tenant UUID --older-than 90d [--json]"),
                     QStringLiteral("delete finished runs (owner or admin)")})
{ }

QList<QCommandLineOption> RunsPrune::takes(const Options& options) const
{
    return {options.tenant, options.olderThan, options.wait};
}

bool RunsPrune::parse(const Invocation& in, PruneArguments* parsed, QString* error) const
{
    if (!tenantOption(in, &parsed->tenant, error))
        return false;
    static const QRegularExpression age(QStringLiteral("^(\\d{1,5})([hdw])$"));
    const auto m = age.match(in.value(in.options.olderThan).trimmed());
    if (!m.hasMatch()) {
        *error = QStringLiteral("--older-than must be an age such as 90d, 12w or 48h");
        return false;
    }
    const QString unit = m.captured(2) == QLatin1String("h") ? QStringLiteral("hours")
        : m.captured(2) == QLatin1String("d")                ? QStringLiteral("days")
                                                             : QStringLiteral("weeks");
    parsed->interval = m.captured(1) + QLatin1Char(' ') + unit;
    return true;
}

int RunsPrune::execute(const Invocation& in, const PruneArguments& parsed) const
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Write))
        return fail(error);
    qint64 removed = 0;
    const QVariant role = session.conn->scalar(QStringLiteral("SELECT role FROM atlas.my_tenants WHERE tenant_id = ?::uuid"),
                                               {parsed.tenant.toString(QUuid::WithoutBraces)});
    const int failed = role.toString() == QLatin1String("owner") ? pruneAsRun(session, in, parsed, &removed)
                                                                 : pruneDirectly(session, parsed, &removed);
    if (failed)
        return failed;
    if (in.json())
        printJson({{QStringLiteral("removed"), removed}, {QStringLiteral("older_than"), parsed.interval}});
    else
        printLine(QStringLiteral("Removed %1 finished runs older than %2, with their item results, findings and "
                                 "notifications.")
                      .arg(removed)
                      .arg(parsed.interval));
    return 0;
}

int RunsPrune::pruneAsRun(Session& session, const Invocation& in, const PruneArguments& parsed, qint64* removed)
{
    qint64 runId = 0;
    bool reused = false;
    if (const int failed =
            commands::execute(session, runs::PruneJob::request(parsed.tenant, parsed.interval), in, &runId, &reused))
        return failed;
    QSqlQuery q(session.conn->database());
    if (!session.conn->exec(q,
                            QStringLiteral("SELECT status, coalesce((summary->>'removed')::bigint, 0), coalesce(message, '') "
                                           "FROM atlas.operation_runs WHERE id = ?"),
                            {runId}) ||
        !q.next())
        return fail(runs::RunQueries::explain(session.conn->lastError()));
    if (q.value(0).toString() != QLatin1String("completed"))
        return fail(QStringLiteral("prune run #%1 ended %2: %3").arg(runId).arg(q.value(0).toString(), q.value(2).toString()));
    *removed = q.value(1).toLongLong();
    return 0;
}

int RunsPrune::pruneDirectly(Session& session, const PruneArguments& parsed, qint64* removed)
{
    for (;;) { // short transactions: a batch per call
        const QVariant n = session.conn->scalar(QStringLiteral("SELECT atlas.prune_runs(?::uuid, ?::interval, 1000)"),
                                                {parsed.tenant.toString(QUuid::WithoutBraces), parsed.interval});
        if (!n.isValid())
            return fail(runs::RunQueries::explain(session.conn->lastError()));
        *removed += n.toLongLong();
        if (n.toInt() == 0)
            return 0;
    }
}

} // namespace atlas::app::commands
