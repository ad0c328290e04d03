#pragma once

#include "db/DbError.h"
#include "runs/RunStatus.h"

#include <QDateTime>
#include <QList>
#include <QStringList>
#include <QUuid>

namespace atlas::db {
class Connection;
}

namespace atlas::catalog {

// What the producer pages list, read through the tenant-scoped tables and views with the
// caller's own login (row-level security decides what comes back). Each read returns its rows
// or fills `error`; the pages call these on a DbWorker, never on the GUI thread.

struct Baseline
{
    qint64 id = 0;
    QString name;
    int policies = 0;
    QString createdBy;
    QDateTime createdAt;
};

struct BackupSet
{
    qint64 id = 0;
    QString name;
    int policies = 0;
    QString createdBy;
    QDateTime createdAt;
};

struct BackupSetItem
{
    QString policyType;
    QString externalId;
    QString displayName;
    qint64 addedByRun = 0;
    QDateTime addedAt;
};

// A policy of the inventory as last observed.
struct Policy
{
    QString policyType;
    QString externalId;
    QString displayName;
    QDateTime lastObserved;
};

struct DriftRun
{
    qint64 id = 0;
    qint64 baselineId = 0;
    QString baselineName;
    runs::Bucket bucket = runs::Bucket::Unknown;
    QString initiator;
    QDateTime createdAt;
    int findings = -1; // from the run's summary; -1 while it runs
};

struct Finding
{
    QString change; // added, removed, modified
    QString policyType;
    QString externalId;
    QString displayName;
    QStringList changedPaths;
    // Files of this policy type that the latest import before the run could not read: the
    // finding may be one of them.
    QStringList uncertainBecause;
};

// The two versions of a policy a finding compares; a side that does not exist is empty.
struct PayloadPair
{
    QString baseline; // pretty-printed JSON
    QString current;
    QDateTime currentObserved;
    bool currentChangedSinceRun = false;
    // `current` is the inventory as the drift run compared it (kept with its findings), not as
    // it is now; currentChangedSinceRun then says the inventory holds something else today.
    bool currentAsRunSawIt = false;
};

struct Notification
{
    qint64 id = 0;
    QUuid tenant;
    qint64 runId = 0;
    QString event;
    QString title;
    QString body;
    QDateTime createdAt;
    bool read = false;
};

template <typename T> struct Rows
{
    QList<T> rows;
    QString error; // empty on success
};

Rows<Baseline> baselines(db::Connection& conn, const QUuid& tenant);
Rows<BackupSet> backupSets(db::Connection& conn, const QUuid& tenant);
Rows<BackupSetItem> backupSetItems(db::Connection& conn, const QUuid& tenant, qint64 setId);
Rows<Policy> currentPolicies(db::Connection& conn, const QUuid& tenant);
Rows<DriftRun> driftRuns(db::Connection& conn, const QUuid& tenant, int limit = 200);
Rows<Finding> findings(db::Connection& conn, qint64 runId);
// The baseline's and the inventory's payload of one policy of a drift run.
PayloadPair payloads(db::Connection& conn, qint64 runId, const QString& policyType, const QString& externalId, QString* error);
// The caller's notifications newer than `afterId` (all tenants), newest first, at most `limit`.
Rows<Notification> notifications(db::Connection& conn, qint64 afterId, int limit = 500);
int unreadNotifications(db::Connection& conn, QString* error);
// Marks the caller's notifications read (all unread ones when ids is empty); returns how many.
int markNotificationsRead(db::Connection& conn, const QList<qint64>& ids, QString* error);
// The tenant of a run the caller can see (null when it cannot).
QUuid tenantOfRun(db::Connection& conn, qint64 runId, QString* error);

// Creating what runs work on (SECURITY DEFINER functions; owner/manager/operator only).
qint64 captureBaseline(db::Connection& conn, const QUuid& tenant, const QString& name, db::DbError* error);
qint64 createBackupSet(db::Connection& conn, const QUuid& tenant, const QString& name, db::DbError* error);

} // namespace atlas::catalog
