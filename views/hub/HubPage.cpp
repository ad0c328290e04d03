#include "HubPage.h"

#include "BucketList.h"
#include "ColumnFitter.h"
#include "FilterBar.h"
#include "ReasonsPanel.h"
#include "RunDetailPane.h"
#include "StatusStyle.h"
#include "TrendsView.h"
#include "hub/HubSession.h"
#include "hub/RunTableModel.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace atlas::views {

namespace {
// Status cell: the bucket's icon and label; progress cell: a thin bar under the numbers.
class RunDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.column() == hub::RunTableModel::StatusColumn) {
            option->icon = StatusStyle::icon(runs::Bucket(index.data(hub::RunTableModel::BucketRole).toInt()));
            option->features |= QStyleOptionViewItem::HasDecoration;
            option->decorationSize = QSize(14, 14);
        }
    }

public:
    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(p, option, index);
        if (index.column() != hub::RunTableModel::ProgressColumn)
            return;
        const double fraction = index.data(hub::RunTableModel::RawValueRole).toDouble();
        const QRect bar(option.rect.left() + 4, option.rect.bottom() - 4, option.rect.width() - 8, 3);
        p->save();
        QColor track = option.palette.color(QPalette::Mid);
        track.setAlpha(60);
        p->fillRect(bar, track);
        p->fillRect(QRect(bar.topLeft(), QSize(int(bar.width() * std::clamp(fraction, 0.0, 1.0)), bar.height())),
                    StatusStyle::color(runs::Bucket(index.data(hub::RunTableModel::BucketRole).toInt())));
        p->restore();
    }
};
} // namespace

HubPage::HubPage(hub::HubSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new hub::RunTableModel(session, this))
    , m_filterBar(new FilterBar(this))
    , m_buckets(new BucketList(this))
    , m_table(new QTableView(this))
    , m_empty(new QLabel(this))
    , m_detail(new RunDetailPane(this))
    , m_clearFilters(new QPushButton(QStringLiteral("Clear filters"), this))
    , m_reasons(new ReasonsPanel(this))
    , m_trends(new TrendsView(this))
    , m_trendsButton(new QToolButton(this))
    , m_insightTimer(new QTimer(this))
{
    m_insightTimer->setSingleShot(true);
    m_insightTimer->setInterval(300);
    m_clearFilters->setObjectName(QStringLiteral("clearFilters"));
    m_clearFilters->hide();
    connect(m_clearFilters, &QPushButton::clicked, this, &HubPage::clearFilters);
    setObjectName(QStringLiteral("hubPage"));
    setUpTable();
    showSort(m_model->filter());
    layOut();
    connectFilters();
    connectModel();
    addShortcuts();
    m_trendsButton->setChecked(QSettings().value(QStringLiteral("hub/trends"), false).toBool());
    updateEmptyState();
}

void HubPage::setUpTable()
{
    m_table->setObjectName(QStringLiteral("runTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegate(new RunDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setSortingEnabled(false); // sorted in the database: a header click changes the filter's order
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 12);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    for (int c = 0; c < hub::RunTableModel::ColumnCount; ++c) {
        m_table->setColumnWidth(c, hub::RunTableModel::defaultWidth(c));
        m_table->setColumnHidden(c, !hub::RunTableModel::shownByDefault(c));
    }
    // Widths, order and the chosen columns survive a restart.
    const QByteArray saved = QSettings().value(QStringLiteral("hub/columns")).toByteArray();
    if (!saved.isEmpty())
        header->restoreState(saved);
    // When the room is short (the detail pane open), the wordy columns give up width first, so
    // started, duration, initiator and items stay in view without scrolling sideways.
    using Flex = ColumnFitter::Flex;
    m_fitter = new ColumnFitter(m_table,
                                {Flex{hub::RunTableModel::ResultColumn, 90}, Flex{hub::RunTableModel::TenantColumn, 90},
                                 Flex{hub::RunTableModel::OperationColumn, 90}, Flex{hub::RunTableModel::InitiatorColumn, 70},
                                 Flex{hub::RunTableModel::StatusColumn, 90}},
                                &hub::RunTableModel::defaultWidth);
    const auto save = [this] { QSettings().setValue(QStringLiteral("hub/columns"), m_fitter->saveState()); };
    connect(header, &QHeaderView::sectionResized, this, save);
    connect(header, &QHeaderView::sectionMoved, this, save);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    connect(header, &QHeaderView::sectionClicked, this, &HubPage::sortBy);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this,
            [this](const QPoint& at) { columnMenu()->popup(m_table->horizontalHeader()->mapToGlobal(at)); });
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setEnabled(false);
    m_empty->setVisible(false);
}

// The header's context menu: a check per column (the run id always shows) and a reset.
QMenu* HubPage::columnMenu()
{
    auto* menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("columnMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    for (int c = hub::RunTableModel::IdColumn + 1; c < hub::RunTableModel::ColumnCount; ++c) {
        QAction* action = menu->addAction(m_model->headerData(c, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!m_table->isColumnHidden(c));
        connect(action, &QAction::toggled, this, [this, c](bool on) { setColumnShown(c, on); });
    }
    menu->addSeparator();
    menu->addAction(QStringLiteral("Reset columns"), this, [this] {
        QHeaderView* header = m_table->horizontalHeader();
        for (int c = 0; c < hub::RunTableModel::ColumnCount; ++c) {
            header->moveSection(header->visualIndex(c), c);
            m_table->setColumnWidth(c, hub::RunTableModel::defaultWidth(c));
            m_table->setColumnHidden(c, !hub::RunTableModel::shownByDefault(c));
        }
        m_fitter->takeWidths();
        m_fitter->fit();
        QSettings().remove(QStringLiteral("hub/columns"));
    });
    return menu;
}

namespace {
constexpr int kItemPage = 500; // items of a run shown at a time in the detail pane

// Which header sorts by what in the database; the first column of a key carries its arrow (the
// run id sorts as the start time does).
struct SortColumn
{
    int column;
    hub::RunFilter::SortKey key;
};
constexpr SortColumn kSortColumns[] = {
    {hub::RunTableModel::StartedColumn, hub::RunFilter::SortKey::Started},
    {hub::RunTableModel::IdColumn, hub::RunFilter::SortKey::Started},
    {hub::RunTableModel::DurationColumn, hub::RunFilter::SortKey::Duration},
    {hub::RunTableModel::FailedColumn, hub::RunFilter::SortKey::Failed},
    {hub::RunTableModel::InitiatorColumn, hub::RunFilter::SortKey::Initiator},
    {hub::RunTableModel::OperationColumn, hub::RunFilter::SortKey::Operation},
};

// nullopt for columns that do not sort.
std::optional<hub::RunFilter::SortKey> sortKeyOf(int column)
{
    for (const SortColumn& s : kSortColumns) {
        if (s.column == column)
            return s.key;
    }
    return std::nullopt;
}

int columnOf(hub::RunFilter::SortKey key)
{
    for (const SortColumn& s : kSortColumns) {
        if (s.key == key)
            return s.column;
    }
    return hub::RunTableModel::StartedColumn;
}
} // namespace

// A click on a sortable header sorts by it (descending first; again: ascending); the other
// headers keep the current order.
void HubPage::sortBy(int column)
{
    const auto key = sortKeyOf(column);
    hub::RunFilter next = m_model->filter();
    if (key)
        next.setSort(*key,
                     *key == next.sortKey()
                         ? !next.ascending()
                         : *key == hub::RunFilter::SortKey::Initiator || *key == hub::RunFilter::SortKey::Operation);
    showSort(next);
    applyFilter(next);
}

void HubPage::showSort(const hub::RunFilter& filter)
{
    m_table->horizontalHeader()->setSortIndicator(columnOf(filter.sortKey()),
                                                  filter.ascending() ? Qt::AscendingOrder : Qt::DescendingOrder);
}

void HubPage::setColumnShown(int column, bool shown)
{
    m_table->setColumnHidden(column, !shown);
    QSettings().setValue(QStringLiteral("hub/columns"), m_fitter->saveState());
}

// Filter bar on top; buckets, table and detail pane side by side below it. The pane takes no
// room until a run is selected, and closes with its button.
void HubPage::layOut()
{
    auto* tableBox = new QWidget(this);
    auto* tv = new QVBoxLayout(tableBox);
    tv->setContentsMargins(0, 0, 0, 0);
    tv->addWidget(m_table);
    // In the table's place when nothing shows: why, and the way back to every run.
    auto* emptyBox = new QWidget(tableBox);
    auto* ev = new QVBoxLayout(emptyBox);
    ev->addStretch(1);
    ev->addWidget(m_empty);
    ev->addWidget(m_clearFilters, 0, Qt::AlignHCenter);
    ev->addStretch(1);
    emptyBox->hide();
    tv->addWidget(emptyBox);

    // Buckets above the failure reasons on the left; the trends (when asked for) above the table.
    auto* left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_buckets);
    left->addWidget(m_reasons);
    left->setStretchFactor(0, 0);
    left->setStretchFactor(1, 1);
    left->setSizes({260, 300});
    left->setMaximumWidth(230);
    auto* center = new QSplitter(Qt::Vertical, this);
    center->addWidget(m_trends);
    center->addWidget(tableBox);
    center->setStretchFactor(0, 1);
    center->setStretchFactor(1, 2);
    center->setCollapsible(1, false);
    center->setSizes({210, 480}); // the table keeps most of the height
    m_trends->hide();

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(center);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 2);
    split->setSizes({190, 820, 420});
    split->setCollapsible(1, false);
    m_detail->hide();

    m_trendsButton->setObjectName(QStringLiteral("trendsButton"));
    m_trendsButton->setText(QStringLiteral("Trends"));
    m_trendsButton->setCheckable(true);
    m_trendsButton->setToolTip(QStringLiteral("Runs per day and durations per operation, for these filters"));
    m_trendsButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* top = new QHBoxLayout;
    top->addWidget(m_filterBar, 1);
    top->addWidget(m_trendsButton);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
}

void HubPage::connectFilters()
{
    connect(m_filterBar, &FilterBar::filterEdited, this, [this](const hub::RunFilter& f) {
        hub::RunFilter next = f;
        if (m_model->filter().severalTenants())
            next.setTenants(m_model->filter().tenants());
        else
            next.setTenant(m_model->filter().tenant());
        next.setBucket(m_buckets->bucket());
        next.setReason(m_model->filter().reason());
        next.setSort(m_model->filter().sortKey(), m_model->filter().ascending());
        applyFilter(next);
    });
    connect(m_filterBar, &FilterBar::exportRequested, this, &HubPage::exportCsv);
    connect(m_buckets, &BucketList::bucketChosen, this, [this](std::optional<runs::Bucket> bucket) {
        hub::RunFilter next = m_model->filter();
        next.setBucket(bucket);
        applyFilter(next);
    });
}

void HubPage::connectModel()
{
    connect(m_model, &hub::RunTableModel::countsChanged, m_buckets, &BucketList::setCounts);
    // Reasons and trends follow the counts (a filter change, a run change), a few times a
    // second at most.
    connect(m_model, &hub::RunTableModel::countsChanged, this, [this] {
        if (!m_insightTimer->isActive())
            m_insightTimer->start();
    });
    connect(m_insightTimer, &QTimer::timeout, this, &HubPage::requestInsights);
    connect(m_trendsButton, &QToolButton::toggled, this, [this](bool on) {
        m_trends->setVisible(on);
        QSettings().setValue(QStringLiteral("hub/trends"), on);
        if (on)
            requestDurations();
    });
    connect(m_reasons, &ReasonsPanel::reasonChosen, this, [this](const QString& code) {
        hub::RunFilter next = m_model->filter();
        next.setReason(code);
        applyFilter(next);
    });
    connect(m_model, &hub::RunTableModel::loadFailed, this,
            [this](const QString& message) { Q_EMIT statusMessage(QStringLiteral("Could not load runs: %1").arg(message)); });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        updateEmptyState();
        if (m_pendingSelection && m_model->rowOf(m_pendingSelection) >= 0)
            selectRun(std::exchange(m_pendingSelection, 0));
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_detail->showNothing();
        m_detail->hide();
        updateEmptyState();
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &HubPage::updateEmptyState);
    connect(m_model, &hub::RunTableModel::loadingChanged, this, &HubPage::updateEmptyState);
    connect(m_model, &hub::RunTableModel::runUpdated, this, [this](qint64 id) {
        if (id == m_detail->runId())
            requestDetail();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &HubPage::requestDetail);
    connect(m_session->listener(), &hub::RunListener::runChanged, m_model, &hub::RunTableModel::runChanged);
    connect(m_session->listener(), &hub::RunListener::resynced, this, &HubPage::refresh);
    connect(m_detail, &RunDetailPane::resultLinkActivated, this, &HubPage::resultLinkActivated);
    connect(m_detail, &RunDetailPane::itemsWanted, this, [this](qint64 runId, const QString& search, qint64 after) {
        m_session->live()->post<hub::RunLoader::Items>(
            this, [=](db::Connection& conn) { return hub::RunLoader::loadItems(conn, runId, search, after, kItemPage); },
            [this, after](const hub::RunLoader::Items& items) { m_detail->showItems(items, after > 0); });
    });
    connect(m_detail, &RunDetailPane::closeRequested, this, [this] {
        m_table->selectionModel()->clearCurrentIndex();
        m_table->clearSelection();
        m_detail->showNothing();
        m_detail->hide();
    });
}

// Ctrl+F search, F5 reload; Ctrl+C copies the selected run's link. The copy action is the one
// owner of its shortcut (a second QShortcut for it made the key ambiguous, so it did nothing).
void HubPage::addShortcuts()
{
    auto* find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, &HubPage::focusSearch);
    auto* reload = new QShortcut(QKeySequence::Refresh, this);
    connect(reload, &QShortcut::activated, this, &HubPage::refresh);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* copyAction = new QAction(QStringLiteral("Copy link to run"), m_table);
    copyAction->setObjectName(QStringLiteral("copyRunLink"));
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyAction, &QAction::triggered, this, &HubPage::copyLink);
    m_table->addAction(copyAction);
}

HubPage::~HubPage() = default;

const hub::RunFilter& HubPage::filter() const
{
    return m_model->filter();
}

void HubPage::setTenant(const QUuid& tenant)
{
    m_table->setColumnHidden(hub::RunTableModel::TenantColumn, true);
    hub::RunFilter next = m_model->filter();
    next.setTenant(tenant);
    applyFilter(next);
}

void HubPage::setTenants(const QHash<QUuid, QString>& names)
{
    m_model->setTenantNames(names);
    m_table->setColumnHidden(hub::RunTableModel::TenantColumn, false);
    QList<QUuid> tenants = names.keys();
    std::sort(tenants.begin(), tenants.end());
    hub::RunFilter next = m_model->filter();
    next.setTenants(tenants);
    applyFilter(next);
}

void HubPage::setFilter(const hub::RunFilter& filter)
{
    m_filterBar->setFilter(filter);
    m_buckets->setBucket(filter.bucket());
    m_reasons->setChosen(filter.reason());
    showSort(filter);
    applyFilter(filter);
}

void HubPage::applyFilter(const hub::RunFilter& filter)
{
    if (m_model->setFilter(filter))
        Q_EMIT filterChanged(filter);
}

void HubPage::refresh()
{
    const hub::RunRow* current = m_model->runAt(m_table->currentIndex().row());
    m_pendingSelection = current ? current->id : 0;
    m_model->refresh();
}

void HubPage::focusSearch()
{
    m_filterBar->focusSearch();
}

void HubPage::selectRun(qint64 id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        m_pendingSelection = id;
        return;
    }
    m_table->setCurrentIndex(m_model->index(row, 0));
    m_table->scrollTo(m_model->index(row, 0));
}

void HubPage::requestDetail()
{
    const hub::RunRow* run = m_model->runAt(m_table->currentIndex().row());
    if (!run) {
        m_detail->showNothing();
        m_detail->hide();
        return;
    }
    const qint64 id = run->id;
    // On the live worker: a run changing in view re-reads its detail at once, behind no page.
    m_session->live()->post<hub::RunDetail>(
        this, [id](db::Connection& conn) { return hub::RunLoader::loadDetail(conn, id); },
        [this](const hub::RunDetail& d) {
            const hub::RunRow* current = m_model->runAt(m_table->currentIndex().row());
            if (current && current->id == d.run.id) {
                m_detail->showDetail(d);
                m_detail->show();
            }
        });
}

void HubPage::copyLink()
{
    const hub::RunRow* run = m_model->runAt(m_table->currentIndex().row());
    if (!run)
        return;
    QApplication::clipboard()->setText(runLink(run->id));
    Q_EMIT statusMessage(QStringLiteral("Copied %1").arg(runLink(run->id)));
}

void HubPage::exportCsv()
{
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
        QStringLiteral("/atlas-runs-%1.csv").arg(QDate::currentDate().toString(Qt::ISODate));
    const QString path =
        QFileDialog::getSaveFileName(this, QStringLiteral("Export runs"), suggested, QStringLiteral("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    const hub::RunFilter filter = m_model->filter();
    // On the pages worker, as a long read of the filter's runs: never in front of a live update.
    m_session->pages()->post<hub::RunLoader::Export>(
        this, [filter, path](db::Connection& conn) { return hub::RunLoader::exportCsv(conn, filter, path); },
        [this, path](const hub::RunLoader::Export& done) {
            Q_EMIT statusMessage(done.error.isEmpty() ? QStringLiteral("Exported %1 runs to %2").arg(done.rows).arg(path)
                                                      : QStringLiteral("Export failed: %1").arg(done.error));
        });
}

void HubPage::updateEmptyState()
{
    const bool empty = m_model->rowCount() == 0;
    QString text;
    if (!m_model->filter().hasTenant())
        text = QStringLiteral("No tenant selected.");
    else if (m_model->isLoading())
        text = QStringLiteral("Loading runs…");
    else
        text = QStringLiteral("No runs match these filters.");
    m_empty->setText(text);
    m_empty->setVisible(empty);
    m_empty->parentWidget()->setVisible(empty);
    const hub::RunFilter& f = m_model->filter();
    const bool filtered = f.bucket() || !f.operation().isEmpty() || !f.search().isEmpty() || !f.reason().isEmpty() ||
        f.timeRange() != hub::RunFilter::TimeRange::All;
    m_clearFilters->setVisible(empty && filtered && !m_model->isLoading() && f.hasTenant());
    m_table->setVisible(!empty);
}

// Reasons and runs per day on the shared worker (roll-ups, milliseconds); the durations, counted
// live, only while the trends show, on the pages worker, so they never hold up a live update.
void HubPage::requestInsights()
{
    const hub::RunFilter filter = m_model->filter();
    if (!filter.hasTenant())
        return;
    m_session->shared()->post<hub::Insights>(
        this, [filter](db::Connection& conn) { return hub::Insights::load(conn, filter); },
        [this, filter](const hub::Insights& insights) {
            if (!(filter == m_model->filter()))
                return; // the filter moved on; its own answer follows
            if (!insights.error.isEmpty())
                Q_EMIT statusMessage(QStringLiteral("Could not read the failure reasons: %1").arg(insights.error));
            m_reasons->setReasons(insights.reasons);
            m_trends->setDays(insights.days);
            Q_EMIT insightsLoaded();
        });
    if (m_trendsButton->isChecked())
        requestDurations();
}

void HubPage::requestDurations()
{
    const hub::RunFilter filter = m_model->filter();
    if (!filter.hasTenant())
        return;
    m_session->pages()->post<hub::Insights>(
        this, [filter](db::Connection& conn) { return hub::Insights::loadDurations(conn, filter); },
        [this, filter](const hub::Insights& insights) {
            if (!(filter == m_model->filter()))
                return;
            if (!insights.error.isEmpty())
                Q_EMIT statusMessage(QStringLiteral("Could not read the durations: %1").arg(insights.error));
            m_trends->setDurations(insights.durations);
            Q_EMIT durationsLoaded();
        });
}

// Back to every run of the tenant(s) shown, in the same order.
void HubPage::clearFilters()
{
    const hub::RunFilter& current = m_model->filter();
    hub::RunFilter next;
    if (current.severalTenants())
        next.setTenants(current.tenants());
    else
        next.setTenant(current.tenant());
    next.setSort(current.sortKey(), current.ascending());
    setFilter(next);
}

} // namespace atlas::views
