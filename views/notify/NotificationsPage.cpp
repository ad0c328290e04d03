#include "NotificationsPage.h"

#include "NotificationCenter.h"
#include "pages/Tables.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace atlas::views {

NotificationsPage::NotificationsPage(NotificationCenter* center, QWidget* parent)
    : QWidget(parent)
    , m_center(center)
    , m_summary(new QLabel(this))
    , m_markRead(new QPushButton(QStringLiteral("Mark read"), this))
    , m_markAll(new QPushButton(QStringLiteral("Mark all read"), this))
    , m_table(makeListTable({QStringLiteral(""), QStringLiteral("When"), QStringLiteral("Notification"),
                             QStringLiteral("Details"), QStringLiteral("Tenant")},
                            this))
{
    setObjectName(QStringLiteral("notificationsPage"));
    auto* title = new QLabel(QStringLiteral("Notifications"), this);
    m_markRead->setObjectName(QStringLiteral("markRead"));
    m_markAll->setObjectName(QStringLiteral("markAllRead"));
    m_table->setObjectName(QStringLiteral("notificationTable"));
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setColumnWidth(0, 28);
    m_table->setColumnWidth(1, 140);
    m_table->setColumnWidth(2, 300);
    m_table->setColumnWidth(3, 480);
    m_table->setToolTip(QStringLiteral("Double-click to open the run"));

    QHBoxLayout* top = makePageHeader(title, m_summary);
    top->addWidget(m_markRead);
    top->addWidget(m_markAll);
    auto* v = new QVBoxLayout(this);
    v->addLayout(top);
    v->addWidget(m_table, 1);

    connect(m_center, &NotificationCenter::changed, this, &NotificationsPage::refill);
    connect(m_markRead, &QPushButton::clicked, this, [this] {
        const QList<qint64> ids = selectedIds();
        if (!ids.isEmpty())
            m_center->markRead(ids);
    });
    connect(m_markAll, &QPushButton::clicked, this, [this] { m_center->markRead({}); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] { m_markRead->setEnabled(!selectedIds().isEmpty()); });
    connect(m_table, &QTableWidget::activated, this, [this](const QModelIndex& index) {
        const QList<catalog::Notification>& rows = m_center->notifications();
        if (index.row() < 0 || index.row() >= rows.size())
            return;
        const catalog::Notification n = rows.at(index.row());
        if (!n.read)
            m_center->markRead({n.id});
        Q_EMIT runLinkActivated(n.runId);
    });
    refill();
}

void NotificationsPage::setTenantNames(const QHash<QUuid, QString>& names)
{
    m_tenantNames = names;
    refill();
}

void NotificationsPage::refill()
{
    const QList<catalog::Notification>& rows = m_center->notifications();
    QList<QStringList> cells;
    QVariantList keys;
    for (const catalog::Notification& n : rows) {
        cells << QStringList{n.read ? QString() : QStringLiteral("●"), shortTime(n.createdAt), n.title, n.body,
                             m_tenantNames.value(n.tenant)};
        keys << n.id;
    }
    fillTable(m_table, cells, keys);
    for (int r = 0; r < rows.size(); ++r) {
        if (rows[r].read)
            continue;
        for (int c = 0; c < m_table->columnCount(); ++c) {
            QFont f = m_table->item(r, c)->font();
            f.setBold(true);
            m_table->item(r, c)->setFont(f);
        }
        m_table->item(r, 0)->setForeground(palette().color(QPalette::Highlight));
        m_table->item(r, 0)->setToolTip(QStringLiteral("Unread"));
    }
    m_summary->setText(rows.isEmpty() ? QStringLiteral("Nothing yet: you are told here when a run of yours is queued "
                                                       "and when it finishes.")
                                      : QStringLiteral("%1 unread of %2.").arg(m_center->unread()).arg(rows.size()));
    m_markAll->setEnabled(m_center->unread() > 0);
    m_markRead->setEnabled(!selectedIds().isEmpty());
}

QList<qint64> NotificationsPage::selectedIds() const
{
    QList<qint64> ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        if (const QTableWidgetItem* item = m_table->item(index.row(), 0))
            ids << item->data(Qt::UserRole).toLongLong();
    return ids;
}

} // namespace atlas::views
