#pragma once

#include <QString>

namespace atlas::resources {

// The console's look: "system" (the desktop's style and light or dark palette, the default),
// or "light" / "dark" (Fusion with a palette of our own) for desktops that give Qt no dark
// palette. Every colour the console draws itself is derived from the palette in use.
// Chosen by $ATLAS_THEME, else the setting appearance/theme.
class Theme final
{
public:
    static QString configured();
    static void apply(const QString& theme);
    static bool isDark();
};

} // namespace atlas::resources
