#include "DemoSeeder.h"

#include "DemoExport.h"
#include "backup/AddPoliciesJob.h"
#include "db/Connection.h"
#include "db/EmbeddedCluster.h"
#include "drift/DriftJob.h"
#include "inventory/ImportJob.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "runs/RunWorker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

#include <spdlog/spdlog.h>

namespace atlas::demo {

using db::Connection;
using db::DbError;
using runs::ItemResult;

namespace {
const QString kContoso = QStringLiteral("Contoso (demo)");
const QString kFabrikam = QStringLiteral("Fabrikam (demo)");

QString quoteIdent(const QString& name)
{
    QString q = name;
    q.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QString quoteLiteral(const QString& text)
{
    QString q = text;
    q.replace(QLatin1Char('\''), QLatin1String("''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

QStringList policyIds(int from, int count)
{
    QStringList ids;
    for (int i = from; i < from + count; ++i)
        ids << QStringLiteral("5f1c%1-0d4e-4c1a-9b7e-%2").arg(i, 4, 16, QLatin1Char('0')).arg(i * 7919, 12, 10, QLatin1Char('0'));
    return ids;
}

// Runs one demo run through the real API as `login`; `shape` decides how it ends.
enum class Shape
{
    Completed,
    Partial,
    CouldNotProceed,
    Lost,
    Running,
    Queued
};

// One demo run: who starts what, and how it ends.
struct Planned
{
    QString login;
    QUuid tenant;
    QString resource;
    QString action;
    QJsonObject scope;
    QStringList items;
    Shape shape;
};

// The item results a run of `shape` records: all, a half, a third, or a mix with failures.
QList<ItemResult> resultsFor(const QStringList& items, Shape shape)
{
    QList<ItemResult> results;
    for (int i = 0; i < items.size(); ++i) {
        if (shape == Shape::Running && i >= items.size() / 2)
            break;
        if (shape == Shape::Lost && i >= items.size() / 3)
            break;
        if (shape == Shape::Partial && i % 4 == 1)
            results << ItemResult::failed(items[i], QStringLiteral("policy_not_found"),
                                          QStringLiteral("No current policy with id %1 (request had "
                                                         "Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl)")
                                              .arg(items[i]));
        else if (shape == Shape::Partial && i % 4 == 3)
            results << ItemResult::skipped(items[i]);
        else
            results << ItemResult::succeeded(items[i]);
    }
    return results;
}

// An import's file succeeds only together with the policy read from it: those results leave
// `results` and go to record_inventory with a policy each.
bool recordImported(Connection& conn, qint64 runId, const QUuid& lease, QList<ItemResult>* results, QString* error)
{
    QJsonArray policies;
    for (qsizetype i = results->size() - 1; i >= 0; --i) {
        if ((*results)[i].outcome != ItemResult::Outcome::Succeeded)
            continue;
        const QString id = results->takeAt(i).itemId;
        policies.append(QJsonObject{{QStringLiteral("item_id"), id},
                                    {QStringLiteral("policy_type"), QStringLiteral("DeviceConfiguration")},
                                    {QStringLiteral("external_id"), id},
                                    {QStringLiteral("display_name"), QStringLiteral("Fabrikam policy %1").arg(id)},
                                    {QStringLiteral("payload"), QJsonObject{{QStringLiteral("id"), id}}}});
    }
    if (!policies.isEmpty() &&
        !conn.scalar(QStringLiteral("SELECT atlas.record_inventory(?, ?::uuid, ?::jsonb)"),
                     {runId, lease.toString(QUuid::WithoutBraces),
                      QString::fromUtf8(QJsonDocument(policies).toJson(QJsonDocument::Compact))})
             .isValid()) {
        *error = conn.lastError().message;
        return false;
    }
    return true;
}

// How a claimed demo run ends after its results: left running or lost, failed with a reason
// (a message with secrets the database redacts), or finished.
bool endAs(runs::RunApi& api, const QString& resource, qint64 runId, const QUuid& lease, Shape shape, QString* error)
{
    DbError dbError;
    switch (shape) {
    case Shape::Running:
    case Shape::Lost:
    case Shape::Queued:
        return true;
    case Shape::CouldNotProceed:
        if (!api.finish(runId, lease, QStringLiteral("export_folder_unreadable"),
                        QStringLiteral("Cannot read https://svc-intune:S3cr3t@files.contoso.example/exports "
                                       "(Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdmMifQ.c2ln)"),
                        &dbError)) {
            *error = dbError.message;
            return false;
        }
        return true;
    case Shape::Completed:
    case Shape::Partial:
        if (resource == drift::DriftJob::kResource) {
            api.setSummary(
                runId, lease,
                QJsonObject{{QStringLiteral("added"), 2}, {QStringLiteral("removed"), 1}, {QStringLiteral("modified"), 3}},
                &dbError);
        }
        if (!api.finish(runId, lease, {}, {}, &dbError)) {
            *error = dbError.message;
            return false;
        }
        return true;
    }
    return true;
}

// Runs one demo run through the real API as its login.
bool demoRun(const db::EmbeddedCluster& cluster, const QString& database, const Planned& p, QString* error)
{
    Connection conn(cluster.loginSpec(database, p.login, cluster.loginPassword(p.login)), QStringLiteral("demo"));
    if (!conn.open()) {
        *error = conn.lastError().message;
        return false;
    }
    runs::RunApi api(conn);
    DbError dbError;
    const auto started = api.start(p.tenant, p.resource, p.action, p.scope, p.items, &dbError);
    if (!started) {
        *error = dbError.message;
        return false;
    }
    if (p.shape == Shape::Queued)
        return true;
    const auto lease = api.claim(started->runId, &dbError);
    if (!lease || lease->isNull()) {
        *error = lease ? QStringLiteral("demo run not claimable") : dbError.message;
        return false;
    }
    QList<ItemResult> results = resultsFor(p.items, p.shape);
    if (p.resource == inventory::ImportJob::kResource && p.action == inventory::ImportJob::kAction &&
        !recordImported(conn, started->runId, *lease, &results, error))
        return false;
    if (p.shape != Shape::CouldNotProceed && !api.record(started->runId, *lease, results, &dbError)) {
        *error = dbError.message;
        return false;
    }
    return endAs(api, p.resource, started->runId, *lease, p.shape, error);
}
// Starts and executes a real run as `login`, the way the command line does.
bool executeAs(const db::EmbeddedCluster& cluster, const QString& database, const QString& login,
               const std::optional<runs::RunRequest>& request, QString* error)
{
    if (!request)
        return false;
    const db::ConnectionSpec spec = cluster.loginSpec(database, login, cluster.loginPassword(login));
    Connection conn(spec, QStringLiteral("demo-run"));
    if (!conn.open()) {
        *error = conn.lastError().message;
        return false;
    }
    runs::RunApi api(conn);
    DbError dbError;
    const auto started = api.start(*request, &dbError);
    if (!started) {
        *error = dbError.message;
        return false;
    }
    const runs::WorkerOutcome outcome = runs::RunWorker(spec, started->runId).run();
    if (outcome.status.isEmpty()) {
        *error = QStringLiteral("demo run %1 did not finish: %2").arg(started->runId).arg(outcome.error);
        return false;
    }
    return true;
}

// The demo's history made by the real producers: two releases of a small export imported, a
// baseline of the first, drift against it, and a backup set with one policy that is gone.
bool realHistory(const db::EmbeddedCluster& cluster, const QString& database, const QUuid& tenant, QString* error)
{
    const QString exports = cluster.rootDir() + QStringLiteral("/demo-exports");
    const QString release1 = exports + QStringLiteral("/release-1"), release2 = exports + QStringLiteral("/release-2");
    if (!DemoExport::write(release1, 1, error) || !DemoExport::write(release2, 2, error))
        return false;
    const QString op = QStringLiteral("demo_operator");
    if (!executeAs(cluster, database, op, inventory::ImportJob::request(tenant, release1, error), error))
        return false;
    Connection conn(cluster.loginSpec(database, op, cluster.loginPassword(op)), QStringLiteral("demo-producers"));
    if (!conn.open()) {
        *error = conn.lastError().message;
        return false;
    }
    const QString t = tenant.toString(QUuid::WithoutBraces);
    const QVariant baseline = conn.scalar(QStringLiteral("SELECT atlas.capture_baseline(?::uuid, 'Release 1')"), {t});
    if (!baseline.isValid() || !executeAs(cluster, database, op, inventory::ImportJob::request(tenant, release2, error), error) ||
        !executeAs(cluster, database, op, drift::DriftJob::request(conn, tenant, baseline.toLongLong(), error), error)) {
        if (error->isEmpty())
            *error = conn.lastError().message;
        return false;
    }
    const QVariant set = conn.scalar(QStringLiteral("SELECT atlas.create_backup_set(?::uuid, 'Nightly')"), {t});
    if (!set.isValid()) {
        *error = conn.lastError().message;
        return false;
    }
    QStringList policies{QStringLiteral("4b5c6d7e-8f90-41a2-b3c4-d5e6f7a8b9c0")}; // the retired firewall policy
    QSqlQuery q(conn.database());
    conn.exec(q,
              QStringLiteral("SELECT external_id FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current ORDER BY 1"),
              {t});
    while (q.next())
        policies << q.value(0).toString();
    return executeAs(cluster, database, QStringLiteral("demo_manager"),
                     backup::AddPoliciesJob::request(conn, tenant, set.toLongLong(), policies, error), error);
}
} // namespace

QStringList DemoSeeder::demoLogins()
{
    return {QStringLiteral("demo_owner"), QStringLiteral("demo_manager"), QStringLiteral("demo_operator"),
            QStringLiteral("demo_readonly"), QStringLiteral("demo_other")};
}

bool DemoSeeder::ensureLogin(const db::EmbeddedCluster& cluster, const QString& database, const QString& login,
                             const QString& password, bool admin, QString* error)
{
    Connection su(cluster.superuserSpec(database), QStringLiteral("provision"));
    if (!su.open()) {
        *error = su.lastError().message;
        return false;
    }
    const QVariant exists = su.scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = ?"), {login});
    const QString verb = exists.toInt() > 0 ? QStringLiteral("ALTER") : QStringLiteral("CREATE");
    // Role names and passwords cannot be bound parameters in DDL: both are quoted here.
    QString sql = QStringLiteral("%1 ROLE %2 LOGIN PASSWORD %3").arg(verb, quoteIdent(login), quoteLiteral(password));
    if (!su.execRaw(sql) || !su.execRaw(QStringLiteral("GRANT atlas_client TO %1").arg(quoteIdent(login))) ||
        (admin && !su.execRaw(QStringLiteral("GRANT atlas_admin TO %1").arg(quoteIdent(login))))) {
        *error = su.lastError().message;
        return false;
    }
    return true;
}

namespace {
// The demo tenants this login already sees (a second start reuses them).
bool findTenants(Connection& admin, DemoTenants* tenants, QString* error)
{
    QSqlQuery existing(admin.database());
    if (!admin.exec(existing, QStringLiteral("SELECT tenant_id, tenant_name FROM atlas.my_tenants"))) {
        *error = admin.lastError().message;
        return false;
    }
    while (existing.next()) {
        if (existing.value(1).toString() == kContoso)
            tenants->contoso = QUuid::fromString(existing.value(0).toString());
        if (existing.value(1).toString() == kFabrikam)
            tenants->fabrikam = QUuid::fromString(existing.value(0).toString());
    }
    return true;
}

// Both tenants, the console's login owner of both, one demo login per role in Contoso.
bool createTenants(Connection& admin, const QString& consoleLogin, DemoTenants* tenants, QString* error)
{
    const QVariant contoso = admin.scalar(QStringLiteral("SELECT atlas.create_tenant(?)"), {kContoso});
    const QVariant fabrikam = admin.scalar(QStringLiteral("SELECT atlas.create_tenant(?)"), {kFabrikam});
    if (!contoso.isValid() || !fabrikam.isValid()) {
        *error = admin.lastError().message;
        return false;
    }
    tenants->contoso = QUuid::fromString(contoso.toString());
    tenants->fabrikam = QUuid::fromString(fabrikam.toString());
    const QList<std::tuple<QVariant, QString, QString>> grants = {
        {contoso, consoleLogin, QStringLiteral("owner")},
        {contoso, QStringLiteral("demo_owner"), QStringLiteral("owner")},
        {contoso, QStringLiteral("demo_manager"), QStringLiteral("manager")},
        {contoso, QStringLiteral("demo_operator"), QStringLiteral("operator")},
        {contoso, QStringLiteral("demo_readonly"), QStringLiteral("readonly")},
        {fabrikam, consoleLogin, QStringLiteral("owner")},
        {fabrikam, QStringLiteral("demo_other"), QStringLiteral("owner")},
    };
    for (const auto& [tenant, login, role] : grants) {
        if (!admin
                 .scalar(QStringLiteral("SELECT atlas.grant_role(?::uuid, ?, ?)::text IS NULL"), {tenant.toString(), login, role})
                 .isValid()) {
            *error = admin.lastError().message;
            return false;
        }
    }
    return true;
}

// A run in every bucket, naming the baseline and backup set the real history made.
QList<Planned> plannedRuns(const DemoTenants& tenants, qint64 baseline, qint64 backupSet)
{
    const QJsonObject importScope{{QStringLiteral("source"), QStringLiteral("exports/2026-11-20")}};
    return {
        {QStringLiteral("demo_owner"),
         tenants.contoso,
         inventory::ImportJob::kResource,
         inventory::ImportJob::kAction,
         QJsonObject{{QStringLiteral("source"), QStringLiteral("exports/missing")}},
         {},
         Shape::CouldNotProceed},
        {QStringLiteral("demo_operator"), tenants.contoso, drift::DriftJob::kResource, drift::DriftJob::kAction,
         QJsonObject{{QStringLiteral("baseline_id"), baseline}}, policyIds(0, 30), Shape::Lost},
        {QStringLiteral("demo_manager"), tenants.contoso, backup::AddPoliciesJob::kResource, backup::AddPoliciesJob::kAction,
         QJsonObject{{QStringLiteral("backup_set_id"), backupSet}}, policyIds(10, 40), Shape::Running},
        {QStringLiteral("demo_operator"), tenants.contoso, drift::DriftJob::kResource, drift::DriftJob::kAction,
         QJsonObject{{QStringLiteral("baseline_id"), baseline}}, policyIds(0, 20), Shape::Queued},
        {QStringLiteral("demo_other"), tenants.fabrikam, inventory::ImportJob::kResource, inventory::ImportJob::kAction,
         importScope, policyIds(100, 8), Shape::Completed},
    };
}

// The lost worker: its heartbeat is back-dated (superuser only) and any client's reaper then
// marks it aborted/worker_lost, exactly as after a killed console.
bool reapLostWorker(const db::EmbeddedCluster& cluster, const QString& database, Connection& su, QString* error)
{
    if (!su.execRaw(QStringLiteral("UPDATE atlas.bulk_operation_runs SET heartbeat_at = now() - interval '1 hour' "
                                   "WHERE status = 'running' AND resource = 'drift' AND initiator = 'demo_operator'"))) {
        *error = su.lastError().message;
        return false;
    }
    Connection reaper(
        cluster.loginSpec(database, QStringLiteral("demo_readonly"), cluster.loginPassword(QStringLiteral("demo_readonly"))),
        QStringLiteral("demo-reaper"));
    if (!reaper.open() || !reaper.scalar(QStringLiteral("SELECT atlas.reap_stale_runs()")).isValid()) {
        *error = reaper.lastError().message;
        return false;
    }
    return true;
}
} // namespace

bool DemoSeeder::seed(const db::EmbeddedCluster& cluster, const QString& database, const QString& consoleLogin,
                      DemoTenants* tenants, QString* error)
{
    Connection admin(cluster.loginSpec(database, consoleLogin, cluster.loginPassword(consoleLogin)),
                     QStringLiteral("demo-admin"));
    if (!admin.open()) {
        *error = admin.lastError().message;
        return false;
    }
    if (!findTenants(admin, tenants, error))
        return false;
    if (!tenants->contoso.isNull() && !tenants->fabrikam.isNull())
        return true;
    if (!createTenants(admin, consoleLogin, tenants, error) || !realHistory(cluster, database, tenants->contoso, error))
        return false;
    // Runs name a baseline and a backup set that exist: the ones the real history made.
    Connection su(cluster.superuserSpec(database), QStringLiteral("demo-su"));
    const QString contosoId = tenants->contoso.toString(QUuid::WithoutBraces);
    const QVariant baseline = su.open()
        ? su.scalar(QStringLiteral("SELECT max(baseline_id) FROM atlas.baselines WHERE tenant_id = ?::uuid"), {contosoId})
        : QVariant();
    const QVariant backupSet =
        su.scalar(QStringLiteral("SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = ?::uuid"), {contosoId});
    if (!baseline.isValid() || baseline.isNull() || !backupSet.isValid() || backupSet.isNull()) {
        *error = QStringLiteral("the demo history has no baseline or backup set");
        return false;
    }
    for (const Planned& p : plannedRuns(*tenants, baseline.toLongLong(), backupSet.toLongLong())) {
        if (!demoRun(cluster, database, p, error))
            return false;
    }
    if (!reapLostWorker(cluster, database, su, error))
        return false;
    spdlog::info("demo data created");
    return true;
}

} // namespace atlas::demo
