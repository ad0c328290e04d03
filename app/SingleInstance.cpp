#include "SingleInstance.h"

#include <QCryptographicHash>
#include <QLocalServer>
#include <QLocalSocket>

#include <spdlog/spdlog.h>

namespace atlas::app {

namespace {
constexpr qsizetype kMaxMessage = 4096;
}

SingleInstance::SingleInstance(const QString& key, QObject* parent)
    : QObject(parent)
{
    const QByteArray user = qgetenv("USER").isEmpty() ? qgetenv("LOGNAME") : qgetenv("USER");
    const QByteArray digest = QCryptographicHash::hash(QByteArray(user + '\n' + key.toUtf8()), QCryptographicHash::Sha256).toHex();
    m_name = QStringLiteral("atlas-ops-%1").arg(QString::fromLatin1(digest.left(16)));
}

SingleInstance::~SingleInstance() = default;

bool SingleInstance::sendToRunning(const QString& message, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(message.toUtf8().left(kMaxMessage) + '\n');
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    // The running instance answers "ok" once it has the message.
    return socket.waitForReadyRead(timeoutMs) && socket.readLine().trimmed() == "ok";
}

bool SingleInstance::listen()
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption); // only this user may hand us links
    if (!m_server->listen(m_name)) {
        // A socket left by a console that crashed: nobody answered on it, so it can go.
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name)) {
            spdlog::warn("single instance: cannot listen on {}: {}", m_name.toStdString(),
                         m_server->errorString().toStdString());
            return false;
        }
    }
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

} // namespace atlas::app
