#include "Migrator.h"

#include "Connection.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QSqlQuery>

#include <spdlog/spdlog.h>

static void initAtlasSqlResources()
{
    Q_INIT_RESOURCE(atlas_sql);
}

namespace atlas::db {

namespace {
const QString kMigrations = QStringLiteral(":/sql/migrations");
const QString kDefinitions = QStringLiteral(":/sql/definitions");

QStringList namesIn(const QString& dir)
{
    initAtlasSqlResources();
    QStringList names;
    const QStringList files = QDir(dir).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString& file : files)
        names << QFileInfo(file).completeBaseName();
    return names;
}

QByteArray bytesOf(const QString& dir, const QString& name)
{
    initAtlasSqlResources();
    QFile file(dir + QLatin1Char('/') + name + QStringLiteral(".sql"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString checksumIn(const QString& dir, const QString& name)
{
    const QByteArray bytes = bytesOf(dir, name);
    if (bytes.isEmpty())
        return {};
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QString literal(QString text)
{
    return QLatin1Char('\'') + text.replace(QLatin1Char('\''), QStringLiteral("''")) + QLatin1Char('\'');
}

bool fail(Connection& conn, DbError* error)
{
    if (error)
        *error = conn.lastError();
    return false;
}

bool relationExists(Connection& conn, const QString& name, bool* exists, DbError* error)
{
    QSqlQuery query(conn.database());
    if (!conn.exec(query, QStringLiteral("SELECT to_regclass(?) IS NOT NULL"), {name}) || !query.next())
        return fail(conn, error);
    *exists = query.value(0).toBool();
    return true;
}

// What atlas.schema_migrations or atlas.schema_definitions records: name -> checksum (a null
// QString where none was recorded). Empty when the table is not there (yet).
bool readRecorded(Connection& conn, const QString& table, const QString& sql, QMap<QString, QString>* recorded, DbError* error)
{
    recorded->clear();
    bool exists = false;
    if (!relationExists(conn, table, &exists, error))
        return false;
    if (!exists)
        return true;
    QSqlQuery query(conn.database());
    if (!conn.exec(query, sql))
        return fail(conn, error);
    while (query.next())
        recorded->insert(query.value(0).toString(), query.value(1).isNull() ? QString() : query.value(1).toString());
    return true;
}

bool readMigrations(Connection& conn, QMap<QString, QString>* recorded, bool* hasChecksums, DbError* error)
{
    QSqlQuery column(conn.database());
    if (!conn.exec(column,
                   QStringLiteral("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
                                  "to_regclass('atlas.schema_migrations') AND attname = 'checksum' "
                                  "AND NOT attisdropped)")) ||
        !column.next())
        return fail(conn, error);
    *hasChecksums = column.value(0).toBool();
    return readRecorded(conn, QStringLiteral("atlas.schema_migrations"),
                        *hasChecksums ? QStringLiteral("SELECT version, checksum FROM atlas.schema_migrations")
                                      : QStringLiteral("SELECT version, NULL FROM atlas.schema_migrations"),
                        recorded, error);
}

// The file and its record (when there is one) in one implicit transaction: a failing statement
// leaves nothing of either behind.
bool applyWithRecord(Connection& conn, const QByteArray& sql, const QString& record)
{
    return conn.execScript(record.isEmpty() ? QString::fromUtf8(sql) : QString::fromUtf8(sql) + QStringLiteral("\n;\n") + record);
}

QString recordMigration(const QString& version, const QString& checksum)
{
    return QStringLiteral("UPDATE atlas.schema_migrations SET checksum = %1 WHERE version = %2 AND checksum IS NULL")
        .arg(literal(checksum), literal(version));
}
} // namespace

QStringList Migrator::knownVersions()
{
    return namesIn(kMigrations);
}

QString Migrator::sqlOf(const QString& version)
{
    return QString::fromUtf8(bytesOf(kMigrations, version));
}

QStringList Migrator::knownDefinitions()
{
    return namesIn(kDefinitions);
}

QString Migrator::definitionSqlOf(const QString& name)
{
    return QString::fromUtf8(bytesOf(kDefinitions, name));
}

QString Migrator::checksumOf(const QString& version)
{
    return checksumIn(kMigrations, version);
}

QString Migrator::definitionChecksumOf(const QString& name)
{
    return checksumIn(kDefinitions, name);
}

QStringList Migrator::appliedVersions(Connection& conn, DbError* error)
{
    QMap<QString, QString> recorded;
    bool hasChecksums = false;
    if (!readMigrations(conn, &recorded, &hasChecksums, error))
        return {};
    return recorded.keys(); // QMap: in order
}

QStringList Migrator::migrate(Connection& conn, DbError* error, QStringList* definitions)
{
    *error = {};
    // One migrator at a time (consoles that start together, a script): the second waits and then
    // finds the work done. Definition files drop what may not be there yet (DROP POLICY IF
    // EXISTS ...): no notice of it.
    if (!conn.execRaw(QStringLiteral("SELECT pg_advisory_lock(hashtext('atlas-ops migrate'))"))) {
        *error = conn.lastError();
        return {};
    }
    conn.execRaw(QStringLiteral("SET client_min_messages = warning"));
    const QStringList done = migrateQuietly(conn, error, definitions);
    conn.execRaw(QStringLiteral("RESET client_min_messages"));
    conn.execRaw(QStringLiteral("SELECT pg_advisory_unlock(hashtext('atlas-ops migrate'))"));
    return done;
}

QStringList Migrator::migrateQuietly(Connection& conn, DbError* error, QStringList* definitions)
{
    QStringList done;
    QMap<QString, QString> recorded;
    bool hasChecksums = false;
    if (!readMigrations(conn, &recorded, &hasChecksums, error))
        return done;
    const QStringList known = knownVersions();

    // An applied migration is never edited: refuse before anything changes.
    for (const QString& version : known) {
        const QString was = recorded.value(version);
        if (!was.isNull() && was != checksumOf(version)) {
            *error = DbError::make(QString(),
                                   QStringLiteral("migration %1.sql was changed after it was applied (recorded checksum %2, "
                                                  "the file's %3): an applied migration is never edited; put the change in "
                                                  "a new migration")
                                       .arg(version, was.left(12), checksumOf(version).left(12)));
            return done;
        }
    }

    for (const QString& version : known) {
        if (recorded.contains(version))
            continue;
        const QByteArray sql = bytesOf(kMigrations, version);
        if (sql.isEmpty() ||
            !applyWithRecord(conn, sql, hasChecksums ? recordMigration(version, checksumOf(version)) : QString())) {
            DbError failed = conn.lastError();
            failed.message = QStringLiteral("migration %1 failed: %2").arg(version, failed.message);
            *error = failed;
            return done;
        }
        spdlog::info("applied migration {}", version.toStdString());
        done << version;
        if (!hasChecksums && !readMigrations(conn, &recorded, &hasChecksums, error))
            return done;
    }

    // Migrations applied without a checksum (before checksums were kept, by psql -f, or just
    // now before the column existed) get the file's checksum on first sight.
    if (hasChecksums) {
        for (const QString& version : known) {
            if (!recorded.contains(version) || !recorded.value(version).isNull())
                continue;
            if (!conn.execScript(recordMigration(version, checksumOf(version)))) {
                fail(conn, error);
                return done;
            }
            if (!done.contains(version))
                spdlog::info("recorded the checksum of migration {}, applied without one: from now on its file may not "
                             "change",
                             version.toStdString());
        }
    }

    QStringList newer;
    for (auto it = recorded.cbegin(); it != recorded.cend(); ++it) {
        if (!known.contains(it.key()))
            newer << it.key();
    }
    if (!newer.isEmpty()) {
        spdlog::warn("the database has migrations this Atlas Ops does not know ({}): its definitions are left as a newer "
                     "Atlas Ops applied them",
                     newer.join(QStringLiteral(", ")).toStdString());
        return done;
    }

    QMap<QString, QString> applied;
    if (!readRecorded(conn, QStringLiteral("atlas.schema_definitions"),
                      QStringLiteral("SELECT name, checksum FROM atlas.schema_definitions"), &applied, error))
        return done;
    // A migration applied now may have dropped what any file defines, and a file applied again may
    // have replaced what later files build on or grant: from the first file applied on, every
    // later one is applied too. Unchanged files after unchanged migrations are skipped.
    bool fromHereOn = !done.isEmpty();
    for (const QString& name : knownDefinitions()) {
        const QString checksum = definitionChecksumOf(name);
        if (!fromHereOn && applied.value(name) == checksum)
            continue;
        fromHereOn = true;
        const QString record = QStringLiteral("INSERT INTO atlas.schema_definitions (name, checksum) VALUES (%1, %2) "
                                              "ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()")
                                   .arg(literal(name), literal(checksum));
        if (!applyWithRecord(conn, bytesOf(kDefinitions, name), record)) {
            DbError failed = conn.lastError();
            failed.message =
                QStringLiteral("definition file %1.sql failed (nothing of it was applied): %2").arg(name, failed.message);
            *error = failed;
            return done;
        }
        spdlog::info("applied definitions {}", name.toStdString());
        if (definitions)
            *definitions << name;
    }
    return done;
}

} // namespace atlas::db
