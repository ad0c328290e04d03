#pragma once

#include "RunFilter.h"
#include "RunRow.h"

#include <QList>
#include <QString>

#include <optional>

namespace atlas::db {
class Connection;
}

namespace atlas::hub {

// The hub's reads of runs, each a task for one of HubSession's workers (never the GUI thread):
// they run on the worker's connection and return what they read.
class RunLoader final
{
public:
    static constexpr int kPageSize = 250;

    struct Page
    {
        QList<RunRow> rows;
        bool atEnd = true;
        QString error;
    };
    struct Changes
    {
        QList<RunRow> matching;
        QList<qint64> notMatching;
    };
    // A page of one run's items: each with the policy's name (when the inventory knows it) and
    // what became of it.
    struct Item
    {
        QString id;
        QString name;
        QString outcome; // succeeded, failed, skipped; empty: not done yet
        QString reason;
    };
    struct Items
    {
        qint64 runId = 0;
        QList<Item> rows;
        qint64 last = 0; // the position of the last row: the keyset cursor of the next page
        bool atEnd = true;
        QString error;
    };
    struct Export
    {
        int rows = 0;
        QString error;
    };

    // The filter's runs after the row (afterValue, afterId) in the filter's order (newest first
    // by default): keyset, never OFFSET. afterValue is that row's sortValue; empty: from the top.
    static Page loadPage(db::Connection& conn, const RunFilter& filter, const QString& afterValue, qint64 afterId, int limit);
    // The changed runs `ids` this login may see, sorted into those that match the filter and
    // those that do not (anymore); nothing when the database cannot be asked.
    static std::optional<Changes> loadRuns(db::Connection& conn, const RunFilter& filter, const QList<qint64>& ids);
    static std::optional<BucketCounts> loadCounts(db::Connection& conn, const RunFilter& filter);
    static RunDetail loadDetail(db::Connection& conn, qint64 id);
    // Items of run `runId` after position `after` (0: from the first), matching `search` (item
    // id or policy name, substring; empty: all), at most `limit`.
    static Items loadItems(db::Connection& conn, qint64 runId, const QString& search, qint64 after, int limit);
    // Writes every run the filter matches as CSV (header + rows), newest first.
    static Export exportCsv(db::Connection& conn, const RunFilter& filter, const QString& path);

    // Set on each connection the hub reads on.
    static bool setUp(db::Connection& conn);
};

} // namespace atlas::hub
