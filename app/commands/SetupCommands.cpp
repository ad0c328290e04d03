#include "SetupCommands.h"

#include "Common.h"

#include "db/Housekeeping.h"
#include "db/Migrator.h"
#include "runs/RunRequests.h"

#include <QJsonArray>
#include <QSqlQuery>

#include <optional>

namespace atlas::app::commands {

Migrate::Migrate()
    : ParsedCommand({{QStringLiteral("migrate")},
                     QStringLiteral("migrate [--schedule]"),
                     QStringLiteral("apply pending migrations (superuser); --schedule: housekeeping by pg_cron")})
{ }

int Migrate::execute(const Invocation& in, const NoArguments&) const
{
    db::Bootstrap::Target target;
    QString error;
    if (!db::Bootstrap::resolveForMigration(in.options.bootstrap(in.parser), &target, &error))
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
    std::optional<db::Housekeeping> housekeeping;
    if (in.parser.isSet(in.options.schedule))
        housekeeping = db::Housekeeping::schedule(conn);
    if (in.json()) {
        QJsonObject out{{QStringLiteral("applied"), QJsonArray::fromStringList(applied)},
                        {QStringLiteral("schema_version"), version}};
        if (housekeeping) {
            static const char* const kStates[] = {"scheduled", "unavailable", "failed"};
            out.insert(QStringLiteral("housekeeping"), QString::fromLatin1(kStates[int(housekeeping->state)]));
            out.insert(QStringLiteral("housekeeping_message"), housekeeping->explain());
        }
        printJson(out);
    } else {
        if (applied.isEmpty())
            printLine(QStringLiteral("Schema is up to date (%1).").arg(version));
        for (const QString& v : applied)
            printLine(QStringLiteral("Applied %1").arg(v));
        if (housekeeping)
            printLine(housekeeping->explain());
    }
    // No pg_cron is an answer, not a failure; pg_cron there and no jobs is one.
    return housekeeping && housekeeping->state == db::Housekeeping::State::Failed ? 1 : 0;
}

Tenants::Tenants()
    : ParsedCommand({{QStringLiteral("tenants")},
                     QStringLiteral("tenants [--json]"),
                     QStringLiteral("your tenants, their ids and your role in each")})
{ }

int Tenants::execute(const Invocation& in, const NoArguments&) const
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Read))
        return fail(error);
    QSqlQuery q(session.conn->database());
    if (!session.conn->exec(q,
                            QStringLiteral("SELECT tenant_id::text, tenant_name, role FROM atlas.my_tenants "
                                           "ORDER BY tenant_name, tenant_id")))
        return fail(runs::RunQueries::explain(session.conn->lastError()));
    QJsonArray tenants;
    while (q.next())
        tenants.append(QJsonObject{{QStringLiteral("tenant_id"), q.value(0).toString()},
                                   {QStringLiteral("tenant_name"), q.value(1).toString()},
                                   {QStringLiteral("role"), q.value(2).toString()}});
    if (in.json()) {
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

CreateCommand::CreateCommand(Spec spec, QString function, QString key)
    : ParsedCommand(std::move(spec))
    , m_function(std::move(function))
    , m_key(std::move(key))
{ }

QList<QCommandLineOption> CreateCommand::takes(const Options& options) const
{
    return {options.tenant, options.name};
}

bool CreateCommand::parse(const Invocation& in, Named* parsed, QString* error) const
{
    if (!tenantOption(in, &parsed->tenant, error))
        return false;
    parsed->name = in.value(in.options.name);
    if (parsed->name.trimmed().isEmpty()) {
        *error = QStringLiteral("--name is required");
        return false;
    }
    return true;
}

int CreateCommand::execute(const Invocation& in, const Named& parsed) const
{
    QString error;
    Session session;
    if (!openSession(in, &session, &error, Access::Write))
        return fail(error);
    const QVariant id = session.conn->scalar(QStringLiteral("SELECT atlas.%1(?::uuid, ?)").arg(m_function),
                                             {parsed.tenant.toString(QUuid::WithoutBraces), parsed.name});
    if (!id.isValid())
        return fail(runs::RunQueries::explain(session.conn->lastError()));
    if (in.json())
        printJson({{m_key, id.toLongLong()}});
    else
        printLine(QString::number(id.toLongLong()));
    return 0;
}

BaselineCapture::BaselineCapture()
    : CreateCommand({{QStringLiteral("baseline"), QStringLiteral("capture")},
                     QStringLiteral("baseline capture --tenant UUID --name N"),
                     QStringLiteral("capture a baseline; prints its id")},
                    QStringLiteral("capture_baseline"), QStringLiteral("baseline_id"))
{ }

BackupSetCreate::BackupSetCreate()
    : CreateCommand({{QStringLiteral("backup-set"), QStringLiteral("create")},
                     QStringLiteral("backup-set create --tenant UUID --name N"),
                     QStringLiteral("create a backup set; prints its id")},
                    QStringLiteral("create_backup_set"), QStringLiteral("backup_set_id"))
{ }

} // namespace atlas::app::commands
