// Renders the application icon (resources/icons/atlas-ops.svg) as PNG files for each hicolor size.
//   atlas-icongen SVG OUTDIR SIZE...   writes OUTDIR/SIZE/atlas-ops.png
#include "AppIcon.h"

#include <QDir>
#include <QGuiApplication>

int main(int argc, char** argv)
{
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 4)
        return 2;
    for (int i = 3; i < args.size(); ++i) {
        const int size = args[i].toInt();
        const QString dir = args[2] + QLatin1Char('/') + QString::number(size);
        QDir().mkpath(dir);
        const QImage image = atlas::resources::renderAppIcon(size, args[1]);
        if (image.pixelColor(size / 2, size / 2).alpha() == 0 || !image.save(dir + QStringLiteral("/atlas-ops.png")))
            return 1; // an empty render means the SVG was not read
    }
    return 0;
}
