#include "ConnectionProbe.h"

#include "Connection.h"

namespace atlas::db {

ConnectionProbe::Result ConnectionProbe::classify(const QString& text)
{
    const QString m = text.toLower();
    if (m.contains(QLatin1String("password authentication failed")) || m.contains(QLatin1String("authentication failed")))
        return Result::BadPassword;
    if (m.contains(QLatin1String("no password supplied")) || m.contains(QLatin1String("password is required")))
        return Result::PasswordNeeded;
    if (m.contains(QLatin1String("database \"")) && m.contains(QLatin1String("does not exist")))
        return Result::NoDatabase;
    if (m.contains(QLatin1String("role \"")) && m.contains(QLatin1String("does not exist")))
        return Result::NoLogin;
    // CONNECT on an Atlas database is for atlas_client and atlas_admin only.
    if (m.contains(QLatin1String("permission denied for database")) || m.contains(QLatin1String("connect privilege")))
        return Result::NoAccess;
    if (m.contains(QLatin1String("invalid response to ssl negotiation")) ||
        m.contains(QLatin1String("expected authentication request from server")) ||
        m.contains(QLatin1String("received invalid response")))
        return Result::NotPostgres;
    if (m.contains(QLatin1String("ssl")) || m.contains(QLatin1String("certificate")) || m.contains(QLatin1String("tls")))
        return Result::Tls;
    if (m.contains(QLatin1String("could not connect")) || m.contains(QLatin1String("connection refused")) ||
        m.contains(QLatin1String("no such file or directory")) || m.contains(QLatin1String("could not translate host")) ||
        m.contains(QLatin1String("timeout expired")) || m.contains(QLatin1String("network is unreachable")) ||
        m.contains(QLatin1String("no route to host")) || m.contains(QLatin1String("connection to server")))
        return Result::NoServer;
    return Result::Other;
}

ConnectionProbe ConnectionProbe::run(const ConnectionSpec& spec)
{
    ConnectionProbe probe;
    Connection conn(spec, QStringLiteral("probe"));
    if (!conn.open()) {
        probe.detail = conn.lastError().message.simplified();
        probe.result = classify(probe.detail);
        const QString where = spec.describe();
        switch (probe.result) {
        case Result::NoServer:
            probe.message = QStringLiteral("No PostgreSQL server answers at %1. Check the host and port, and that "
                                           "the server is running and reachable.")
                                .arg(where);
            break;
        case Result::NotPostgres:
            probe.message = QStringLiteral("Something answers at %1, but it is not a PostgreSQL server. Check the "
                                           "host and port.")
                                .arg(where);
            break;
        case Result::PasswordNeeded:
            probe.message = QStringLiteral("The server wants a password for %1.")
                                .arg(spec.user.isEmpty() ? QStringLiteral("this login") : spec.user);
            break;
        case Result::BadPassword:
            probe.message = QStringLiteral("The password for %1 is wrong (or the server does not accept this login "
                                           "from here).")
                                .arg(spec.user.isEmpty() ? QStringLiteral("this login") : spec.user);
            break;
        case Result::NoDatabase:
            probe.message = QStringLiteral("The server has no database named “%1”.").arg(spec.database);
            break;
        case Result::NoLogin:
            probe.message = QStringLiteral("The server has no login named “%1”.").arg(spec.user);
            break;
        case Result::NoAccess:
            probe.schema.state = SchemaCheck::State::NoAccess;
            probe.schema.error = spec.user;
            probe.message = probe.schema.explain();
            break;
        case Result::Tls:
            probe.message = QStringLiteral("The TLS connection failed (sslmode, certificate or the server's TLS "
                                           "settings).");
            break;
        default:
            probe.message = QStringLiteral("Cannot connect to %1.").arg(where);
            break;
        }
        return probe;
    }
    probe.schema = SchemaCheck::of(conn);
    switch (probe.schema.state) {
    case SchemaCheck::State::Current:
        probe.result = Result::Ok;
        break;
    case SchemaCheck::State::Newer:
        probe.result = Result::ReadOnly;
        probe.message = probe.schema.explain();
        break;
    case SchemaCheck::State::Older:
        probe.result = Result::SchemaOlder;
        probe.message = probe.schema.explain();
        break;
    case SchemaCheck::State::NoAccess:
        probe.result = Result::NoAccess;
        probe.message = probe.schema.explain();
        break;
    case SchemaCheck::State::Unreachable:
        probe.result = Result::Other;
        probe.message = probe.schema.explain();
        break;
    }
    return probe;
}

} // namespace atlas::db
