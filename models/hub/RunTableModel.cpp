#include "RunTableModel.h"

#include "HubSession.h"
#include "RunLoader.h"
#include "runs/RunStatus.h"
#include "support/TimeText.h"

#include <QTimer>

#include <spdlog/spdlog.h>

namespace atlas::hub {

namespace {
constexpr int kChangeDelayMs = 15; // collects a burst of notifications into one read
constexpr int kMaxPageSize = 2000;
// Runs arriving live go on top; beyond this many more than the view asked for, the oldest
// loaded rows are let go (a scroll down fetches them again), so a console left open for days
// holds what is on screen, not every run it has seen.
constexpr int kLiveSlack = 250;
} // namespace

RunTableModel::RunTableModel(HubSession* session, QObject* parent)
    : QAbstractTableModel(parent)
    , m_session(session)
    , m_changeTimer(new QTimer(this))
{
    m_changeTimer->setSingleShot(true);
    m_changeTimer->setInterval(kChangeDelayMs);
    connect(m_changeTimer, &QTimer::timeout, this, &RunTableModel::flushChanges);
}

RunTableModel::~RunTableModel() = default;

int RunTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RunTableModel::durationText(const RunRow& row, const QDateTime& now)
{
    if (!row.startedAt.isValid())
        return {};
    return support::TimeText::duration(
        std::max<qint64>(0, row.startedAt.secsTo(row.finishedAt.isValid() ? row.finishedAt : now)));
}

namespace {
// One row per column: everything the table says about it in one place.
struct ColumnSpec
{
    const char* header;
    bool rightAligned;
    bool shown; // by default
    int width;  // by default
    QVariant (*display)(const RunRow&, const QDateTime& now);
    QVariant (*sortValue)(const RunRow&, const QDateTime& now); // RawValueRole
    QVariant (*toolTip)(const RunRow&);
};

QDateTime startedOrCreated(const RunRow& r)
{
    return r.startedAt.isValid() ? r.startedAt : r.createdAt;
}

qint64 durationMs(const RunRow& r, const QDateTime& now)
{
    return r.startedAt.isValid() ? r.startedAt.msecsTo(r.finishedAt.isValid() ? r.finishedAt : now) : qint64(-1);
}

QString statusText(const RunRow& r)
{
    const QString label = runs::bucketLabel(r.bucket);
    return r.reasonCode.isEmpty() || r.bucket != runs::Bucket::Failed ? label : label + QStringLiteral(" · ") + r.reasonCode;
}

QVariant none(const RunRow&)
{
    return {};
}

const ColumnSpec kColumns[RunTableModel::ColumnCount] = {
    {"Run", true, true, 56, [](const RunRow& r, const QDateTime&) { return QVariant(r.id); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.id); }, none},
    {"Operation", false, true, 140,
     [](const RunRow& r, const QDateTime&) { return QVariant(runs::operationLabel(r.resource, r.action)); },
     [](const RunRow& r, const QDateTime&) { return QVariant(QString(r.resource + QLatin1Char('/') + r.action)); },
     [](const RunRow& r) { return QVariant(runs::operationLabel(r.resource, r.action)); }},
    {"Status", false, true, 150, [](const RunRow& r, const QDateTime&) { return QVariant(statusText(r)); },
     [](const RunRow& r, const QDateTime&) { return QVariant(int(r.bucket)); },
     [](const RunRow& r) {
         return QVariant(QStringLiteral("%1 (stored as %2)%3")
                             .arg(runs::bucketLabel(r.bucket), r.status,
                                  r.reasonCode.isEmpty() ? QString() : QStringLiteral("\nReason: ") + r.reasonCode));
     }},
    {"Result", false, true, 180, [](const RunRow& r, const QDateTime&) { return QVariant(r.headline); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.headline); },
     [](const RunRow& r) { return r.headline.isEmpty() ? QVariant() : QVariant(r.headline); }},
    {"Started", false, true, 90,
     [](const RunRow& r, const QDateTime& now) { return QVariant(support::TimeText::relative(startedOrCreated(r), now)); },
     [](const RunRow& r, const QDateTime&) { return QVariant(startedOrCreated(r)); },
     [](const RunRow& r) {
         return QVariant(r.startedAt.isValid() ? QStringLiteral("Started %1").arg(support::TimeText::full(r.startedAt))
                                               : QStringLiteral("Queued %1").arg(support::TimeText::full(r.createdAt)));
     }},
    {"Duration", true, true, 70,
     [](const RunRow& r, const QDateTime& now) { return QVariant(RunTableModel::durationText(r, now)); },
     [](const RunRow& r, const QDateTime& now) { return QVariant(durationMs(r, now)); }, none},
    {"Initiator", false, true, 100, [](const RunRow& r, const QDateTime&) { return QVariant(r.initiator); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.initiator); }, none},
    {"Items", false, true, 70,
     [](const RunRow& r, const QDateTime&) { return QVariant(QStringLiteral("%1 / %2").arg(r.processed).arg(r.total)); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.total > 0 ? double(r.processed) / r.total : 1.0); },
     [](const RunRow& r) {
         return QVariant(QStringLiteral("%1 succeeded, %2 failed, %3 skipped of %4")
                             .arg(r.succeeded)
                             .arg(r.failed)
                             .arg(r.skipped)
                             .arg(r.total));
     }},
    {"Succeeded", true, false, 76, [](const RunRow& r, const QDateTime&) { return QVariant(r.succeeded); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.succeeded); }, none},
    {"Failed", true, false, 56, [](const RunRow& r, const QDateTime&) { return QVariant(r.failed); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.failed); }, none},
    {"Skipped", true, false, 62, [](const RunRow& r, const QDateTime&) { return QVariant(r.skipped); },
     [](const RunRow& r, const QDateTime&) { return QVariant(r.skipped); }, none},
    {"Tenant", false, false, 130, nullptr, nullptr, none},
};
} // namespace

bool RunTableModel::shownByDefault(int column)
{
    return column >= 0 && column < ColumnCount && kColumns[column].shown;
}

int RunTableModel::defaultWidth(int column)
{
    return column >= 0 && column < ColumnCount ? kColumns[column].width : 80;
}

void RunTableModel::setTenantNames(const QHash<QUuid, QString>& names)
{
    m_tenantNames = names;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, TenantColumn), index(int(m_rows.size()) - 1, TenantColumn));
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const RunRow& r = m_rows[index.row()];
    const ColumnSpec& column = kColumns[index.column()];
    if (index.column() == TenantColumn && (role == Qt::DisplayRole || role == RawValueRole || role == Qt::ToolTipRole))
        return m_tenantNames.value(r.tenant, r.tenant.toString(QUuid::WithoutBraces));
    switch (role) {
    case RunIdRole:
        return r.id;
    case BucketRole:
        return int(r.bucket);
    case Qt::TextAlignmentRole:
        return column.rightAligned ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case RawValueRole:
        return column.sortValue(r, QDateTime::currentDateTimeUtc());
    case Qt::ToolTipRole:
        return column.toolTip(r);
    case Qt::DisplayRole:
        return column.display(r, QDateTime::currentDateTimeUtc());
    default:
        return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    return QString::fromLatin1(kColumns[section].header);
}

bool RunTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && !m_atEnd && !m_loading && m_filter.hasTenant();
}

void RunTableModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    setLoading(true);
    const quint64 generation = m_generation;
    const RunFilter filter = m_filter;
    const QString afterCreated = m_rows.isEmpty() ? QString() : m_rows.constLast().sortValue;
    const qint64 afterId = m_rows.isEmpty() ? 0 : m_rows.constLast().id;
    // The first page is small so it shows at once; deeper pages grow with what is loaded.
    const int limit = std::clamp(int(m_rows.size()), RunLoader::kPageSize, kMaxPageSize);
    m_session->pages()->post<RunLoader::Page>(
        this, [=](db::Connection& conn) { return RunLoader::loadPage(conn, filter, afterCreated, afterId, limit); },
        [this, generation](const RunLoader::Page& page) { onPage(generation, page.rows, page.atEnd, page.error); });
}

bool RunTableModel::setFilter(const RunFilter& filter)
{
    if (filter == m_filter)
        return false;
    m_filter = filter;
    refresh();
    return true;
}

void RunTableModel::refresh()
{
    ++m_generation; // whatever is still on its way is stale now
    beginResetModel();
    m_rows.clear();
    m_rowOf.clear();
    m_atEnd = !m_filter.hasTenant();
    m_paged = 0;
    m_loading = false;
    m_changed.clear();
    endResetModel();
    fetchMore({});
    requestCounts();
}

const RunRow* RunTableModel::runAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

void RunTableModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

void RunTableModel::onPage(quint64 generation, const QList<RunRow>& rows, bool atEnd, const QString& error)
{
    if (generation != m_generation)
        return; // a newer filter or refresh made this stale
    setLoading(false);
    m_atEnd = atEnd;
    if (!error.isEmpty())
        Q_EMIT loadFailed(error);
    else if (!m_shownFirstPage) {
        // Once per console: when the Operations hub first has its runs (the log says when a
        // console is open, not only connected).
        m_shownFirstPage = true;
        spdlog::info("hub: first page shown ({} runs)", rows.size());
    }
    QList<RunRow> fresh;
    for (const RunRow& r : rows) {
        if (!m_rowOf.contains(r.id)) // a live insert may have brought it already
            fresh << r;
    }
    if (!fresh.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        m_rows += fresh;
        rebuildIndex(first);
        endInsertRows();
    }
    m_paged = int(m_rows.size());
}

void RunTableModel::trimLiveGrowth()
{
    const int keep = std::max(m_paged, RunLoader::kPageSize);
    if (m_rows.size() <= keep + kLiveSlack)
        return;
    beginRemoveRows({}, keep, int(m_rows.size()) - 1);
    for (qsizetype i = keep; i < m_rows.size(); ++i)
        m_rowOf.remove(m_rows[i].id);
    m_rows.resize(keep);
    endRemoveRows();
    m_atEnd = false; // the next page continues after the new last row
}

void RunTableModel::requestCounts()
{
    if (!m_filter.hasTenant())
        return;
    const quint64 generation = m_generation;
    const RunFilter filter = m_filter;
    m_session->background()->post<std::optional<BucketCounts>>(
        this, [filter](db::Connection& conn) { return RunLoader::loadCounts(conn, filter); },
        [this, generation](const std::optional<BucketCounts>& counts) {
            if (counts)
                onCounts(generation, *counts);
        });
}

void RunTableModel::onCounts(quint64 generation, const BucketCounts& counts)
{
    if (generation != m_generation)
        return;
    m_counts = counts;
    Q_EMIT countsChanged(m_counts);
}

void RunTableModel::runChanged(qint64 id)
{
    m_changed.insert(id);
    if (!m_changeTimer->isActive())
        m_changeTimer->start();
}

void RunTableModel::flushChanges()
{
    if (m_changed.isEmpty() || !m_filter.hasTenant())
        return;
    const QList<qint64> ids(m_changed.cbegin(), m_changed.cend());
    m_changed.clear();
    const quint64 generation = m_generation;
    const RunFilter filter = m_filter;
    m_session->live()->post<std::optional<RunLoader::Changes>>(
        this, [filter, ids](db::Connection& conn) { return RunLoader::loadRuns(conn, filter, ids); },
        [this, generation](const std::optional<RunLoader::Changes>& changes) {
            if (changes)
                onRuns(generation, changes->matching, changes->notMatching);
        });
    requestCounts();
}

namespace {
// -1, 0, 1 as a's sort value compares with b's, the way the database orders them.
int compareSortValues(RunFilter::SortKey key, const RunRow& a, const RunRow& b)
{
    const auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : y < x ? 1 : 0; };
    const auto duration = [](const RunRow& r) {
        return r.finishedAt.isValid() && r.startedAt.isValid() ? r.startedAt.msecsTo(r.finishedAt) : qint64(-1000);
    };
    switch (key) {
    case RunFilter::SortKey::Started:
        return cmp(a.createdAt, b.createdAt);
    case RunFilter::SortKey::Duration:
        return cmp(duration(a), duration(b));
    case RunFilter::SortKey::Failed:
        return cmp(a.failed, b.failed);
    case RunFilter::SortKey::Initiator:
        return cmp(a.initiator, b.initiator);
    case RunFilter::SortKey::Operation:
        return cmp(a.resource + QLatin1Char('/') + a.action, b.resource + QLatin1Char('/') + b.action);
    }
    return 0;
}
} // namespace

bool RunTableModel::before(const RunRow& a, const RunRow& b) const
{
    // The filter's order (newest first by default), then the id in the same direction.
    int c = compareSortValues(m_filter.sortKey(), a, b);
    if (c == 0)
        c = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return m_filter.ascending() ? c < 0 : c > 0;
}

void RunTableModel::rebuildIndex(int from)
{
    for (int i = from; i < m_rows.size(); ++i)
        m_rowOf.insert(m_rows[i].id, i);
}

void RunTableModel::onRuns(quint64 generation, const QList<RunRow>& matching, const QList<qint64>& notMatching)
{
    if (generation != m_generation)
        return;
    for (const RunRow& r : matching) {
        int row = m_rowOf.value(r.id, -1);
        if (row >= 0 && m_rows[row].sortValue != r.sortValue) {
            // Its place in the order changed: out, and in again below where it now belongs.
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            m_rowOf.remove(r.id);
            rebuildIndex(row);
            endRemoveRows();
            row = -1;
        }
        if (row >= 0) {
            if (m_rows[row] != r) {
                m_rows[row] = r;
                Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1),
                                   {Qt::DisplayRole, RawValueRole, BucketRole, Qt::ToolTipRole});
            }
            Q_EMIT runUpdated(r.id);
            continue;
        }
        // A run this view has not loaded: insert it where it belongs, if that is within what is
        // loaded (a run older than the last loaded row comes with its page later).
        int pos = 0;
        while (pos < m_rows.size() && before(m_rows[pos], r))
            ++pos;
        if (pos == m_rows.size() && !m_atEnd)
            continue;
        beginInsertRows({}, pos, pos);
        m_rows.insert(pos, r);
        rebuildIndex(pos);
        endInsertRows();
        Q_EMIT runUpdated(r.id);
    }
    for (qint64 id : notMatching) {
        const int row = m_rowOf.value(id, -1);
        if (row < 0)
            continue;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        m_rowOf.remove(id);
        rebuildIndex(row);
        endRemoveRows();
    }
    trimLiveGrowth();
}

} // namespace atlas::hub
