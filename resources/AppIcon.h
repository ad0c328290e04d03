#pragma once

#include <QIcon>
#include <QImage>

namespace atlas::resources {

// The application icon, drawn (the same drawing as icons/atlas-ops.svg) so it needs no SVG
// plugin: the window, the tray and the hicolor PNGs of the package all come from here.
QImage renderAppIcon(int size);
QIcon appIcon();

} // namespace atlas::resources
