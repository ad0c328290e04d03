#pragma once

#include "ConnectionSpec.h"
#include "SchemaCheck.h"

#include <QString>

namespace atlas::db {

// Tries a connection the way the console will use it and says, for a person, what is wrong:
// no server, a wrong or missing password, no such database or login, TLS, a login that is not
// an Atlas Ops user, a schema too old or too new for this build.
struct ConnectionProbe
{
    enum class Result
    {
        Ok,
        ReadOnly, // connected, but the schema is newer than this build: browse only
        NoServer,
        NotPostgres, // something answers there, but not PostgreSQL
        PasswordNeeded,
        BadPassword,
        NoDatabase,
        NoLogin,
        Tls,
        NoAccess,
        SchemaOlder,
        Other
    };
    Result result = Result::Other;
    QString message; // one or two sentences for the login dialog
    QString detail;  // the server's or libpq's own words
    SchemaCheck schema;

    bool usable() const { return result == Result::Ok || result == Result::ReadOnly; }
    static ConnectionProbe run(const ConnectionSpec& spec);
    // Sorts libpq's message of a failed connection into a Result (exposed for tests).
    static Result classify(const QString& libpqMessage);
};

} // namespace atlas::db
