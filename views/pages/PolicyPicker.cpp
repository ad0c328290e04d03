#include "PolicyPicker.h"

#include "PolicyModel.h"
#include "Tables.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <numeric>

namespace atlas::views {

PolicyPicker::PolicyPicker(const QString& setName, QWidget* parent)
    : QDialog(parent)
    , m_setName(setName)
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_counts(new QLabel(QStringLiteral("Loading the inventory…"), this))
    , m_model(new PolicyModel(true, this))
    , m_filter(new PolicyFilter(this))
    , m_selectAll(new QPushButton(QStringLiteral("Select all matching"), this))
    , m_clear(new QPushButton(QStringLiteral("Clear selection"), this))
    , m_add(new QPushButton(this))
{
    setObjectName(QStringLiteral("policyPicker"));
    setWindowTitle(QStringLiteral("Add policies to “%1”").arg(setName));
    resize(1000, 600);
    m_search->setObjectName(QStringLiteral("pickerSearch"));
    m_search->setPlaceholderText(QStringLiteral("Search by name, type or policy id"));
    m_search->setClearButtonEnabled(true);
    m_filter->setSourceModel(m_model);
    m_table->setObjectName(QStringLiteral("pickerTable"));
    m_table->setModel(m_filter);
    configureListView(m_table);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setColumnWidth(0, 360);
    m_table->setColumnWidth(1, 170);
    m_table->setColumnWidth(2, 280);
    m_add->setObjectName(QStringLiteral("pickerAdd"));
    m_add->setDefault(true);

    auto* tools = new QHBoxLayout;
    tools->addWidget(m_search, 1);
    tools->addWidget(m_selectAll);
    tools->addWidget(m_clear);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_add, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_counts, 1);
    bottom->addWidget(buttons);
    auto* v = new QVBoxLayout(this);
    v->addLayout(tools);
    v->addWidget(m_table, 1);
    v->addLayout(bottom);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setSearch(text);
        updateCounts();
    });
    connect(m_selectAll, &QPushButton::clicked, this, [this] { m_model->setChecked(m_filter->matchingSourceRows(), true); });
    connect(m_clear, &QPushButton::clicked, this, [this] {
        QList<int> all(m_model->rowCount());
        std::iota(all.begin(), all.end(), 0);
        m_model->setChecked(all, false);
    });
    // Enter or a double-click toggles a row.
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        const QModelIndex source = m_filter->mapToSource(index);
        const bool checked = m_model->data(m_model->index(source.row(), 0), Qt::CheckStateRole).toInt() == Qt::Checked;
        m_model->setChecked({source.row()}, !checked);
    });
    connect(m_model, &PolicyModel::checkedChanged, this, &PolicyPicker::updateCounts);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_search->setFocus();
    updateCounts();
}

void PolicyPicker::setPolicies(const catalog::Rows<catalog::Policy>& policies)
{
    m_loaded = true;
    m_model->setPolicies(policies.rows);
    if (!policies.error.isEmpty())
        m_counts->setText(QStringLiteral("Cannot read the inventory: %1").arg(policies.error));
    else
        updateCounts();
}

QStringList PolicyPicker::selectedIds() const
{
    return m_model->checkedIds();
}

void PolicyPicker::updateCounts()
{
    const int selected = m_model->checkedCount();
    m_add->setText(selected == 1 ? QStringLiteral("Add 1 policy") : QStringLiteral("Add %1 policies").arg(selected));
    m_add->setEnabled(selected > 0);
    if (!m_loaded)
        return;
    if (m_model->rowCount() == 0) {
        m_counts->setText(QStringLiteral("The inventory of this tenant is empty: import an export first."));
        return;
    }
    m_counts->setText(
        QStringLiteral("%1 selected · %2 shown of %3 policies").arg(selected).arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

} // namespace atlas::views
