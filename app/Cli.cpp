#include "Cli.h"

#include "Commands.h"
#include "MainWindow.h"
#include "SingleInstance.h"
#include "LoginDialog.h"
#include "Theme.h"
#include "db/ConnectionProbe.h"
#include "db/Profiles.h"
#include "support/Logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QMessageBox>
#include <QProgressDialog>
#include <QtConcurrent>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>

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

// What picks the database: one running console per person and choice. Everything that can
// choose one counts: the command line (`fromCommandLine`: until File → Connect to… replaces its
// choice; `asking`: --connect, until its dialog has chosen), $ATLAS_DATA_DIR, the libpq
// variables, and the profile opened when nothing else decides.
QString connectionKey(const QCommandLineParser& parser, const Options& options, bool fromCommandLine, bool asking)
{
    const auto given = [&](const QCommandLineOption& option) { return fromCommandLine ? parser.value(option) : QString(); };
    QStringList parts{given(options.db), given(options.dataDir), given(options.login),
                      asking ? QStringLiteral("ask") : QString(), qEnvironmentVariable("ATLAS_DATA_DIR")};
    for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE",
                             "PGSYSCONFDIR", "PGSSLMODE", "PGOPTIONS"})
        parts << QString::fromLocal8Bit(qgetenv(name));
    bool found = false;
    const db::ConnectionProfile profile = db::ProfileStore::find(db::ProfileStore::lastUsed(), &found);
    parts << (found ? profile.name + QLatin1Char('\t') + profile.describe() : QString());
    return parts.join(QLatin1Char('\n'));
}

// Tries a connection off the GUI thread; a server that does not answer can take the whole
// connect timeout, so after a moment a small window says what is going on and can be cancelled.
std::optional<db::ConnectionProbe> probeWithFeedback(const db::ConnectionSpec& spec)
{
    QFutureWatcher<db::ConnectionProbe> watcher;
    QProgressDialog progress(QStringLiteral("Connecting to %1…").arg(spec.describe()), QStringLiteral("Cancel"), 0, 0);
    progress.setWindowTitle(QStringLiteral("Atlas Ops"));
    progress.setMinimumDuration(400);
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcher<db::ConnectionProbe>::finished, &loop, &QEventLoop::quit);
    bool cancelled = false;
    QObject::connect(&progress, &QProgressDialog::canceled, &loop, [&] {
        cancelled = true;
        loop.quit();
    });
    watcher.setFuture(QtConcurrent::run([spec] { return db::ConnectionProbe::run(spec); }));
    loop.exec();
    if (cancelled) {
        watcher.waitForFinished(); // the probe owns a connection; let it end in its thread
        return std::nullopt;
    }
    return watcher.result();
}

// A saved server profile, tried with the password the keyring holds for it (or libpq's own:
// ~/.pgpass, PGPASSWORD); when that does not work, the login dialog says why and asks.
// Returns false when the person cancels.
bool connectProfile(const db::ConnectionProfile& saved, bool ask, db::ConnectionSpec* spec, bool* embedded)
{
    db::ConnectionProbe probe;
    if (!ask) {
        const QString password = saved.rememberedPassword();
        const auto tried = probeWithFeedback(saved.spec(password));
        if (!tried)
            return false;
        probe = *tried;
        if (probe.usable()) {
            *spec = saved.spec(password);
            *embedded = false;
            return true;
        }
    }
    views::LoginDialog dialog;
    if (!saved.name.isEmpty())
        dialog.setProfile(saved);
    dialog.showProblem(probe.message, probe.detail);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    *embedded = dialog.profile().embedded;
    *spec = dialog.spec();
    return true;
}

int runConsole(QApplication& app, const QCommandLineParser& parser, const Options& options, const QString& link)
{
    SingleInstance instance(connectionKey(parser, options, true, parser.isSet(options.chooseConnection)));
    if (instance.sendToRunning(link.isEmpty() ? QStringLiteral("activate") : link)) {
        spdlog::info("handed '{}' to the running console", link.isEmpty() ? "activate" : link.toStdString());
        return 0;
    }
    instance.listen();
    resources::Theme::apply(resources::Theme::configured());

    // The command line and PG* variables decide when they say anything; else the profile used
    // last (File → Connect to… or --connect chooses another); else the embedded cluster.
    bool overridden = parser.isSet(options.db) || parser.isSet(options.dataDir) || parser.isSet(options.login) ||
                      db::ConnectionSpec::environmentNamesServer();
    bool ask = parser.isSet(options.chooseConnection);
    std::optional<db::ConnectionSpec> chosen; // a server picked in the dialog of the previous window
    bool chosenEmbedded = false;
    QString pendingLink = link;
    bool switched = false; // File → Connect to… chose; the command line no longer does
    for (;;) {
        db::Bootstrap::Target target;
        bool embedded = true;
        if (chosen) {
            target.spec = *chosen;
            embedded = false;
        } else if (!overridden && !chosenEmbedded) {
            bool found = false;
            const db::ConnectionProfile saved = db::ProfileStore::find(db::ProfileStore::lastUsed(), &found);
            if (ask || (found && !saved.embedded)) {
                if (!connectProfile(found ? saved : db::ConnectionProfile{}, ask, &target.spec, &embedded))
                    return 0;
            }
        }
        if (embedded) {
            QString error;
            db::Bootstrap::Options where = options.bootstrap(parser);
            where.embeddedOnly = chosenEmbedded;
            if (!db::Bootstrap::resolve(where, &target, &error)) {
                std::fprintf(stderr, "atlas-ops: %s\n", error.simplified().toLocal8Bit().constData());
                QMessageBox::critical(nullptr, QStringLiteral("Atlas Ops"),
                                      QStringLiteral("Atlas Ops cannot open its database.\n\n%1").arg(error));
                return 1;
            }
            // A database this build cannot use at all: say so before any window opens.
            const auto tried = probeWithFeedback(target.spec);
            if (!tried)
                return 0;
            const db::ConnectionProbe& probe = *tried;
            if (!probe.usable()) {
                const QString why = probe.message + (probe.detail.isEmpty() ? QString() : QStringLiteral("\n\n") + probe.detail);
                std::fprintf(stderr, "atlas-ops: %s\n", probe.message.simplified().toLocal8Bit().constData());
                QMessageBox::critical(nullptr, QStringLiteral("Atlas Ops"),
                                      QStringLiteral("Atlas Ops cannot use %1.\n\n%2").arg(target.spec.describe(), why));
                return 1;
            }
        }
        // The login dialog or File → Connect to… may have chosen another profile than the key named.
        instance.rekey(connectionKey(parser, options, !switched, false));
        views::MainWindow window(target.spec);
        QObject::connect(&instance, &SingleInstance::messageReceived, &window, [&window](const QString& message) {
            spdlog::info("another invocation asked for '{}'", message.toStdString());
            window.bringToFront();
            window.openLink(message);
        });
        if (!pendingLink.isEmpty() && !window.openLink(pendingLink))
            std::fprintf(stderr, "atlas-ops: not a link this console opens: %s\n", pendingLink.left(200).toLocal8Bit().constData());
        pendingLink.clear();
        window.show();
        const int rc = app.exec();
        if (!window.switchRequested())
            return rc;
        // File → Connect to…: open the console again on what was chosen.
        overridden = false;
        ask = false;
        switched = true;
        chosenEmbedded = window.switchToEmbedded();
        chosen = chosenEmbedded ? std::nullopt : std::optional<db::ConnectionSpec>(window.switchSpec());
    }
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
