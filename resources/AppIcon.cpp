#include "AppIcon.h"

#include <QPainter>
#include <QPainterPath>

namespace atlas::resources {

QImage renderAppIcon(int size)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 256.0, size / 256.0);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x1f, 0x4e, 0x8c));
    p.drawRoundedRect(QRectF(16, 16, 224, 224), 48, 48);
    QPen white(Qt::white, 14);
    p.setPen(white);
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(QPointF(128, 128), 72, 72);
    white.setWidth(10);
    white.setCapStyle(Qt::RoundCap);
    p.setPen(white);
    p.drawLine(QPointF(56, 128), QPointF(200, 128));
    QPainterPath meridian;
    meridian.moveTo(128, 56);
    meridian.cubicTo(98, 88, 98, 168, 128, 200);
    meridian.moveTo(128, 56);
    meridian.cubicTo(158, 88, 158, 168, 128, 200);
    p.drawPath(meridian);
    p.setPen(QPen(QColor(0x1f, 0x4e, 0x8c), 8));
    p.setBrush(QColor(0x2e, 0x9d, 0x5b));
    p.drawEllipse(QPointF(186, 186), 30, 30);
    QPen tick(Qt::white, 8, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(tick);
    p.drawPolyline(QPolygonF{{172, 186}, {182, 196}, {200, 176}});
    p.end();
    return image;
}

QIcon appIcon()
{
    // The installed theme icon when there is one; otherwise the drawing at the usual sizes.
    QIcon icon = QIcon::fromTheme(QStringLiteral("atlas-ops"));
    if (!icon.isNull())
        return icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(QPixmap::fromImage(renderAppIcon(size)));
    return icon;
}

} // namespace atlas::resources
