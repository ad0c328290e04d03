#include "SingleInstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QSysInfo>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atlas::app {

namespace {
constexpr qsizetype kMaxMessage = 4096;

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// The uid of the process at the other end of a connected local socket (for a client: of the
// process that listens), as the kernel recorded it when the connection was made.
bool peerUid(qintptr descriptor, uid_t* uid)
{
    struct ucred cred
    { };
    socklen_t length = sizeof cred;
    if (::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0 || length != sizeof cred)
        return false;
    *uid = cred.uid;
    return true;
}

// A directory that belongs to this user and that nobody else may enter. `narrow`: one of ours
// that others may enter is closed first (it is ours to fix; $XDG_RUNTIME_DIR is not).
bool privateDirectory(const QString& path, bool narrow, QString* why)
{
    const QByteArray encoded = QFile::encodeName(path);
    struct stat st
    { };
    if (::stat(encoded.constData(), &st) != 0) {
        *why = QStringLiteral("cannot examine %1: %2").arg(path, errnoText());
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        *why = QStringLiteral("%1 is not a directory").arg(path);
        return false;
    }
    if (st.st_uid != ::geteuid()) {
        *why = QStringLiteral("%1 belongs to another user (uid %2)").arg(path).arg(st.st_uid);
        return false;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) && (!narrow || ::chmod(encoded.constData(), S_IRWXU) != 0)) {
        *why = QStringLiteral("%1 is open to other users (mode %2)").arg(path).arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'));
        return false;
    }
    return true;
}

// Where the socket lives: $XDG_RUNTIME_DIR (the session's own, 0700 by the XDG rules), else a
// directory made 0700 under the user's cache directory. Never a shared directory such as /tmp,
// where another user could put a socket of theirs at the name first.
QString socketDirectory(QString* why)
{
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty())
        return privateDirectory(runtime, false, why) ? runtime : QString();
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty()) {
        *why = QStringLiteral("no runtime or cache directory to keep the socket in");
        return {};
    }
    const QString dir = cache + QStringLiteral("/atlas-ops/run");
    QDir().mkpath(cache + QStringLiteral("/atlas-ops"));
    if (::mkdir(QFile::encodeName(dir).constData(), S_IRWXU) != 0 && errno != EEXIST) {
        *why = QStringLiteral("cannot create %1: %2").arg(dir, errnoText());
        return {};
    }
    return privateDirectory(dir, true, why) ? dir : QString();
}

// What is at the socket's path, if anything, must be a socket of this user's.
bool ownSocketOrNothing(const QString& path, QString* why)
{
    struct stat st
    { };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return true;
    if (S_ISSOCK(st.st_mode) && st.st_uid == ::geteuid())
        return true;
    *why = QStringLiteral("%1 is not a socket of this user's (owner uid %2)").arg(path).arg(st.st_uid);
    return false;
}

// Takes only connections from processes of this user; any other is closed unread.
class PeerCheckedServer final : public QLocalServer
{
public:
    using QLocalServer::QLocalServer;

protected:
    void incomingConnection(quintptr descriptor) override
    {
        uid_t uid = uid_t(-1);
        if (!peerUid(qintptr(descriptor), &uid) || uid != ::geteuid()) {
            spdlog::warn("single instance: refused a connection from uid {}", uid == uid_t(-1) ? -1LL : (long long)uid);
            ::close(int(descriptor));
            return;
        }
        QLocalServer::incomingConnection(descriptor);
    }
};
} // namespace

SingleInstance::SingleInstance(const QString& key, QObject* parent)
    : QObject(parent)
{
    QString why;
    const QString dir = socketDirectory(&why);
    if (dir.isEmpty()) {
        refuse(why);
        return;
    }
    m_path = dir + QLatin1Char('/') + nameFor(key);
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::nameFor(const QString& key)
{
    // The host too: a cache directory in a home shared between machines holds one socket a host.
    const QByteArray material =
        QByteArray::number(qint64(::geteuid())) + '\n' + QSysInfo::machineHostName().toUtf8() + '\n' + key.toUtf8();
    const QByteArray digest = QCryptographicHash::hash(material, QCryptographicHash::Sha256).toHex();
    return QStringLiteral("atlas-ops-%1").arg(QString::fromLatin1(digest.left(16)));
}

bool SingleInstance::refuse(const QString& why)
{
    if (m_unsafe.isEmpty())
        spdlog::warn("single instance: {}; this console hands nothing over and runs on its own", why.toStdString());
    m_unsafe = why;
    return false;
}

bool SingleInstance::sendToRunning(const QString& message, int timeoutMs)
{
    if (!m_unsafe.isEmpty())
        return false;
    QString why;
    if (!ownSocketOrNothing(m_path, &why))
        return refuse(why);
    QLocalSocket socket;
    socket.connectToServer(m_path);
    if (!socket.waitForConnected(timeoutMs))
        return false; // nothing there, or a socket left by a console that crashed
    uid_t uid = uid_t(-1);
    if (!peerUid(socket.socketDescriptor(), &uid) || uid != ::geteuid()) {
        socket.abort();
        return refuse(QStringLiteral("the process listening on %1 is not this user's (uid %2)").arg(m_path).arg(qint64(uid)));
    }
    socket.write(message.toUtf8().left(kMaxMessage) + '\n');
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    // The running instance answers "ok" once it has the message.
    return socket.waitForReadyRead(timeoutMs) && socket.readLine().trimmed() == "ok";
}

bool SingleInstance::listen()
{
    if (!m_unsafe.isEmpty())
        return false;
    QString why;
    if (!ownSocketOrNothing(m_path, &why))
        return refuse(why);
    m_server = new PeerCheckedServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption); // only this user may hand us links
    if (!m_server->listen(m_path)) {
        QLocalSocket probe;
        probe.connectToServer(m_path);
        if (probe.waitForConnected(500)) {
            spdlog::info("single instance: another console already listens on {}", m_path.toStdString());
            return false;
        }
        // A socket left by a console that crashed (ours, in our own directory): it can go.
        QLocalServer::removeServer(m_path);
        if (!m_server->listen(m_path)) {
            spdlog::warn("single instance: cannot listen on {}: {}", m_path.toStdString(), m_server->errorString().toStdString());
            return false;
        }
    }
    spdlog::info("single instance: listening on {}", m_path.toStdString());
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine()) {
                    if (socket->bytesAvailable() > kMaxMessage)
                        socket->abort();
                    return;
                }
                const QString message = QString::fromUtf8(socket->readLine(kMaxMessage + 1)).trimmed();
                socket->write("ok\n");
                socket->flush();
                socket->disconnectFromServer();
                Q_EMIT messageReceived(message);
            });
        }
    });
    return true;
}

void SingleInstance::rekey(const QString& key)
{
    if (!m_unsafe.isEmpty())
        return;
    const QString path = m_path.section(QLatin1Char('/'), 0, -2) + QLatin1Char('/') + nameFor(key);
    if (path == m_path)
        return;
    const bool listening = m_server && m_server->isListening();
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    m_path = path;
    if (listening)
        listen();
}

} // namespace atlas::app
