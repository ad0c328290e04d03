#include "Migrator.h"

#include "Connection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>

#include <spdlog/spdlog.h>

static void initAtlasSqlResources()
{
    Q_INIT_RESOURCE(atlas_sql);
}

namespace atlas::db {

namespace {
const QString kResourceDir = QStringLiteral(":/sql/migrations");
}

QStringList Migrator::knownVersions()
{
    initAtlasSqlResources();
    QStringList versions;
    const QStringList files = QDir(kResourceDir).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString& file : files)
        versions << QFileInfo(file).completeBaseName();
    return versions;
}

QString Migrator::sqlOf(const QString& version)
{
    initAtlasSqlResources();
    QFile file(kResourceDir + QLatin1Char('/') + version + QStringLiteral(".sql"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QStringList Migrator::appliedVersions(Connection& conn, DbError* error)
{
    QStringList applied;
    QSqlQuery query(conn.database());
    if (!conn.exec(query, QStringLiteral("SELECT to_regclass('atlas.schema_migrations') IS NOT NULL"))) {
        if (error)
            *error = conn.lastError();
        return applied;
    }
    if (!query.next() || !query.value(0).toBool())
        return applied;
    QSqlQuery versions(conn.database());
    if (!conn.exec(versions, QStringLiteral("SELECT version FROM atlas.schema_migrations ORDER BY version"))) {
        if (error)
            *error = conn.lastError();
        return applied;
    }
    while (versions.next())
        applied << versions.value(0).toString();
    return applied;
}

QStringList Migrator::migrate(Connection& conn, DbError* error)
{
    QStringList done;
    DbError readError;
    const QStringList applied = appliedVersions(conn, &readError);
    if (readError.isError()) {
        *error = readError;
        return done;
    }
    for (const QString& version : knownVersions()) {
        if (applied.contains(version))
            continue;
        const QString sql = sqlOf(version);
        // One implicit transaction per file: a failing statement leaves nothing of the file behind.
        if (sql.isEmpty() || !conn.execScript(sql)) {
            DbError failed = conn.lastError();
            failed.message = QStringLiteral("migration %1 failed: %2").arg(version, failed.message);
            *error = failed;
            return done;
        }
        spdlog::info("applied migration {}", version.toStdString());
        done << version;
    }
    return done;
}

} // namespace atlas::db
