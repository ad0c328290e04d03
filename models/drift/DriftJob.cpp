#include "DriftJob.h"

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

namespace {
struct Side
{
    QString displayName;
    QString hash;
};

// (policy type) -> side, for one external id
using ByType = QMap<QString, Side>;

bool load(db::Connection& conn, const QString& sql, const QVariantList& binds, QHash<QString, ByType>* out,
          db::DbError* error)
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

// Payloads of the (type, id) pairs whose content differs: "type\nid" -> {baseline, current}.
bool loadPayloads(db::Connection& conn, const QString& tenant, qint64 baselineId, const QJsonArray& pairs,
                  QHash<QString, QPair<QString, QString>>* out, db::DbError* error)
{
    QSqlQuery q(conn.database());
    if (!conn.exec(q, QStringLiteral(
            "SELECT p.t || chr(10) || p.e, b.payload::text, i.payload::text "
            "FROM jsonb_to_recordset(?::jsonb) AS p(t text, e text) "
            "JOIN atlas.baseline_items b ON b.tenant_id = ?::uuid AND b.baseline_id = ? AND b.policy_type = p.t AND b.external_id = p.e "
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

    // Identity and content hash of every policy on both sides: about 100 bytes each, so read
    // once; payloads are fetched only for the policies whose hashes differ.
    QHash<QString, ByType> baseline, current;
    {
        db::DbError error;
        if (!load(ctx.connection(),
                  QStringLiteral("SELECT external_id, policy_type, display_name, content_hash "
                                 "FROM atlas.baseline_items WHERE tenant_id = ?::uuid AND baseline_id = ?"),
                  {tenant, baselineId}, &baseline, &error) ||
            !load(ctx.connection(),
                  QStringLiteral("SELECT external_id, policy_type, display_name, content_hash "
                                 "FROM atlas.inventory_items WHERE tenant_id = ?::uuid AND is_current"),
                  {tenant}, &current, &error)) {
            ctx.couldNotProceed(QStringLiteral("inventory_unreadable"), error.message);
            return;
        }
    }

    // Files the latest import could not read: a policy of their type may be in them, so
    // findings of that type are uncertain (type -> item ids of those files).
    QHash<QString, QJsonArray> unreadableByType;
    {
        QSqlQuery q(ctx.connection().database());
        if (ctx.connection().exec(q, QStringLiteral(
                "SELECT f.item_id FROM atlas.run_item_results f "
                " WHERE f.tenant_id = ?::uuid AND f.outcome = 'failed' AND f.reason_code <> 'duplicate_external_id' "
                "   AND f.run_id = (SELECT r.id FROM atlas.bulk_operation_runs r WHERE r.tenant_id = ?::uuid "
                "                      AND r.resource = 'inventory' AND r.action = 'import' "
                "                      AND r.status NOT IN ('pending', 'running') "
                "                    ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT 1) "
                " ORDER BY f.item_id LIMIT 1000"),
                {tenant, tenant})) {
            while (q.next()) {
                const QString file = q.value(0).toString();
                unreadableByType[file.section(QLatin1Char('/'), 0, 0)].append(file);
            }
        }
    }

    int added = 0, removed = 0, modified = 0, unchanged = 0, uncertain = 0;
    const QStringList& items = ctx.run().itemIds;
    for (qsizetype offset = 0; offset < items.size(); offset += kChunk) {
        if (ctx.shouldStop())
            return;
        const QStringList chunk = items.mid(offset, kChunk);
        db::DbError error;
        // Only policies whose content hash differs need their payloads and a diff.
        QJsonArray differing;
        for (const QString& id : chunk) {
            const ByType b = baseline.value(id);
            const ByType c = current.value(id);
            for (auto t = b.cbegin(); t != b.cend(); ++t) {
                if (c.contains(t.key()) && c.value(t.key()).hash != t->hash)
                    differing.append(QJsonObject{{QStringLiteral("t"), t.key()}, {QStringLiteral("e"), id}});
            }
        }
        QHash<QString, QPair<QString, QString>> payloads;
        if (!differing.isEmpty() &&
            !loadPayloads(ctx.connection(), tenant, baselineId, differing, &payloads, &error)) {
            ctx.couldNotProceed(QStringLiteral("inventory_unreadable"), error.message);
            return;
        }

        // The differing pairs are parsed and compared on the pool: "type\nid" -> changed paths,
        // or nothing when a stored payload is not a JSON object.
        struct Diffed
        {
            QString key;
            std::optional<QStringList> paths;
        };
        const QList<Diffed> diffed = QtConcurrent::blockingMapped(
            QStringList(payloads.keyBegin(), payloads.keyEnd()), std::function<Diffed(const QString&)>([&payloads](const QString& key) {
                QJsonObject before, after;
                const auto pair = payloads.value(key);
                if (!parseObject(pair.first, &before) || !parseObject(pair.second, &after))
                    return Diffed{key, std::nullopt};
                return Diffed{key, DriftDiff::changedPaths(before, after)};
            }));
        QHash<QString, std::optional<QStringList>> changedPaths;
        for (const Diffed& d : diffed)
            changedPaths.insert(d.key, d.paths);

        QJsonArray findings;
        QList<ItemResult> results;
        for (const QString& id : chunk) {
            const ByType b = baseline.value(id);
            const ByType c = current.value(id);
            QStringList types = b.keys();
            for (const QString& t : c.keys()) {
                if (!b.contains(t))
                    types << t;
            }
            bool unreadable = false;
            for (const QString& type : types) {
                auto finding = [&](const QString& change, const QString& name, const QStringList& paths) {
                    QJsonObject f{{QStringLiteral("policy_type"), type},
                                  {QStringLiteral("external_id"), id},
                                  {QStringLiteral("display_name"), name},
                                  {QStringLiteral("change"), change},
                                  {QStringLiteral("changed_paths"), QJsonArray::fromStringList(paths)}};
                    const auto files = unreadableByType.constFind(type);
                    if (files != unreadableByType.cend()) {
                        f.insert(QStringLiteral("note"), QJsonObject{{QStringLiteral("uncertain"), true},
                                                                     {QStringLiteral("unreadable"), *files}});
                        ++uncertain;
                    }
                    findings.append(f);
                };
                if (!c.contains(type)) {
                    finding(QStringLiteral("removed"), b.value(type).displayName, {});
                    ++removed;
                } else if (!b.contains(type)) {
                    finding(QStringLiteral("added"), c.value(type).displayName, {});
                    ++added;
                } else if (b.value(type).hash == c.value(type).hash) {
                    ++unchanged;
                } else {
                    const std::optional<QStringList> diff = changedPaths.value(type + QLatin1Char('\n') + id);
                    if (!diff) {
                        unreadable = true;
                        continue;
                    }
                    const QStringList& paths = *diff;
                    if (paths.isEmpty()) {
                        ++unchanged; // only volatile fields or order differ
                    } else {
                        finding(QStringLiteral("modified"), c.value(type).displayName, paths);
                        ++modified;
                    }
                }
            }
            results << (unreadable ? ItemResult::failed(id, QStringLiteral("payload_unreadable"),
                                                        QStringLiteral("A stored payload of this policy is not a JSON object."))
                                   : ItemResult::succeeded(id));
        }
        const qint64 runId = ctx.run().id;
        const QString lease = ctx.lease().toString(QUuid::WithoutBraces);
        const bool ok = ctx.writeBatch(results, [&](db::Connection& conn, db::DbError* err) {
            if (findings.isEmpty())
                return true;
            if (!conn.execParams("SELECT atlas.record_drift_findings($1, $2::uuid, $3::jsonb)",
                                 {QByteArray::number(runId), lease.toLatin1(), QJsonDocument(findings).toJson(QJsonDocument::Compact)})) {
                *err = conn.lastError();
                return false;
            }
            return true;
        });
        if (!ok)
            return;
    }
    const int drifted = added + removed + modified;
    QString headline = drifted == 0 ? QStringLiteral("No drift")
                                    : QStringLiteral("%1 drifted %2 (%3 added, %4 removed, %5 modified)")
                                          .arg(drifted)
                                          .arg(drifted == 1 ? QStringLiteral("policy") : QStringLiteral("policies"))
                                          .arg(added).arg(removed).arg(modified);
    if (uncertain > 0)
        headline += QStringLiteral("; %1 uncertain").arg(uncertain);
    ctx.setSummary({{QStringLiteral("baseline_id"), baselineId},
                    {QStringLiteral("added"), added},
                    {QStringLiteral("removed"), removed},
                    {QStringLiteral("modified"), modified},
                    {QStringLiteral("unchanged"), unchanged},
                    {QStringLiteral("uncertain"), uncertain},
                    {QStringLiteral("headline"), headline}});
}

} // namespace atlas::drift
