#include "DriftDiff.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace atlas::drift {

namespace {

const QSet<QString>& volatileTopLevel()
{
    static const QSet<QString> keys{QStringLiteral("lastModifiedDateTime"), QStringLiteral("createdDateTime"),
                                    QStringLiteral("modifiedDateTime"), QStringLiteral("version")};
    return keys;
}

const QSet<QString>& volatileAnnotations()
{
    static const QSet<QString> suffixes{QStringLiteral("context"),        QStringLiteral("associationLink"),
                                        QStringLiteral("navigationLink"), QStringLiteral("nextLink"),
                                        QStringLiteral("count"),          QStringLiteral("id"),
                                        QStringLiteral("editLink"),       QStringLiteral("etag")};
    return suffixes;
}

QByteArray canonical(const QJsonValue& value);

QByteArray canonicalObject(const QJsonObject& object)
{
    // QJsonObject iterates its keys sorted, so the compact form is canonical.
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray canonical(const QJsonValue& value)
{
    if (value.isObject())
        return canonicalObject(value.toObject());
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

// The identity of an array element, with the kind of identity as a prefix; empty when none.
QString identityOf(const QJsonValue& element)
{
    if (!element.isObject())
        return {};
    const QJsonObject o = element.toObject();
    const QJsonValue instance = o.value(QLatin1String("settingInstance"));
    if (instance.isObject()) {
        const QJsonValue def = instance.toObject().value(QLatin1String("settingDefinitionId"));
        if (def.isString())
            return QStringLiteral("S:") + def.toString();
    }
    if (o.value(QLatin1String("settingDefinitionId")).isString())
        return QStringLiteral("D:") + o.value(QLatin1String("settingDefinitionId")).toString();
    if (o.value(QLatin1String("id")).isString())
        return QStringLiteral("I:") + o.value(QLatin1String("id")).toString();
    return {};
}

class Walker
{
public:
    QStringList paths;

    void value(const QJsonValue& a, const QJsonValue& b, const QString& path, bool topLevel)
    {
        if (a.isObject() && b.isObject())
            return object(a.toObject(), b.toObject(), path, topLevel);
        if (a.isArray() && b.isArray())
            return array(a.toArray(), b.toArray(), path);
        if (canonical(a) != canonical(b))
            paths << path;
    }

    void object(const QJsonObject& a, const QJsonObject& b, const QString& path, bool topLevel)
    {
        QStringList keys = a.keys();
        for (const QString& k : b.keys()) {
            if (!a.contains(k))
                keys << k;
        }
        for (const QString& key : keys) {
            if (DriftDiff::isVolatileKey(key, topLevel))
                continue;
            const QString child = path + QLatin1Char('/') + DriftDiff::escapePointerToken(key);
            if (!a.contains(key) || !b.contains(key))
                paths << child;
            else
                value(a.value(key), b.value(key), child, false);
        }
    }

    void array(const QJsonArray& a, const QJsonArray& b, const QString& path)
    {
        QList<QByteArray> ca, cb;
        for (const QJsonValue& v : a)
            ca << canonical(v);
        for (const QJsonValue& v : b)
            cb << canonical(v);
        std::sort(ca.begin(), ca.end());
        std::sort(cb.begin(), cb.end());
        if (ca == cb)
            return; // same content, order carries no meaning

        QHash<QString, int> ia, ib;
        bool keyed = true;
        for (int i = 0; i < a.size() && keyed; ++i) {
            const QString id = identityOf(a[i]);
            keyed = !id.isEmpty() && !ia.contains(id);
            ia.insert(id, i);
        }
        for (int i = 0; i < b.size() && keyed; ++i) {
            const QString id = identityOf(b[i]);
            keyed = !id.isEmpty() && !ib.contains(id);
            ib.insert(id, i);
        }
        if (keyed) {
            for (auto it = ia.cbegin(); it != ia.cend(); ++it) {
                if (!ib.contains(it.key()))
                    paths << path + QLatin1Char('/') + QString::number(it.value());
            }
            for (auto it = ib.cbegin(); it != ib.cend(); ++it) {
                const QString child = path + QLatin1Char('/') + QString::number(it.value());
                if (!ia.contains(it.key())) {
                    paths << child;
                    continue;
                }
                QJsonObject ea = a[ia.value(it.key())].toObject();
                QJsonObject eb = b[it.value()].toObject();
                if (it.key().startsWith(QLatin1String("S:"))) {
                    ea.remove(QStringLiteral("id"));
                    eb.remove(QStringLiteral("id"));
                }
                object(ea, eb, child, false);
            }
            return;
        }
        const qsizetype n = std::max(a.size(), b.size());
        for (qsizetype i = 0; i < n; ++i) {
            const QString child = path + QLatin1Char('/') + QString::number(i);
            if (i >= a.size() || i >= b.size())
                paths << child;
            else
                value(a[i], b[i], child, false);
        }
    }
};

} // namespace

bool DriftDiff::isVolatileKey(const QString& key, bool topLevel)
{
    const qsizetype at = key.indexOf(QLatin1String("@odata."));
    if (at == 0)
        return key != QLatin1String("@odata.type") && volatileAnnotations().contains(key.mid(7));
    if (at > 0) {
        const QString annotation = key.mid(at + 7);
        if (volatileAnnotations().contains(annotation))
            return true;
        // "lastModifiedDateTime@odata.type" goes with its volatile field.
        return topLevel && volatileTopLevel().contains(key.left(at));
    }
    if (key.startsWith(QLatin1String("#microsoft.graph.")))
        return true;
    return topLevel && volatileTopLevel().contains(key);
}

QString DriftDiff::escapePointerToken(const QString& token)
{
    QString out = token;
    out.replace(QLatin1Char('~'), QLatin1String("~0"));
    out.replace(QLatin1Char('/'), QLatin1String("~1"));
    return out;
}

QStringList DriftDiff::changedPaths(const QJsonObject& baseline, const QJsonObject& current)
{
    Walker walker;
    walker.object(baseline, current, QString(), true);
    QStringList paths = walker.paths;
    paths.sort();
    paths.removeDuplicates();
    return paths;
}

} // namespace atlas::drift
