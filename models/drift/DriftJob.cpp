#include "DriftJob.h"

#include "DriftClassify.h"
#include "DriftDiff.h"
#include "db/Connection.h"
#include "runs/RunContext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QSqlQuery>
#include <QtConcurrent/QtConcurrentMap>

#include <optional>

namespace atlas::drift {

using runs::ItemResult;

std::optional<runs::RunRequest> DriftJob::request(db::Connection& conn, const QUuid& tenant, qint64 baselineId, QString* error)
{
    if (!runs::RunRequests::existsInTenant(conn, tenant, QStringLiteral("baselines"), QStringLiteral("baseline_id"), baselineId,
                                           QStringLiteral("baseline"), error))
        return std::nullopt;
    runs::RunRequest request{tenant, kResource, kAction, QJsonObject{{QStringLiteral("baseline_id"), baselineId}}, {}};
    // Every policy in the baseline or the inventory.
    request.itemsQuery =
        QStringLiteral("SELECT coalesce(jsonb_agg(u.external_id), '[]'::jsonb) FROM ("
                       "SELECT external_id FROM atlas.baseline_items WHERE tenant_id = ?::uuid AND baseline_id = ? "
                       "UNION SELECT external_id FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current) u");
    const QString tenantText = tenant.toString(QUuid::WithoutBraces);
    request.itemsBinds = {tenantText, baselineId, tenantText};
    return request;
}

namespace {
bool load(db::Connection& conn, const QString& sql, const QVariantList& binds, Sides* out, db::DbError* error)
{
    QSqlQuery q(conn.database());
    if (!conn.exec(q, sql, binds)) {
        *error = conn.lastError();
        return false;
    }
    while (q.next())
        (*out)[q.value(0).toString()].insert(q.value(1).toString(), {q.value(2).toString(), q.value(3).toString()});
    return true;
}

// Identity and content hash of every policy on both sides: about 100 bytes each, so read once;
// payloads are fetched only for the policies whose hashes differ.
bool loadSides(db::Connection& conn, const QString& tenant, qint64 baselineId, Sides* baseline, Sides* current,
               db::DbError* error)
{
    return load(conn,
                QStringLiteral("SELECT external_id, policy_type, display_name, content_hash "
                               "FROM atlas.baseline_items WHERE tenant_id = ?::uuid AND baseline_id = ?"),
                {tenant, baselineId}, baseline, error) &&
        load(conn,
             QStringLiteral("SELECT external_id, policy_type, display_name, content_hash "
                            "FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current"),
             {tenant}, current, error);
}

// Files the latest import could not read: a policy of their type may be in them, so findings
// of that type are uncertain (type -> item ids of those files).
QHash<QString, QJsonArray> unreadableFilesByType(db::Connection& conn, const QString& tenant)
{
    QHash<QString, QJsonArray> byType;
    QSqlQuery q(conn.database());
    if (conn.exec(
            q,
            QStringLiteral("SELECT f.item_id FROM atlas.run_item_results f "
                           " WHERE f.tenant_id = ?::uuid AND f.outcome = 'failed' AND f.reason_code <> 'duplicate_external_id' "
                           "   AND f.run_id = (SELECT r.id FROM atlas.bulk_operation_runs r WHERE r.tenant_id = ?::uuid "
                           "                      AND r.resource = 'inventory' AND r.action = 'import' "
                           "                      AND r.status NOT IN ('pending', 'running') "
                           "                    ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT 1) "
                           " ORDER BY f.item_id LIMIT 1000"),
            {tenant, tenant})) {
        while (q.next()) {
            const QString file = q.value(0).toString();
            byType[file.section(QLatin1Char('/'), 0, 0)].append(file);
        }
    }
    return byType;
}

// Payloads of the (type, id) pairs whose content differs: "type\nid" -> {baseline, current}.
bool loadPayloads(db::Connection& conn, const QString& tenant, qint64 baselineId, const QJsonArray& pairs,
                  QHash<QString, QPair<QString, QString>>* out, db::DbError* error)
{
    QSqlQuery q(conn.database());
    if (!conn.exec(q,
                   QStringLiteral(
                       "SELECT p.t || chr(10) || p.e, b.payload::text, i.payload::text "
                       "FROM jsonb_to_recordset(?::jsonb) AS p(t text, e text) "
                       "JOIN atlas.baseline_items b ON b.tenant_id = ?::uuid AND b.baseline_id = ? AND b.policy_type = p.t AND "
                       "b.external_id = p.e "
                       "JOIN atlas.inventory_items i ON i.tenant_id = ?::uuid AND i.policy_type = p.t AND i.external_id = p.e"),
                   {QString::fromUtf8(QJsonDocument(pairs).toJson(QJsonDocument::Compact)), tenant, baselineId, tenant})) {
        *error = conn.lastError();
        return false;
    }
    while (q.next())
        out->insert(q.value(0).toString(), {q.value(1).toString(), q.value(2).toString()});
    return true;
}

bool parseObject(const QString& text, QJsonObject* out)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return false;
    *out = doc.object();
    return true;
}

// The differing pairs are parsed and compared on the pool.
ChangedPaths diffOnPool(const QHash<QString, QPair<QString, QString>>& payloads)
{
    using Diffed = QPair<QString, std::optional<QStringList>>;
    const QList<Diffed> diffed =
        QtConcurrent::blockingMapped(QStringList(payloads.keyBegin(), payloads.keyEnd()),
                                     std::function<Diffed(const QString&)>([&payloads](const QString& key) {
                                         QJsonObject before, after;
                                         const auto pair = payloads.value(key);
                                         if (!parseObject(pair.first, &before) || !parseObject(pair.second, &after))
                                             return Diffed{key, std::nullopt};
                                         return Diffed{key, DriftDiff::changedPaths(before, after)};
                                     }));
    ChangedPaths changed;
    for (const Diffed& d : diffed)
        changed.insert(d.first, d.second);
    return changed;
}

QList<ItemResult> resultsOf(const QStringList& chunk, const Classified& classified)
{
    QList<ItemResult> results;
    results.reserve(chunk.size());
    for (const QString& id : chunk)
        results << (classified.unreadableItems.contains(id)
                        ? ItemResult::failed(id, QStringLiteral("payload_unreadable"),
                                             QStringLiteral("A stored payload of this policy is not a JSON object."))
                        : ItemResult::succeeded(id));
    return results;
}
} // namespace

void DriftJob::execute(runs::RunContext& ctx)
{
    const qint64 baselineId = ctx.run().scope.value(QLatin1String("baseline_id")).toInteger(-1);
    const QString tenant = ctx.run().tenant.toString(QUuid::WithoutBraces);
    const QVariant exists = ctx.connection().scalar(
        QStringLiteral("SELECT count(*) FROM atlas.baselines WHERE tenant_id = ?::uuid AND baseline_id = ?"),
        {tenant, baselineId});
    if (!exists.isValid() || exists.toInt() == 0) {
        ctx.couldNotProceed(QStringLiteral("baseline_not_found"), QStringLiteral("The baseline does not exist."));
        return;
    }
    Sides baseline, current;
    db::DbError error;
    if (!loadSides(ctx.connection(), tenant, baselineId, &baseline, &current, &error)) {
        ctx.couldNotProceed(QStringLiteral("inventory_unreadable"), error.message);
        return;
    }
    const QHash<QString, QJsonArray> unreadableByType = unreadableFilesByType(ctx.connection(), tenant);

    DriftCounts counts;
    const QStringList& items = ctx.run().itemIds;
    for (qsizetype offset = 0; offset < items.size(); offset += kChunk) {
        if (ctx.shouldStop())
            return;
        const QStringList chunk = items.mid(offset, kChunk);
        // Only policies whose content hash differs need their payloads and a diff.
        const QJsonArray differing = DriftClassify::differingPairs(chunk, baseline, current);
        QHash<QString, QPair<QString, QString>> payloads;
        if (!differing.isEmpty() && !loadPayloads(ctx.connection(), tenant, baselineId, differing, &payloads, &error)) {
            ctx.couldNotProceed(QStringLiteral("inventory_unreadable"), error.message);
            return;
        }
        const Classified classified = DriftClassify::classify(chunk, baseline, current, diffOnPool(payloads), unreadableByType);
        counts += classified.counts;
        if (!writeChunk(ctx, resultsOf(chunk, classified), classified.findings))
            return;
    }
    ctx.setSummary({{QStringLiteral("baseline_id"), baselineId},
                    {QStringLiteral("added"), counts.added},
                    {QStringLiteral("removed"), counts.removed},
                    {QStringLiteral("modified"), counts.modified},
                    {QStringLiteral("unchanged"), counts.unchanged},
                    {QStringLiteral("uncertain"), counts.uncertain},
                    {QStringLiteral("headline"), counts.headline()}});
}

// Item results and their findings in one transaction.
bool DriftJob::writeChunk(runs::RunContext& ctx, const QList<ItemResult>& results, const QJsonArray& findings)
{
    const qint64 runId = ctx.run().id;
    const QString lease = ctx.lease().toString(QUuid::WithoutBraces);
    return ctx.writeBatch(results, [&](db::Connection& conn, db::DbError* err) {
        if (findings.isEmpty())
            return true;
        if (!conn.execParams(
                "SELECT atlas.record_drift_findings($1, $2::uuid, $3::jsonb)",
                {QByteArray::number(runId), lease.toLatin1(), QJsonDocument(findings).toJson(QJsonDocument::Compact)})) {
            *err = conn.lastError();
            return false;
        }
        return true;
    });
}

} // namespace atlas::drift
