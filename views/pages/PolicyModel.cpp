#include "PolicyModel.h"

#include "support/TimeText.h"

#include <QLocale>

namespace atlas::views {

namespace {
enum Column
{
    Name,
    Type,
    Id,
    Observed,
    ColumnCount
};
} // namespace

PolicyModel::PolicyModel(bool checkable, QObject* parent)
    : QAbstractTableModel(parent)
    , m_checkable(checkable)
{ }

void PolicyModel::setPolicies(QList<catalog::Policy> policies)
{
    beginResetModel();
    m_policies = std::move(policies);
    m_checked.clear();
    endResetModel();
    Q_EMIT checkedChanged(0);
}

QStringList PolicyModel::checkedIds() const
{
    QStringList ids;
    for (const catalog::Policy& p : m_policies)
        if (m_checked.contains(p.externalId))
            ids << p.externalId;
    return ids;
}

void PolicyModel::setChecked(const QList<int>& rows, bool checked)
{
    for (int row : rows) {
        if (checked)
            m_checked.insert(m_policies.at(row).externalId);
        else
            m_checked.remove(m_policies.at(row).externalId);
    }
    if (!m_policies.isEmpty())
        Q_EMIT dataChanged(index(0, Name), index(rowCount() - 1, Name), {Qt::CheckStateRole});
    Q_EMIT checkedChanged(checkedCount());
}

int PolicyModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_policies.size());
}

int PolicyModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PolicyModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_policies.size())
        return {};
    const catalog::Policy& p = m_policies.at(index.row());
    if (role == Qt::CheckStateRole && m_checkable && index.column() == Name)
        return m_checked.contains(p.externalId) ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Name:
            return p.displayName.isEmpty() ? QStringLiteral("(no name)") : p.displayName;
        case Type:
            return p.policyType;
        case Id:
            return p.externalId;
        case Observed:
            return support::TimeText::dateTime(p.lastObserved);
        default:
            break;
        }
    }
    return {};
}

bool PolicyModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!m_checkable || role != Qt::CheckStateRole || index.column() != Name)
        return false;
    setChecked({index.row()}, value.toInt() == Qt::Checked);
    return true;
}

Qt::ItemFlags PolicyModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (m_checkable && index.column() == Name)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant PolicyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return QStringLiteral("Policy");
    case Type:
        return QStringLiteral("Type");
    case Id:
        return QStringLiteral("Policy id");
    case Observed:
        return QStringLiteral("Last observed");
    default:
        return {};
    }
}

PolicyFilter::PolicyFilter(QObject* parent)
    : QSortFilterProxyModel(parent)
{ }

void PolicyFilter::setSearch(const QString& text)
{
    m_search = text.trimmed();
    invalidateFilter();
}

QList<int> PolicyFilter::matchingSourceRows() const
{
    QList<int> rows;
    rows.reserve(rowCount());
    for (int r = 0; r < rowCount(); ++r)
        rows.append(mapToSource(index(r, 0)).row());
    return rows;
}

bool PolicyFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    Q_UNUSED(sourceParent)
    if (m_search.isEmpty())
        return true;
    const auto* model = static_cast<const PolicyModel*>(sourceModel());
    const catalog::Policy& p = model->policyAt(sourceRow);
    return p.displayName.contains(m_search, Qt::CaseInsensitive) || p.policyType.contains(m_search, Qt::CaseInsensitive) ||
        p.externalId.contains(m_search, Qt::CaseInsensitive);
}

} // namespace atlas::views
