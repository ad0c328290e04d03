#include "RunDetailPane.h"

#include "StatusStyle.h"
#include "hub/RunTableModel.h"
#include "runs/Producers.h"
#include "runs/RunStatus.h"

#include "support/TimeText.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStyle>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace atlas::views {

namespace {
QLabel* valueLabel(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
}

QString when(const QDateTime& t)
{
    return t.isValid() ? support::TimeText::full(t) : QStringLiteral("—");
}

QLabel* sectionTitle(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    return l;
}
} // namespace

RunDetailPane::RunDetailPane(QWidget* parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
{
    setObjectName(QStringLiteral("runDetail"));
    auto* empty = new QLabel(QStringLiteral("Select a run to see its details."), m_stack);
    empty->setAlignment(Qt::AlignCenter);
    empty->setEnabled(false);
    m_stack->addWidget(empty);

    auto* page = new QWidget(m_stack);
    auto* v = new QVBoxLayout(page);
    m_title = new QLabel(page);
    QFont tf = m_title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    tf.setBold(true);
    m_title->setFont(tf);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(page);
    m_status->setObjectName(QStringLiteral("detailStatus"));
    m_progress = new QProgressBar(page);
    m_progress->setTextVisible(true);
    m_counts = new QLabel(page);
    auto* close = new QToolButton(page);
    close->setObjectName(QStringLiteral("closeDetail"));
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setToolTip(QStringLiteral("Close the details"));
    connect(close, &QToolButton::clicked, this, &RunDetailPane::closeRequested);
    auto* titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(close, 0, Qt::AlignTop);
    v->addLayout(titleRow);
    v->addWidget(m_status);
    v->addWidget(m_progress);
    v->addWidget(m_counts);

    auto* form = new QFormLayout();
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_initiator = valueLabel(page);
    m_created = valueLabel(page);
    m_started = valueLabel(page);
    m_finished = valueLabel(page);
    m_duration = valueLabel(page);
    m_heartbeat = valueLabel(page);
    m_key = new QLineEdit(page);
    m_key->setReadOnly(true);
    m_key->setFrame(false);
    m_key->setCursorPosition(0);
    m_key->setObjectName(QStringLiteral("detailKey"));
    m_scope = valueLabel(page);
    m_scope->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_what = valueLabel(page);
    m_what->setObjectName(QStringLiteral("detailWhat"));
    m_what->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    m_stored = valueLabel(page);
    m_summary = valueLabel(page);
    m_result = new QLabel(page);
    m_result->setObjectName(QStringLiteral("detailResult"));
    m_result->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    form->addRow(QStringLiteral("What"), m_what);
    form->addRow(QStringLiteral("Result"), m_summary);
    form->addRow(QString(), m_result);
    form->addRow(QStringLiteral("Initiator"), m_initiator);
    form->addRow(QStringLiteral("Created"), m_created);
    form->addRow(QStringLiteral("Started"), m_started);
    form->addRow(QStringLiteral("Finished"), m_finished);
    form->addRow(QStringLiteral("Duration"), m_duration);
    v->addLayout(form);

    // What only someone debugging needs, folded away: storage status, heartbeat, key, raw scope.
    auto* technicalToggle = new QToolButton(page);
    technicalToggle->setObjectName(QStringLiteral("detailTechnicalToggle"));
    technicalToggle->setText(QStringLiteral("Technical"));
    technicalToggle->setCheckable(true);
    technicalToggle->setAutoRaise(true);
    technicalToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    technicalToggle->setArrowType(Qt::RightArrow);
    m_technical = new QWidget(page);
    m_technical->setObjectName(QStringLiteral("detailTechnical"));
    auto* tech = new QFormLayout(m_technical);
    tech->setContentsMargins(0, 0, 0, 0);
    tech->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    tech->addRow(QStringLiteral("Stored as"), m_stored);
    tech->addRow(QStringLiteral("Last heartbeat"), m_heartbeat);
    tech->addRow(QStringLiteral("Idempotency key"), m_key);
    tech->addRow(QStringLiteral("Scope"), m_scope);
    m_technical->hide();
    connect(technicalToggle, &QToolButton::toggled, this, [this, technicalToggle](bool open) {
        m_technical->setVisible(open);
        technicalToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    v->addWidget(technicalToggle, 0, Qt::AlignLeft);
    v->addWidget(m_technical);

    m_failuresTitle = sectionTitle(QStringLiteral("Failures"), page);
    m_failures = new QTableWidget(0, 3, page);
    m_failures->setObjectName(QStringLiteral("detailFailures"));
    m_failures->setHorizontalHeaderLabels({QStringLiteral("Item"), QStringLiteral("Reason"), QStringLiteral("Message")});
    m_failures->horizontalHeader()->setStretchLastSection(true);
    m_failures->verticalHeader()->setVisible(false);
    m_failures->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_failures->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_failures->setWordWrap(true); // a failure's text is read whole, never cut in the middle
    m_failures->setTextElideMode(Qt::ElideNone);
    m_failures->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_failures->setMinimumHeight(120);
    v->addWidget(m_failuresTitle);
    v->addWidget(m_failures, 2);

    // The run's items with their names and outcomes, a page at a time, searchable.
    m_itemsTitle = sectionTitle(QStringLiteral("Items"), page);
    m_itemSearch = new QLineEdit(page);
    m_itemSearch->setObjectName(QStringLiteral("detailItemSearch"));
    m_itemSearch->setPlaceholderText(QStringLiteral("Find an item or policy name"));
    m_itemSearch->setClearButtonEnabled(true);
    m_items = new QTableWidget(0, 3, page);
    m_items->setObjectName(QStringLiteral("detailItems"));
    m_items->setHorizontalHeaderLabels({QStringLiteral("Item"), QStringLiteral("Policy"), QStringLiteral("Outcome")});
    m_items->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_items->verticalHeader()->setVisible(false);
    m_items->verticalHeader()->setDefaultSectionSize(m_items->fontMetrics().height() + 6);
    m_items->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_items->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_items->setWordWrap(false);
    m_items->setMinimumHeight(90);
    m_moreItems = new QPushButton(QStringLiteral("Show more items"), page);
    m_moreItems->setObjectName(QStringLiteral("detailMoreItems"));
    m_moreItems->hide();
    auto* itemsHead = new QHBoxLayout;
    itemsHead->addWidget(m_itemsTitle, 1);
    itemsHead->addWidget(m_itemSearch);
    v->addLayout(itemsHead);
    v->addWidget(m_items, 1);
    v->addWidget(m_moreItems, 0, Qt::AlignRight);
    m_itemSearchDelay = new QTimer(this);
    m_itemSearchDelay->setSingleShot(true);
    m_itemSearchDelay->setInterval(250);
    connect(m_itemSearch, &QLineEdit::textChanged, m_itemSearchDelay, qOverload<>(&QTimer::start));
    connect(m_itemSearchDelay, &QTimer::timeout, this, [this] {
        if (m_runId)
            Q_EMIT itemsWanted(m_runId, m_itemSearch->text(), 0);
    });
    connect(m_moreItems, &QPushButton::clicked, this, [this] {
        if (m_runId)
            Q_EMIT itemsWanted(m_runId, m_itemSearch->text(), m_itemsAfter);
    });
    m_stack->addWidget(page);

    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 0, 0, 0);
    outer->addWidget(m_stack);
    connect(m_result, &QLabel::linkActivated, this, &RunDetailPane::resultLinkActivated);
    connect(m_what, &QLabel::linkActivated, this, &RunDetailPane::resultLinkActivated);
    setMinimumWidth(380);
}

void RunDetailPane::showNothing()
{
    m_runId = 0;
    m_itemsOf = 0;
    m_stack->setCurrentIndex(0);
}

void RunDetailPane::showDetail(const hub::RunDetail& d)
{
    m_runId = d.run.id;
    m_stack->setCurrentIndex(1);
    if (!d.error.isEmpty()) {
        m_title->setText(QStringLiteral("Run #%1").arg(d.run.id));
        m_status->setText(QStringLiteral("Cannot show this run: %1").arg(d.error.toHtmlEscaped()));
        return;
    }
    const hub::RunRow& r = d.run;
    m_title->setText(QStringLiteral("Run #%1 · %2").arg(r.id).arg(runs::operationLabel(r.resource, r.action)));
    const QColor c = StatusStyle::color(r.bucket);
    m_status->setText(QStringLiteral("<span style='background:%1;color:white;border-radius:4px;padding:2px 8px;'>"
                                     "&nbsp;%2&nbsp;</span>%3")
                          .arg(c.name(), runs::bucketLabel(r.bucket),
                               d.reasonCode.isEmpty()
                                   ? QString()
                                   : QStringLiteral("&nbsp;&nbsp;because <b>%1</b>").arg(d.reasonCode.toHtmlEscaped())));
    m_stored->setText(r.status);
    m_progress->setRange(0, std::max(r.total, 1));
    m_progress->setValue(r.total > 0 ? r.processed : 1);
    m_progress->setFormat(QStringLiteral("%1 of %2 items processed").arg(r.processed).arg(r.total));
    m_counts->setText(QStringLiteral("<b>%1</b> succeeded &nbsp;·&nbsp; <b>%2</b> failed &nbsp;·&nbsp; <b>%3</b> skipped")
                          .arg(r.succeeded)
                          .arg(r.failed)
                          .arg(r.skipped));
    m_initiator->setText(r.initiator);
    m_created->setText(when(r.createdAt));
    m_started->setText(when(r.startedAt));
    m_finished->setText(when(r.finishedAt));
    const QString duration = hub::RunTableModel::durationText(r, QDateTime::currentDateTimeUtc());
    m_duration->setText(duration.isEmpty() ? QStringLiteral("—") : duration);
    m_heartbeat->setText(when(d.heartbeatAt));
    m_key->setText(d.idempotencyKey);
    m_key->setCursorPosition(0);
    m_key->setToolTip(d.idempotencyKey);
    const QString scopeJson = QString::fromUtf8(QJsonDocument(d.scope).toJson(QJsonDocument::Compact));
    m_scope->setText(scopeJson);
    const QString what = runs::Producers::describe(r.resource, r.action, d.scope, d.itemCount);
    m_what->setTextFormat(what.isEmpty() ? Qt::PlainText : Qt::RichText);
    m_what->setText(what.isEmpty() ? scopeJson : what);
    // The producer's sentence ("107 observed, 9 retired") first; its numbers as a tooltip.
    const QString summaryJson = QString::fromUtf8(QJsonDocument(d.summary).toJson(QJsonDocument::Compact));
    const QString headline = d.summary.value(QLatin1String("headline")).toString();
    m_summary->setText(d.summary.isEmpty() ? QStringLiteral("—") : headline.isEmpty() ? summaryJson : headline);
    m_summary->setToolTip(d.summary.isEmpty() ? QString() : summaryJson);
    QString link;
    if (const auto target = runs::Producers::resultOf(r.resource, r.action, r.id, r.bucket, d.scope))
        link = QStringLiteral("<a href='%1/%2'>%3</a>").arg(target->page).arg(target->id).arg(target->text.toHtmlEscaped());
    m_result->setText(link);
    m_result->setVisible(!link.isEmpty());

    const int failureRows = int(d.failures.size());
    m_failuresTitle->setText(d.failureCount > failureRows - (d.reasonCode.isEmpty() ? 0 : 1)
                                 ? QStringLiteral("Failures (first %1 of %2)").arg(failureRows).arg(d.failureCount)
                                 : QStringLiteral("Failures (%1)").arg(failureRows));
    m_failures->setRowCount(failureRows);
    for (int i = 0; i < failureRows; ++i) {
        const hub::Failure& f = d.failures[i];
        auto* item = new QTableWidgetItem(f.itemId.isEmpty() ? QStringLiteral("(the run)") : f.itemId);
        item->setToolTip(f.itemId);
        m_failures->setItem(i, 0, item);
        m_failures->setItem(i, 1, new QTableWidgetItem(f.reasonCode));
        auto* message = new QTableWidgetItem(f.message);
        message->setToolTip(f.message);
        m_failures->setItem(i, 2, message);
    }
    m_failures->resizeColumnToContents(1);
    m_failures->resizeColumnToContents(0);
    m_failures->setColumnWidth(0, std::min(m_failures->columnWidth(0), 150));
    m_failures->setColumnWidth(1, std::min(m_failures->columnWidth(1), 150));
    m_failures->resizeRowsToContents();
    m_failures->setVisible(failureRows > 0);

    m_itemCount = d.itemCount;
    m_itemsTitle->setText(QStringLiteral("Items (%1)").arg(d.itemCount));
    if (m_itemsOf != d.run.id) { // a live update of the same run keeps the list as it is scrolled
        m_itemsOf = d.run.id;
        m_itemSearch->blockSignals(true);
        m_itemSearch->clear();
        m_itemSearch->blockSignals(false);
        m_items->setRowCount(0);
        Q_EMIT itemsWanted(d.run.id, QString(), 0);
    }
}

void RunDetailPane::showItems(const hub::RunLoader::Items& items, bool more)
{
    if (items.runId != m_runId)
        return;
    if (!more)
        m_items->setRowCount(0);
    int row = m_items->rowCount();
    m_items->setRowCount(row + int(items.rows.size()));
    for (const hub::RunLoader::Item& item : items.rows) {
        auto* id = new QTableWidgetItem(item.id);
        id->setToolTip(item.id);
        m_items->setItem(row, 0, id);
        m_items->setItem(row, 1, new QTableWidgetItem(item.name));
        const QString outcome = item.outcome.isEmpty() ? QStringLiteral("not yet")
            : item.reason.isEmpty()                    ? item.outcome
                                                       : QStringLiteral("%1 · %2").arg(item.outcome, item.reason);
        auto* cell = new QTableWidgetItem(outcome);
        if (item.outcome == QLatin1String("failed"))
            cell->setForeground(StatusStyle::color(runs::Bucket::Failed));
        m_items->setItem(row, 2, cell);
        ++row;
    }
    m_items->resizeColumnToContents(0);
    m_items->setColumnWidth(0, std::min(m_items->columnWidth(0), 160));
    m_itemsAfter = items.last;
    m_moreItems->setVisible(!items.atEnd);
    const bool searching = !m_itemSearch->text().trimmed().isEmpty();
    m_itemsTitle->setText(searching         ? QStringLiteral("Items (%1 found of %2)").arg(m_items->rowCount()).arg(m_itemCount)
                              : items.atEnd ? QStringLiteral("Items (%1)").arg(m_itemCount)
                                            : QStringLiteral("Items (%1 of %2 shown)").arg(m_items->rowCount()).arg(m_itemCount));
}

} // namespace atlas::views
