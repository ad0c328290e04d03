// The drift rules on small hand-made payloads: volatile fields, array order, keyed settings,
// nested changes, additions and removals, pointer escaping.
#include "drift/DriftClassify.h"
#include "drift/DriftDiff.h"

#include <QJsonArray>

#include <QJsonDocument>
#include <QtTest>

using atlas::drift::DriftClassify;
using atlas::drift::DriftDiff;

namespace {
QJsonObject obj(const char* json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}
} // namespace

class TestDriftDiff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void changedPaths_data()
    {
        QTest::addColumn<QString>("baseline");
        QTest::addColumn<QString>("current");
        QTest::addColumn<QStringList>("paths");

        QTest::newRow("identical") << R"({"id":"a","name":"x"})" << R"({"id":"a","name":"x"})" << QStringList{};
        QTest::newRow("volatile top-level fields")
            << R"({"id":"a","lastModifiedDateTime":"2024-01-01","createdDateTime":"2023","version":3,"modifiedDateTime":"x","lastModifiedDateTime@odata.type":"#DateTimeOffset"})"
            << R"({"id":"a","lastModifiedDateTime":"2025-06-01","createdDateTime":"2024","version":9,"modifiedDateTime":"y"})"
            << QStringList{};
        QTest::newRow("odata bookkeeping at any depth")
            << R"({"@odata.context":"a","@odata.etag":"1","settings@odata.context":"x","n":{"@odata.id":"1","#microsoft.graph.assign":{"t":1}}})"
            << R"({"@odata.context":"b","@odata.etag":"2","settings@odata.context":"y","n":{"@odata.id":"2"}})"
            << QStringList{};
        QTest::newRow("odata.type is kept") << R"({"@odata.type":"#a"})" << R"({"@odata.type":"#b"})" << QStringList{"/@odata.type"};
        QTest::newRow("nested version is not volatile") << R"({"a":{"version":1}})" << R"({"a":{"version":2}})" << QStringList{"/a/version"};
        QTest::newRow("scalar change") << R"({"a":1,"b":"x"})" << R"({"a":2,"b":"x"})" << QStringList{"/a"};
        QTest::newRow("type change") << R"({"a":1})" << R"({"a":"1"})" << QStringList{"/a"};
        QTest::newRow("null vs missing") << R"({"a":null})" << R"({})" << QStringList{"/a"};
        QTest::newRow("added and removed keys") << R"({"a":1,"gone":2})" << R"({"a":1,"new":3})" << QStringList{"/gone", "/new"};
        QTest::newRow("deeply nested") << R"({"a":{"b":{"c":[1,{"d":true}]}}})" << R"({"a":{"b":{"c":[1,{"d":false}]}}})"
                                       << QStringList{"/a/b/c/1/d"};
        QTest::newRow("scalar array reordered") << R"({"tags":["0","1","2"]})" << R"({"tags":["2","0","1"]})" << QStringList{};
        QTest::newRow("object array reordered") << R"({"x":[{"a":1},{"b":2}]})" << R"({"x":[{"b":2},{"a":1}]})" << QStringList{};
        QTest::newRow("array grows") << R"({"tags":["0"]})" << R"({"tags":["0","1"]})" << QStringList{"/tags/1"};
        QTest::newRow("array element changes positionally") << R"({"v":[1,2,3]})" << R"({"v":[1,5,3]})" << QStringList{"/v/1"};
        QTest::newRow("settings reordered, positional ids differ")
            << R"({"settings":[{"id":"0","settingInstance":{"settingDefinitionId":"a","v":1}},{"id":"1","settingInstance":{"settingDefinitionId":"b","v":2}}]})"
            << R"({"settings":[{"id":"0","settingInstance":{"settingDefinitionId":"b","v":2}},{"id":"1","settingInstance":{"settingDefinitionId":"a","v":1}}]})"
            << QStringList{};
        QTest::newRow("setting inserted in the middle")
            << R"({"settings":[{"id":"0","settingInstance":{"settingDefinitionId":"a","v":1}},{"id":"1","settingInstance":{"settingDefinitionId":"c","v":3}}]})"
            << R"({"settings":[{"id":"0","settingInstance":{"settingDefinitionId":"a","v":1}},{"id":"1","settingInstance":{"settingDefinitionId":"b","v":2}},{"id":"2","settingInstance":{"settingDefinitionId":"c","v":3}}]})"
            << QStringList{"/settings/1"};
        QTest::newRow("setting removed, value of another changed")
            << R"({"settings":[{"id":"0","settingInstance":{"settingDefinitionId":"a","v":1}},{"id":"1","settingInstance":{"settingDefinitionId":"b","v":2}}]})"
            << R"({"settings":[{"id":"0","settingInstance":{"settingDefinitionId":"b","v":7}}]})"
            << QStringList{"/settings/0", "/settings/0/settingInstance/v"};
        QTest::newRow("keyed by id") << R"({"rules":[{"id":"r1","on":true},{"id":"r2","on":true}]})"
                                     << R"({"rules":[{"id":"r2","on":false},{"id":"r1","on":true}]})" << QStringList{"/rules/0/on"};
        QTest::newRow("pointer escaping") << R"({"a/b":1,"c~d":{"e":1}})" << R"({"a/b":2,"c~d":{"e":2}})"
                                          << QStringList{"/a~1b", "/c~0d/e"};
    }
    void changedPaths()
    {
        QFETCH(QString, baseline);
        QFETCH(QString, current);
        QFETCH(QStringList, paths);
        QCOMPARE(DriftDiff::changedPaths(obj(baseline.toUtf8().constData()), obj(current.toUtf8().constData())), paths);
    }

    void volatileKeys()
    {
        QVERIFY(DriftDiff::isVolatileKey(QStringLiteral("lastModifiedDateTime"), true));
        QVERIFY(!DriftDiff::isVolatileKey(QStringLiteral("lastModifiedDateTime"), false));
        QVERIFY(DriftDiff::isVolatileKey(QStringLiteral("assignments@odata.navigationLink"), false));
        QVERIFY(!DriftDiff::isVolatileKey(QStringLiteral("roleScopeTagIds@odata.type"), true));
        QVERIFY(!DriftDiff::isVolatileKey(QStringLiteral("@odata.type"), false));
        QVERIFY(!DriftDiff::isVolatileKey(QStringLiteral("settings"), true));
    }

    // The classification apart from SQL: each kind of change, a pair whose payloads only differ
    // in volatile fields, an unreadable payload, and findings of a type whose file could not be read.
    void classifyCoversEveryCase()
    {
        using namespace atlas::drift;
        const Sides baseline{{QStringLiteral("gone"), {{QStringLiteral("T"), {QStringLiteral("Gone"), QStringLiteral("h1")}}}},
                             {QStringLiteral("same"), {{QStringLiteral("T"), {QStringLiteral("Same"), QStringLiteral("h2")}}}},
                             {QStringLiteral("edit"), {{QStringLiteral("T"), {QStringLiteral("Old"), QStringLiteral("h3")}}}},
                             {QStringLiteral("noise"), {{QStringLiteral("T"), {QStringLiteral("Noise"), QStringLiteral("h4")}}}},
                             {QStringLiteral("bad"), {{QStringLiteral("U"), {QStringLiteral("Bad"), QStringLiteral("h5")}}}}};
        const Sides current{{QStringLiteral("same"), {{QStringLiteral("T"), {QStringLiteral("Same"), QStringLiteral("h2")}}}},
                            {QStringLiteral("edit"), {{QStringLiteral("T"), {QStringLiteral("New"), QStringLiteral("h3b")}}}},
                            {QStringLiteral("noise"), {{QStringLiteral("T"), {QStringLiteral("Noise"), QStringLiteral("h4b")}}}},
                            {QStringLiteral("bad"), {{QStringLiteral("U"), {QStringLiteral("Bad"), QStringLiteral("h5b")}}}},
                            {QStringLiteral("new"), {{QStringLiteral("U"), {QStringLiteral("Fresh"), QStringLiteral("h6")}}}}};
        const QStringList items{QStringLiteral("bad"), QStringLiteral("edit"), QStringLiteral("gone"), QStringLiteral("new"),
                                QStringLiteral("noise"), QStringLiteral("same")};

        const QJsonArray pairs = DriftClassify::differingPairs(items, baseline, current);
        QStringList keys;
        for (const QJsonValue& p : pairs)
            keys << pairKey(p[QLatin1String("t")].toString(), p[QLatin1String("e")].toString());
        QCOMPARE(keys, (QStringList{pairKey(QStringLiteral("U"), QStringLiteral("bad")), pairKey(QStringLiteral("T"), QStringLiteral("edit")),
                                    pairKey(QStringLiteral("T"), QStringLiteral("noise"))}));

        const ChangedPaths changed{{pairKey(QStringLiteral("T"), QStringLiteral("edit")), QStringList{QStringLiteral("/name")}},
                                   {pairKey(QStringLiteral("T"), QStringLiteral("noise")), QStringList{}},
                                   {pairKey(QStringLiteral("U"), QStringLiteral("bad")), std::nullopt}};
        const QHash<QString, QJsonArray> unreadable{{QStringLiteral("U"), QJsonArray{QStringLiteral("U/broken.json")}}};
        const Classified out = DriftClassify::classify(items, baseline, current, changed, unreadable);

        QCOMPARE(out.counts.added, 1);
        QCOMPARE(out.counts.removed, 1);
        QCOMPARE(out.counts.modified, 1);
        QCOMPARE(out.counts.unchanged, 2); // "same", and "noise" whose only differences are volatile
        QCOMPARE(out.counts.uncertain, 1); // "new" is of type U, whose file could not be read
        QCOMPARE(out.unreadableItems, QStringList{QStringLiteral("bad")});
        QCOMPARE(out.findings.size(), 3);
        QHash<QString, QJsonObject> byId;
        for (const QJsonValue& f : out.findings)
            byId.insert(f[QLatin1String("external_id")].toString(), f.toObject());
        QCOMPARE(byId.value(QStringLiteral("edit")).value(QLatin1String("change")).toString(), QStringLiteral("modified"));
        QCOMPARE(byId.value(QStringLiteral("edit")).value(QLatin1String("display_name")).toString(), QStringLiteral("New"));
        QCOMPARE(byId.value(QStringLiteral("edit")).value(QLatin1String("changed_paths")).toArray(), QJsonArray{QStringLiteral("/name")});
        QCOMPARE(byId.value(QStringLiteral("gone")).value(QLatin1String("change")).toString(), QStringLiteral("removed"));
        QCOMPARE(byId.value(QStringLiteral("gone")).value(QLatin1String("display_name")).toString(), QStringLiteral("Gone"));
        QCOMPARE(byId.value(QStringLiteral("new")).value(QLatin1String("change")).toString(), QStringLiteral("added"));
        QVERIFY(byId.value(QStringLiteral("new")).value(QLatin1String("note"))[QLatin1String("uncertain")].toBool());
        QVERIFY(!byId.value(QStringLiteral("edit")).contains(QLatin1String("note")));
        QCOMPARE(out.counts.headline(), QStringLiteral("3 drifted policies (1 added, 1 removed, 1 modified); 1 uncertain"));
        QCOMPARE(DriftCounts{}.headline(), QStringLiteral("No drift"));
        QCOMPARE((DriftCounts{0, 1, 0, 0, 0}).headline(), QStringLiteral("1 drifted policy (0 added, 1 removed, 0 modified)"));
    }
};

QTEST_GUILESS_MAIN(TestDriftDiff)
#include "tst_driftdiff.moc"
