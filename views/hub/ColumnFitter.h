#pragma once

#include <QHash>
#include <QList>
#include <QObject>

#include <functional>

class QTableView;

namespace atlas::views {

// Keeps a table's columns in view when its room shrinks (a detail pane opens beside it, the
// window narrows): the flexible columns, in the order given, give up width down to their least,
// and get the person's own widths back as the room returns. The widths a person sets are the
// ones kept and saved; the fitted ones are for the moment only. Where even their least widths
// leave too little room, only the first gives way and the table scrolls. The last visible
// column stretches (QHeaderView::stretchLastSection) and counts at its default width.
class ColumnFitter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnFitter)
public:
    struct Flex
    {
        int column;
        int least;
    };
    ColumnFitter(QTableView* table, QList<Flex> flexible, std::function<int(int)> defaultWidth);

    // Takes the header's widths as the person's (after restoreState, or a reset).
    void takeWidths();
    // The header's state with the person's widths, not the fitted ones (for QSettings).
    QByteArray saveState() const;
    void fit();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    int preferred(int column) const;
    int lastVisibleColumn() const;

    QTableView* m_table;
    QList<Flex> m_flexible;
    std::function<int(int)> m_defaultWidth;
    QHash<int, int> m_preferred;
    bool m_fitting = false;
};

} // namespace atlas::views
