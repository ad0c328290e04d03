#include "Keyring.h"

#include "Worker.h"

#include <QCoreApplication>
#include <QMutex>

#include <qt6keychain/keychain.h>

#include <future>

namespace atlas::db {

namespace {
const QString kService = QStringLiteral("atlas-ops");

enum class Kind
{
    Read,
    Write,
    Remove
};

// The keyring's thread, made on first use and stopped with the application.
QMutex s_mutex;
Worker* s_worker = nullptr;

void stopWorker()
{
    QMutexLocker lock(&s_mutex);
    delete s_worker;
    s_worker = nullptr;
}

Worker& worker()
{
    QMutexLocker lock(&s_mutex);
    if (!s_worker) {
        s_worker = new Worker(QStringLiteral("keyring"));
        qAddPostRoutine(stopWorker);
    }
    return *s_worker;
}

// Starts the job in the keyring's thread; `finished` runs there with its answer.
void start(Kind kind, const QString& key, const QString& password, std::function<void(const Keyring::Answer&)> finished)
{
    worker().run([kind, key, password, finished = std::move(finished)] {
        QKeychain::Job* job = nullptr;
        switch (kind) {
        case Kind::Read:
            job = new QKeychain::ReadPasswordJob(kService);
            break;
        case Kind::Write: {
            auto* write = new QKeychain::WritePasswordJob(kService);
            write->setTextData(password);
            job = write;
            break;
        }
        case Kind::Remove:
            job = new QKeychain::DeletePasswordJob(kService);
            break;
        }
        job->setKey(key);
        job->setAutoDelete(true); // deleted once it has answered
        QObject::connect(job, &QKeychain::Job::finished, job, [kind, finished](QKeychain::Job* done) {
            Keyring::Answer answer;
            answer.ok = done->error() == QKeychain::NoError;
            if (!answer.ok)
                answer.error = done->errorString();
            else if (kind == Kind::Read)
                answer.password = static_cast<QKeychain::ReadPasswordJob*>(done)->textData();
            finished(answer);
        });
        job->start();
    });
}

void startFor(Kind kind, const QString& key, const QString& password, QObject* receiver, Keyring::Done done)
{
    auto* reply = new detail::Reply(receiver);
    start(kind, key, password,
          [reply, done = std::move(done)](const Keyring::Answer& answer) { reply->deliver([done, answer] { done(answer); }); });
}

// Blocks the calling thread (no event loop) until the keyring's thread has the answer.
Keyring::Answer wait(Kind kind, const QString& key, const QString& password)
{
    Q_ASSERT(QThread::currentThread() != worker().workerThread());
    auto promise = std::make_shared<std::promise<Keyring::Answer>>();
    std::future<Keyring::Answer> answer = promise->get_future();
    start(kind, key, password, [promise](const Keyring::Answer& a) { promise->set_value(a); });
    return answer.get();
}
} // namespace

QString Keyring::keyFor(const QString& user, const QString& host, int port, const QString& database, const QString& service)
{
    if (!service.isEmpty() && host.isEmpty())
        return QStringLiteral("%1@service=%2").arg(user, service);
    return QStringLiteral("%1@%2:%3/%4").arg(user, host).arg(port > 0 ? port : 5432).arg(database);
}

void Keyring::read(const QString& key, QObject* receiver, Done done)
{
    startFor(Kind::Read, key, {}, receiver, std::move(done));
}

void Keyring::write(const QString& key, const QString& password, QObject* receiver, Done done)
{
    startFor(Kind::Write, key, password, receiver, std::move(done));
}

void Keyring::remove(const QString& key, QObject* receiver, Done done)
{
    startFor(Kind::Remove, key, {}, receiver, std::move(done));
}

bool Keyring::write(const QString& key, const QString& password, QString* error)
{
    const Answer answer = wait(Kind::Write, key, password);
    if (!answer.ok && error)
        *error = answer.error;
    return answer.ok;
}

std::optional<QString> Keyring::read(const QString& key, QString* error)
{
    const Answer answer = wait(Kind::Read, key, {});
    if (!answer.ok) {
        if (error)
            *error = answer.error;
        return std::nullopt;
    }
    return answer.password;
}

bool Keyring::remove(const QString& key, QString* error)
{
    const Answer answer = wait(Kind::Remove, key, {});
    if (!answer.ok && error)
        *error = answer.error;
    return answer.ok;
}

} // namespace atlas::db
