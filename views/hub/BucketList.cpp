#include "BucketList.h"

#include "StatusStyle.h"
#include "runs/RunStatus.h"

#include <QPainter>
#include <QStyledItemDelegate>

namespace atlas::views {

namespace {
constexpr int kAllRuns = -1; // the item's bucket data for "All runs"

// Paints the item as usual and its count right-aligned in a rounded badge.
class CountDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(p, option, index);
        const QVariant count = index.data(Qt::UserRole + 1);
        if (!count.isValid())
            return;
        const QString text = QLocale().toString(count.toInt());
        const QFontMetrics fm(option.font);
        const int w = fm.horizontalAdvance(text) + 14;
        const int h = fm.height() + 2;
        const QRect badge(option.rect.right() - w - 6, option.rect.center().y() - h / 2, w, h);
        p->save();
        p->setRenderHint(QPainter::Antialiasing);
        p->setPen(Qt::NoPen);
        QColor bg = option.palette.color(QPalette::Mid);
        bg.setAlpha(70);
        p->setBrush(bg);
        p->drawRoundedRect(badge, h / 2.0, h / 2.0);
        p->setPen(option.palette.color(QPalette::Text));
        p->drawText(badge, Qt::AlignCenter, text);
        p->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize s = QStyledItemDelegate::sizeHint(option, index);
        s.setHeight(std::max(s.height(), 28));
        return s;
    }
};
} // namespace

BucketList::BucketList(QWidget* parent)
    : QListWidget(parent)
{
    setObjectName(QStringLiteral("bucketList"));
    setFrameShape(QFrame::NoFrame);
    setIconSize(QSize(16, 16));
    setSpacing(1);
    auto* all = new QListWidgetItem(QStringLiteral("All runs"), this);
    all->setData(Qt::UserRole, kAllRuns);
    for (const runs::Bucket bucket : runs::allBuckets()) {
        auto* item = new QListWidgetItem(StatusStyle::icon(bucket), runs::bucketLabel(bucket), this);
        item->setData(Qt::UserRole, int(bucket));
    }
    setItemDelegate(new CountDelegate(this));
    setCurrentRow(0);
    setMaximumWidth(230);
    setMinimumWidth(150);
    connect(this, &QListWidget::currentRowChanged, this, [this] {
        if (!m_updating)
            Q_EMIT bucketChosen(bucket());
    });
}

void BucketList::setCounts(const hub::BucketCounts& counts)
{
    int total = 0;
    for (int n : counts)
        total += n;
    for (int i = 0; i < count(); ++i) {
        QListWidgetItem* it = item(i);
        const int data = it->data(Qt::UserRole).toInt();
        const bool all = data == kAllRuns;
        const QString label = all ? QStringLiteral("All runs") : runs::bucketLabel(runs::Bucket(data));
        const int n = all ? total : counts.value(runs::Bucket(data));
        it->setText(label);
        it->setData(Qt::UserRole + 1, n);
        it->setToolTip(QStringLiteral("%1: %2 runs").arg(label).arg(n));
    }
}

void BucketList::setBucket(std::optional<runs::Bucket> bucket)
{
    m_updating = true;
    const int wanted = bucket ? int(*bucket) : kAllRuns;
    for (int i = 0; i < count(); ++i) {
        if (item(i)->data(Qt::UserRole).toInt() == wanted)
            setCurrentRow(i);
    }
    m_updating = false;
}

std::optional<runs::Bucket> BucketList::bucket() const
{
    if (!currentItem() || currentItem()->data(Qt::UserRole).toInt() == kAllRuns)
        return std::nullopt;
    return runs::Bucket(currentItem()->data(Qt::UserRole).toInt());
}

} // namespace atlas::views
