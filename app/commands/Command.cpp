#include "Command.h"

namespace atlas::app::commands {

QString Command::usage() const
{
    QString text = synopsis();
    text.remove(QStringLiteral(" [--json]"));
    return QStringLiteral("usage: atlas-ops ") + text;
}

QList<QCommandLineOption> Command::takes(const Options&) const
{
    return {};
}

} // namespace atlas::app::commands
