#pragma once

#include "RunStatus.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace atlas::runs {

class RunJob;

// Where what a run produced shows in the console: a page (by key) and the id it opens there.
struct ResultLink
{
    QString page; // a producer page key: "drift", "backup_sets", ...
    qint64 id = 0;
    QString text; // "Open the drift findings of this run"
};

// One kind of run: what it is called, which job executes it, which console page starts it and
// what its result links to. Every place that names kinds of runs (the job factory, labels, the
// hub's operation filter and result links, the main window's pages) reads this one list. A
// producer is its job (which names its kind, Job::kResource and Job::kAction, and builds its
// request, Job::request), one registration in Producers.cpp, and the row its migration adds to
// atlas.operation_kinds with the same label.
struct ProducerKind
{
    QString resource;
    QString action;
    QString label; // "Drift generation"
    std::function<std::unique_ptr<RunJob>()> makeJob;
    QString page = {}; // key of the console page that starts it; empty: none (the command line only)
    // What a run of this kind, in `bucket` with `scope`, links to; nullopt: nothing to open.
    std::function<std::optional<ResultLink>(qint64 runId, Bucket bucket, const QJsonObject& scope)> result = {};
    // What a run of this kind with `scope` and `items` items does, as a sentence (rich text, with
    // "page/id" links); empty: the scope is shown as it is.
    std::function<QString(const QJsonObject& scope, int items)> describe = {};

    QString key() const { return resource + QLatin1Char('/') + action; }
};

class Producers final
{
public:
    static const QList<ProducerKind>& all();
    // nullptr for a kind this build does not know.
    static const ProducerKind* find(const QString& resource, const QString& action);
    // What run `runId` links to (nullopt for a kind without results, or none yet).
    static QString describe(const QString& resource, const QString& action, const QJsonObject& scope, int items);
    static std::optional<ResultLink> resultOf(const QString& resource, const QString& action, qint64 runId, Bucket bucket,
                                              const QJsonObject& scope);
};

} // namespace atlas::runs
