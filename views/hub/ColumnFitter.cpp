#include "ColumnFitter.h"

#include <QEvent>
#include <QHeaderView>
#include <QSignalBlocker>
#include <QTableView>

#include <algorithm>

namespace atlas::views {

ColumnFitter::ColumnFitter(QTableView* table, QList<Flex> flexible, std::function<int(int)> defaultWidth)
    : QObject(table)
    , m_table(table)
    , m_flexible(std::move(flexible))
    , m_defaultWidth(std::move(defaultWidth))
{
    QHeaderView* header = m_table->horizontalHeader();
    takeWidths();
    // A width the person drags is theirs (the stretched last column's is the header's). A column
    // hidden or shown (its size to or from 0) changes the room the others have.
    connect(header, &QHeaderView::sectionResized, this, [this](int column, int oldSize, int size) {
        if (m_fitting)
            return;
        if (size > 0 && column != lastVisibleColumn())
            m_preferred.insert(column, size);
        if (size == 0 || oldSize == 0)
            fit();
    });
    m_table->viewport()->installEventFilter(this);
}

void ColumnFitter::takeWidths()
{
    const QHeaderView* header = m_table->horizontalHeader();
    m_preferred.clear();
    for (int c = 0; c < header->count(); ++c) {
        if (header->sectionSize(c) > 0)
            m_preferred.insert(c, header->sectionSize(c));
    }
}

int ColumnFitter::preferred(int column) const
{
    return m_preferred.value(column, m_defaultWidth(column));
}

int ColumnFitter::lastVisibleColumn() const
{
    const QHeaderView* header = m_table->horizontalHeader();
    for (int v = header->count() - 1; v >= 0; --v) {
        const int c = header->logicalIndex(v);
        if (!header->isSectionHidden(c))
            return c;
    }
    return -1;
}

void ColumnFitter::fit()
{
    QHeaderView* header = m_table->horizontalHeader();
    const int last = lastVisibleColumn();
    int need = 0;
    for (int c = 0; c < header->count(); ++c) {
        if (!header->isSectionHidden(c))
            need += c == last ? std::min(preferred(c), m_defaultWidth(c)) : preferred(c);
    }
    int excess = need - m_table->viewport()->width();
    const auto flexes = [&](const Flex& f) { return !header->isSectionHidden(f.column) && f.column != last; };
    int spare = 0;
    for (const Flex& f : std::as_const(m_flexible)) {
        if (flexes(f))
            spare += std::max(0, preferred(f.column) - f.least);
    }
    // When even their least is too wide, scrolling stays: only the first gives way, the others
    // keep their words.
    const bool fits = excess <= spare;
    bool first = true;
    m_fitting = true;
    for (const Flex& f : std::as_const(m_flexible)) {
        if (!flexes(f))
            continue;
        const int want = preferred(f.column);
        const int give = fits || first ? std::clamp(excess, 0, std::max(0, want - f.least)) : 0;
        first = false;
        if (header->sectionSize(f.column) != want - give)
            header->resizeSection(f.column, want - give);
        excess -= give;
    }
    m_fitting = false;
}

QByteArray ColumnFitter::saveState() const
{
    QHeaderView* header = m_table->horizontalHeader();
    const QSignalBlocker quiet(header);
    QHash<int, int> fitted;
    const int last = lastVisibleColumn();
    for (const Flex& f : m_flexible) {
        if (header->isSectionHidden(f.column) || f.column == last || header->sectionSize(f.column) == preferred(f.column))
            continue;
        fitted.insert(f.column, header->sectionSize(f.column));
        header->resizeSection(f.column, preferred(f.column));
    }
    const QByteArray state = header->saveState();
    for (auto it = fitted.cbegin(); it != fitted.cend(); ++it)
        header->resizeSection(it.key(), it.value());
    return state;
}

bool ColumnFitter::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fit();
    return QObject::eventFilter(watched, event);
}

} // namespace atlas::views
