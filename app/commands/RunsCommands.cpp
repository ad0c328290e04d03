#include "RunsCommands.h"

#include "Common.h"

#include "runs/RunApi.h"
#include "runs/RunStatus.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTimeZone>

namespace atlas::app::commands {

namespace {

QString parseSince(const QString& text, QString* error)
{
    static const QRegularExpression age(QStringLiteral("^(\\d{1,6})([mhdw])$"));
    const auto m = age.match(text.trimmed());
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 seconds = n *
            (unit == QLatin1Char('m')       ? 60
                 : unit == QLatin1Char('h') ? 3600
                 : unit == QLatin1Char('d') ? 86400
                                            : 604800);
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

} // namespace

RunsList::RunsList()
    : ParsedCommand({{QStringLiteral("runs"), QStringLiteral("list")},
                     QStringLiteral("runs list --tenant UUID [--bucket B] [--resource R] [--since T] [--json]"),
                     QString()})
{ }

QList<QCommandLineOption> RunsList::takes(const Options& options) const
{
    return {options.tenant, options.bucket, options.resource, options.since};
}

bool RunsList::parse(const Invocation& in, runs::RunQueries::ListFilter* filter, QString* error) const
{
    if (!tenantOption(in, &filter->tenant, error))
        return false;
    filter->bucket = in.value(in.options.bucket);
    if (!filter->bucket.isEmpty() && runs::bucketFromKey(filter->bucket) == runs::Bucket::Unknown) {
        *error = QStringLiteral("--bucket must be one of %1").arg(runs::allBucketKeys().join(QStringLiteral(", ")));
        return false;
    }
    filter->resource = in.value(in.options.resource);
    if (in.isSet(in.options.since)) {
        filter->since = parseSince(in.value(in.options.since), error);
        if (filter->since.isEmpty())
            return false;
    }
    return true;
}

int RunsList::execute(const Invocation& in, const runs::RunQueries::ListFilter& filter) const
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Read))
        return fail(error);
    db::DbError dbError;
    const auto runs = runs::RunQueries::list(*session.conn, filter, &dbError);
    if (!runs)
        return fail(runs::RunQueries::explain(dbError));
    if (in.json()) {
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
                      .arg(runs::operationLabel(r.value(QLatin1String("resource")).toString(),
                                                r.value(QLatin1String("action")).toString()),
                           -26)
                      .arg(r.value(QLatin1String("processed_items")).toInteger())
                      .arg(r.value(QLatin1String("total_items")).toInteger())
                      .arg(r.value(QLatin1String("initiator")).toString(), r.value(QLatin1String("created_at")).toString()));
    }
    return 0;
}

bool RunIdCommand::parse(const Invocation& in, qint64* id, QString* error) const
{
    if (in.arguments.size() != 1) {
        *error = usage();
        return false;
    }
    bool ok = false;
    *id = in.arguments[0].toLongLong(&ok);
    if (!ok || *id <= 0) {
        *error = QStringLiteral("run id must be a positive number, not '%1'").arg(in.arguments[0].left(60));
        return false;
    }
    return true;
}

RunsShow::RunsShow()
    : RunIdCommand({{QStringLiteral("runs"), QStringLiteral("show")},
                    QStringLiteral("runs show ID [--json]"),
                    QString(),
                    {QStringLiteral("ID")}})
{ }

int RunsShow::execute(const Invocation& in, const qint64& id) const
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Read))
        return fail(error);
    return printRun(*session.conn, id, false, in.json());
}

RunsCancel::RunsCancel()
    : RunIdCommand({{QStringLiteral("runs"), QStringLiteral("cancel")},
                    QStringLiteral("runs cancel ID [--json]"),
                    QStringLiteral("end an active run (owner or manager)"),
                    {QStringLiteral("ID")}})
{ }

int RunsCancel::execute(const Invocation& in, const qint64& id) const
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Write))
        return fail(error);
    db::DbError dbError;
    if (!runs::RunApi(*session.conn).cancel(id, &dbError))
        return fail(dbError.sqlState == QLatin1String("42501")
                        ? QStringLiteral("run %1 cannot be cancelled by you: only owners and managers of its tenant "
                                         "may cancel runs")
                              .arg(id)
                        : runs::RunQueries::explain(dbError));
    return printRun(*session.conn, id, false, in.json());
}

} // namespace atlas::app::commands
