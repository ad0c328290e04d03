#pragma once

#include <QIcon>
#include <QImage>

namespace atlas::resources {

// The application icon, rendered from its one drawing, icons/atlas-ops.svg (compiled in through
// atlas.qrc, or read from `svgPath`): the window, the tray and the package's hicolor PNGs.
QImage renderAppIcon(int size, const QString& svgPath = QStringLiteral(":/icons/atlas-ops.svg"));
QIcon appIcon();

} // namespace atlas::resources
