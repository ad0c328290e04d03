#include "SchemaCheck.h"

#include "Connection.h"
#include "Migrator.h"

#include <QSqlQuery>

namespace atlas::db {

SchemaCheck SchemaCheck::of(Connection& conn)
{
    SchemaCheck check;
    check.console = Migrator::knownVersions().value(Migrator::knownVersions().size() - 1);
    QSqlQuery q(conn.database());
    if (!conn.exec(q, QStringLiteral("SELECT atlas.schema_version()")) || !q.next()) {
        const DbError& error = conn.lastError();
        // No such function (42883) or no schema atlas at all (3F000): from before 0009, or empty.
        if (error.sqlState == QLatin1String("42883") || error.sqlState == QLatin1String("3F000")) {
            check.state = State::Older;
        } else if (error.sqlState == QLatin1String("42501")) {
            check.state = State::NoAccess;
            check.error = conn.spec().user;
        } else {
            check.error = error.message;
        }
        return check;
    }
    check.database = q.value(0).toString();
    check.state = check.database == check.console ? State::Current : check.database > check.console ? State::Newer : State::Older;
    return check;
}

QString SchemaCheck::explain() const
{
    switch (state) {
    case State::Current:
        return {};
    case State::Newer:
        return QStringLiteral("The database's schema (%1) is newer than this Atlas Ops knows (%2): it can show what is "
                              "there but will not change anything. Update Atlas Ops.")
            .arg(database, console);
    case State::Older:
        return QStringLiteral("The database's schema (%1) is older than this Atlas Ops needs (%2): an administrator "
                              "has to run “atlas-ops migrate” first.")
            .arg(database.isEmpty() ? QStringLiteral("none or before 0009") : database, console);
    case State::NoAccess:
        return QStringLiteral("The login %1 may not use Atlas Ops: it has not been granted the role atlas_client. Ask "
                              "an administrator to grant it.")
            .arg(error.isEmpty() ? QStringLiteral("you connected with") : QStringLiteral("“%1”").arg(error));
    case State::Unreachable:
        break;
    }
    return QStringLiteral("Cannot read the database's schema version: %1").arg(error);
}

} // namespace atlas::db
