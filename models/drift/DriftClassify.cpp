#include "DriftClassify.h"

#include <QJsonObject>

namespace atlas::drift {

DriftCounts& DriftCounts::operator+=(const DriftCounts& o)
{
    added += o.added;
    removed += o.removed;
    modified += o.modified;
    unchanged += o.unchanged;
    uncertain += o.uncertain;
    return *this;
}

QString DriftCounts::headline() const
{
    const int n = drifted();
    QString text = n == 0 ? QStringLiteral("No drift")
                          : QStringLiteral("%1 drifted %2 (%3 added, %4 removed, %5 modified)")
                                .arg(n)
                                .arg(n == 1 ? QStringLiteral("policy") : QStringLiteral("policies"))
                                .arg(added)
                                .arg(removed)
                                .arg(modified);
    if (uncertain > 0)
        text += QStringLiteral("; %1 uncertain").arg(uncertain);
    return text;
}

QJsonArray DriftClassify::differingPairs(const QStringList& items, const Sides& baseline, const Sides& current)
{
    QJsonArray pairs;
    for (const QString& id : items) {
        const ByType b = baseline.value(id);
        const ByType c = current.value(id);
        for (auto t = b.cbegin(); t != b.cend(); ++t) {
            if (c.contains(t.key()) && c.value(t.key()).hash != t->hash)
                pairs.append(QJsonObject{{QStringLiteral("t"), t.key()}, {QStringLiteral("e"), id}});
        }
    }
    return pairs;
}

namespace {
// Every policy type of one id on either side: the baseline's first, then those only current.
QStringList typesOf(const ByType& b, const ByType& c)
{
    QStringList types = b.keys();
    for (const QString& t : c.keys()) {
        if (!b.contains(t))
            types << t;
    }
    return types;
}
} // namespace

Classified DriftClassify::classify(const QStringList& items, const Sides& baseline, const Sides& current,
                                   const ChangedPaths& changed, const QHash<QString, QJsonArray>& unreadableByType)
{
    Classified out;
    DriftCounts& n = out.counts;
    for (const QString& id : items) {
        const ByType b = baseline.value(id);
        const ByType c = current.value(id);
        bool unreadable = false;
        for (const QString& type : typesOf(b, c)) {
            auto finding = [&](const QString& change, const QString& name, const QStringList& paths) {
                QJsonObject f{{QStringLiteral("policy_type"), type},
                              {QStringLiteral("external_id"), id},
                              {QStringLiteral("display_name"), name},
                              {QStringLiteral("change"), change},
                              {QStringLiteral("changed_paths"), QJsonArray::fromStringList(paths)}};
                const auto files = unreadableByType.constFind(type);
                if (files != unreadableByType.cend()) {
                    f.insert(QStringLiteral("note"),
                             QJsonObject{{QStringLiteral("uncertain"), true}, {QStringLiteral("unreadable"), *files}});
                    ++n.uncertain;
                }
                out.findings.append(f);
            };
            if (!c.contains(type)) {
                finding(QStringLiteral("removed"), b.value(type).displayName, {});
                ++n.removed;
            } else if (!b.contains(type)) {
                finding(QStringLiteral("added"), c.value(type).displayName, {});
                ++n.added;
            } else if (b.value(type).hash == c.value(type).hash) {
                ++n.unchanged;
            } else {
                const std::optional<QStringList> paths = changed.value(pairKey(type, id));
                if (!paths) {
                    unreadable = true;
                } else if (paths->isEmpty()) {
                    ++n.unchanged; // only volatile fields or order differ
                } else {
                    finding(QStringLiteral("modified"), c.value(type).displayName, *paths);
                    ++n.modified;
                }
            }
        }
        if (unreadable)
            out.unreadableItems << id;
    }
    return out;
}

} // namespace atlas::drift
