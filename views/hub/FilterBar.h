#pragma once

#include "hub/RunFilter.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QTimer;

namespace atlas::views {

// Operation, time range and search of the hub. Emits the edited filter; the bucket is set by
// the bucket list beside the table.
class FilterBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterBar)
public:
    explicit FilterBar(QWidget* parent = nullptr);

    void setFilter(const hub::RunFilter& filter); // shows it without emitting
    void focusSearch();
    QLineEdit* searchEdit() const { return m_search; }
    QComboBox* operationCombo() const { return m_operation; }
    QComboBox* rangeCombo() const { return m_range; }

Q_SIGNALS:
    void filterEdited(const atlas::hub::RunFilter& filter);
    void exportRequested();

private:
    void emitFilter();

    hub::RunFilter m_filter;
    QComboBox* m_operation;
    QComboBox* m_range;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QLineEdit* m_search;
    QTimer* m_searchDelay;
    bool m_updating = false;
};

} // namespace atlas::views
