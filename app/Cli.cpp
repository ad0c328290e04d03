#include "Cli.h"

#include "AppIcon.h"
#include "Commands.h"
#include "LoginDialog.h"
#include "MainWindow.h"
#include "SingleInstance.h"
#include "Termination.h"
#include "Theme.h"
#include "db/ConnectionProbe.h"
#include "db/Profiles.h"
#include "db/Worker.h"
#include "demo/DemoActivity.h"
#include "support/Logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSocketNotifier>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <unistd.h>

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
    QStringList parts{given(options.db), given(options.dataDir), given(options.login), asking ? QStringLiteral("ask") : QString(),
                      qEnvironmentVariable("ATLAS_DATA_DIR")};
    for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE",
                             "PGSYSCONFDIR", "PGSSLMODE", "PGOPTIONS"})
        parts << QString::fromLocal8Bit(qgetenv(name));
    bool found = false;
    const db::ConnectionProfile profile = db::ProfileStore::find(db::ProfileStore::lastUsed(), &found);
    parts << (found ? profile.name + QLatin1Char('\t') + profile.describe() : QString());
    return parts.join(QLatin1Char('\n'));
}

// The console's start-up, as steps driven by the application's one event loop: choose where
// to connect (the command line and PG* variables when they say anything; else the profile used
// last; else the embedded cluster), try it off the GUI thread (a window "Connecting to …" after
// a moment, with Cancel), ask in the login dialog when that does not work, and open the main
// window. File → Connect to… closes the window and starts over on what was chosen.
class Startup final : public QObject
{
    static constexpr int kConnectingFeedbackMs = 400;

public:
    Startup(const QCommandLineParser& parser, const Options& options, SingleInstance& instance, const QString& link)
        : m_parser(parser)
        , m_options(options)
        , m_instance(instance)
        , m_pendingLink(link)
        , m_overridden(parser.isSet(options.db) || parser.isSet(options.dataDir) || parser.isSet(options.login) ||
                       db::ConnectionSpec::environmentNamesServer())
        , m_ask(parser.isSet(options.chooseConnection))
    {
        qApp->installEventFilter(this);
    }
    ~Startup() override
    {
        qApp->removeEventFilter(this);
        m_demo.reset();
        m_window.reset(); // before the embedded cluster it may run on
    }

    // The first step; call once the event loop runs (its exit code is what start-up ends with).
    void begin()
    {
        // Between windows (a progress window or a dialog closing) the console does not end.
        m_quitOnLastWindowClosed = QGuiApplication::quitOnLastWindowClosed();
        QGuiApplication::setQuitOnLastWindowClosed(false);
        m_step = std::make_unique<QObject>();
        if (m_chosen) {
            openWindow(*m_chosen);
            return;
        }
        if (!m_overridden && !m_chosenEmbedded) {
            bool found = false;
            const db::ConnectionProfile saved = db::ProfileStore::find(db::ProfileStore::lastUsed(), &found);
            if (m_ask || (found && !saved.embedded)) {
                connectProfile(found ? saved : db::ConnectionProfile{});
                return;
            }
        }
        openEmbedded();
    }

    // SIGTERM, SIGINT or SIGHUP: quit as "Stop runs and quit" does, without asking (a session
    // ending cannot answer a dialog); before a window is open, at once.
    void terminate(int signal)
    {
        spdlog::info("signal {}: stopping the runs started here and quitting", signal);
        if (m_window)
            m_window->stopRunsAndQuit();
        else
            finish(0);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        // File → Connect to…: the window closes as for quitting, and the console opens again on
        // what was chosen instead.
        if (watched == qApp && event->type() == QEvent::Quit && m_window && m_window->switchRequested()) {
            if (!m_switching) {
                m_switching = true;
                QTimer::singleShot(0, this, [this] { switchDatabase(); });
            }
            return true;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    void finish(int rc)
    {
        m_step.reset(); // what is still on its way is dropped
        QCoreApplication::exit(rc);
    }

    // Tries a connection off the GUI thread; a server that does not answer can take the whole
    // connect timeout, so after a moment a small window says what is going on and can be
    // cancelled (the console then ends).
    void probeWithFeedback(const db::ConnectionSpec& spec, std::function<void(const db::ConnectionProbe&)> next)
    {
        auto* progress =
            new QProgressDialog(QStringLiteral("Connecting to %1…").arg(spec.describe()), QStringLiteral("Cancel"), 0, 0);
        progress->setWindowTitle(QStringLiteral("Atlas Ops"));
        // Shown by the step itself: QProgressDialog's own timer, unless a value is set, keeps its
        // default of 4 s whatever setMinimumDuration() says.
        progress->setMinimumDuration(kConnectingFeedbackMs);
        QTimer::singleShot(kConnectingFeedbackMs, progress, &QWidget::show);
        QObject* step = m_step.get();
        QObject::connect(step, &QObject::destroyed, progress, &QObject::deleteLater);
        QObject::connect(progress, &QProgressDialog::canceled, this, [this] { finish(0); });
        db::Worker::spawn<db::ConnectionProbe>(
            step, [spec] { return db::ConnectionProbe::run(spec); },
            [progress, next = std::move(next)](const db::ConnectionProbe& probe) {
                progress->disconnect();
                progress->deleteLater();
                next(probe);
            });
    }

    // A saved server profile, tried with the password the keyring holds for it (or libpq's own:
    // ~/.pgpass, PGPASSWORD); when that does not work, the login dialog says why and asks.
    void connectProfile(const db::ConnectionProfile& saved)
    {
        if (m_ask) {
            askLogin(saved, {});
            return;
        }
        saved.rememberedPassword(m_step.get(), [this, saved](const QString& password) {
            probeWithFeedback(saved.spec(password), [this, saved, password](const db::ConnectionProbe& probe) {
                if (probe.usable())
                    openWindow(saved.spec(password));
                else
                    askLogin(saved, probe);
            });
        });
    }

    void askLogin(const db::ConnectionProfile& saved, const db::ConnectionProbe& probe)
    {
        auto* dialog = new views::LoginDialog;
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(m_step.get(), &QObject::destroyed, dialog, &QObject::deleteLater);
        if (!saved.name.isEmpty())
            dialog->setProfile(saved);
        dialog->showProblem(probe.message, probe.detail);
        QObject::connect(dialog, &QDialog::finished, this, [this, dialog](int result) {
            if (result != QDialog::Accepted) {
                finish(0);
                return;
            }
            if (dialog->profile().embedded)
                openEmbedded();
            else
                openWindow(dialog->spec());
        });
        dialog->open();
    }

    // This computer's private cluster (or the server the command line or PG* names): started
    // if need be, off the GUI thread, then tried.
    void openEmbedded()
    {
        db::Bootstrap::Options where = m_options.bootstrap(m_parser);
        where.embeddedOnly = m_chosenEmbedded;
        struct Resolved
        {
            db::Bootstrap::Target target;
            QString error;
            bool ok = false;
        };
        db::Worker::spawn<Resolved>(
            m_step.get(),
            [where] {
                Resolved r;
                r.ok = db::Bootstrap::resolve(where, &r.target, &r.error);
                return r;
            },
            [this](const Resolved& r) {
                if (!r.ok) {
                    std::fprintf(stderr, "atlas-ops: %s\n", r.error.simplified().toLocal8Bit().constData());
                    QMessageBox::critical(nullptr, QStringLiteral("Atlas Ops"),
                                          QStringLiteral("Atlas Ops cannot open its database.\n\n%1").arg(r.error));
                    finish(1);
                    return;
                }
                m_target = r.target;
                // A database this build cannot use at all: say so before any window opens.
                probeWithFeedback(m_target.spec, [this](const db::ConnectionProbe& probe) {
                    if (!probe.usable()) {
                        const QString why =
                            probe.message + (probe.detail.isEmpty() ? QString() : QStringLiteral("\n\n") + probe.detail);
                        std::fprintf(stderr, "atlas-ops: %s\n", probe.message.simplified().toLocal8Bit().constData());
                        QMessageBox::critical(
                            nullptr, QStringLiteral("Atlas Ops"),
                            QStringLiteral("Atlas Ops cannot use %1.\n\n%2").arg(m_target.spec.describe(), why));
                        finish(1);
                        return;
                    }
                    openWindow(m_target.spec);
                });
            });
    }

    void openWindow(const db::ConnectionSpec& spec)
    {
        m_step.reset();
        // The login dialog or File → Connect to… may have chosen another profile than the key named.
        m_instance.rekey(connectionKey(m_parser, m_options, !m_switched, false));
        m_window = std::make_unique<views::MainWindow>(spec);
        views::MainWindow* window = m_window.get();
        // On this computer's own cluster the demo keeps a queued and a running run going.
        m_demo.reset();
        if (m_target.embedded()) {
            m_demo = std::make_unique<demo::DemoActivity>(m_target.cluster, db::Bootstrap::embeddedDatabaseName());
            m_demo->start();
        }
        QObject::connect(&m_instance, &SingleInstance::messageReceived, window, [window](const QString& message) {
            spdlog::info("another invocation asked for '{}'", message.toStdString());
            window->bringToFront();
            window->openLink(message);
        });
        if (!m_pendingLink.isEmpty() && !window->openLink(m_pendingLink))
            std::fprintf(stderr, "atlas-ops: not a link this console opens: %s\n",
                         m_pendingLink.left(200).toLocal8Bit().constData());
        m_pendingLink.clear();
        window->show();
        QGuiApplication::setQuitOnLastWindowClosed(m_quitOnLastWindowClosed);
    }

    // File → Connect to…: open the console again on what was chosen.
    void switchDatabase()
    {
        m_switching = false;
        m_overridden = false;
        m_ask = false;
        m_switched = true;
        m_chosenEmbedded = m_window->switchToEmbedded();
        m_chosen = m_chosenEmbedded ? std::nullopt : std::optional<db::ConnectionSpec>(m_window->switchSpec());
        m_demo.reset();
        m_window.reset();
        m_target = {};
        begin();
    }

    const QCommandLineParser& m_parser;
    const Options& m_options;
    SingleInstance& m_instance;
    QString m_pendingLink;
    bool m_overridden;
    bool m_ask;
    std::optional<db::ConnectionSpec> m_chosen; // a server picked in the dialog of the previous window
    bool m_chosenEmbedded = false;
    bool m_switched = false; // File → Connect to… chose; the command line no longer does
    bool m_switching = false;
    bool m_quitOnLastWindowClosed = true;
    std::unique_ptr<QObject> m_step; // the answers of the step under way come to it
    db::Bootstrap::Target m_target;
    std::unique_ptr<views::MainWindow> m_window;
    std::unique_ptr<demo::DemoActivity> m_demo;
};

int runConsole(QApplication& app, const QCommandLineParser& parser, const Options& options, const QString& link)
{
    SingleInstance instance(connectionKey(parser, options, true, parser.isSet(options.chooseConnection)));
    if (instance.sendToRunning(link.isEmpty() ? QStringLiteral("activate") : link)) {
        spdlog::info("handed '{}' to the running console", link.isEmpty() ? "activate" : link.toStdString());
        return 0;
    }
    instance.listen();
    resources::Theme::apply(resources::Theme::configured());
    app.setWindowIcon(resources::appIcon()); // every window and dialog, however the console started
    Startup startup(parser, options, instance, link);
    termination::install();
    QSocketNotifier signalled(termination::wakeDescriptor(), QSocketNotifier::Read);
    QObject::connect(&signalled, &QSocketNotifier::activated, &startup, [&startup, &signalled] {
        char bytes[16];
        while (::read(termination::wakeDescriptor(), bytes, sizeof bytes) > 0) { }
        signalled.setEnabled(false); // once: a second signal ends the process in the handler
        startup.terminate(termination::signalNumber());
    });
    QTimer::singleShot(0, &startup, [&startup] { startup.begin(); });
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
        informational =
            informational || arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" || arg == "-v";
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
        QStringLiteral("Atlas Ops: operations console for a multi-tenant Intune configuration service.\n\n") + commandsHelp());
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
