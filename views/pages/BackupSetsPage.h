#pragma once

#include "ProducerPage.h"
#include "catalog/Catalog.h"

class QLineEdit;
class QPushButton;
class QTableWidget;

namespace atlas::views {

class PolicyPicker;

// Backup sets: list and create them, "Add policies" through a searchable multi-select picker
// over the inventory, and the policies a set holds.
class BackupSetsPage final : public ProducerPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BackupSetsPage)
public:
    BackupSetsPage(PageContext context, QWidget* parent = nullptr);

    void reload() override;
    // Selects backup set `setId` and shows its items (the hub's result link).
    void showResult(qint64 setId) override;
    qint64 shownSet() const;
    void createSet(const QString& name);
    // Opens the picker for the selected set (modal); started runs show in the banner.
    void addPolicies();
    // Starts add-policies for the selected set with these policies (what the picker's OK does).
    void addPolicies(const QStringList& policyIds);
    // Writes the selected set as an IntuneManagement export into `folder` (a new or empty one).
    void exportTo(const QString& folder);

    QPushButton* createButton() const { return m_create; }
    QPushButton* addButton() const { return m_add; }
    QPushButton* exportButton() const { return m_export; }
    QTableWidget* setTable() const { return m_sets; }
    QTableWidget* itemTable() const { return m_items; }

Q_SIGNALS:
    void setsLoaded();
    void itemsLoaded(qint64 setId);
    // The picker is open (tests and screenshots drive it).
    void pickerOpened(atlas::views::PolicyPicker* picker);

private:
    void loadItems();
    void startAdd(const QStringList& policyIds, bool confirm);
    void updateAdd();
    QString setName(qint64 id) const;

    QPushButton* m_create;
    QPushButton* m_add;
    QPushButton* m_export;
    QTableWidget* m_sets;
    QLineEdit* m_itemSearch;
    QTableWidget* m_items;
    QList<catalog::BackupSet> m_setRows;
    qint64 m_wanted = 0;
    quint64 m_generation = 0;
};

} // namespace atlas::views
