#pragma once

#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace atlas::runs {

class RunJob;

// One kind of run: what it is called and which job executes it. Every place that names kinds of
// runs (the job factory, labels, the hub's operation filter) reads this one list; a producer
// registers itself in Producers.cpp, and its migration adds the same kind to atlas.operation_kinds.
struct ProducerKind
{
    QString resource;
    QString action;
    QString label; // "Drift generation"
    std::function<std::unique_ptr<RunJob>()> makeJob;

    QString key() const { return resource + QLatin1Char('/') + action; }
};

class Producers final
{
public:
    static const QList<ProducerKind>& all();
    // nullptr for a kind this build does not know.
    static const ProducerKind* find(const QString& resource, const QString& action);
};

} // namespace atlas::runs
