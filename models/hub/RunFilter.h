#pragma once

#include "runs/RunStatus.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QUuid>
#include <QVariantList>
#include <QVariantMap>

namespace atlas::hub {

// What the Operations hub shows: a plain value, outside the GUI. Each setter returns whether
// anything changed, so the view re-queries only when needed. toSql() turns it into a WHERE
// clause with bound values only: no text a person typed ever becomes SQL.
class RunFilter
{
public:
    enum class TimeRange
    {
        All,
        LastHour,
        Last24Hours,
        Last7Days,
        Last30Days,
        Custom,
    };

    // What the runs are ordered by, in the database (keyset on the sort value, then the id).
    enum class SortKey
    {
        Started, // created_at: newest first by default
        Duration,
        Failed,
        Initiator,
        Operation,
    };

    const QUuid& tenant() const { return m_tenant; }
    // "All my tenants": the hub over several tenants at once (tenant() is then null). Row
    // security decides what each shows, as for one.
    const QList<QUuid>& tenants() const { return m_tenants; }
    bool severalTenants() const { return !m_tenants.isEmpty(); }
    bool hasTenant() const { return !m_tenant.isNull() || !m_tenants.isEmpty(); }
    // {a,b,c}: the tenants as one uuid[] literal.
    QString tenantArray() const;
    const QString& operation() const { return m_operation; }        // "resource/action", empty: all
    std::optional<runs::Bucket> bucket() const { return m_bucket; } // nullopt: all
    TimeRange timeRange() const { return m_range; }
    const QDateTime& customFrom() const { return m_from; }
    const QDateTime& customTo() const { return m_to; }
    const QString& search() const { return m_search; }
    const QString& reason() const { return m_reason; } // a reason code, empty: any
    SortKey sortKey() const { return m_sortKey; }
    bool ascending() const { return m_ascending; }

    bool setTenant(const QUuid& tenant);
    bool setTenants(const QList<QUuid>& tenants);
    bool setOperation(const QString& resourceAction);
    bool setBucket(std::optional<runs::Bucket> bucket);
    bool setTimeRange(TimeRange range);
    bool setCustomRange(const QDateTime& from, const QDateTime& to);
    bool setSearch(const QString& text);
    bool setSort(SortKey key, bool ascending);
    // Runs that ended with this reason code, or have an item that failed with it.
    bool setReason(const QString& reasonCode);

    // The SQL of the sort value over atlas.operation_runs r (an index expression), and the type
    // its text form is cast back to for the keyset condition.
    QString sortExpression() const;
    QString sortType() const;
    // " AND (sort, r.id) < (?::type, ?)" (or ">" ascending) after a row, appending the values.
    QString afterSql(const QString& sortValue, qint64 id, QVariantList* binds) const;
    QString orderSql() const; // "ORDER BY ... DESC, r.id DESC"
    // The arguments the roll-up functions take (atlas.run_bucket_counts and its siblings):
    // tenants, resource, action, from, to; NULL for an open one.
    QVariantList rollUpArguments() const;
    // `text` with \, % and _ escaped for LIKE ... ESCAPE '\'.
    static QString likeEscaped(const QString& text);

    // The [from, to) window the time range means at `now` (invalid ends are open).
    QPair<QDateTime, QDateTime> window(const QDateTime& now = QDateTime::currentDateTimeUtc()) const;

    // "r.tenant_id = ? AND ..." for a query over atlas.operation_runs r; appends the values.
    // withBucket false leaves the bucket out (for the per-bucket counts).
    QString toSql(QVariantList* binds, bool withBucket = true) const;
    // The same with the tenant condition given as SQL (e.g. "r.tenant_id = t.tid" in a lateral
    // join over the tenants), binding nothing for it.
    QString toSqlFor(const QString& tenantCondition, QVariantList* binds, bool withBucket = true) const;

    // Persisted form (settings), without the tenant.
    QVariantMap toMap() const;
    void fromMap(const QVariantMap& map);

    static constexpr int kMaxSearchLength = 200;
    static constexpr int kMinItemPrefix = 8; // shorter text is no item id prefix
    // 4, "#4" and "atlas-ops://run/4" are run 4.
    static std::optional<qint64> runIdOf(const QString& text);

    bool operator==(const RunFilter& other) const = default;

private:
    QString searchSql(QVariantList* binds) const;

    QUuid m_tenant;
    QList<QUuid> m_tenants;
    QString m_operation;
    std::optional<runs::Bucket> m_bucket;
    TimeRange m_range = TimeRange::All;
    QDateTime m_from;
    QDateTime m_to;
    QString m_search;
    QString m_reason;
    SortKey m_sortKey = SortKey::Started;
    bool m_ascending = false;
};

} // namespace atlas::hub

Q_DECLARE_METATYPE(atlas::hub::RunFilter)
