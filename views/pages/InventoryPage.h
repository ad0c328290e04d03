#pragma once

#include "ProducerPage.h"
#include "inventory/ImportPreview.h"

class QLineEdit;
class QPushButton;
class QTableView;

namespace atlas::views {

class PolicyFilter;
class PolicyModel;

// The tenant's policies as last observed, searchable; "Import folder…" starts an inventory
// import of an IntuneManagement export folder.
class InventoryPage final : public ProducerPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InventoryPage)
public:
    InventoryPage(PageContext context, QWidget* parent = nullptr);

    void reload() override;
    // Starts an import of `folder` (the folder chooser's answer): first what the folder holds
    // per policy type against the inventory now, and, when the import would retire more than
    // the database allows, the choice to allow it.
    void importFolder(const QString& folder);
    QPushButton* importButton() const { return m_import; }
    QTableView* table() const { return m_table; }
    PolicyModel* model() const { return m_model; }

Q_SIGNALS:
    void loaded(int policies);

private:
    void confirmImport(const QString& folder, const inventory::ImportPreview& preview);

    QPushButton* m_import;
    QLineEdit* m_search;
    QTableView* m_table;
    PolicyModel* m_model;
    PolicyFilter* m_filter;
    quint64 m_generation = 0;
};

} // namespace atlas::views
