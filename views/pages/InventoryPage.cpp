#include "InventoryPage.h"

#include "PolicyModel.h"
#include "Tables.h"
#include "db/DbWorker.h"
#include "inventory/ImportJob.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
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
    addCancelControl(inventory::ImportJob::kResource, inventory::ImportJob::kAction);
    m_search->setPlaceholderText(QStringLiteral("Search by name, type or policy id"));
    m_search->setClearButtonEnabled(true);
    m_filter->setSourceModel(m_model);
    m_table->setModel(m_filter);
    configureListView(m_table);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // read order until a header is clicked
    m_table->setSortingEnabled(true);
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
    banner()->showMessage(StartBanner::Tone::Info, QStringLiteral("Reading what the folder holds…"));
    reads()->post<inventory::ImportPreview>(
        this, [tenant, folder](db::Connection& conn) { return inventory::ImportPreview::of(conn, tenant, folder); },
        [this, folder](const inventory::ImportPreview& preview) { confirmImport(folder, preview); });
}

void InventoryPage::confirmImport(const QString& folder, const inventory::ImportPreview& preview)
{
    banner()->hide();
    if (!preview.error.isEmpty()) {
        banner()->showMessage(StartBanner::Tone::Error, QStringLiteral("Cannot import: %1").arg(preview.error.toHtmlEscaped()));
        return;
    }
    bool allowRetire = false;
    if (confirmsStarts()) {
        QString rows;
        for (const inventory::ImportPreview::Type& t : preview.types)
            rows += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td></tr>")
                        .arg(t.policyType.toHtmlEscaped())
                        .arg(t.files)
                        .arg(t.current);
        QString text =
            QStringLiteral(
                "<p>Import the export in<br><b>%1</b><br>into the inventory of %2?</p>"
                "<table cellspacing='0' cellpadding='3'><tr><th align='left'>Policy type</th>"
                "<th align='right'>Files in the folder</th><th align='right'>Current policies</th></tr>"
                "%3<tr><td><b>All</b></td><td align='right'><b>%4</b></td><td align='right'><b>%5</b></td></tr></table>")
                .arg(QDir::toNativeSeparators(folder).toHtmlEscaped(), tenantName().toHtmlEscaped(), rows)
                .arg(preview.files())
                .arg(preview.current());
        if (preview.ignoredFiles > 0)
            text += QStringLiteral("<p>%1 outside policy folders or not JSON will be ignored.</p>")
                        .arg(counted(preview.ignoredFiles, QStringLiteral("file"), QStringLiteral("files")));
        text += QStringLiteral("<p>Policies missing from the export will no longer count as current.</p>");
        QMessageBox box(QMessageBox::Question, QStringLiteral("Inventory import"), QString(),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("importConfirmation"));
        box.setTextFormat(Qt::RichText);
        if (preview.files() == 0) {
            box.setIcon(QMessageBox::Warning);
            text += QStringLiteral("<p><b>The folder holds no policy files.</b> The import will fail and retire "
                                   "nothing.</p>");
        } else if (preview.guardWouldRefuse()) {
            box.setIcon(QMessageBox::Warning);
            text += QStringLiteral("<p><b>At least %1 of the %2 current policies would be retired</b> — more than "
                                   "%3&nbsp;%. Unless you allow it below, the import will retire nothing and fail "
                                   "(<i>retire_guard</i>). A mistyped folder or an unmounted share looks like "
                                   "this.</p>")
                        .arg(preview.wouldRetireAtLeast())
                        .arg(preview.current())
                        .arg(preview.guardPercent);
            auto* allow = new QCheckBox(
                QStringLiteral("Allow this import to retire more than %1 % of the current policies").arg(preview.guardPercent));
            allow->setObjectName(QStringLiteral("allowRetire"));
            box.setCheckBox(allow);
        }
        box.setText(text);
        box.setDefaultButton(QMessageBox::Yes);
        if (box.exec() != QMessageBox::Yes)
            return;
        allowRetire = box.checkBox() && box.checkBox()->isChecked();
    }
    const QUuid tenant = this->tenant();
    startRun(QStringLiteral("Inventory import"), QString(), [tenant, folder, allowRetire](db::Connection&, QString* error) {
        return inventory::ImportJob::request(tenant, folder, error, allowRetire);
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
            setSubtitle(
                result.error.isEmpty()
                    ? QStringLiteral("%1 of %2 as last observed.")
                          .arg(counted(result.rows.size(), QStringLiteral("policy"), QStringLiteral("policies")), tenantName())
                    : QStringLiteral("Cannot read the inventory: %1").arg(result.error));
            Q_EMIT loaded(int(result.rows.size()));
        });
}

} // namespace atlas::views
