#include "StatusStyle.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace atlas::views {

QColor StatusStyle::color(runs::Bucket bucket)
{
    switch (bucket) {
    case runs::Bucket::Queued:
        return {0x80, 0x86, 0x9a};
    case runs::Bucket::Running:
        return {0x2b, 0x7c, 0xd3};
    case runs::Bucket::Succeeded:
        return {0x2e, 0x9d, 0x5b};
    case runs::Bucket::PartiallySucceeded:
        return {0xd9, 0x8c, 0x1f};
    case runs::Bucket::Failed:
        return {0xd1, 0x3b, 0x3b};
    case runs::Bucket::Unknown:
        break;
    }
    return {0x99, 0x99, 0x99};
}

QColor StatusStyle::blend(const QColor& base, const QColor& accent, qreal amount)
{
    QColor c;
    c.setRgbF(base.redF() * (1 - amount) + accent.redF() * amount, base.greenF() * (1 - amount) + accent.greenF() * amount,
              base.blueF() * (1 - amount) + accent.blueF() * amount);
    return c;
}

QIcon StatusStyle::icon(runs::Bucket bucket)
{
    static QHash<runs::Bucket, QIcon> cache;
    auto it = cache.find(bucket);
    if (it != cache.end())
        return *it;
    QIcon icon;
    for (int size : {16, 32}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        const QColor c = color(bucket);
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        const qreal m = size * 0.12;
        const QRectF r(m, m, size - 2 * m, size - 2 * m);
        if (bucket == runs::Bucket::PartiallySucceeded) {
            p.drawPie(r, 90 * 16, 180 * 16); // half filled
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(c, size * 0.12));
            p.drawEllipse(r.adjusted(size * 0.06, size * 0.06, -size * 0.06, -size * 0.06));
        } else if (bucket == runs::Bucket::Queued) {
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(c, size * 0.14));
            p.drawEllipse(r.adjusted(size * 0.07, size * 0.07, -size * 0.07, -size * 0.07));
        } else {
            p.drawEllipse(r);
            p.setPen(QPen(Qt::white, size * 0.12, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            if (bucket == runs::Bucket::Succeeded) {
                p.drawPolyline(QPolygonF{{size * 0.30, size * 0.52}, {size * 0.45, size * 0.66}, {size * 0.71, size * 0.36}});
            } else if (bucket == runs::Bucket::Failed) {
                p.drawLine(QPointF(size * 0.34, size * 0.34), QPointF(size * 0.66, size * 0.66));
                p.drawLine(QPointF(size * 0.66, size * 0.34), QPointF(size * 0.34, size * 0.66));
            } else if (bucket == runs::Bucket::Running) {
                p.drawLine(QPointF(size * 0.5, size * 0.28), QPointF(size * 0.5, size * 0.52));
                p.drawLine(QPointF(size * 0.5, size * 0.52), QPointF(size * 0.68, size * 0.62));
            }
        }
        p.end();
        icon.addPixmap(pm);
    }
    cache.insert(bucket, icon);
    return icon;
}

QIcon StatusStyle::changeIcon(const QString& change)
{
    static QHash<QString, QIcon> cache;
    const auto it = cache.constFind(change);
    if (it != cache.cend())
        return *it;
    const bool added = change == QLatin1String("added");
    const bool removed = change == QLatin1String("removed");
    const QColor c = added ? color(runs::Bucket::Succeeded)
        : removed          ? color(runs::Bucket::Failed)
                           : color(runs::Bucket::PartiallySucceeded);
    QIcon icon;
    for (int size : {16, 32}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal m = size * 0.1;
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawRoundedRect(QRectF(m, m, size - 2 * m, size - 2 * m), size * 0.2, size * 0.2);
        p.setPen(QPen(Qt::white, size * 0.13, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(Qt::NoBrush);
        const qreal lo = size * 0.3, hi = size * 0.7, mid = size * 0.5;
        if (added || removed)
            p.drawLine(QPointF(lo, mid), QPointF(hi, mid));
        if (added)
            p.drawLine(QPointF(mid, lo), QPointF(mid, hi));
        if (!added && !removed) // a small triangle: changed
            p.drawPolygon(QPolygonF{{mid, size * 0.3}, {size * 0.72, size * 0.68}, {size * 0.28, size * 0.68}});
        p.end();
        icon.addPixmap(pm);
    }
    cache.insert(change, icon);
    return icon;
}

} // namespace atlas::views
