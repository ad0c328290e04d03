#include "Commands.h"

#include "commands/Command.h"
#include "runs/Producers.h"

namespace atlas::app {

using commands::Command;
using commands::CommandRegistry;

QStringList Options::valueOptionNames() const
{
    QStringList names;
    for (const QCommandLineOption& o : all_()) {
        if (!o.valueName().isEmpty())
            names << o.names();
    }
    return names;
}

QString Options::resourceHelp()
{
    QStringList resources;
    for (const runs::ProducerKind& kind : runs::Producers::all()) {
        if (!resources.contains(kind.resource))
            resources << kind.resource;
    }
    return resources.join(QStringLiteral(", "));
}

db::Bootstrap::Options Options::bootstrap(const QCommandLineParser& parser) const
{
    db::Bootstrap::Options o;
    o.dbUrl = parser.value(db);
    o.login = parser.value(login);
    o.clusterDir = parser.value(dataDir);
    return o;
}

bool isCommand(const QString& firstWord)
{
    return CommandRegistry::isFirstWord(firstWord);
}

namespace {

// "  SYNOPSIS   what it does": the help in a column after short synopses, after three spaces
// after long ones.
QString helpLine(const QString& synopsis, const QString& help)
{
    constexpr int kColumn = 40;
    if (help.isEmpty())
        return QStringLiteral("  ") + synopsis;
    if (synopsis.size() <= kColumn)
        return QStringLiteral("  ") + synopsis.leftJustified(kColumn) + QLatin1Char(' ') + help;
    return QStringLiteral("  ") + synopsis + QStringLiteral("   ") + help;
}

// The first option given that the command does not take ("" when it takes them all).
QString optionNotTaken(const Command& command, const QCommandLineParser& parser, const Options& options)
{
    QStringList taken;
    for (const QCommandLineOption& o : options.common() + command.takes(options))
        taken << o.names();
    for (const QCommandLineOption& o : options.all_()) {
        if (parser.isSet(o) && !taken.contains(o.names().constFirst()))
            return o.names().constFirst();
    }
    return {};
}

} // namespace

QString commandsHelp()
{
    QStringList lines{QStringLiteral("Commands:"), helpLine(QStringLiteral("(none)"), QStringLiteral("open the console"))};
    for (const auto& command : CommandRegistry::all())
        lines << helpLine(command->synopsis(), command->help());
    lines << QStringLiteral("Commands that start a run execute it here and return when it has finished; an identical\n"
                            "active run elsewhere is reported as reused (followed to its end with --wait).");
    return lines.join(QLatin1Char('\n'));
}

int runCommand(const QStringList& words, const QCommandLineParser& parser, const Options& options)
{
    const Command* command = CommandRegistry::find(words);
    if (!command)
        return commands::fail(QStringLiteral("unknown command '%1' (see --help)").arg(words.join(QLatin1Char(' ')).left(60)));
    if (const QString option = optionNotTaken(*command, parser, options); !option.isEmpty()) {
        commands::fail(QStringLiteral("%1 does not take --%2 (see --help)").arg(command->name(), option));
        return 2; // a command line that cannot mean anything, as an unknown option
    }
    return command->run({parser, options, words.mid(command->words().size())});
}

} // namespace atlas::app
