#pragma once

#include "runs/RunStatus.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace atlas::views {

// Colour and icon of each status bucket, the same on every screen.
class StatusStyle final
{
public:
    static QColor color(runs::Bucket bucket);
    static QIcon icon(runs::Bucket bucket);
    // A drift finding's marker ("added", "removed", "modified"), drawn rather than a glyph, so
    // it shows whatever fonts the desktop has.
    static QIcon changeIcon(const QString& change);
    // `base` moved `amount` (0..1) of the way towards `accent`: a tint that keeps the palette's
    // lightness, so it reads on light and dark themes alike.
    static QColor blend(const QColor& base, const QColor& accent, qreal amount);
};

} // namespace atlas::views
