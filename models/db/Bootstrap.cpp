#include "Bootstrap.h"

#include "Connection.h"
#include "Migrator.h"
#include "demo/DemoSeeder.h"

#include <QRegularExpression>

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

namespace atlas::db {

QString Bootstrap::consoleLoginName()
{
    QString name;
    if (const struct passwd* pw = getpwuid(::geteuid()))
        name = QString::fromLocal8Bit(pw->pw_name).toLower();
    static const QRegularExpression valid(QStringLiteral("^[a-z_][a-z0-9_]{0,40}$"));
    if (!valid.match(name).hasMatch() || name == QLatin1String("postgres"))
        name = QStringLiteral("atlas_user");
    return name;
}

bool Bootstrap::startEmbedded(const Options& options, Target* target, QString* error)
{
    QString root = options.clusterDir;
    if (root.isEmpty())
        root = qEnvironmentVariable("ATLAS_DATA_DIR");
    if (root.isEmpty())
        root = EmbeddedCluster::defaultRootDir();
    auto cluster = std::make_shared<EmbeddedCluster>(root);
    const bool fresh = !cluster->isInitialized();
    if (!cluster->start(error) || !cluster->ensureDatabase(embeddedDatabaseName(), error))
        return false;
    {
        Connection su(cluster->superuserSpec(embeddedDatabaseName()), QStringLiteral("migrate"));
        if (!su.open()) {
            *error = su.lastError().message;
            return false;
        }
        DbError dbError;
        Migrator::migrate(su, &dbError);
        if (dbError.isError()) {
            *error = dbError.message;
            return false;
        }
    }
    const QString me = consoleLoginName();
    QStringList logins{me};
    if (options.seedDemo)
        logins << demo::DemoSeeder::demoLogins();
    for (const QString& login : logins) {
        if (!cluster->loginPassword(login).isEmpty())
            continue;
        const QString password = EmbeddedCluster::newPassword();
        if (!demo::DemoSeeder::ensureLogin(*cluster, embeddedDatabaseName(), login, password, login == me, error) ||
            !cluster->rememberLogin(login, password))
            return false;
    }
    if (options.seedDemo) {
        demo::DemoTenants tenants;
        if (!demo::DemoSeeder::seed(*cluster, embeddedDatabaseName(), me, &tenants, error))
            return false;
    }
    if (fresh)
        spdlog::info("embedded cluster ready in {}", root.toStdString());
    target->cluster = cluster;
    return true;
}

bool Bootstrap::resolve(const Options& options, Target* target, QString* error)
{
    if (!options.dbUrl.isEmpty() && !options.embeddedOnly)
        return ConnectionSpec::fromUrl(options.dbUrl, &target->spec, error);
    if (ConnectionSpec::environmentNamesServer() && !options.embeddedOnly) {
        target->spec = ConnectionSpec(); // libpq reads PG*, service files and ~/.pgpass itself
        return true;
    }
    if (!startEmbedded(options, target, error))
        return false;
    const QString login = options.login.isEmpty() ? consoleLoginName() : options.login;
    const QString password = target->cluster->loginPassword(login);
    if (password.isEmpty()) {
        *error = QStringLiteral("the embedded cluster has no login named %1").arg(login);
        return false;
    }
    target->spec = target->cluster->loginSpec(embeddedDatabaseName(), login, password);
    return true;
}

bool Bootstrap::resolveForMigration(const Options& options, Target* target, QString* error)
{
    if (!options.dbUrl.isEmpty())
        return ConnectionSpec::fromUrl(options.dbUrl, &target->spec, error);
    if (ConnectionSpec::environmentNamesServer()) {
        target->spec = ConnectionSpec();
        return true;
    }
    Options embedded = options;
    embedded.seedDemo = false;
    if (!startEmbedded(embedded, target, error))
        return false;
    target->spec = target->cluster->superuserSpec(embeddedDatabaseName());
    return true;
}

} // namespace atlas::db
