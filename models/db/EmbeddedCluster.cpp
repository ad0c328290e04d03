#include "EmbeddedCluster.h"

#include "Connection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVersionNumber>

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

namespace atlas::db {

namespace {
QString runAsAccount()
{
    const QString configured = qEnvironmentVariable("ATLAS_PG_RUN_AS");
    return configured.isEmpty() ? QStringLiteral("postgres") : configured;
}

bool chownTo(const QString& path, const QString& account)
{
    const struct passwd* pw = getpwnam(account.toLocal8Bit().constData());
    if (!pw)
        return false;
    return ::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) == 0;
}

QString randomSecret()
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString out;
    for (int i = 0; i < 32; ++i)
        out += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet) - 1))]);
    return out;
}
} // namespace

EmbeddedCluster::EmbeddedCluster(QString rootDir, int port)
    : m_root(std::move(rootDir))
    , m_port(port)
{
}

QString EmbeddedCluster::dataDir() const { return m_root + QStringLiteral("/data"); }
QString EmbeddedCluster::socketDir() const { return m_root + QStringLiteral("/run"); }
QString EmbeddedCluster::logFile() const { return m_root + QStringLiteral("/postgresql.log"); }

bool EmbeddedCluster::runningAsRoot() const { return ::geteuid() == 0; }

QString EmbeddedCluster::findBinDir(QString* error)
{
    const QString configured = qEnvironmentVariable("ATLAS_PG_BINDIR");
    if (!configured.isEmpty())
        return configured;
    QString best;
    QVersionNumber bestVersion;
    const QDir base(QStringLiteral("/usr/lib/postgresql"));
    for (const QString& entry : base.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString bin = base.filePath(entry) + QStringLiteral("/bin");
        const QVersionNumber version = QVersionNumber::fromString(entry);
        if (QFileInfo::exists(bin + QStringLiteral("/initdb")) && version > bestVersion) {
            best = bin;
            bestVersion = version;
        }
    }
    if (best.isEmpty() && error)
        *error = QStringLiteral("PostgreSQL server programs not found (install the postgresql package)");
    return best;
}

QString EmbeddedCluster::defaultRootDir()
{
    if (::geteuid() == 0)
        return QStringLiteral("/var/lib/atlas-ops/cluster");
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/atlas-ops/cluster");
}

bool EmbeddedCluster::run(const QString& program, const QStringList& args, QString* error, int timeoutMs) const
{
    QString bin = findBinDir(error);
    if (bin.isEmpty())
        return false;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_root);
    const QString path = bin + QLatin1Char('/') + program;
    if (runningAsRoot())
        process.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), runAsAccount(),
                                                             QStringLiteral("--"), path} + args);
    else
        process.start(path, args);
    if (!process.waitForStarted(10000) || !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(1000);
        if (error)
            *error = QStringLiteral("%1 did not finish: %2").arg(program, process.errorString());
        return false;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        if (error) {
            const QString out = QString::fromLocal8Bit(process.readAll()).trimmed();
            *error = QStringLiteral("%1 failed: %2").arg(program, out.section(QLatin1Char('\n'), -3));
        }
        return false;
    }
    return true;
}

bool EmbeddedCluster::isInitialized() const
{
    return QFileInfo::exists(dataDir() + QStringLiteral("/PG_VERSION"));
}

QString EmbeddedCluster::superuserPassword() const
{
    QFile file(m_root + QStringLiteral("/superuser.secret"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}

bool EmbeddedCluster::initialize(QString* error)
{
    if (isInitialized())
        return true;
    if (!QDir().mkpath(m_root) || !QDir().mkpath(socketDir())) {
        *error = QStringLiteral("cannot create %1").arg(m_root);
        return false;
    }
    // The superuser password is read by the console (this user) and by initdb (the cluster's).
    const QString secretPath = m_root + QStringLiteral("/superuser.secret");
    const QString pwfile = m_root + QStringLiteral("/initdb.pw");
    const QString secret = randomSecret();
    for (const QString& path : {secretPath, pwfile}) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        file.write(secret.toUtf8());
    }
    if (runningAsRoot()) {
        QFile::setPermissions(m_root, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                          QFileDevice::ExeGroup | QFileDevice::ExeOther);
        if (!chownTo(socketDir(), runAsAccount()) || !chownTo(pwfile, runAsAccount())) {
            *error = QStringLiteral("cannot hand %1 to the account %2 (PostgreSQL refuses to run as root)")
                         .arg(m_root, runAsAccount());
            return false;
        }
        // The account needs to create data/ and the log inside the root directory.
        QDir().mkpath(dataDir());
        chownTo(dataDir(), runAsAccount());
        QFile log(logFile());
        log.open(QIODevice::WriteOnly | QIODevice::Append);
        log.close();
        chownTo(logFile(), runAsAccount());
    }
    const bool ok = run(QStringLiteral("initdb"),
                        {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), superuser(),
                         QStringLiteral("--pwfile=") + pwfile, QStringLiteral("--auth=scram-sha-256"),
                         QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--locale=C.UTF-8"),
                         QStringLiteral("--no-sync")},
                        error);
    QFile::remove(pwfile);
    if (!ok)
        return false;
    QFile conf(dataDir() + QStringLiteral("/postgresql.auto.conf"));
    if (conf.open(QIODevice::Append)) {
        conf.write("listen_addresses = ''\n"
                   "unix_socket_permissions = 0777\n"
                   "max_connections = 200\n"
                   "shared_buffers = 128MB\n");
    }
    spdlog::info("initialized PostgreSQL cluster in {}", m_root.toStdString());
    return true;
}

bool EmbeddedCluster::isRunning() const
{
    return QFileInfo::exists(dataDir() + QStringLiteral("/postmaster.pid")) &&
           QFileInfo::exists(socketDir() + QStringLiteral("/.s.PGSQL.") + QString::number(m_port));
}

bool EmbeddedCluster::start(QString* error)
{
    if (!initialize(error))
        return false;
    if (isRunning())
        return true;
    const QString options = QStringLiteral("-k %1 -p %2").arg(socketDir()).arg(m_port);
    if (!run(QStringLiteral("pg_ctl"),
             {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), logFile(), QStringLiteral("-w"),
              QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("-o"), options, QStringLiteral("start")},
             error))
        return false;
    spdlog::info("started PostgreSQL in {} (socket {})", m_root.toStdString(), socketDir().toStdString());
    return true;
}

bool EmbeddedCluster::stop(QString* error)
{
    if (!isInitialized() || !QFileInfo::exists(dataDir() + QStringLiteral("/postmaster.pid")))
        return true;
    return run(QStringLiteral("pg_ctl"),
               {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
                QStringLiteral("stop")},
               error);
}

ConnectionSpec EmbeddedCluster::superuserSpec(const QString& database) const
{
    return loginSpec(database, superuser(), superuserPassword());
}

ConnectionSpec EmbeddedCluster::loginSpec(const QString& database, const QString& login,
                                          const QString& password) const
{
    ConnectionSpec spec;
    spec.host = socketDir();
    spec.port = m_port;
    spec.database = database;
    spec.user = login;
    spec.password = password;
    return spec;
}

QString EmbeddedCluster::loginPassword(const QString& login) const
{
    QFile file(m_root + QStringLiteral("/logins.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(login).toString();
}

bool EmbeddedCluster::rememberLogin(const QString& login, const QString& password) const
{
    QFile file(m_root + QStringLiteral("/logins.json"));
    QJsonObject logins;
    if (file.open(QIODevice::ReadOnly)) {
        logins = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
    }
    logins.insert(login, password);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return file.write(QJsonDocument(logins).toJson()) > 0;
}

QString EmbeddedCluster::newPassword()
{
    return randomSecret();
}

bool EmbeddedCluster::ensureDatabase(const QString& name, QString* error)
{
    Connection conn(superuserSpec(QStringLiteral("postgres")), QStringLiteral("bootstrap"));
    if (!conn.open()) {
        *error = conn.lastError().message;
        return false;
    }
    const QVariant exists = conn.scalar(QStringLiteral("SELECT count(*) FROM pg_database WHERE datname = ?"), {name});
    if (!exists.isValid()) {
        *error = conn.lastError().message;
        return false;
    }
    if (exists.toInt() > 0)
        return true;
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    if (!conn.execRaw(QStringLiteral("CREATE DATABASE \"%1\"").arg(quoted))) {
        *error = conn.lastError().message;
        return false;
    }
    return true;
}

} // namespace atlas::db
