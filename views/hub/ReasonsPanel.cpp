#include "ReasonsPanel.h"

#include <QHeaderView>
#include <QLocale>

namespace atlas::views {

ReasonsPanel::ReasonsPanel(QWidget* parent)
    : QTableWidget(0, 3, parent)
{
    setObjectName(QStringLiteral("reasonsPanel"));
    setHorizontalHeaderLabels({QStringLiteral("Failure reason"), QStringLiteral("Runs"), QStringLiteral("Items")});
    horizontalHeaderItem(1)->setToolTip(QStringLiteral("Failed or aborted runs that ended with this reason"));
    horizontalHeaderItem(2)->setToolTip(QStringLiteral("Items that failed with this reason"));
    verticalHeader()->hide();
    horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setShowGrid(false);
    setFrameShape(QFrame::NoFrame);
    setToolTip(QStringLiteral("Click a reason to show only its runs; click it again to show all"));
    connect(this, &QTableWidget::cellClicked, this, [this](int row) {
        const QString code = item(row, 0)->text();
        m_chosen = code == m_chosen ? QString() : code;
        setChosen(m_chosen);
        Q_EMIT reasonChosen(m_chosen);
    });
}

void ReasonsPanel::setReasons(const QList<hub::Insights::Reason>& reasons)
{
    m_updating = true;
    setRowCount(int(reasons.size()));
    const QLocale locale;
    for (int r = 0; r < reasons.size(); ++r) {
        setItem(r, 0, new QTableWidgetItem(reasons[r].code));
        for (const auto& [column, n] : {std::pair{1, reasons[r].runs}, std::pair{2, reasons[r].failedItems}}) {
            auto* cell = new QTableWidgetItem(n ? locale.toString(n) : QStringLiteral("–"));
            cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            setItem(r, column, cell);
        }
    }
    m_updating = false;
    setChosen(m_chosen);
}

void ReasonsPanel::setChosen(const QString& reasonCode)
{
    m_chosen = reasonCode;
    clearSelection();
    for (int r = 0; r < rowCount(); ++r) {
        if (item(r, 0)->text() == reasonCode)
            selectRow(r);
    }
}

} // namespace atlas::views
