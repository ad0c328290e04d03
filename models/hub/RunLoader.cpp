#include "RunLoader.h"

#include "db/Connection.h"
#include "runs/RunStatus.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTextStream>
#include <QTimeZone>

#include <spdlog/spdlog.h>

namespace atlas::hub {

namespace {
QString csvField(const QString& value)
{
    // Quotes, and defuses cells a spreadsheet would evaluate as formulas.
    QString v = value;
    if (!v.isEmpty() && QStringLiteral("=+-@").contains(v.front()))
        v.prepend(QLatin1Char('\''));
    v.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + v + QLatin1Char('"');
}
} // namespace

bool RunLoader::setUp(db::Connection& conn)
{
    // Tenant tables keep no planner statistics (they would tell other tenants' values), so a
    // plan made for the very values of a call estimates a few hundred rows for a tenant and
    // sorts all of a large tenant's runs (113 ms at 100,000); the generic plan of a page query,
    // with its LIMIT a parameter, walks the ordered index (under 1 ms). bench_hub shows both.
    return conn.execRaw(QStringLiteral("SET plan_cache_mode = force_generic_plan"));
}

RunLoader::Page RunLoader::loadPage(db::Connection& conn, const RunFilter& filter, const QString& afterCreated, qint64 afterId,
                                    int limit)
{
    Page page;
    if (!conn.isOpen()) {
        page.error = conn.lastError().message;
        return page;
    }
    QVariantList binds;
    QString sql;
    if (filter.severalTenants()) {
        // One index walk per tenant, each stopping at the limit, merged: across fifty tenants a
        // page reads fifty short ranges, not every tenant's history.
        binds << filter.tenantArray();
        QString inner = QStringLiteral("SELECT %1, (%2)::text, (%2) AS sort_raw FROM atlas.operation_runs r WHERE %3")
                            .arg(RunRow::selectColumns(), filter.sortExpression(),
                                 filter.toSqlFor(QStringLiteral("r.tenant_id = t.tid"), &binds));
        if (!afterCreated.isEmpty())
            inner += filter.afterSql(afterCreated, afterId, &binds);
        inner += filter.orderSql() + QStringLiteral(" LIMIT ?");
        binds << limit;
        const QString dir = filter.ascending() ? QStringLiteral("ASC") : QStringLiteral("DESC");
        sql = QStringLiteral("SELECT x.* FROM unnest(?::uuid[]) AS t(tid) CROSS JOIN LATERAL (%1) x "
                             "ORDER BY x.sort_raw %2, x.id %2 LIMIT ?")
                  .arg(inner, dir);
    } else {
        sql = QStringLiteral("SELECT %1, (%2)::text FROM atlas.operation_runs r WHERE %3")
                  .arg(RunRow::selectColumns(), filter.sortExpression(), filter.toSql(&binds));
        if (!afterCreated.isEmpty())
            sql += filter.afterSql(afterCreated, afterId, &binds);
        sql += filter.orderSql() + QStringLiteral(" LIMIT ?");
    }
    binds << limit;
    QElapsedTimer timer;
    timer.start();
    // Prepared once per SQL shape (filters give a handful of shapes), then only executed.
    QSqlQuery* q = conn.execPrepared(sql, binds);
    if (!q) {
        page.error = conn.lastError().message;
        return page;
    }
    const qint64 queryMs = timer.elapsed();
    while (q->next()) {
        page.rows << RunRow::fromQuery(*q);
        page.rows.last().sortValue = q->value(RunRow::kColumns).toString();
    }
    q->finish();
    spdlog::debug("hub page: {} rows, query {} ms, total {} ms", page.rows.size(), queryMs, timer.elapsed());
    page.atEnd = page.rows.size() < limit;
    return page;
}

std::optional<RunLoader::Changes> RunLoader::loadRuns(db::Connection& conn, const RunFilter& filter, const QList<qint64>& ids)
{
    if (!conn.isOpen())
        return std::nullopt;
    QStringList idText;
    for (qint64 id : ids)
        idText << QString::number(id);
    const QString idArray = QLatin1Char('{') + idText.join(QLatin1Char(',')) + QLatin1Char('}');
    QVariantList binds;
    const QString where = filter.toSql(&binds);
    // Every changed run this login may see, with whether it matches the filter.
    QSqlQuery q(conn.database());
    if (!conn.exec(q,
                   QStringLiteral("SELECT %1, (%2)::text, (%3) AS matches FROM atlas.operation_runs r "
                                  "WHERE r.id = ANY (?::bigint[]) AND r.tenant_id = ANY (?::uuid[])")
                       .arg(RunRow::selectColumns(), filter.sortExpression(), where),
                   QVariantList() << binds << idArray << filter.tenantArray()))
        return std::nullopt;
    Changes changes;
    QList<RunRow>& matching = changes.matching;
    QList<qint64>& notMatching = changes.notMatching;
    notMatching = ids;
    while (q.next()) {
        RunRow row = RunRow::fromQuery(q);
        row.sortValue = q.value(RunRow::kColumns).toString();
        if (q.value(RunRow::kColumns + 1).toBool()) {
            matching << row;
            notMatching.removeAll(row.id);
        }
    }
    return changes;
}

std::optional<BucketCounts> RunLoader::loadCounts(db::Connection& conn, const RunFilter& filter)
{
    if (!conn.isOpen())
        return std::nullopt;
    QVariantList binds;
    QString sql;
    if (filter.search().isEmpty() && filter.reason().isEmpty()) {
        // Exact from the roll-ups (full UTC days) and the runs of the range's partial days:
        // milliseconds at a million runs, where counting the runs takes their number.
        sql = QStringLiteral("SELECT c.bucket, c.runs FROM atlas.run_bucket_counts(?::uuid[], ?, ?, "
                             "?::timestamptz, ?::timestamptz) c");
        binds = filter.rollUpArguments();
    } else {
        // A text search or a reason has no roll-up: the matching runs are counted.
        sql = QStringLiteral("SELECT r.status_bucket, count(*) FROM atlas.bulk_operation_runs r WHERE %1 GROUP BY 1")
                  .arg(filter.toSql(&binds, false));
    }
    QSqlQuery q(conn.database());
    if (!conn.exec(q, sql, binds))
        return std::nullopt;
    BucketCounts counts;
    while (q.next())
        counts.insert(runs::bucketFromKey(q.value(0).toString()), q.value(1).toInt());
    return counts;
}

RunLoader::Items RunLoader::loadItems(db::Connection& conn, qint64 runId, const QString& search, qint64 after, int limit)
{
    Items items;
    items.runId = runId;
    if (!conn.isOpen()) {
        items.error = conn.lastError().message;
        return items;
    }
    const QString like =
        QLatin1Char('%') + RunFilter::likeEscaped(search.trimmed().left(RunFilter::kMaxSearchLength)) + QLatin1Char('%');
    QSqlQuery q(conn.database());
    if (!conn.exec(
            q,
            QStringLiteral(
                "SELECT e.item, coalesce(p.display_name, ''), coalesce(f.outcome, ''), coalesce(f.reason_code, ''), e.n "
                "FROM atlas.operation_runs r "
                "CROSS JOIN LATERAL jsonb_array_elements_text(CASE jsonb_typeof(r.item_ids) WHEN 'array' THEN r.item_ids "
                "ELSE '[]' END) WITH ORDINALITY AS e(item, n) "
                "LEFT JOIN atlas.run_item_results f ON f.tenant_id = r.tenant_id AND f.run_id = r.id AND f.item_id = e.item "
                "LEFT JOIN LATERAL (SELECT i.display_name FROM atlas.inventory_items i WHERE i.tenant_id = r.tenant_id "
                "AND i.external_id = e.item ORDER BY i.is_current DESC LIMIT 1) p ON true "
                "WHERE r.id = ? AND e.n > ? AND (? OR e.item ILIKE ? ESCAPE '\\' OR p.display_name ILIKE ? ESCAPE '\\') "
                "ORDER BY e.n LIMIT ?"),
            {runId, after, search.trimmed().isEmpty(), like, like, limit + 1})) {
        items.error = conn.lastError().message;
        return items;
    }
    while (q.next()) {
        if (items.rows.size() == limit) {
            items.atEnd = false;
            break;
        }
        items.rows.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString()});
        items.last = q.value(4).toLongLong();
    }
    return items;
}

RunDetail RunLoader::loadDetail(db::Connection& conn, qint64 id)
{
    RunDetail detail;
    if (!conn.isOpen()) {
        detail.run.id = id;
        detail.error = conn.lastError().message;
        return detail;
    }
    QSqlQuery q(conn.database());
    if (!conn.exec(q,
                   QStringLiteral("SELECT %1, r.idempotency_key, extract(epoch FROM r.heartbeat_at)::float8, r.reason_code, "
                                  "r.message, r.summary::text, r.scope::text, "
                                  // Rows written by other clients may hold anything: show what can be shown.
                                  "CASE jsonb_typeof(r.item_ids) WHEN 'array' THEN jsonb_array_length(r.item_ids) ELSE 0 END, "
                                  "(SELECT jsonb_agg(x) FROM (SELECT jsonb_array_elements_text(r.item_ids) x "
                                  "WHERE jsonb_typeof(r.item_ids) = 'array' LIMIT %2) s)::text "
                                  "FROM atlas.operation_runs r WHERE r.id = ?")
                       .arg(RunRow::selectColumns())
                       .arg(RunDetail::kMaxItems),
                   {id}) ||
        !q.next()) {
        detail.run.id = id;
        detail.error = q.lastError().isValid() ? db::DbError::fromSql(q.lastError()).message : QStringLiteral("run not found");
        return detail;
    }
    detail.run = RunRow::fromQuery(q);
    detail.idempotencyKey = q.value(RunRow::kColumns).toString();
    if (!q.value(RunRow::kColumns + 1).isNull())
        detail.heartbeatAt = RunRow::fromEpoch(q.value(RunRow::kColumns + 1));
    detail.reasonCode = q.value(RunRow::kColumns + 2).toString();
    detail.message = q.value(RunRow::kColumns + 3).toString();
    detail.summary = QJsonDocument::fromJson(q.value(RunRow::kColumns + 4).toString().toUtf8()).object();
    detail.scope = QJsonDocument::fromJson(q.value(RunRow::kColumns + 5).toString().toUtf8()).object();
    detail.itemCount = q.value(RunRow::kColumns + 6).toInt();
    for (const QJsonValue& v : QJsonDocument::fromJson(q.value(RunRow::kColumns + 7).toString().toUtf8()).array())
        detail.itemIds << v.toString();

    if (!detail.reasonCode.isEmpty())
        detail.failures << Failure{QString(), detail.reasonCode, detail.message};
    QSqlQuery f(conn.database());
    if (conn.exec(f,
                  QStringLiteral("SELECT item_id, reason_code, message, count(*) OVER () FROM atlas.run_item_results "
                                 "WHERE run_id = ? AND outcome = 'failed' ORDER BY item_id LIMIT %1")
                      .arg(RunDetail::kMaxFailures),
                  {id})) {
        while (f.next()) {
            detail.failures << Failure{f.value(0).toString(), f.value(1).toString(), f.value(2).toString()};
            detail.failureCount = f.value(3).toInt();
        }
    }
    return detail;
}

RunLoader::Export RunLoader::exportCsv(db::Connection& conn, const RunFilter& filter, const QString& path)
{
    if (!conn.isOpen())
        return {0, conn.lastError().message};
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return {0, file.errorString()};
    QTextStream out(&file);
    out << "id,operation,resource,action,status,bucket,total,processed,succeeded,failed,skipped,initiator,created_at,"
           "started_at,finished_at\n";
    QVariantList binds;
    QSqlQuery q(conn.database());
    if (!conn.exec(q,
                   QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE %2 ORDER BY r.created_at DESC, r.id DESC")
                       .arg(RunRow::selectColumns(), filter.toSql(&binds)),
                   binds))
        return {0, db::DbError::fromSql(q.lastError()).message};
    int rows = 0;
    while (q.next()) {
        const RunRow r = RunRow::fromQuery(q);
        out << r.id << ',' << csvField(runs::operationLabel(r.resource, r.action)) << ',' << csvField(r.resource) << ','
            << csvField(r.action) << ',' << csvField(r.status) << ',' << csvField(runs::bucketKey(r.bucket)) << ',' << r.total
            << ',' << r.processed << ',' << r.succeeded << ',' << r.failed << ',' << r.skipped << ',' << csvField(r.initiator)
            << ',' << r.createdAt.toString(Qt::ISODateWithMs) << ',' << r.startedAt.toString(Qt::ISODateWithMs) << ','
            << r.finishedAt.toString(Qt::ISODateWithMs) << '\n';
        ++rows;
    }
    out.flush();
    file.close(); // the file is complete before anyone hears it is
    return {rows, file.error() == QFileDevice::NoError ? QString() : file.errorString()};
}

} // namespace atlas::hub
