#include "InventoryPage.h"

#include "PolicyModel.h"
#include "Tables.h"
#include "db/DbWorker.h"

#include <QFileDialog>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace atlas::views {

InventoryPage::InventoryPage(PageContext context, QWidget* parent)
    : ProducerPage(QStringLiteral("inventoryPage"), QStringLiteral("Inventory"), context, parent)
    , m_import(new QPushButton(style()->standardIcon(QStyle::SP_DialogOpenButton), QStringLiteral("Import folder…"), this))
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_model(new PolicyModel(false, this))
    , m_filter(new PolicyFilter(this))
{
    m_import->setObjectName(QStringLiteral("importFolder"));
    m_import->setToolTip(QStringLiteral("Import an IntuneManagement export folder as this tenant's inventory"));
    addStartControl(m_import);
    addCancelControl(QStringLiteral("inventory"), QStringLiteral("import"));
    m_search->setPlaceholderText(QStringLiteral("Search by name, type or policy id"));
    m_search->setClearButtonEnabled(true);
    m_filter->setSourceModel(m_model);
    m_table->setModel(m_filter);
    configureListView(m_table);
    m_table->setColumnWidth(0, 420);
    m_table->setColumnWidth(1, 220);
    m_table->setColumnWidth(2, 300);
    body()->addWidget(m_search);
    body()->addWidget(m_table, 1);
    setSubtitle(QStringLiteral("Policies as last observed."));

    connect(m_search, &QLineEdit::textChanged, m_filter, &PolicyFilter::setSearch);
    connect(m_import, &QPushButton::clicked, this, [this] {
        QSettings settings;
        const QString folder = QFileDialog::getExistingDirectory(
            this, QStringLiteral("Choose an IntuneManagement export folder"),
            settings.value(QStringLiteral("inventory/lastFolder"), QDir::homePath()).toString());
        if (folder.isEmpty())
            return;
        settings.setValue(QStringLiteral("inventory/lastFolder"), folder);
        importFolder(folder);
    });
}

void InventoryPage::importFolder(const QString& folder)
{
    const QUuid tenant = this->tenant();
    startRun(QStringLiteral("Inventory import"),
             QStringLiteral("Import the export in\n%1\ninto the inventory of %2?\n\nPolicies missing from the export "
                            "will no longer count as current.")
                 .arg(QDir::toNativeSeparators(folder), tenantName()),
             [tenant, folder](db::Connection&, QString* error) {
                 return runs::RunRequests::inventoryImport(tenant, folder, error);
             });
}

void InventoryPage::reload()
{
    const QUuid tenant = this->tenant();
    const quint64 generation = ++m_generation;
    reads()->post<catalog::Rows<catalog::Policy>>(
        this, [tenant](db::Connection& conn) { return catalog::currentPolicies(conn, tenant); },
        [this, generation](const catalog::Rows<catalog::Policy>& result) {
            if (generation != m_generation)
                return; // a newer reload is on its way
            m_model->setPolicies(result.rows);
            setSubtitle(result.error.isEmpty()
                            ? QStringLiteral("%1 of %2 as last observed.")
                                  .arg(counted(result.rows.size(), QStringLiteral("policy"), QStringLiteral("policies")), tenantName())
                            : QStringLiteral("Cannot read the inventory: %1").arg(result.error));
            Q_EMIT loaded(int(result.rows.size()));
        });
}

} // namespace atlas::views
