#include "ImportJob.h"

#include "ExportReader.h"
#include "db/Connection.h"
#include "runs/RunContext.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlQuery>

namespace atlas::inventory {

using runs::ItemResult;

void ImportJob::execute(runs::RunContext& ctx)
{
    const QString source = ctx.run().scope.value(QLatin1String("source")).toString();
    const QFileInfo rootInfo(source);
    if (source.isEmpty() || !rootInfo.isDir() || !rootInfo.isReadable()) {
        ctx.couldNotProceed(QStringLiteral("export_folder_unreadable"),
                            QStringLiteral("The export folder cannot be read."));
        return;
    }
    const QString root = rootInfo.canonicalFilePath();
    QSet<QString> seen;          // "type\nid"
    QSet<QString> typesWithFailures;
    int observed = 0;
    QJsonArray rows;
    QList<ItemResult> results;
    int pending = 0; // items of the batch being built: rows + results

    // A file's policy and its "succeeded" are one write (record_inventory); other outcomes go
    // through record_item_results.
    auto flushBatch = [&]() -> bool {
        const QJsonArray batchRows = std::exchange(rows, {});
        const QList<ItemResult> batchResults = std::exchange(results, {});
        pending = 0;
        const qint64 runId = ctx.run().id;
        const QString lease = ctx.lease().toString(QUuid::WithoutBraces);
        return ctx.writeBatch(batchResults, [&](db::Connection& conn, db::DbError* error) {
            if (batchRows.isEmpty())
                return true;
            QSqlQuery q(conn.database());
            if (!conn.exec(q, QStringLiteral("SELECT atlas.record_inventory(?, ?::uuid, ?::jsonb)"),
                           {runId, lease, QString::fromUtf8(QJsonDocument(batchRows).toJson(QJsonDocument::Compact))})) {
                *error = conn.lastError();
                return false;
            }
            return true;
        }, int(batchRows.size()));
    };

    for (const QString& item : ctx.run().itemIds) {
        if (ctx.shouldStop())
            return;
        const QString type = item.section(QLatin1Char('/'), 0, 0);
        const QString absolute = root + QLatin1Char('/') + item;
        const QString canonical = QFileInfo(absolute).canonicalFilePath();
        if (item.contains(QLatin1String("..")) || item.count(QLatin1Char('/')) != 1 || canonical.isEmpty() ||
            !canonical.startsWith(root + QLatin1Char('/'))) {
            typesWithFailures.insert(type);
            results << ItemResult::failed(item, QStringLiteral("file_missing"),
                                          QStringLiteral("The file is no longer in the export folder."));
        } else {
            const ReadPolicy policy = ExportReader::read({type, item, canonical});
            const QString key = type + QLatin1Char('\n') + policy.externalId;
            if (!policy.ok()) {
                typesWithFailures.insert(type);
                results << ItemResult::failed(item, policy.reasonCode, policy.message);
            } else if (seen.contains(key)) {
                results << ItemResult::failed(item, QStringLiteral("duplicate_external_id"),
                                              QStringLiteral("Another file of this import has policy id %1.")
                                                  .arg(policy.externalId));
            } else {
                seen.insert(key);
                ++observed;
                rows.append(QJsonObject{{QStringLiteral("item_id"), item},
                                        {QStringLiteral("policy_type"), type},
                                        {QStringLiteral("external_id"), policy.externalId},
                                        {QStringLiteral("display_name"), policy.displayName},
                                        {QStringLiteral("payload"), policy.payload}});
            }
        }
        if (++pending >= runs::RunContext::kBatchSize && !flushBatch())
            return;
    }
    if (pending > 0 && !flushBatch())
        return;

    int retired = 0;
    const QStringList spared(typesWithFailures.cbegin(), typesWithFailures.cend());
    ctx.writeBatch({}, [&](db::Connection& conn, db::DbError* error) {
        QSqlQuery q(conn.database());
        const QString sparedJson =
            QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(spared)).toJson(QJsonDocument::Compact));
        if (!conn.exec(q, QStringLiteral("SELECT atlas.retire_unobserved(?, ?::uuid, "
                                         "ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))"),
                       {ctx.run().id, ctx.lease().toString(QUuid::WithoutBraces), sparedJson}) ||
            !q.next()) {
            *error = conn.lastError();
            return false;
        }
        retired = q.value(0).toInt();
        return true;
    });
    ctx.setSummary({{QStringLiteral("observed"), observed},
                    {QStringLiteral("retired"), retired},
                    {QStringLiteral("types_kept_as_last_observed"), QJsonArray::fromStringList(spared)}});
}

} // namespace atlas::inventory
