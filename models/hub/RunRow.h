#pragma once

#include "runs/RunStatus.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

class QSqlQuery;

namespace atlas::hub {

// One run as the hub's table shows it.
struct RunRow
{
    qint64 id = 0;
    QString resource;
    QString action;
    QString status;
    runs::Bucket bucket = runs::Bucket::Unknown;
    int total = 0;
    int processed = 0;
    int succeeded = 0;
    int failed = 0;
    int skipped = 0;
    QString initiator;
    QString createdKey; // created_at exactly as PostgreSQL prints it: the keyset cursor
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString reasonCode; // why a failed or aborted run ended so
    QString headline;   // the producer's sentence: "18 drifted policies (…)", "107 observed, 9 retired"
    QUuid tenant;
    QString sortValue; // the filter's sort value as PostgreSQL prints it: the keyset cursor

    // Columns selected by selectColumns(), in order; kColumns of them.
    static QString selectColumns();
    static constexpr int kColumns = 18;
    static RunRow fromQuery(const QSqlQuery& q);
    // A UTC time from extract(epoch FROM ...) (invalid for NULL).
    static QDateTime fromEpoch(const QVariant& seconds);
    bool operator==(const RunRow&) const = default;
};

struct Failure
{
    QString itemId; // empty: the run as a whole
    QString reasonCode;
    QString message;
};

// Everything the detail pane shows of one run.
struct RunDetail
{
    RunRow run;
    QString idempotencyKey;
    QDateTime heartbeatAt;
    QString reasonCode;
    QString message;
    QList<Failure> failures;
    int failureCount = 0;
    QStringList itemIds; // the first kMaxItems
    int itemCount = 0;
    QJsonObject summary;
    QJsonObject scope;
    QString error; // set when it could not be loaded
    static constexpr int kMaxItems = 1000;
    static constexpr int kMaxFailures = 1000;
};

using BucketCounts = QHash<runs::Bucket, int>;

} // namespace atlas::hub

Q_DECLARE_METATYPE(atlas::hub::RunRow)
Q_DECLARE_METATYPE(atlas::hub::RunDetail)
