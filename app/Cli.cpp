#include "Cli.h"

#include "MainWindow.h"
#include "db/Bootstrap.h"
#include "db/Connection.h"
#include "db/Migrator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QTextStream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace atlas::app {

namespace {

const QStringList kCommands = {QStringLiteral("migrate")};

int fail(const QString& message)
{
    std::fprintf(stderr, "atlas-ops: %s\n", message.simplified().toLocal8Bit().constData());
    return 1;
}

void printJson(const QJsonObject& object)
{
    std::fprintf(stdout, "%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

void setUpLogging(const QString& level)
{
    auto logger = spdlog::stderr_color_mt("atlas");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(spdlog::level::from_str(level.isEmpty() ? "warn" : level.toStdString()));
}

struct Common
{
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("PostgreSQL URL (postgresql://user@host/db)."),
                          QStringLiteral("url")};
    QCommandLineOption login{QStringLiteral("login"),
                             QStringLiteral("Embedded cluster only: open as another of its logins."),
                             QStringLiteral("name")};
    QCommandLineOption dataDir{QStringLiteral("data-dir"),
                               QStringLiteral("Where the embedded cluster lives (default: user data dir)."),
                               QStringLiteral("dir")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print one JSON object on stdout.")};
    QCommandLineOption logLevel{QStringLiteral("log-level"),
                                QStringLiteral("trace, debug, info, warn, error (default warn)."),
                                QStringLiteral("level")};

    db::Bootstrap::Options bootstrap(const QCommandLineParser& parser) const
    {
        db::Bootstrap::Options o;
        o.dbUrl = parser.value(db);
        o.login = parser.value(login);
        o.clusterDir = parser.value(dataDir);
        return o;
    }
};

int runMigrate(const QCommandLineParser& parser, const Common& common)
{
    db::Bootstrap::Target target;
    QString error;
    if (!db::Bootstrap::resolveForMigration(common.bootstrap(parser), &target, &error))
        return fail(error);
    db::Connection conn(target.spec, QStringLiteral("migrate"));
    if (!conn.open())
        return fail(QStringLiteral("cannot connect: %1").arg(conn.lastError().message));
    db::DbError dbError;
    const QStringList applied = db::Migrator::migrate(conn, &dbError);
    if (dbError.isError())
        return fail(dbError.message);
    const QStringList all = db::Migrator::appliedVersions(conn);
    if (parser.isSet(common.json)) {
        printJson({{QStringLiteral("applied"), QJsonArray::fromStringList(applied)},
                   {QStringLiteral("schema_version"), all.isEmpty() ? QString() : all.last()}});
    } else {
        QTextStream out(stdout);
        if (applied.isEmpty())
            out << "Schema is up to date (" << (all.isEmpty() ? QString() : all.last()) << ").\n";
        for (const QString& v : applied)
            out << "Applied " << v << "\n";
    }
    return 0;
}

int runConsole(QApplication& app, const QCommandLineParser& parser, const Common& common)
{
    db::Bootstrap::Target target;
    QString error;
    if (!db::Bootstrap::resolve(common.bootstrap(parser), &target, &error)) {
        QMessageBox::critical(nullptr, QStringLiteral("Atlas Ops"),
                              QStringLiteral("Atlas Ops cannot open its database.\n\n%1").arg(error));
        return fail(error);
    }
    views::MainWindow window(target.spec);
    window.show();
    return app.exec();
}

QString firstPositional(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg.startsWith(QLatin1Char('-'))) {
            // Options that take a value consume the next argument.
            if (!arg.contains(QLatin1Char('=')) &&
                (arg == QLatin1String("--db") || arg == QLatin1String("--login") || arg == QLatin1String("--data-dir") ||
                 arg == QLatin1String("--log-level")))
                ++i;
            continue;
        }
        return arg;
    }
    return {};
}

} // namespace

int run(int argc, char** argv)
{
    const QString command = firstPositional(argc, argv);
    const bool gui = command.isEmpty() || command.startsWith(QLatin1String("atlas-ops:"));
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
        QStringLiteral("Atlas Ops: operations console for a multi-tenant Intune configuration service.\n\n"
                       "Commands:\n"
                       "  (none)      open the console\n"
                       "  migrate     apply pending database migrations (superuser)"));
    parser.addHelpOption();
    parser.addVersionOption();
    Common common;
    parser.addOptions({common.db, common.login, common.dataDir, common.json, common.logLevel});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do (see above)."),
                                 QStringLiteral("[command]"));
    if (!parser.parse(QCoreApplication::arguments()))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::fprintf(stdout, "%s", parser.helpText().toLocal8Bit().constData());
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::fprintf(stdout, "atlas-ops %s\n", ATLAS_VERSION);
        return 0;
    }
    setUpLogging(parser.value(common.logLevel));

    if (gui)
        return runConsole(static_cast<QApplication&>(*app), parser, common);
    if (command == QLatin1String("migrate"))
        return runMigrate(parser, common);
    return fail(QStringLiteral("unknown command '%1' (see --help)").arg(command.left(60)));
}

} // namespace atlas::app
