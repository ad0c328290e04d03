#include "Common.h"

#include "Termination.h"

#include "db/ConnectionProbe.h"
#include "db/SchemaCheck.h"
#include "runs/RunApi.h"
#include "runs/RunStatus.h"
#include "runs/RunWorker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <cstdio>
#include <unistd.h>

namespace atlas::app::commands {

namespace {

// A progress bar on a terminal; nothing when stderr is not one.
class ProgressBar
{
public:
    ProgressBar()
        : m_tty(::isatty(STDERR_FILENO) == 1)
    { }
    ~ProgressBar()
    {
        if (m_drawn)
            std::fprintf(stderr, "\n");
    }
    void update(int done, int total)
    {
        if (!m_tty || total <= 0)
            return;
        constexpr int kWidth = 40;
        const int filled = int(qint64(kWidth) * done / total);
        std::fprintf(stderr, "\r[%s%s] %d/%d", QByteArray(filled, '#').constData(), QByteArray(kWidth - filled, '.').constData(),
                     done, total);
        std::fflush(stderr);
        m_drawn = true;
    }

private:
    bool m_tty;
    bool m_drawn = false;
};

QString describeRun(const QJsonObject& run)
{
    const QString bucket = runs::bucketLabel(runs::bucketFromKey(run.value(QLatin1String("status_bucket")).toString()));
    QString text = QStringLiteral("Run #%1 %2: %3 — %4 of %5 items processed: %6 succeeded, %7 failed, %8 skipped")
                       .arg(run.value(QLatin1String("id")).toInteger())
                       .arg(runs::operationLabel(run.value(QLatin1String("resource")).toString(),
                                                 run.value(QLatin1String("action")).toString()),
                            bucket)
                       .arg(run.value(QLatin1String("processed_items")).toInteger())
                       .arg(run.value(QLatin1String("total_items")).toInteger())
                       .arg(run.value(QLatin1String("succeeded_items")).toInteger())
                       .arg(run.value(QLatin1String("failed_items")).toInteger())
                       .arg(run.value(QLatin1String("skipped_items")).toInteger());
    const QJsonArray failures = run.value(QLatin1String("failures")).toArray();
    for (qsizetype i = 0; i < failures.size() && i < 10; ++i) {
        const QJsonObject f = failures[i].toObject();
        const QString item =
            f.value(QLatin1String("item_id")).isNull() ? QStringLiteral("(run)") : f.value(QLatin1String("item_id")).toString();
        text += QStringLiteral("\n  %1  %2: %3")
                    .arg(item, f.value(QLatin1String("reason_code")).toString(), f.value(QLatin1String("message")).toString());
    }
    if (failures.size() > 10)
        text += QStringLiteral("\n  … and %1 more failures").arg(failures.size() - 10);
    const QJsonObject summary = run.value(QLatin1String("summary")).toObject();
    if (!summary.isEmpty())
        text += QStringLiteral("\n  summary: %1").arg(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
    return text;
}

// Follows a run started elsewhere until it is final (polling its row; the run's own worker
// writes progress in batches).
bool follow(db::Connection& conn, qint64 id, QString* error)
{
    ProgressBar bar;
    runs::RunApi api(conn);
    termination::install();
    for (;;) {
        if (termination::requested()) {
            *error = QStringLiteral("interrupted; run #%1 goes on where it runs").arg(id);
            return false;
        }
        db::DbError dbError;
        const auto run = runs::RunQueries::run(conn, id, &dbError);
        if (!run) {
            *error = runs::RunQueries::explain(dbError);
            return false;
        }
        bar.update(int(run->value(QLatin1String("processed_items")).toInteger()),
                   int(run->value(QLatin1String("total_items")).toInteger()));
        if (runs::isFinalBucket(runs::bucketFromKey(run->value(QLatin1String("status_bucket")).toString())))
            return true;
        api.reapStale(&dbError); // a run whose worker died must not be followed for ever
        QThread::msleep(250);
    }
}

// Executes a run this process started; 0, with *reused when another console claimed it first.
int executeHere(const Session& session, qint64 runId, bool* reused)
{
    ProgressBar bar;
    // Ctrl+C (or SIGTERM, SIGHUP) stops the run as a person stopping it would: it ends
    // aborted/cancelled at once with what it recorded; a second one ends the process.
    termination::install();
    runs::RunWorker worker(session.target.spec, runId, &termination::requested(),
                           [&bar](int done, int total) { bar.update(done, total); });
    const runs::WorkerOutcome outcome = worker.run();
    if (termination::requested() && outcome.claimed && outcome.status == QLatin1String("aborted")) {
        fail(QStringLiteral("interrupted: run #%1 ended aborted (cancelled), with what it recorded kept").arg(runId));
        return 128 + termination::signalNumber();
    }
    if (!outcome.error.isEmpty() && !outcome.claimed)
        return fail(QStringLiteral("cannot execute run #%1: %2").arg(runId).arg(outcome.error));
    if (!outcome.claimed)
        *reused = true; // another console claimed it first
    else if (outcome.leaseLost)
        return fail(QStringLiteral("run #%1 was taken over (its worker was presumed lost)").arg(runId));
    return 0;
}

} // namespace

int fail(const QString& message)
{
    std::fprintf(stderr, "atlas-ops: %s\n", message.simplified().toLocal8Bit().constData());
    return 1;
}

void printLine(const QString& text)
{
    std::fprintf(stdout, "%s\n", text.toLocal8Bit().constData());
}

void printJson(const QJsonObject& object)
{
    std::fprintf(stdout, "%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

bool openSession(const Invocation& in, Session* session, QString* error, Access access)
{
    if (!db::Bootstrap::resolve(in.options.bootstrap(in.parser), &session->target, error))
        return false;
    session->conn = std::make_unique<db::Connection>(session->target.spec, QStringLiteral("cli"));
    if (!session->conn->open()) {
        const QString why = session->conn->lastError().message;
        if (db::ConnectionProbe::classify(why) == db::ConnectionProbe::Result::NoAccess) {
            db::SchemaCheck refused;
            refused.state = db::SchemaCheck::State::NoAccess;
            refused.error = session->target.spec.user;
            *error = refused.explain();
        } else {
            *error = QStringLiteral("cannot connect: %1").arg(why);
        }
        return false;
    }
    const db::SchemaCheck schema = db::SchemaCheck::of(*session->conn);
    if (access == Access::Write ? !schema.mayWrite() : !schema.mayRead()) {
        *error = schema.explain();
        return false;
    }
    return true;
}

bool tenantOption(const Invocation& in, QUuid* tenant, QString* error)
{
    if (!in.isSet(in.options.tenant)) {
        *error = QStringLiteral("--tenant is required");
        return false;
    }
    *tenant = QUuid::fromString(in.value(in.options.tenant));
    if (tenant->isNull()) {
        *error = QStringLiteral("--tenant must be a UUID, not '%1'").arg(in.value(in.options.tenant).left(60));
        return false;
    }
    return true;
}

bool idOption(const Invocation& in, const QCommandLineOption& option, qint64* id, QString* error)
{
    const QString name = option.names().constFirst();
    if (!in.isSet(option)) {
        *error = QStringLiteral("--%1 is required").arg(name);
        return false;
    }
    bool ok = false;
    *id = in.value(option).toLongLong(&ok);
    if (!ok || *id <= 0) {
        *error = QStringLiteral("--%1 must be a positive number, not '%2'").arg(name, in.value(option).left(60));
        return false;
    }
    return true;
}

int printRun(db::Connection& conn, qint64 id, bool reused, bool json)
{
    db::DbError error;
    const auto run = runs::RunQueries::run(conn, id, &error);
    if (!run)
        return fail(runs::RunQueries::explain(error));
    if (json) {
        QJsonObject out = *run;
        out.insert(QStringLiteral("reused"), reused);
        printJson(out);
    } else {
        if (reused)
            printLine(QStringLiteral("An identical run is already active; reusing run #%1.").arg(id));
        printLine(describeRun(*run));
    }
    return 0;
}

int execute(Session& session, const runs::RunRequest& request, const Invocation& in, qint64* runId, bool* reused)
{
    runs::RunApi api(*session.conn);
    db::DbError error;
    const auto started = api.start(request, &error);
    if (!started)
        return fail(runs::RunQueries::explain(error));
    *runId = started->runId;
    *reused = started->reused;
    if (!*reused) {
        if (const int failed = executeHere(session, started->runId, reused))
            return failed;
    }
    if (*reused && in.isSet(in.options.wait)) {
        QString followError;
        if (!follow(*session.conn, started->runId, &followError))
            return fail(followError);
    }
    return 0;
}

int startAndExecute(Session& session, const runs::RunRequest& request, const Invocation& in)
{
    qint64 runId = 0;
    bool reused = false;
    if (const int failed = execute(session, request, in, &runId, &reused))
        return failed;
    return printRun(*session.conn, runId, reused, in.json());
}

int startRequest(const Invocation& in, const RequestBuilder& build)
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Write))
        return fail(error);
    const auto request = build(*session.conn, &error);
    if (!request)
        return fail(error);
    return startAndExecute(session, *request, in);
}

} // namespace atlas::app::commands
