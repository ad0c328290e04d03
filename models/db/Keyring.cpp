#include "Keyring.h"

#include <QEventLoop>

#include <qt6keychain/keychain.h>

namespace atlas::db {

namespace {
const QString kService = QStringLiteral("atlas-ops");

// Runs a QtKeychain job to its end; false with the keyring's reason on failure.
bool finish(QKeychain::Job& job, QString* error)
{
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (job.error() != QKeychain::NoError) {
        if (error)
            *error = job.errorString();
        return false;
    }
    return true;
}
} // namespace

QString Keyring::keyFor(const QString& user, const QString& host, int port, const QString& database, const QString& service)
{
    if (!service.isEmpty() && host.isEmpty())
        return QStringLiteral("%1@service=%2").arg(user, service);
    return QStringLiteral("%1@%2:%3/%4").arg(user, host).arg(port > 0 ? port : 5432).arg(database);
}

bool Keyring::write(const QString& key, const QString& password, QString* error)
{
    QKeychain::WritePasswordJob job(kService);
    job.setKey(key);
    job.setTextData(password);
    return finish(job, error);
}

std::optional<QString> Keyring::read(const QString& key, QString* error)
{
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(key);
    if (!finish(job, error))
        return std::nullopt;
    return job.textData();
}

bool Keyring::remove(const QString& key, QString* error)
{
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(key);
    return finish(job, error);
}

} // namespace atlas::db
