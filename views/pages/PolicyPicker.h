#pragma once

#include "catalog/Catalog.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace atlas::views {

class PolicyFilter;
class PolicyModel;

// "Add policies": a searchable, multi-select list of the tenant's current policies. Check
// single rows, or "Select all matching" for everything the search shows.
class PolicyPicker final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyPicker)
public:
    PolicyPicker(const QString& setName, QWidget* parent = nullptr);

    // Fills the list (the page loads it off the GUI thread); an error replaces the list.
    void setPolicies(const catalog::Rows<catalog::Policy>& policies);
    QStringList selectedIds() const;

    QLineEdit* searchField() const { return m_search; }
    QTableView* table() const { return m_table; }
    PolicyModel* model() const { return m_model; }
    QPushButton* selectAllButton() const { return m_selectAll; }
    QPushButton* clearButton() const { return m_clear; }
    QPushButton* addButton() const { return m_add; }

private:
    void updateCounts();

    QString m_setName;
    QLineEdit* m_search;
    QTableView* m_table;
    QLabel* m_counts;
    PolicyModel* m_model;
    PolicyFilter* m_filter;
    QPushButton* m_selectAll;
    QPushButton* m_clear;
    QPushButton* m_add;
    bool m_loaded = false;
};

} // namespace atlas::views
