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

RunLoader::RunLoader(db::ConnectionSpec spec, QObject* parent)
    : QObject(parent)
    , m_spec(std::move(spec))
{
}

RunLoader::~RunLoader()
{
    m_prepared.clear(); // before the connection they belong to
}

void RunLoader::dropConnection()
{
    m_prepared.clear(); // first: they belong to the connection
    m_conn.reset();
}

QSqlQuery* RunLoader::prepared(const QString& sql)
{
    auto it = m_prepared.find(sql);
    if (it != m_prepared.end())
        return it->second.get();
    auto q = std::make_unique<QSqlQuery>(m_conn->database());
    q->setForwardOnly(true);
    if (!q->prepare(sql))
        return nullptr;
    return m_prepared.emplace(sql, std::move(q)).first->second.get();
}

db::Connection* RunLoader::connection(QString* error)
{
    if (m_conn && m_conn->isOpen())
        return m_conn.get();
    dropConnection();
    m_conn = std::make_unique<db::Connection>(m_spec, QStringLiteral("hub"));
    if (!m_conn->open()) {
        *error = m_conn->lastError().message;
        dropConnection();
        return nullptr;
    }
    // Tenant tables keep no planner statistics (they would tell other tenants' values), so a
    // plan made for the very values of a call estimates a few hundred rows for a tenant and
    // sorts all of a large tenant's runs (113 ms at 100,000); the generic plan of a page query,
    // with its LIMIT a parameter, walks the ordered index (under 1 ms). bench_hub shows both.
    m_conn->execRaw(QStringLiteral("SET plan_cache_mode = force_generic_plan"));
    return m_conn.get();
}

void RunLoader::loadPage(quint64 generation, const RunFilter& filter, const QString& afterCreated, qint64 afterId,
                         int limit)
{
    QString error;
    db::Connection* conn = connection(&error);
    QList<RunRow> rows;
    if (!conn) {
        Q_EMIT pageLoaded(generation, rows, true, error);
        return;
    }
    QVariantList binds;
    QString sql = QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE %2").arg(RunRow::selectColumns(), filter.toSql(&binds));
    if (!afterCreated.isEmpty()) {
        sql += QStringLiteral(" AND (r.created_at, r.id) < (?::timestamptz, ?)");
        binds << afterCreated << afterId;
    }
    sql += QStringLiteral(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
    binds << limit;
    QElapsedTimer timer;
    timer.start();
    auto attempt = [&]() -> QSqlQuery* {
        QSqlQuery* q = prepared(sql);
        if (!q) {
            error = QStringLiteral("the query cannot be prepared");
            return nullptr;
        }
        for (int i = 0; i < binds.size(); ++i)
            q->bindValue(i, binds[i]);
        if (q->exec())
            return q;
        error = db::DbError::fromSql(q->lastError()).message;
        return nullptr;
    };
    QSqlQuery* q = attempt();
    if (!q) {
        // The server may have restarted under a connection that still looks open: once more,
        // on a fresh connection.
        dropConnection();
        if (connection(&error))
            q = attempt();
    }
    if (!q) {
        dropConnection(); // reopened on the next request
        Q_EMIT pageLoaded(generation, rows, true, error.isEmpty() ? QStringLiteral("the database cannot be reached") : error);
        return;
    }
    const qint64 queryMs = timer.elapsed();
    while (q->next())
        rows << RunRow::fromQuery(*q);
    q->finish();
    spdlog::debug("hub page: {} rows, query {} ms, total {} ms", rows.size(), queryMs, timer.elapsed());
    Q_EMIT pageLoaded(generation, rows, rows.size() < limit, QString());
}

void RunLoader::loadRuns(quint64 generation, const RunFilter& filter, const QList<qint64>& ids)
{
    QString error;
    db::Connection* conn = connection(&error);
    if (!conn)
        return;
    QStringList idText;
    for (qint64 id : ids)
        idText << QString::number(id);
    const QString idArray = QLatin1Char('{') + idText.join(QLatin1Char(',')) + QLatin1Char('}');
    QVariantList binds;
    const QString where = filter.toSql(&binds);
    // Every changed run this login may see, with whether it matches the filter.
    QSqlQuery q(conn->database());
    if (!conn->exec(q, QStringLiteral("SELECT %1, (%2) AS matches FROM atlas.operation_runs r WHERE r.id = ANY (?::bigint[]) "
                                      "AND r.tenant_id = ?::uuid")
                           .arg(RunRow::selectColumns(), where),
             QVariantList() << binds << idArray << filter.tenant().toString(QUuid::WithoutBraces))) {
        dropConnection();
        return;
    }
    QList<RunRow> matching;
    QList<qint64> notMatching = ids;
    while (q.next()) {
        const RunRow row = RunRow::fromQuery(q);
        if (q.value(15).toBool()) {
            matching << row;
            notMatching.removeAll(row.id);
        }
    }
    Q_EMIT runsLoaded(generation, matching, notMatching);
}

void RunLoader::loadCounts(quint64 generation, const RunFilter& filter)
{
    QString error;
    db::Connection* conn = connection(&error);
    if (!conn)
        return;
    QVariantList binds;
    QSqlQuery q(conn->database());
    if (!conn->exec(q,
             QStringLiteral("SELECT r.status_bucket, count(*) FROM atlas.bulk_operation_runs r WHERE %1 GROUP BY 1")
                 .arg(filter.toSql(&binds, false)),
             binds)) {
        dropConnection();
        return;
    }
    BucketCounts counts;
    while (q.next())
        counts.insert(runs::bucketFromKey(q.value(0).toString()), q.value(1).toInt());
    Q_EMIT countsLoaded(generation, counts);
}

void RunLoader::loadDetail(qint64 id)
{
    RunDetail detail;
    QString error;
    db::Connection* conn = connection(&error);
    if (!conn) {
        detail.run.id = id;
        detail.error = error;
        Q_EMIT detailLoaded(detail);
        return;
    }
    QSqlQuery q(conn->database());
    if (!conn->exec(q,
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
        Q_EMIT detailLoaded(detail);
        return;
    }
    detail.run = RunRow::fromQuery(q);
    detail.idempotencyKey = q.value(15).toString();
    if (!q.value(16).isNull())
        detail.heartbeatAt = RunRow::fromEpoch(q.value(16));
    detail.reasonCode = q.value(17).toString();
    detail.message = q.value(18).toString();
    detail.summary = QJsonDocument::fromJson(q.value(19).toString().toUtf8()).object();
    detail.scope = QJsonDocument::fromJson(q.value(20).toString().toUtf8()).object();
    detail.itemCount = q.value(21).toInt();
    for (const QJsonValue& v : QJsonDocument::fromJson(q.value(22).toString().toUtf8()).array())
        detail.itemIds << v.toString();

    if (!detail.reasonCode.isEmpty())
        detail.failures << Failure{QString(), detail.reasonCode, detail.message};
    QSqlQuery f(conn->database());
    if (conn->exec(f,
            QStringLiteral("SELECT item_id, reason_code, message, count(*) OVER () FROM atlas.run_item_results "
                           "WHERE run_id = ? AND outcome = 'failed' ORDER BY item_id LIMIT %1").arg(RunDetail::kMaxFailures),
            {id})) {
        while (f.next()) {
            detail.failures << Failure{f.value(0).toString(), f.value(1).toString(), f.value(2).toString()};
            detail.failureCount = f.value(3).toInt();
        }
    }
    Q_EMIT detailLoaded(detail);
}

void RunLoader::exportCsv(const RunFilter& filter, const QString& path)
{
    QString error;
    db::Connection* conn = connection(&error);
    if (!conn) {
        Q_EMIT exported(path, 0, error);
        return;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        Q_EMIT exported(path, 0, file.errorString());
        return;
    }
    QTextStream out(&file);
    out << "id,operation,resource,action,status,bucket,total,processed,succeeded,failed,skipped,initiator,created_at,"
           "started_at,finished_at\n";
    QVariantList binds;
    QSqlQuery q(conn->database());
    if (!conn->exec(q,
             QStringLiteral("SELECT %1 FROM atlas.operation_runs r WHERE %2 ORDER BY r.created_at DESC, r.id DESC")
                 .arg(RunRow::selectColumns(), filter.toSql(&binds)),
             binds)) {
        Q_EMIT exported(path, 0, db::DbError::fromSql(q.lastError()).message);
        return;
    }
    int rows = 0;
    while (q.next()) {
        const RunRow r = RunRow::fromQuery(q);
        out << r.id << ',' << csvField(runs::operationLabel(r.resource, r.action)) << ',' << csvField(r.resource) << ','
            << csvField(r.action) << ',' << csvField(r.status) << ',' << csvField(runs::bucketKey(r.bucket)) << ',' << r.total << ','
            << r.processed << ',' << r.succeeded << ',' << r.failed << ',' << r.skipped << ',' << csvField(r.initiator)
            << ',' << r.createdAt.toString(Qt::ISODateWithMs) << ',' << r.startedAt.toString(Qt::ISODateWithMs) << ','
            << r.finishedAt.toString(Qt::ISODateWithMs) << '\n';
        ++rows;
    }
    out.flush();
    file.close(); // the file is complete before anyone hears it is
    Q_EMIT exported(path, rows, file.error() == QFileDevice::NoError ? QString() : file.errorString());
}

} // namespace atlas::hub
