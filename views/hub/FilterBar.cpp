#include "FilterBar.h"

#include "runs/Producers.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QToolButton>

namespace atlas::views {

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_operation(new QComboBox(this))
    , m_range(new QComboBox(this))
    , m_from(new QDateTimeEdit(this))
    , m_to(new QDateTimeEdit(this))
    , m_search(new QLineEdit(this))
    , m_searchDelay(new QTimer(this))
{
    m_operation->setObjectName(QStringLiteral("operationFilter"));
    m_operation->addItem(QStringLiteral("All operations"), QString());
    for (const runs::ProducerKind& kind : runs::Producers::all())
        m_operation->addItem(kind.label, kind.key());

    m_range->setObjectName(QStringLiteral("rangeFilter"));
    m_range->addItem(QStringLiteral("Any time"), int(hub::RunFilter::TimeRange::All));
    m_range->addItem(QStringLiteral("Last hour"), int(hub::RunFilter::TimeRange::LastHour));
    m_range->addItem(QStringLiteral("Last 24 hours"), int(hub::RunFilter::TimeRange::Last24Hours));
    m_range->addItem(QStringLiteral("Last 7 days"), int(hub::RunFilter::TimeRange::Last7Days));
    m_range->addItem(QStringLiteral("Last 30 days"), int(hub::RunFilter::TimeRange::Last30Days));
    m_range->addItem(QStringLiteral("Custom…"), int(hub::RunFilter::TimeRange::Custom));
    for (QDateTimeEdit* edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setVisible(false);
    }
    m_from->setObjectName(QStringLiteral("rangeFrom"));
    m_to->setObjectName(QStringLiteral("rangeTo"));
    m_from->setDateTime(QDateTime::currentDateTime().addDays(-7));
    m_to->setDateTime(QDateTime::currentDateTime().addDays(1));

    m_search->setObjectName(QStringLiteral("searchFilter"));
    m_search->setPlaceholderText(QStringLiteral("Search run #, initiator, item id or policy name  (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaxLength(hub::RunFilter::kMaxSearchLength);
    m_search->setMinimumWidth(160);
    // Narrow windows (a large scale factor on a laptop) keep every control: the combos shrink
    // to a few characters rather than push the window wider than the screen.
    for (QComboBox* combo : {m_operation, m_range}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(10);
    }
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);

    auto* exportButton = new QToolButton(this);
    exportButton->setObjectName(QStringLiteral("exportCsv"));
    exportButton->setText(QStringLiteral("Export CSV…"));
    exportButton->setToolTip(QStringLiteral("Export the runs matching these filters"));

    auto* dash = new QLabel(QStringLiteral("–"), this);
    dash->setVisible(false);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_operation);
    layout->addWidget(m_range);
    layout->addWidget(m_from);
    layout->addWidget(dash);
    layout->addWidget(m_to);
    layout->addWidget(m_search, 1);
    layout->addWidget(exportButton);

    connect(m_operation, &QComboBox::currentIndexChanged, this, &FilterBar::emitFilter);
    connect(m_range, &QComboBox::currentIndexChanged, this, [this, dash] {
        const bool custom = m_range->currentData().toInt() == int(hub::RunFilter::TimeRange::Custom);
        m_from->setVisible(custom);
        m_to->setVisible(custom);
        dash->setVisible(custom);
        emitFilter();
    });
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &FilterBar::emitFilter);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &FilterBar::emitFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &FilterBar::emitFilter);
    connect(m_searchDelay, &QTimer::timeout, this, &FilterBar::emitFilter);
    connect(exportButton, &QToolButton::clicked, this, &FilterBar::exportRequested);
}

void FilterBar::setFilter(const hub::RunFilter& filter)
{
    m_updating = true;
    m_filter = filter;
    m_operation->setCurrentIndex(std::max(0, m_operation->findData(filter.operation())));
    m_range->setCurrentIndex(std::max(0, m_range->findData(int(filter.timeRange()))));
    if (filter.customFrom().isValid())
        m_from->setDateTime(filter.customFrom().toLocalTime());
    if (filter.customTo().isValid())
        m_to->setDateTime(filter.customTo().toLocalTime());
    m_search->setText(filter.search());
    m_updating = false;
}

void FilterBar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void FilterBar::emitFilter()
{
    if (m_updating)
        return;
    m_searchDelay->stop();
    hub::RunFilter f = m_filter;
    f.setOperation(m_operation->currentData().toString());
    f.setTimeRange(hub::RunFilter::TimeRange(m_range->currentData().toInt()));
    if (f.timeRange() == hub::RunFilter::TimeRange::Custom)
        f.setCustomRange(m_from->dateTime().toUTC(), m_to->dateTime().toUTC());
    f.setSearch(m_search->text());
    if (f == m_filter)
        return;
    m_filter = f;
    Q_EMIT filterEdited(f);
}

} // namespace atlas::views
