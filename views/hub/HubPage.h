#pragma once

#include "hub/RunFilter.h"

#include <QHash>
#include <QUuid>
#include <QWidget>

class QLabel;
class QMenu;
class QPushButton;
class QTimer;
class QToolButton;
class QTableView;

namespace atlas::hub {
class HubSession;
class RunTableModel;
} // namespace atlas::hub

namespace atlas::views {

class BucketList;
class ColumnFitter;
class FilterBar;
class ReasonsPanel;
class RunDetailPane;
class TrendsView;

// The Operations hub: the active tenant's runs, filterable, live, with a detail pane.
// View-only for every role: nothing here starts, reruns, cancels or deletes a run.
class HubPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HubPage)
public:
    explicit HubPage(hub::HubSession* session, QWidget* parent = nullptr);
    ~HubPage() override;

    void setTenant(const QUuid& tenant);
    // All my tenants: the hub over each of `names`' tenants, with a tenant column.
    void setTenants(const QHash<QUuid, QString>& names);
    void setFilter(const hub::RunFilter& filter);
    const hub::RunFilter& filter() const;
    void selectRun(qint64 id);
    void refresh();
    void focusSearch();

    hub::RunTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    FilterBar* filterBar() const { return m_filterBar; }
    BucketList* bucketList() const { return m_buckets; }
    RunDetailPane* detailPane() const { return m_detail; }
    ReasonsPanel* reasonsPanel() const { return m_reasons; }
    hub::HubSession* session() const { return m_session; }
    TrendsView* trendsView() const { return m_trends; }
    QToolButton* trendsButton() const { return m_trendsButton; }

    static QString runLink(qint64 id) { return QStringLiteral("atlas-ops://run/%1").arg(id); }

Q_SIGNALS:
    void filterChanged(const atlas::hub::RunFilter& filter);
    void resultLinkActivated(const QString& link);
    void statusMessage(const QString& message);
    void insightsLoaded();
    void durationsLoaded();

private:
    void setUpTable();
    QMenu* columnMenu();
    void setColumnShown(int column, bool shown);
    void sortBy(int column);
    void showSort(const hub::RunFilter& filter);
    void layOut();
    void connectFilters();
    void connectModel();
    void addShortcuts();
    void applyFilter(const hub::RunFilter& filter);
    void requestDetail();
    void copyLink();
    void exportCsv();
    void updateEmptyState();
    void clearFilters();
    void requestInsights();
    void requestDurations();

    hub::HubSession* m_session;
    hub::RunTableModel* m_model;
    FilterBar* m_filterBar;
    BucketList* m_buckets;
    QTableView* m_table;
    ColumnFitter* m_fitter = nullptr;
    QLabel* m_empty;
    RunDetailPane* m_detail;
    QPushButton* m_clearFilters;
    ReasonsPanel* m_reasons;
    TrendsView* m_trends;
    QToolButton* m_trendsButton;
    QTimer* m_insightTimer;
    qint64 m_pendingSelection = 0;
};

} // namespace atlas::views
