#pragma once

#include "RunFilter.h"
#include "RunRow.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

class QTimer;

namespace atlas::hub {

class HubSession;

// The active tenant's runs, newest first, loaded a page at a time through canFetchMore /
// fetchMore (keyset on created_at, id: never OFFSET) on the session's page worker. Live
// changes re-read only the changed runs, on the session's live worker (never behind a page),
// and touch only their rows.
class RunTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunTableModel)
public:
    // In display order. The first eight answer what an auditor asks first and fit 1280 px;
    // the others are there to be chosen (header context menu).
    enum Column
    {
        IdColumn,
        OperationColumn,
        StatusColumn,  // bucket, and the reason code of a failed or aborted run
        ResultColumn,  // the producer's headline
        StartedColumn, // relative; the full time with its zone as tooltip
        DurationColumn,
        InitiatorColumn,
        ProgressColumn, // items processed of total, with a bar
        SucceededColumn,
        FailedColumn,
        SkippedColumn,
        TenantColumn, // when the hub shows several tenants
        ColumnCount
    };
    // Shown until the person chooses otherwise.
    static bool shownByDefault(int column);
    // The width a column starts with (px at the default font).
    static int defaultWidth(int column);
    enum Role
    {
        RawValueRole = Qt::UserRole + 1, // sortable raw value of the cell
        RunIdRole,
        BucketRole,
    };

    explicit RunTableModel(HubSession* session, QObject* parent = nullptr);
    ~RunTableModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    const RunFilter& filter() const { return m_filter; }
    // Replaces the filter; reloads only when it changed. Returns whether it did.
    bool setFilter(const RunFilter& filter);
    void refresh();
    const RunRow* runAt(int row) const;
    int rowOf(qint64 id) const { return m_rowOf.value(id, -1); }
    const BucketCounts& counts() const { return m_counts; }
    bool isLoading() const { return m_loading; }
    quint64 generation() const { return m_generation; }

    // Live: a run changed somewhere (collected and re-read after a short delay).
    void runChanged(qint64 id);

    static QString durationText(const RunRow& row, const QDateTime& now);
    // Tenant names for the tenant column.
    void setTenantNames(const QHash<QUuid, QString>& names);

Q_SIGNALS:
    void countsChanged(const atlas::hub::BucketCounts& counts);
    void runUpdated(qint64 id);
    void loadingChanged(bool loading);
    void loadFailed(const QString& message);

private:
    void onPage(quint64 generation, const QList<RunRow>& rows, bool atEnd, const QString& error);
    void onRuns(quint64 generation, const QList<RunRow>& matching, const QList<qint64>& notMatching);
    void onCounts(quint64 generation, const BucketCounts& counts);
    void requestCounts();
    void flushChanges();
    void rebuildIndex(int from);
    void trimLiveGrowth();
    bool before(const RunRow& a, const RunRow& b) const; // a sorts before b (newer)
    void setLoading(bool loading);

    HubSession* m_session;
    RunFilter m_filter;
    QList<RunRow> m_rows;
    QHash<qint64, int> m_rowOf;
    QHash<QUuid, QString> m_tenantNames;
    BucketCounts m_counts;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_atEnd = true;
    bool m_shownFirstPage = false;
    int m_paged = 0; // rows held when the last page arrived: what the view asked for
    QSet<qint64> m_changed;
    QTimer* m_changeTimer;
};

} // namespace atlas::hub
