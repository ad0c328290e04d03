#pragma once

#include "catalog/Catalog.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QSortFilterProxyModel>

namespace atlas::views {

// The inventory's policies as a table (name, type, id, last observed); optionally checkable,
// for the Add-policies picker.
class PolicyModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyModel)
public:
    explicit PolicyModel(bool checkable, QObject* parent = nullptr);

    void setPolicies(QList<catalog::Policy> policies);
    const catalog::Policy& policyAt(int row) const { return m_policies.at(row); }
    QStringList checkedIds() const; // in table order
    int checkedCount() const { return int(m_checked.size()); }
    void setChecked(const QList<int>& rows, bool checked);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

Q_SIGNALS:
    void checkedChanged(int count);

private:
    bool m_checkable;
    QList<catalog::Policy> m_policies;
    QSet<QString> m_checked;
};

// Case-insensitive search over a policy's name, type and id.
class PolicyFilter final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyFilter)
public:
    explicit PolicyFilter(QObject* parent = nullptr);
    void setSearch(const QString& text);
    // Source rows that pass the filter.
    QList<int> matchingSourceRows() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_search;
};

} // namespace atlas::views
