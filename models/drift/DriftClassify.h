#pragma once

#include <QHash>
#include <QJsonArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace atlas::drift {

// What a drift run knows of one side (baseline or current inventory) of one policy.
struct Side
{
    QString displayName;
    QString hash;
};
// policy type -> side, for one external id
using ByType = QMap<QString, Side>;
// external id -> its policies by type
using Sides = QHash<QString, ByType>;
// "type\nexternal id" -> changed paths of a pair whose hashes differ; nullopt: a stored payload
// of the pair is not a JSON object.
using ChangedPaths = QHash<QString, std::optional<QStringList>>;

inline QString pairKey(const QString& type, const QString& externalId)
{
    return type + QLatin1Char('\n') + externalId;
}

struct DriftCounts
{
    int added = 0;
    int removed = 0;
    int modified = 0;
    int unchanged = 0;
    int uncertain = 0;

    int drifted() const { return added + removed + modified; }
    DriftCounts& operator+=(const DriftCounts& o);
    // "18 drifted policies (3 added, 5 removed, 10 modified); 2 uncertain", or "No drift".
    QString headline() const;
};

// The outcome of classifying one chunk of items: findings for atlas.record_drift_findings,
// each item's result (an id in `unreadableItems` failed: payload_unreadable) and the counts.
struct Classified
{
    QJsonArray findings;
    QStringList unreadableItems;
    DriftCounts counts;
};

// Pure drift classification, apart from any SQL: which (type, id) pairs need their payloads
// compared, and what each item of a chunk amounts to given the two sides, the changed paths of
// the differing pairs and the files the latest import could not read (by policy type: findings
// of such a type are marked uncertain).
class DriftClassify final
{
public:
    // The pairs present on both sides whose content hashes differ, as {"t": type, "e": id}.
    static QJsonArray differingPairs(const QStringList& items, const Sides& baseline, const Sides& current);
    static Classified classify(const QStringList& items, const Sides& baseline, const Sides& current, const ChangedPaths& changed,
                               const QHash<QString, QJsonArray>& unreadableByType);
};

} // namespace atlas::drift
