#include "AppIcon.h"

#include <QPainter>
#include <QSvgRenderer>

// The resources are compiled into a static library: registered here, where they are used, so
// every start (embedded, --db, a test) finds them.
static void initAtlasResources()
{
    Q_INIT_RESOURCE(atlas);
}

namespace atlas::resources {

QImage renderAppIcon(int size, const QString& svgPath)
{
    initAtlasResources();
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QSvgRenderer renderer(svgPath);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderer.render(&painter, QRectF(0, 0, size, size));
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
