// Renders the application icon as PNG files for each hicolor size.
//   atlas-icongen OUTDIR SIZE...   writes OUTDIR/SIZE/atlas-ops.png
#include "AppIcon.h"

#include <QDir>
#include <QGuiApplication>

int main(int argc, char** argv)
{
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3)
        return 2;
    for (int i = 2; i < args.size(); ++i) {
        const int size = args[i].toInt();
        const QString dir = args[1] + QLatin1Char('/') + QString::number(size);
        QDir().mkpath(dir);
        if (!atlas::resources::renderAppIcon(size).save(dir + QStringLiteral("/atlas-ops.png")))
            return 1;
    }
    return 0;
}
