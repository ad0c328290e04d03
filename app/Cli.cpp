#include "Cli.h"

#include "Commands.h"
#include "MainWindow.h"
#include "SingleInstance.h"
#include "db/Connection.h"
#include "db/SchemaCheck.h"
#include "support/Logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QMessageBox>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace atlas::app {

namespace {

// The first argument that is neither an option nor an option's value.
QString firstWord(int argc, char** argv, const QStringList& valueOptions)
{
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--"))
            return i + 1 < argc ? QString::fromLocal8Bit(argv[i + 1]) : QString();
        if (arg.startsWith(QLatin1Char('-'))) {
            const QString name = arg.mid(arg.startsWith(QLatin1String("--")) ? 2 : 1);
            if (!name.contains(QLatin1Char('=')) && valueOptions.contains(name))
                ++i;
            continue;
        }
        return arg;
    }
    return {};
}

// What picks the database: one running console per person and choice.
QString connectionKey(const QCommandLineParser& parser, const Options& options)
{
    QStringList parts{parser.value(options.db), parser.value(options.dataDir), parser.value(options.login)};
    for (const char* name : {"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"})
        parts << QString::fromLocal8Bit(qgetenv(name));
    return parts.join(QLatin1Char('\n'));
}

int runConsole(QApplication& app, const QCommandLineParser& parser, const Options& options, const QString& link)
{
    SingleInstance instance(connectionKey(parser, options));
    if (instance.sendToRunning(link.isEmpty() ? QStringLiteral("activate") : link)) {
        spdlog::info("handed '{}' to the running console", link.isEmpty() ? "activate" : link.toStdString());
        return 0;
    }
    instance.listen();

    db::Bootstrap::Target target;
    QString error;
    if (!db::Bootstrap::resolve(options.bootstrap(parser), &target, &error)) {
        std::fprintf(stderr, "atlas-ops: %s\n", error.simplified().toLocal8Bit().constData());
        QMessageBox::critical(nullptr, QStringLiteral("Atlas Ops"),
                              QStringLiteral("Atlas Ops cannot open its database.\n\n%1").arg(error));
        return 1;
    }
    {
        // A database this build cannot use at all: say so before any window opens.
        db::Connection probe(target.spec, QStringLiteral("probe"));
        const db::SchemaCheck schema = probe.open() ? db::SchemaCheck::of(probe) : db::SchemaCheck{};
        if (!probe.isOpen() || !schema.mayRead()) {
            const QString why = probe.isOpen() ? schema.explain() : probe.lastError().message;
            std::fprintf(stderr, "atlas-ops: %s\n", why.simplified().toLocal8Bit().constData());
            QMessageBox::critical(nullptr, QStringLiteral("Atlas Ops"), QStringLiteral("Atlas Ops cannot use %1.\n\n%2")
                                                                            .arg(target.spec.describe(), why));
            return 1;
        }
    }
    views::MainWindow window(target.spec);
    QObject::connect(&instance, &SingleInstance::messageReceived, &window, [&window](const QString& message) {
        spdlog::info("another invocation asked for '{}'", message.toStdString());
        window.bringToFront();
        window.openLink(message);
    });
    if (!link.isEmpty() && !window.openLink(link))
        std::fprintf(stderr, "atlas-ops: not a link this console opens: %s\n", link.left(200).toLocal8Bit().constData());
    window.show();
    return app.exec();
}

} // namespace

int run(int argc, char** argv)
{
    const Options options;
    const QString word = firstWord(argc, argv, options.valueOptionNames());
    bool informational = false; // --help and --version answer without a display
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        informational = informational || arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" ||
                        arg == "-v";
    }
    const bool gui = !informational && (word.isEmpty() || word.startsWith(QLatin1String("atlas-ops:")));
    std::unique_ptr<QCoreApplication> app;
    if (gui)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("atlas-ops"));
    QCoreApplication::setOrganizationName(QStringLiteral("atlas-ops"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ATLAS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Atlas Ops: operations console for a multi-tenant Intune configuration service.\n\n") +
        commandsHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(options.all_());
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do (see above)."),
                                 QStringLiteral("[command ...]"));
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "atlas-ops: %s\n", parser.errorText().simplified().toLocal8Bit().constData());
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fprintf(stdout, "%s", parser.helpText().toLocal8Bit().constData());
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::fprintf(stdout, "atlas-ops %s\n", ATLAS_VERSION);
        return 0;
    }
    support::Logging::setUp(parser.value(options.logLevel));
    spdlog::info("atlas-ops {} started ({})", ATLAS_VERSION, gui ? "console" : word.toStdString());

    if (gui)
        return runConsole(static_cast<QApplication&>(*app), parser, options, word);
    if (!isCommand(word)) {
        std::fprintf(stderr, "atlas-ops: unknown command '%s' (see --help)\n", word.left(60).toLocal8Bit().constData());
        return 2;
    }
    return runCommand(parser.positionalArguments(), parser, options);
}

} // namespace atlas::app
