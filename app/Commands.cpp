#include "Commands.h"

#include "db/Connection.h"
#include "db/ConnectionProbe.h"
#include "db/Migrator.h"
#include "db/SchemaCheck.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "runs/RunStatus.h"
#include "runs/RunWorker.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QThread>
#include <QTimeZone>

#include <cstdio>
#include <unistd.h>

namespace atlas::app {

namespace {

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

// A progress bar on a terminal; nothing when stderr is not one.
class ProgressBar
{
public:
    ProgressBar()
        : m_tty(::isatty(STDERR_FILENO) == 1)
    {
    }
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

struct Session
{
    db::Bootstrap::Target target;
    std::unique_ptr<db::Connection> conn;
};

// Reads are allowed on a database whose schema is newer than this build; writes are not.
enum class Access
{
    Read,
    Write
};

bool openSession(const QCommandLineParser& parser, const Options& options, Session* session, QString* error,
                 Access access)
{
    if (!db::Bootstrap::resolve(options.bootstrap(parser), &session->target, error))
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

bool tenantOption(const QCommandLineParser& parser, const Options& options, QUuid* tenant, QString* error)
{
    if (!parser.isSet(options.tenant)) {
        *error = QStringLiteral("--tenant is required");
        return false;
    }
    *tenant = QUuid::fromString(parser.value(options.tenant));
    if (tenant->isNull()) {
        *error = QStringLiteral("--tenant must be a UUID, not '%1'").arg(parser.value(options.tenant).left(60));
        return false;
    }
    return true;
}

bool idOption(const QCommandLineParser& parser, const QCommandLineOption& option, qint64* id, QString* error)
{
    const QString name = option.names().constFirst();
    if (!parser.isSet(option)) {
        *error = QStringLiteral("--%1 is required").arg(name);
        return false;
    }
    bool ok = false;
    *id = parser.value(option).toLongLong(&ok);
    if (!ok || *id <= 0) {
        *error = QStringLiteral("--%1 must be a positive number, not '%2'").arg(name, parser.value(option).left(60));
        return false;
    }
    return true;
}

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
        const QString item = f.value(QLatin1String("item_id")).isNull() ? QStringLiteral("(run)")
                                                                          : f.value(QLatin1String("item_id")).toString();
        text += QStringLiteral("\n  %1  %2: %3").arg(item, f.value(QLatin1String("reason_code")).toString(),
                                                      f.value(QLatin1String("message")).toString());
    }
    if (failures.size() > 10)
        text += QStringLiteral("\n  … and %1 more failures").arg(failures.size() - 10);
    const QJsonObject summary = run.value(QLatin1String("summary")).toObject();
    if (!summary.isEmpty())
        text += QStringLiteral("\n  summary: %1").arg(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
    return text;
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

// Follows a run started elsewhere until it is final (polling its row; the run's own worker
// writes progress in batches).
bool follow(db::Connection& conn, qint64 id, QString* error)
{
    ProgressBar bar;
    runs::RunApi api(conn);
    for (;;) {
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

// Starts the run and executes it here with a progress bar (or, when an identical run is active
// elsewhere, follows it to its end with --wait). 0 with *runId and *reused, or the exit status of
// a failure already reported.
int execute(Session& session, const runs::RunRequest& request, const QCommandLineParser& parser, const Options& options,
            qint64* runId, bool* reused)
{
    runs::RunApi api(*session.conn);
    db::DbError error;
    const auto started = api.start(request, &error);
    if (!started)
        return fail(runs::RunQueries::explain(error));
    *runId = started->runId;
    *reused = started->reused;
    if (!*reused) {
        ProgressBar bar;
        runs::RunWorker worker(session.target.spec, started->runId, nullptr,
                               [&bar](int done, int total) { bar.update(done, total); });
        const runs::WorkerOutcome outcome = worker.run();
        if (!outcome.error.isEmpty() && !outcome.claimed)
            return fail(QStringLiteral("cannot execute run #%1: %2").arg(started->runId).arg(outcome.error));
        if (!outcome.claimed)
            *reused = true; // another console claimed it first
        else if (outcome.leaseLost)
            return fail(QStringLiteral("run #%1 was taken over (its worker was presumed lost)").arg(started->runId));
    }
    if (*reused && parser.isSet(options.wait)) {
        QString followError;
        if (!follow(*session.conn, started->runId, &followError))
            return fail(followError);
    }
    return 0;
}

int startAndExecute(Session& session, const runs::RunRequest& request, const QCommandLineParser& parser,
                    const Options& options)
{
    qint64 runId = 0;
    bool reused = false;
    if (const int failed = execute(session, request, parser, options, &runId, &reused))
        return failed;
    return printRun(*session.conn, runId, reused, parser.isSet(options.json));
}

QString parseSince(const QString& text, QString* error)
{
    static const QRegularExpression age(QStringLiteral("^(\\d{1,6})([mhdw])$"));
    const auto m = age.match(text.trimmed());
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 seconds = n * (unit == QLatin1Char('m') ? 60 : unit == QLatin1Char('h') ? 3600 : unit == QLatin1Char('d') ? 86400 : 604800);
        return QDateTime::currentDateTimeUtc().addSecs(-seconds).toString(Qt::ISODateWithMs);
    }
    QDateTime dt = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime(QDate::fromString(text.trimmed(), Qt::ISODate), QTime(0, 0), QTimeZone::utc());
    if (!dt.isValid()) {
        *error = QStringLiteral("--since must be an ISO date/time or an age such as 24h or 7d, not '%1'").arg(text.left(60));
        return {};
    }
    return dt.toString(Qt::ISODateWithMs);
}

int cmdMigrate(const QCommandLineParser& parser, const Options& options)
{
    db::Bootstrap::Target target;
    QString error;
    if (!db::Bootstrap::resolveForMigration(options.bootstrap(parser), &target, &error))
        return fail(error);
    db::Connection conn(target.spec, QStringLiteral("migrate"));
    if (!conn.open())
        return fail(QStringLiteral("cannot connect: %1").arg(conn.lastError().message));
    db::DbError dbError;
    const QStringList applied = db::Migrator::migrate(conn, &dbError);
    if (dbError.isError())
        return fail(dbError.message);
    const QStringList all = db::Migrator::appliedVersions(conn);
    const QString version = all.isEmpty() ? QString() : all.last();
    if (parser.isSet(options.json)) {
        printJson({{QStringLiteral("applied"), QJsonArray::fromStringList(applied)}, {QStringLiteral("schema_version"), version}});
    } else {
        if (applied.isEmpty())
            printLine(QStringLiteral("Schema is up to date (%1).").arg(version));
        for (const QString& v : applied)
            printLine(QStringLiteral("Applied %1").arg(v));
    }
    return 0;
}

int cmdCreate(const QCommandLineParser& parser, const Options& options, const QString& function, const QString& what)
{
    QString error;
    QUuid tenant;
    if (!tenantOption(parser, options, &tenant, &error))
        return fail(error);
    if (parser.value(options.name).trimmed().isEmpty())
        return fail(QStringLiteral("--name is required"));
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    const QVariant id = session.conn->scalar(QStringLiteral("SELECT atlas.%1(?::uuid, ?)").arg(function),
                                             {tenant.toString(QUuid::WithoutBraces), parser.value(options.name)});
    if (!id.isValid())
        return fail(runs::RunQueries::explain(session.conn->lastError()));
    if (parser.isSet(options.json))
        printJson({{what, id.toLongLong()}});
    else
        printLine(QString::number(id.toLongLong()));
    return 0;
}

int cmdImport(const QStringList& words, const QCommandLineParser& parser, const Options& options)
{
    QString error;
    QUuid tenant;
    if (!tenantOption(parser, options, &tenant, &error))
        return fail(error);
    if (words.size() != 3)
        return fail(QStringLiteral("usage: atlas-ops inventory import --tenant UUID [--allow-retire] DIR"));
    const auto request = runs::RunRequests::inventoryImport(tenant, words[2], &error, parser.isSet(options.allowRetire));
    if (!request)
        return fail(error);
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    return startAndExecute(session, *request, parser, options);
}

int cmdRunDrift(const QCommandLineParser& parser, const Options& options)
{
    QString error;
    QUuid tenant;
    qint64 baseline = 0;
    if (!tenantOption(parser, options, &tenant, &error) || !idOption(parser, options.baseline, &baseline, &error))
        return fail(error);
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    const auto request = runs::RunRequests::driftGenerate(*session.conn, tenant, baseline, &error);
    if (!request)
        return fail(error);
    return startAndExecute(session, *request, parser, options);
}

int cmdRunAddPolicies(const QCommandLineParser& parser, const Options& options)
{
    QString error;
    QUuid tenant;
    qint64 set = 0;
    if (!tenantOption(parser, options, &tenant, &error) || !idOption(parser, options.backupSet, &set, &error))
        return fail(error);
    const QStringList policies = parser.values(options.policy);
    if (policies.isEmpty() == !parser.isSet(options.all))
        return fail(QStringLiteral("give either --policy EXTERNAL_ID (one or more) or --all"));
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    const auto request = runs::RunRequests::addPolicies(*session.conn, tenant, set, policies, &error);
    if (!request)
        return fail(error);
    return startAndExecute(session, *request, parser, options);
}

// Writes a backup set as an IntuneManagement export folder (a run, executed here).
int cmdBackupSetExport(const QStringList& words, const QCommandLineParser& parser, const Options& options)
{
    QString error;
    QUuid tenant;
    qint64 set = 0;
    if (!tenantOption(parser, options, &tenant, &error) || !idOption(parser, options.backupSet, &set, &error))
        return fail(error);
    if (words.size() != 3)
        return fail(QStringLiteral("usage: atlas-ops backup-set export --tenant UUID --backup-set ID DIR"));
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    const auto request = runs::RunRequests::exportBackupSet(*session.conn, tenant, set, words[2], &error);
    if (!request)
        return fail(error);
    return startAndExecute(session, *request, parser, options);
}

int cmdRunsList(const QCommandLineParser& parser, const Options& options)
{
    QString error;
    runs::RunQueries::ListFilter filter;
    if (!tenantOption(parser, options, &filter.tenant, &error))
        return fail(error);
    filter.bucket = parser.value(options.bucket);
    if (!filter.bucket.isEmpty() && runs::bucketFromKey(filter.bucket) == runs::Bucket::Unknown)
        return fail(QStringLiteral("--bucket must be one of %1").arg(runs::allBucketKeys().join(QStringLiteral(", "))));
    filter.resource = parser.value(options.resource);
    if (parser.isSet(options.since)) {
        filter.since = parseSince(parser.value(options.since), &error);
        if (filter.since.isEmpty())
            return fail(error);
    }
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Read))
        return fail(error);
    db::DbError dbError;
    const auto runs = runs::RunQueries::list(*session.conn, filter, &dbError);
    if (!runs)
        return fail(runs::RunQueries::explain(dbError));
    if (parser.isSet(options.json)) {
        printJson({{QStringLiteral("runs"), *runs}});
        return 0;
    }
    if (runs->isEmpty())
        printLine(QStringLiteral("No runs."));
    for (const QJsonValue& v : *runs) {
        const QJsonObject r = v.toObject();
        printLine(QStringLiteral("#%1  %2  %3  %4/%5  %6  %7")
                      .arg(r.value(QLatin1String("id")).toInteger(), 6)
                      .arg(runs::bucketLabel(runs::bucketFromKey(r.value(QLatin1String("status_bucket")).toString())), -20)
                      .arg(runs::operationLabel(r.value(QLatin1String("resource")).toString(), r.value(QLatin1String("action")).toString()), -26)
                      .arg(r.value(QLatin1String("processed_items")).toInteger())
                      .arg(r.value(QLatin1String("total_items")).toInteger())
                      .arg(r.value(QLatin1String("initiator")).toString(), r.value(QLatin1String("created_at")).toString()));
    }
    return 0;
}

// The tenants the caller belongs to and the role in each: where a script finds its --tenant.
int cmdTenants(const QCommandLineParser& parser, const Options& options)
{
    QString error;
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Read))
        return fail(error);
    QSqlQuery q(session.conn->database());
    if (!session.conn->exec(q, QStringLiteral("SELECT tenant_id::text, tenant_name, role FROM atlas.my_tenants "
                                              "ORDER BY tenant_name, tenant_id")))
        return fail(runs::RunQueries::explain(session.conn->lastError()));
    QJsonArray tenants;
    while (q.next())
        tenants.append(QJsonObject{{QStringLiteral("tenant_id"), q.value(0).toString()},
                                   {QStringLiteral("tenant_name"), q.value(1).toString()},
                                   {QStringLiteral("role"), q.value(2).toString()}});
    if (parser.isSet(options.json)) {
        printJson({{QStringLiteral("tenants"), tenants}});
        return 0;
    }
    if (tenants.isEmpty())
        printLine(QStringLiteral("You are not a member of any tenant."));
    for (const QJsonValue& v : std::as_const(tenants)) {
        const QJsonObject t = v.toObject();
        printLine(QStringLiteral("%1  %2  %3")
                      .arg(t.value(QLatin1String("tenant_id")).toString())
                      .arg(t.value(QLatin1String("role")).toString(), -9)
                      .arg(t.value(QLatin1String("tenant_name")).toString()));
    }
    return 0;
}

int cmdRunsPrune(const QCommandLineParser& parser, const Options& options)
{
    QString error;
    QUuid tenant;
    if (!tenantOption(parser, options, &tenant, &error))
        return fail(error);
    static const QRegularExpression age(QStringLiteral("^(\\d{1,5})([hdw])$"));
    const auto m = age.match(parser.value(options.olderThan).trimmed());
    if (!m.hasMatch())
        return fail(QStringLiteral("--older-than must be an age such as 90d, 12w or 48h"));
    const QString unit = m.captured(2) == QLatin1String("h") ? QStringLiteral("hours")
                         : m.captured(2) == QLatin1String("d") ? QStringLiteral("days") : QStringLiteral("weeks");
    const QString interval = m.captured(1) + QLatin1Char(' ') + unit;
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    qint64 removed = 0;
    // An owner's prune is a run (in the hub, batch by batch); an administrator who is not a member
    // of the tenant prunes directly, batch by batch too.
    const QVariant role = session.conn->scalar(QStringLiteral("SELECT role FROM atlas.my_tenants WHERE tenant_id = ?::uuid"),
                                               {tenant.toString(QUuid::WithoutBraces)});
    if (role.toString() == QLatin1String("owner")) {
        qint64 runId = 0;
        bool reused = false;
        if (const int failed = execute(session, runs::RunRequests::pruneRuns(tenant, interval), parser, options, &runId, &reused))
            return failed;
        QSqlQuery q(session.conn->database());
        if (!session.conn->exec(q, QStringLiteral("SELECT status, coalesce((summary->>'removed')::bigint, 0), coalesce(message, '') "
                                                  "FROM atlas.operation_runs WHERE id = ?"), {runId}) || !q.next())
            return fail(runs::RunQueries::explain(session.conn->lastError()));
        if (q.value(0).toString() != QLatin1String("completed"))
            return fail(QStringLiteral("prune run #%1 ended %2: %3").arg(runId).arg(q.value(0).toString(), q.value(2).toString()));
        removed = q.value(1).toLongLong();
    } else {
        for (;;) { // short transactions: a batch per call
            const QVariant n = session.conn->scalar(QStringLiteral("SELECT atlas.prune_runs(?::uuid, ?::interval, 1000)"),
                                                    {tenant.toString(QUuid::WithoutBraces), interval});
            if (!n.isValid())
                return fail(runs::RunQueries::explain(session.conn->lastError()));
            removed += n.toLongLong();
            if (n.toInt() == 0)
                break;
        }
    }
    if (parser.isSet(options.json))
        printJson({{QStringLiteral("removed"), removed}, {QStringLiteral("older_than"), interval}});
    else
        printLine(QStringLiteral("Removed %1 finished runs older than %2, with their item results, findings and "
                                 "notifications.").arg(removed).arg(interval));
    return 0;
}

// "runs show ID" / "runs cancel ID": the id, or 0 after printing why not.
qint64 runIdWord(const QStringList& words, const QString& verb)
{
    if (words.size() != 3) {
        fail(QStringLiteral("usage: atlas-ops runs %1 ID").arg(verb));
        return 0;
    }
    bool ok = false;
    const qint64 id = words[2].toLongLong(&ok);
    if (!ok || id <= 0) {
        fail(QStringLiteral("run id must be a positive number, not '%1'").arg(words[2].left(60)));
        return 0;
    }
    return id;
}

int cmdRunsShow(const QStringList& words, const QCommandLineParser& parser, const Options& options)
{
    const qint64 id = runIdWord(words, QStringLiteral("show"));
    if (id == 0)
        return 1;
    QString error;
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Read))
        return fail(error);
    return printRun(*session.conn, id, false, parser.isSet(options.json));
}

// Owners and managers end an active run of their tenant (aborted/cancelled); the worker holding
// its lease stops at its next write. A run that had already ended is shown as it is.
int cmdRunsCancel(const QStringList& words, const QCommandLineParser& parser, const Options& options)
{
    const qint64 id = runIdWord(words, QStringLiteral("cancel"));
    if (id == 0)
        return 1;
    QString error;
    Session session;
    if (!openSession(parser, options, &session, &error, Access::Write))
        return fail(error);
    db::DbError dbError;
    if (!runs::RunApi(*session.conn).cancel(id, &dbError))
        return fail(dbError.sqlState == QLatin1String("42501")
                        ? QStringLiteral("run %1 cannot be cancelled by you: only owners and managers of its tenant "
                                         "may cancel runs").arg(id)
                        : runs::RunQueries::explain(dbError));
    return printRun(*session.conn, id, false, parser.isSet(options.json));
}

} // namespace

QStringList Options::valueOptionNames() const
{
    QStringList names;
    for (const QCommandLineOption& o : all_()) {
        if (!o.valueName().isEmpty())
            names << o.names();
    }
    return names;
}

db::Bootstrap::Options Options::bootstrap(const QCommandLineParser& parser) const
{
    db::Bootstrap::Options o;
    o.dbUrl = parser.value(db);
    o.login = parser.value(login);
    o.clusterDir = parser.value(dataDir);
    return o;
}

bool isCommand(const QString& firstWord)
{
    static const QStringList words{QStringLiteral("migrate"), QStringLiteral("inventory"), QStringLiteral("baseline"),
                                   QStringLiteral("backup-set"), QStringLiteral("run"), QStringLiteral("runs"),
                                   QStringLiteral("tenants")};
    return words.contains(firstWord);
}

QString commandsHelp()
{
    return QStringLiteral(
        "Commands:\n"
        "  (none)                                   open the console\n"
        "  migrate                                  apply pending migrations (superuser)\n"
        "  tenants [--json]                         your tenants, their ids and your role in each\n"
        "  inventory import --tenant UUID [--allow-retire] DIR   import an IntuneManagement export folder\n"
        "  baseline capture --tenant UUID --name N  capture a baseline; prints its id\n"
        "  backup-set create --tenant UUID --name N create a backup set; prints its id\n"
        "  backup-set export --tenant UUID --backup-set ID DIR   write the set as an IntuneManagement export\n"
        "  run drift --tenant UUID --baseline ID [--wait] [--json]\n"
        "  run add-policies --tenant UUID --backup-set ID (--policy ID... | --all) [--wait] [--json]\n"
        "  runs list --tenant UUID [--bucket B] [--resource R] [--since T] [--json]\n"
        "  runs show ID [--json]\n"
        "  runs cancel ID [--json]                  end an active run (owner or manager)\n"
        "  runs prune --tenant UUID --older-than 90d [--json]   delete finished runs (owner or admin)\n"
        "Commands that start a run execute it here and return when it has finished; an identical\n"
        "active run elsewhere is reported as reused (followed to its end with --wait).");
}

int runCommand(const QStringList& words, const QCommandLineParser& parser, const Options& options)
{
    const QString command = words.mid(0, 2).join(QLatin1Char(' '));
    if (words.first() == QLatin1String("migrate") && words.size() == 1)
        return cmdMigrate(parser, options);
    if (command == QLatin1String("inventory import"))
        return cmdImport(words, parser, options);
    if (command == QLatin1String("baseline capture") && words.size() == 2)
        return cmdCreate(parser, options, QStringLiteral("capture_baseline"), QStringLiteral("baseline_id"));
    if (command == QLatin1String("backup-set export"))
        return cmdBackupSetExport(words, parser, options);
    if (command == QLatin1String("backup-set create") && words.size() == 2)
        return cmdCreate(parser, options, QStringLiteral("create_backup_set"), QStringLiteral("backup_set_id"));
    if (command == QLatin1String("run drift") && words.size() == 2)
        return cmdRunDrift(parser, options);
    if (command == QLatin1String("run add-policies") && words.size() == 2)
        return cmdRunAddPolicies(parser, options);
    if (command == QLatin1String("runs list") && words.size() == 2)
        return cmdRunsList(parser, options);
    if (command == QLatin1String("runs prune") && words.size() == 2)
        return cmdRunsPrune(parser, options);
    if (words.first() == QLatin1String("tenants") && words.size() == 1)
        return cmdTenants(parser, options);
    if (command == QLatin1String("runs show"))
        return cmdRunsShow(words, parser, options);
    if (command == QLatin1String("runs cancel"))
        return cmdRunsCancel(words, parser, options);
    return fail(QStringLiteral("unknown command '%1' (see --help)").arg(words.join(QLatin1Char(' ')).left(60)));
}

} // namespace atlas::app
