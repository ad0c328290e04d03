#include "Tables.h"

#include "support/TimeText.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>

namespace atlas::views {

namespace {
// A cell that sorts numbers ("42", "#42") as numbers and anything else as text (times are
// written so that text order is time order).
class SortableItem final : public QTableWidgetItem
{
public:
    using QTableWidgetItem::QTableWidgetItem;
    bool operator<(const QTableWidgetItem& other) const override
    {
        bool a = false;
        bool b = false;
        const double x = number(text(), &a);
        const double y = number(other.text(), &b);
        if (a && b)
            return x < y;
        return QString::localeAwareCompare(text(), other.text()) < 0;
    }

private:
    static double number(const QString& text, bool* ok)
    {
        return (text.startsWith(QLatin1Char('#')) ? text.mid(1) : text).toDouble(ok);
    }
};
} // namespace

void configureListView(QTableView* view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->setVisible(false);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->setWordWrap(false);
}

QTableWidget* makeListTable(const QStringList& headers, QWidget* parent)
{
    auto* table = new QTableWidget(parent);
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    configureListView(table);
    // A header click sorts the rows shown; until then they keep the order they were read in.
    table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    table->setSortingEnabled(true);
    return table;
}

void fillTable(QTableWidget* table, const QList<QStringList>& rows, const QVariantList& keys)
{
    const QVariant previous = currentKey(table);
    const bool sorting = table->isSortingEnabled();
    table->setSortingEnabled(false); // rows go where they are put, then the chosen order applies
    table->setUpdatesEnabled(false);
    table->clearContents();
    table->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        for (int c = 0; c < rows[r].size() && c < table->columnCount(); ++c) {
            auto* item = new SortableItem(rows[r][c]);
            item->setToolTip(rows[r][c]);
            if (c == 0 && r < keys.size())
                item->setData(Qt::UserRole, keys[r]);
            table->setItem(r, c, item);
        }
    }
    table->setSortingEnabled(sorting);
    table->setUpdatesEnabled(true);
    if (previous.isValid())
        selectKey(table, previous);
}

QVariant currentKey(const QTableWidget* table)
{
    const int row = table->currentRow();
    const QTableWidgetItem* item = row >= 0 ? table->item(row, 0) : nullptr;
    return item ? item->data(Qt::UserRole) : QVariant();
}

bool selectKey(QTableWidget* table, const QVariant& key)
{
    for (int r = 0; r < table->rowCount(); ++r) {
        if (table->item(r, 0) && table->item(r, 0)->data(Qt::UserRole) == key) {
            table->setCurrentCell(r, 0);
            table->scrollToItem(table->item(r, 0));
            return true;
        }
    }
    return false;
}

QString shortTime(const QDateTime& t)
{
    return support::TimeText::dateTime(t); // the console's one format
}

QString counted(qsizetype n, const QString& one, const QString& many)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

QHBoxLayout* makePageHeader(QLabel* title, QLabel* subtitle)
{
    QFont f = title->font();
    f.setPointSizeF(f.pointSizeF() * 1.4);
    f.setBold(true);
    title->setFont(f);
    subtitle->setForegroundRole(QPalette::PlaceholderText);
    subtitle->setWordWrap(true); // long summaries wrap instead of widening the window
    auto* heading = new QVBoxLayout;
    heading->setSpacing(2);
    heading->addWidget(title);
    heading->addWidget(subtitle);
    auto* top = new QHBoxLayout;
    top->addLayout(heading, 1);
    return top;
}

} // namespace atlas::views
