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

#include <cerrno>
#include <cstring>
#include <optional>

#include <csignal>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atlas::db {

namespace {
QString runAsAccount()
{
    const QString configured = qEnvironmentVariable("ATLAS_PG_RUN_AS");
    return configured.isEmpty() ? QStringLiteral("postgres") : configured;
}

// Who owns what the server itself writes to (when the console runs as root).
struct Owner
{
    uid_t uid;
    gid_t gid;
};

std::optional<Owner> runAsOwner()
{
    if (const struct passwd* pw = getpwnam(runAsAccount().toLocal8Bit().constData()))
        return Owner{pw->pw_uid, pw->pw_gid};
    return std::nullopt;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// A directory on the way to the cluster: someone who may rename or replace entries in it could
// put a directory of their own in place of the cluster's. Owned by root or by this user, and
// writable by nobody else unless sticky (like /tmp).
bool trustworthyAncestor(const QByteArray& path, QString* why)
{
    struct stat st
    { };
    if (::stat(path.constData(), &st) != 0) {
        *why = QStringLiteral("cannot examine %1: %2").arg(QFile::decodeName(path), errnoText());
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        *why = QStringLiteral("%1 is not a directory").arg(QFile::decodeName(path));
        return false;
    }
    if ((st.st_uid != 0 && st.st_uid != ::geteuid()) || ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
        *why = QStringLiteral("%1 can be changed by other users").arg(QFile::decodeName(path));
        return false;
    }
    return true;
}

// Creates `path` (and whatever is missing on the way) with exactly `mode`, or takes it over when
// it exists: it must then be this user's directory, and is narrowed to `mode` before anything is
// written in it (`account` may own it too: run/ belongs to the server's account as root). mkdir
// with the final mode means no moment where others could look inside.
bool makePrivateDir(const QString& path, mode_t mode, QString* why, const Owner* account = nullptr)
{
    if (!trustworthyAncestor(QByteArrayLiteral("/"), why))
        return false;
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QStringList parts = clean.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QByteArray current;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        current += '/' + QFile::encodeName(parts[i]);
        if (::mkdir(current.constData(), mode) == 0) {
            // The umask may have narrowed the mode further (even below what the server's account
            // needs to pass); the directory is empty, so setting it exactly exposes nothing.
            if (::chmod(current.constData(), mode) != 0) {
                *why = QStringLiteral("cannot set the mode of %1: %2").arg(QFile::decodeName(current), errnoText());
                return false;
            }
            continue;
        }
        if (errno != EEXIST) {
            *why = QStringLiteral("cannot create %1: %2").arg(QFile::decodeName(current), errnoText());
            return false;
        }
        if (i < parts.size() - 1) {
            if (!trustworthyAncestor(current, why))
                return false;
            continue;
        }
        struct stat st
        { };
        if (::stat(current.constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            *why = QStringLiteral("%1 is not a directory").arg(clean);
            return false;
        }
        if (st.st_uid != ::geteuid() && !(account && st.st_uid == account->uid)) {
            *why = QStringLiteral("%1 belongs to another user (uid %2)").arg(clean).arg(st.st_uid);
            return false;
        }
        if ((st.st_mode & 07777) != mode && ::chmod(current.constData(), mode) != 0) {
            *why = QStringLiteral("cannot set the mode of %1: %2").arg(clean, errnoText());
            return false;
        }
    }
    return true;
}

// Writes a file only its owner can open: created 0600 under a new name (O_EXCL: never an existing
// file or a link), handed to `owner` when given, then renamed over the old one. Never readable by
// anyone else, not even while it is being written.
bool writePrivateFile(const QString& path, const QByteArray& data, const Owner* owner, QString* why)
{
    const QByteArray target = QFile::encodeName(path);
    const QByteArray temporary = target + ".new";
    ::unlink(temporary.constData()); // left by an interrupted write
    const int fd = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        *why = QStringLiteral("cannot create %1: %2").arg(path, errnoText());
        return false;
    }
    bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0 && (!owner || ::fchown(fd, owner->uid, owner->gid) == 0);
    for (qsizetype done = 0; ok && done < data.size();) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += n > 0 ? n : 0;
    }
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(temporary.constData(), target.constData()) != 0) {
        *why = QStringLiteral("cannot write %1: %2").arg(path, errnoText());
        ::unlink(temporary.constData());
        return false;
    }
    return true;
}

// The server's log holds statements with their values: 0600 from its creation, and an older,
// looser one is narrowed before the server appends to it.
bool preparePrivateLog(const QString& path, const Owner* owner, QString* why)
{
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        *why = QStringLiteral("cannot create %1: %2").arg(path, errnoText());
        return false;
    }
    struct stat st
    { };
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    ok = ok && ((st.st_mode & 0777) == (S_IRUSR | S_IWUSR) || ::fchmod(fd, S_IRUSR | S_IWUSR) == 0);
    ok = ok && (!owner || ::fchown(fd, owner->uid, owner->gid) == 0);
    ::close(fd);
    if (!ok)
        *why = QStringLiteral("cannot make %1 private: %2").arg(path, errnoText());
    return ok;
}

// As root: data/ and the log made for the server's account, which creates nothing in the root.
bool handToAccount(const QString& dataDir, const QString& logFile, const Owner& account, QString* error)
{
    const QByteArray data = QFile::encodeName(dataDir);
    if ((::mkdir(data.constData(), S_IRWXU) != 0 && errno != EEXIST) ||
        ::chown(data.constData(), account.uid, account.gid) != 0 || !preparePrivateLog(logFile, &account, error)) {
        if (error->isEmpty())
            *error = QStringLiteral("cannot hand %1 to the account %2: %3").arg(dataDir, runAsAccount(), errnoText());
        return false;
    }
    return true;
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
{ }

QString EmbeddedCluster::dataDir() const
{
    return m_root + QStringLiteral("/data");
}
QString EmbeddedCluster::socketDir() const
{
    return m_root + QStringLiteral("/run");
}
QString EmbeddedCluster::logFile() const
{
    return m_root + QStringLiteral("/postgresql.log");
}

bool EmbeddedCluster::runningAsRoot() const
{
    return ::geteuid() == 0;
}

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
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/atlas-ops/cluster");
}

bool EmbeddedCluster::run(const QString& program, const QStringList& args, QString* error, int timeoutMs,
                          const QString& password) const
{
    QString bin = findBinDir(error);
    if (bin.isEmpty())
        return false;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_root);
    if (!password.isEmpty()) { // for a program that connects (never on its command line)
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), password);
        process.setProcessEnvironment(env);
    }
    const QString path = bin + QLatin1Char('/') + program;
    if (runningAsRoot())
        process.start(QStringLiteral("runuser"),
                      QStringList{QStringLiteral("-u"), runAsAccount(), QStringLiteral("--"), path} + args);
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

bool EmbeddedCluster::prepareDirectories(QString* error) const
{
    // Only this user may enter the cluster's directory; as root, the server's account may pass
    // through it (to data/, run/ and the log), but neither list it nor open the secrets in it.
    const mode_t rootMode = runningAsRoot() ? (S_IRWXU | S_IXGRP | S_IXOTH) : S_IRWXU;
    if (!runningAsRoot())
        return makePrivateDir(m_root, rootMode, error) && makePrivateDir(socketDir(), S_IRWXU, error);
    const std::optional<Owner> account = runAsOwner();
    if (!account) {
        *error = QStringLiteral("the account %1 does not exist (PostgreSQL refuses to run as root)").arg(runAsAccount());
        return false;
    }
    if (!makePrivateDir(m_root, rootMode, error) || !makePrivateDir(socketDir(), S_IRWXU, error, &*account))
        return false;
    if (::chown(QFile::encodeName(socketDir()).constData(), account->uid, account->gid) != 0) {
        *error = QStringLiteral("cannot hand %1 to the account %2: %3").arg(socketDir(), runAsAccount(), errnoText());
        return false;
    }
    return true;
}

bool EmbeddedCluster::initialize(QString* error)
{
    if (!prepareDirectories(error))
        return false;
    if (isInitialized())
        return true;
    const std::optional<Owner> account = runningAsRoot() ? runAsOwner() : std::nullopt;
    // The superuser password is read by the console (this user) and by initdb (the cluster's).
    const QString pwfile = m_root + QStringLiteral("/initdb.pw");
    const QByteArray secret = randomSecret().toUtf8();
    if (!writePrivateFile(m_root + QStringLiteral("/superuser.secret"), secret, nullptr, error) ||
        !writePrivateFile(pwfile, secret, account ? &*account : nullptr, error))
        return false;
    // As root, the account creates nothing in the root directory: data/ and the log are made for it.
    if (account && !handToAccount(dataDir(), logFile(), *account, error)) {
        QFile::remove(pwfile);
        return false;
    }
    const bool ok = run(QStringLiteral("initdb"),
                        {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), superuser(), QStringLiteral("--pwfile=") + pwfile,
                         QStringLiteral("--auth=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                         QStringLiteral("--locale=C.UTF-8"), QStringLiteral("--no-sync")},
                        error);
    QFile::remove(pwfile);
    if (!ok)
        return false;
    QFile conf(dataDir() + QStringLiteral("/postgresql.auto.conf"));
    if (conf.open(QIODevice::Append)) {
        conf.write("listen_addresses = ''\n"
                   "unix_socket_permissions = 0777\n"
                   "log_file_mode = 0600\n"
                   "max_connections = 200\n"
                   "shared_buffers = 128MB\n");
    }
    spdlog::info("initialized PostgreSQL cluster in {}", m_root.toStdString());
    return true;
}

bool EmbeddedCluster::initializeAsStandbyOf(const EmbeddedCluster& primary, QString* error)
{
    if (!prepareDirectories(error))
        return false;
    if (isInitialized())
        return true;
    const std::optional<Owner> account = runningAsRoot() ? runAsOwner() : std::nullopt;
    if (!writePrivateFile(m_root + QStringLiteral("/superuser.secret"), primary.superuserPassword().toUtf8(), nullptr, error))
        return false;
    if (account && !handToAccount(dataDir(), logFile(), *account, error))
        return false;
    // -R: standby.signal and primary_conninfo, so it follows the primary from its first start.
    if (!run(QStringLiteral("pg_basebackup"),
             {QStringLiteral("-D"), dataDir(), QStringLiteral("-R"), QStringLiteral("-X"), QStringLiteral("stream"),
              QStringLiteral("-c"), QStringLiteral("fast"), QStringLiteral("--no-sync"), QStringLiteral("-h"),
              primary.socketDir(), QStringLiteral("-p"), QString::number(primary.port()), QStringLiteral("-U"),
              primary.superuser()},
             error, 120000, primary.superuserPassword()))
        return false;
    spdlog::info("created a standby of {} in {}", primary.rootDir().toStdString(), m_root.toStdString());
    return true;
}

bool EmbeddedCluster::promote(QString* error)
{
    return run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), dataDir(), QStringLiteral("-w"), QStringLiteral("promote")},
               error);
}

bool EmbeddedCluster::appendConf(const QStringList& lines, QString* error) const
{
    QFile conf(dataDir() + QStringLiteral("/postgresql.auto.conf"));
    if (!conf.open(QIODevice::Append)) {
        *error = QStringLiteral("cannot add settings to %1: %2").arg(conf.fileName(), conf.errorString());
        return false;
    }
    conf.write((lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
    return true;
}

// The pid file and the socket are left behind when the server was killed (kill -9, a power
// cut): running means that the process the pid file names is alive too; otherwise pg_ctl start
// clears what it left.
bool EmbeddedCluster::isRunning() const
{
    QFile pidFile(dataDir() + QStringLiteral("/postmaster.pid"));
    if (!QFileInfo::exists(socketDir() + QStringLiteral("/.s.PGSQL.") + QString::number(m_port)) ||
        !pidFile.open(QIODevice::ReadOnly))
        return false;
    bool ok = false;
    const pid_t pid = pid_t(pidFile.readLine().trimmed().toLong(&ok));
    return ok && pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

bool EmbeddedCluster::start(QString* error)
{
    if (!initialize(error))
        return false;
    if (isRunning())
        return true;
    const std::optional<Owner> account = runningAsRoot() ? runAsOwner() : std::nullopt;
    if (!preparePrivateLog(logFile(), account ? &*account : nullptr, error))
        return false;
    const QString options = QStringLiteral("-k %1 -p %2").arg(socketDir()).arg(m_port);
    if (!run(QStringLiteral("pg_ctl"),
             {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), logFile(), QStringLiteral("-w"), QStringLiteral("-t"),
              QStringLiteral("60"), QStringLiteral("-o"), options, QStringLiteral("start")},
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

ConnectionSpec EmbeddedCluster::loginSpec(const QString& database, const QString& login, const QString& password) const
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
    QString why;
    if (!writePrivateFile(file.fileName(), QJsonDocument(logins).toJson(), nullptr, &why)) {
        spdlog::error("cannot remember the password of {}: {}", login.toStdString(), why.toStdString());
        return false;
    }
    return true;
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
