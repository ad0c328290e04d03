#include "RunFilter.h"

#include "runs/RunStatus.h"

namespace atlas::hub {

namespace {
template <typename T> bool assign(T& field, const T& value)
{
    if (field == value)
        return false;
    field = value;
    return true;
}

} // namespace

QString RunFilter::likeEscaped(const QString& text)
{
    QString out;
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('%') || c == QLatin1Char('_'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

bool RunFilter::setTenant(const QUuid& tenant)
{
    const bool a = assign(m_tenant, tenant);
    const bool b = assign(m_tenants, QList<QUuid>());
    return a || b;
}

bool RunFilter::setTenants(const QList<QUuid>& tenants)
{
    const bool a = assign(m_tenant, QUuid());
    const bool b = assign(m_tenants, tenants);
    return a || b;
}

QString RunFilter::tenantArray() const
{
    QStringList ids;
    for (const QUuid& t : m_tenants.isEmpty() ? QList<QUuid>{m_tenant} : m_tenants)
        ids << t.toString(QUuid::WithoutBraces);
    return QLatin1Char('{') + ids.join(QLatin1Char(',')) + QLatin1Char('}');
}

bool RunFilter::setOperation(const QString& resourceAction)
{
    return assign(m_operation, resourceAction.count(QLatin1Char('/')) == 1 ? resourceAction : QString());
}

bool RunFilter::setBucket(std::optional<runs::Bucket> bucket)
{
    return assign(m_bucket, bucket == runs::Bucket::Unknown ? std::nullopt : bucket);
}

bool RunFilter::setTimeRange(TimeRange range)
{
    return assign(m_range, range);
}

bool RunFilter::setCustomRange(const QDateTime& from, const QDateTime& to)
{
    const bool a = assign(m_from, from);
    const bool b = assign(m_to, to);
    return a || b;
}

bool RunFilter::setSearch(const QString& text)
{
    return assign(m_search, text.trimmed().left(kMaxSearchLength));
}

bool RunFilter::setReason(const QString& reasonCode)
{
    return assign(m_reason, reasonCode.left(kMaxSearchLength));
}

bool RunFilter::setSort(SortKey key, bool ascending)
{
    const bool a = assign(m_sortKey, key);
    const bool b = assign(m_ascending, ascending);
    return a || b;
}

QString RunFilter::sortExpression() const
{
    switch (m_sortKey) {
    case SortKey::Started:
        return QStringLiteral("r.created_at");
    case SortKey::Duration: // unfinished runs have no duration yet: below every finished one
        return QStringLiteral("coalesce(extract(epoch FROM r.finished_at - r.started_at), -1)");
    case SortKey::Failed:
        return QStringLiteral("r.failed_items");
    case SortKey::Initiator:
        return QStringLiteral("r.initiator");
    case SortKey::Operation:
        return QStringLiteral("(r.resource || '/' || r.action)");
    }
    return QStringLiteral("r.created_at");
}

QString RunFilter::sortType() const
{
    switch (m_sortKey) {
    case SortKey::Started:
        return QStringLiteral("timestamptz");
    case SortKey::Duration:
        return QStringLiteral("numeric");
    case SortKey::Failed:
        return QStringLiteral("integer");
    case SortKey::Initiator:
    case SortKey::Operation:
        return QStringLiteral("text");
    }
    return QStringLiteral("text");
}

QString RunFilter::afterSql(const QString& sortValue, qint64 id, QVariantList* binds) const
{
    *binds << sortValue << id;
    return QStringLiteral(" AND (%1, r.id) %2 (?::%3, ?)")
        .arg(sortExpression(), m_ascending ? QStringLiteral(">") : QStringLiteral("<"), sortType());
}

QVariantList RunFilter::rollUpArguments() const
{
    const QVariant none(QMetaType::fromType<QString>());
    const auto [from, to] = window();
    return {tenantArray(), m_operation.isEmpty() ? none : QVariant(m_operation.section(QLatin1Char('/'), 0, 0)),
            m_operation.isEmpty() ? none : QVariant(m_operation.section(QLatin1Char('/'), 1, 1)),
            from.isValid() ? QVariant(from.toUTC().toString(Qt::ISODateWithMs)) : none,
            to.isValid() ? QVariant(to.toUTC().toString(Qt::ISODateWithMs)) : none};
}

QString RunFilter::orderSql() const
{
    const QString dir = m_ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    return QStringLiteral(" ORDER BY %1 %2, r.id %2").arg(sortExpression(), dir);
}

QPair<QDateTime, QDateTime> RunFilter::window(const QDateTime& now) const
{
    switch (m_range) {
    case TimeRange::All:
        return {};
    case TimeRange::LastHour:
        return {now.addSecs(-3600), {}};
    case TimeRange::Last24Hours:
        return {now.addDays(-1), {}};
    case TimeRange::Last7Days:
        return {now.addDays(-7), {}};
    case TimeRange::Last30Days:
        return {now.addDays(-30), {}};
    case TimeRange::Custom:
        return {m_from, m_to};
    }
    return {};
}

QString RunFilter::toSql(QVariantList* binds, bool withBucket) const
{
    if (!m_tenants.isEmpty()) {
        *binds << tenantArray();
        return toSqlFor(QStringLiteral("r.tenant_id = ANY (?::uuid[])"), binds, withBucket);
    }
    *binds << m_tenant.toString(QUuid::WithoutBraces);
    return toSqlFor(QStringLiteral("r.tenant_id = ?::uuid"), binds, withBucket);
}

QString RunFilter::toSqlFor(const QString& tenantCondition, QVariantList* binds, bool withBucket) const
{
    QStringList where{tenantCondition};
    if (!m_operation.isEmpty()) {
        where << QStringLiteral("r.resource = ? AND r.action = ?");
        *binds << m_operation.section(QLatin1Char('/'), 0, 0) << m_operation.section(QLatin1Char('/'), 1, 1);
    }
    if (withBucket && m_bucket) {
        where << QStringLiteral("r.status_bucket = ?");
        *binds << runs::bucketKey(*m_bucket);
    }
    const auto [from, to] = window();
    if (from.isValid()) {
        where << QStringLiteral("r.created_at >= ?::timestamptz");
        *binds << from.toUTC().toString(Qt::ISODateWithMs);
    }
    if (to.isValid()) {
        where << QStringLiteral("r.created_at < ?::timestamptz");
        *binds << to.toUTC().toString(Qt::ISODateWithMs);
    }
    if (!m_search.isEmpty())
        where << searchSql(binds);
    if (!m_reason.isEmpty()) {
        where << QStringLiteral(
            "(r.reason_code = ? OR EXISTS (SELECT 1 FROM atlas.run_item_results f WHERE f.tenant_id = r.tenant_id "
            "AND f.run_id = r.id AND f.outcome = 'failed' AND f.reason_code = ?))");
        *binds << m_reason << m_reason;
    }
    return where.join(QStringLiteral(" AND "));
}

std::optional<qint64> RunFilter::runIdOf(const QString& text)
{
    QString t = text.trimmed();
    if (t.startsWith(QLatin1String("atlas-ops://run/")))
        t = t.mid(16);
    else if (t.startsWith(QLatin1Char('#')))
        t = t.mid(1);
    if (t.endsWith(QLatin1Char('/')))
        t.chop(1);
    bool numeric = false;
    const qint64 id = t.toLongLong(&numeric);
    return numeric && id > 0 ? std::optional(id) : std::nullopt;
}

// What a person types into the hub's search: a run ("4", "#4", "atlas-ops://run/4"), an
// initiator (substring), an item id (exact, from the GIN index over item_ids; or its first 8
// or more characters), or a policy name (the current inventory's names, substring).
QString RunFilter::searchSql(QVariantList* binds) const
{
    const std::optional<qint64> id = runIdOf(m_search);
    const QString like = QLatin1Char('%') + likeEscaped(m_search) + QLatin1Char('%');
    QStringList any{QStringLiteral("r.id = ?"), QStringLiteral("r.initiator ILIKE ? ESCAPE '\\'"),
                    QStringLiteral("r.item_ids @> jsonb_build_array(?::text)")};
    *binds << (id ? QVariant(*id) : QVariant(QMetaType::fromType<qlonglong>())) << like << m_search;
    if (m_search.size() >= kMinItemPrefix) {
        any << QStringLiteral(
            "(jsonb_typeof(r.item_ids) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.item_ids) e "
            "WHERE e LIKE ? ESCAPE '\\'))");
        *binds << QString(likeEscaped(m_search) + QLatin1Char('%'));
    }
    // The ids of the policies so named, read once for the query (not per run).
    any << QStringLiteral("jsonb_exists_any(CASE jsonb_typeof(r.item_ids) WHEN 'array' THEN r.item_ids ELSE '[]' END, "
                          "ARRAY(SELECT i.external_id FROM atlas.inventory_items i WHERE i.tenant_id = ANY (?::uuid[]) "
                          "AND i.is_current AND i.display_name ILIKE ? ESCAPE '\\' LIMIT 1000))");
    *binds << tenantArray() << like;
    return QLatin1Char('(') + any.join(QStringLiteral(" OR ")) + QLatin1Char(')');
}

QVariantMap RunFilter::toMap() const
{
    return {{QStringLiteral("operation"), m_operation},
            {QStringLiteral("bucket"), m_bucket ? runs::bucketKey(*m_bucket) : QString()},
            {QStringLiteral("range"), int(m_range)},
            {QStringLiteral("from"), m_from},
            {QStringLiteral("to"), m_to},
            {QStringLiteral("search"), m_search},
            {QStringLiteral("reason"), m_reason},
            {QStringLiteral("sort"), int(m_sortKey)},
            {QStringLiteral("ascending"), m_ascending}};
}

void RunFilter::fromMap(const QVariantMap& map)
{
    setOperation(map.value(QStringLiteral("operation")).toString());
    setBucket(runs::bucketFromFilterKey(map.value(QStringLiteral("bucket")).toString()));
    const int range = map.value(QStringLiteral("range")).toInt();
    setTimeRange(range >= 0 && range <= int(TimeRange::Custom) ? TimeRange(range) : TimeRange::All);
    setCustomRange(map.value(QStringLiteral("from")).toDateTime(), map.value(QStringLiteral("to")).toDateTime());
    setSearch(map.value(QStringLiteral("search")).toString());
    setReason(map.value(QStringLiteral("reason")).toString());
    const int sort = map.value(QStringLiteral("sort")).toInt();
    setSort(sort >= 0 && sort <= int(SortKey::Operation) ? SortKey(sort) : SortKey::Started,
            map.value(QStringLiteral("ascending")).toBool());
}

} // namespace atlas::hub
