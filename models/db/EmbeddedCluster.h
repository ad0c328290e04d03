#pragma once

#include "ConnectionSpec.h"

#include <QString>

namespace atlas::db {

// A private PostgreSQL cluster: created with initdb on first use, listening only on a socket in
// its own directory, password (SCRAM) authentication for every login. Used by the console's
// embedded default and by the test harness (a throwaway one in a temporary directory).
//
// PostgreSQL refuses to run as root: when the process is root, the cluster's files belong to
// the unprivileged account `postgres` (or $ATLAS_PG_RUN_AS) and its programs run through
// runuser; the console itself stays the calling user.
//
// Nobody else on the machine can read what the cluster keeps: its directory is the user's alone
// from the moment it exists (as root, the server's account may only pass through it), and every
// file holding a secret or statements (the passwords, logins.json, the server's log) is created
// 0600 rather than narrowed after it was written.
class EmbeddedCluster final
{
public:
    explicit EmbeddedCluster(QString rootDir, int port = 5432);

    // The directory that holds data/, the socket directory run/ and the superuser's password.
    const QString& rootDir() const { return m_root; }
    QString dataDir() const;
    QString socketDir() const;
    QString logFile() const;
    int port() const { return m_port; }

    static QString findBinDir(QString* error);
    // Default location for the console's cluster (under the user's data directory; for root a
    // directory the unprivileged account can reach).
    static QString defaultRootDir();

    bool isInitialized() const;
    // initdb when needed; returns false with *error.
    bool initialize(QString* error);
    // Instead of initdb: a streaming-replication standby of `primary` (pg_basebackup -R over
    // the primary's socket, as its superuser), with the primary's superuser and password. The
    // primary must allow replication connections for its superuser on the local socket
    // (initdb's default pg_hba.conf does).
    bool initializeAsStandbyOf(const EmbeddedCluster& primary, QString* error);
    // pg_ctl promote: this standby becomes a primary.
    bool promote(QString* error);
    // Appends settings to the cluster's postgresql.auto.conf (after initialize, before a start).
    bool appendConf(const QStringList& lines, QString* error) const;
    bool isRunning() const;
    bool start(QString* error);
    bool stop(QString* error);
    // Creates the database if missing (as superuser).
    bool ensureDatabase(const QString& name, QString* error);

    QString superuser() const { return QStringLiteral("atlas_super"); }
    QString superuserPassword() const;
    // Connection to this cluster as the superuser, to the given database.
    ConnectionSpec superuserSpec(const QString& database) const;
    // Connection to this cluster for a login (password may be empty: then ~/.pgpass applies).
    ConnectionSpec loginSpec(const QString& database, const QString& login, const QString& password) const;

    // Passwords of the logins this cluster created for its user (a 0600 file beside the data).
    QString loginPassword(const QString& login) const;
    bool rememberLogin(const QString& login, const QString& password) const;
    static QString newPassword();

private:
    bool run(const QString& program, const QStringList& args, QString* error, int timeoutMs = 120000,
             const QString& password = {}) const;
    bool runningAsRoot() const;
    // The root directory (0700; 0711 as root) and run/ (0700), made or narrowed before anything
    // is written in them.
    bool prepareDirectories(QString* error) const;

    QString m_root;
    int m_port;
};

} // namespace atlas::db
