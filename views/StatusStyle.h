#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

namespace atlas::views {

// Colour and icon of each status bucket, the same on every screen.
class StatusStyle final
{
public:
    static QColor color(const QString& bucket);
    static QIcon icon(const QString& bucket);
};

} // namespace atlas::views
