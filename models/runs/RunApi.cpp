#include "RunApi.h"

#include "Redactor.h"
#include "db/Connection.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace atlas::runs {

namespace {
QString toJsonText(const QJsonArray& array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString toJsonText(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString uuidText(const QUuid& id)
{
    return id.isNull() ? QString() : id.toString(QUuid::WithoutBraces);
}
} // namespace

QJsonObject ItemResult::toJson() const
{
    QJsonObject o{{QStringLiteral("item_id"), itemId}};
    switch (outcome) {
    case Outcome::Succeeded:
        o.insert(QStringLiteral("outcome"), QStringLiteral("succeeded"));
        break;
    case Outcome::Skipped:
        o.insert(QStringLiteral("outcome"), QStringLiteral("skipped"));
        break;
    case Outcome::Failed:
        o.insert(QStringLiteral("outcome"), QStringLiteral("failed"));
        break;
    }
    if (!reasonCode.isEmpty())
        o.insert(QStringLiteral("reason_code"), reasonCode);
    if (!message.isEmpty())
        o.insert(QStringLiteral("message"), Redactor::sanitizeMessage(message));
    return o;
}

std::optional<StartResult> RunApi::start(const QUuid& tenant, const QString& resource, const QString& action,
                                         const QJsonObject& scope, const QStringList& itemIds, db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT run_id, reused FROM atlas.start_run(?::uuid, ?, ?, ?::jsonb, ?::jsonb)"),
                     {uuidText(tenant), resource, action, toJsonText(scope), toJsonText(QJsonArray::fromStringList(itemIds))}) ||
        !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    const StartResult started{q.value(0).toLongLong(), q.value(1).toBool()};
    if (!started.reused)
        announce(m_conn, started.runId);
    return started;
}

std::optional<StartResult> RunApi::start(const RunRequest& request, db::DbError* error)
{
    if (request.itemsQuery.isEmpty())
        return start(request.tenant, request.resource, request.action, request.scope, request.itemIds, error);
    QSqlQuery q(m_conn.database());
    QVariantList binds{uuidText(request.tenant), request.resource, request.action, toJsonText(request.scope)};
    binds += request.itemsBinds;
    if (!m_conn.exec(
            q,
            QStringLiteral("SELECT run_id, reused FROM atlas.start_run(?::uuid, ?, ?, ?::jsonb, (%1))").arg(request.itemsQuery),
            binds) ||
        !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    const StartResult started{q.value(0).toLongLong(), q.value(1).toBool()};
    if (!started.reused)
        announce(m_conn, started.runId);
    return started;
}

std::optional<QUuid> RunApi::claim(qint64 runId, db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.claim_run(?)"), {runId}) || !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    if (q.value(0).isNull())
        return QUuid();
    announce(m_conn, runId);
    return QUuid::fromString(q.value(0).toString());
}

std::optional<bool> RunApi::heartbeat(qint64 runId, const QUuid& lease, db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.heartbeat_run(?, ?::uuid)"), {runId, uuidText(lease)}) || !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    return q.value(0).toBool();
}

bool RunApi::record(qint64 runId, const QUuid& lease, const QList<ItemResult>& results, db::DbError* error)
{
    if (results.isEmpty())
        return true;
    QJsonArray array;
    for (const ItemResult& r : results)
        array.append(r.toJson());
    // A batch of results is large: its parameters go apart from the statement.
    if (!m_conn.execParams(
            "SELECT atlas.record_item_results($1, $2::uuid, $3::jsonb)",
            {QByteArray::number(runId), uuidText(lease).toLatin1(), QJsonDocument(array).toJson(QJsonDocument::Compact)})) {
        *error = m_conn.lastError();
        return false;
    }
    announce(m_conn, runId);
    return true;
}

std::optional<QString> RunApi::finish(qint64 runId, const QUuid& lease, const QString& reasonCode, const QString& message,
                                      db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    const QVariant code = reasonCode.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(reasonCode);
    const QVariant text =
        message.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(Redactor::sanitizeMessage(message));
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.finish_run(?, ?::uuid, ?, ?)"), {runId, uuidText(lease), code, text}) ||
        !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    announce(m_conn, runId);
    return q.value(0).toString();
}

std::optional<QString> RunApi::abort(qint64 runId, const QUuid& lease, const QString& reasonCode, const QString& message,
                                     db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.abort_run(?, ?::uuid, ?, ?)"),
                     {runId, uuidText(lease), reasonCode, Redactor::sanitizeMessage(message)}) ||
        !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    announce(m_conn, runId);
    return q.value(0).toString();
}

bool RunApi::setSummary(qint64 runId, const QUuid& lease, const QJsonObject& summary, db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.set_run_summary(?, ?::uuid, ?::jsonb)"),
                     {runId, uuidText(lease), toJsonText(summary)})) {
        *error = m_conn.lastError();
        return false;
    }
    announce(m_conn, runId);
    return true;
}

std::optional<int> RunApi::reapStale(db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.reap_stale_runs()")) || !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    const int reaped = q.value(0).toInt();
    if (reaped > 0)
        announce(m_conn, 0); // which runs: the change log says
    return reaped;
}

std::optional<QString> RunApi::cancel(qint64 runId, db::DbError* error)
{
    QSqlQuery q(m_conn.database());
    if (!m_conn.exec(q, QStringLiteral("SELECT atlas.cancel_run(?)"), {runId}) || !q.next()) {
        *error = m_conn.lastError();
        return std::nullopt;
    }
    announce(m_conn, runId);
    return q.value(0).toString();
}

void RunApi::announce(db::Connection& conn, qint64 runId)
{
    conn.wakeAfterCommit(QString::fromLatin1(kChannel), QString::number(runId));
}

} // namespace atlas::runs
