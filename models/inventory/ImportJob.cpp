#include "ImportJob.h"

#include "ExportReader.h"
#include "db/Connection.h"
#include "runs/RunContext.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlQuery>
#include <QtConcurrent/QtConcurrentMap>

namespace atlas::inventory {

using runs::ItemResult;

std::optional<runs::RunRequest> ImportJob::request(const QUuid& tenant, const QString& folder, QString* error, bool allowRetire)
{
    QList<ExportFile> files;
    if (!ExportReader::scan(folder, &files, error))
        return std::nullopt;
    QJsonObject scope{{QStringLiteral("source"), QFileInfo(folder).canonicalFilePath()}};
    if (allowRetire)
        scope.insert(QStringLiteral("allow_retire"), true);
    runs::RunRequest request{tenant, kResource, kAction, scope, {}};
    for (const auto& f : files)
        request.itemIds << f.relativePath;
    return request;
}

namespace {
// A JSON string literal (UTF-8) of `text`.
QByteArray jsonString(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += QByteArray("\\u00") + QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
            else
                out += c;
        }
    }
    out += '"';
    return out;
}

// A file as read on the pool: its policy, or why it failed, and the row record_inventory takes,
// already as compact JSON (serialising is the other half of the work).
struct Read
{
    QString item;
    QString type;
    ReadPolicy policy;
    QByteArray row;
};

Read readFile(const QString& root, const QString& item)
{
    Read r{item, item.section(QLatin1Char('/'), 0, 0), {}, {}};
    const QString canonical = QFileInfo(root + QLatin1Char('/') + item).canonicalFilePath();
    if (item.contains(QLatin1String("..")) || item.count(QLatin1Char('/')) != 1 || canonical.isEmpty() ||
        !canonical.startsWith(root + QLatin1Char('/'))) {
        r.policy.reasonCode = QStringLiteral("file_missing");
        r.policy.message = QStringLiteral("The file is no longer in the export folder.");
        return r;
    }
    r.policy = ExportReader::read({r.type, item, canonical});
    if (r.policy.ok()) {
        // The row around the payload's compact JSON, which the reader made already: the payload
        // is not built into a second document and serialised again.
        r.row = "{\"item_id\":" + jsonString(item) + ",\"policy_type\":" + jsonString(r.type) +
            ",\"external_id\":" + jsonString(r.policy.externalId) + ",\"display_name\":" + jsonString(r.policy.displayName) +
            ",\"payload\":" + r.policy.compactPayload + '}';
        r.policy.payload = {};
        r.policy.compactPayload = {};
    }
    return r;
}

// What the files of one batch amount to: the policies to record (a JSON array) and the results
// of the files that fail. `seen` ("type\nid") carries over between batches.
struct Batch
{
    QByteArray rows = "[";
    int rowCount = 0;
    QList<ItemResult> results;
};

struct Tally
{
    QSet<QString> seen;
    int observed = 0;
    int unreadable = 0;
    int ignored = 0;
};

Batch sortBatch(const QList<Read>& reads, Tally* tally)
{
    Batch b;
    for (const Read& r : reads) {
        const QString key = r.type + QLatin1Char('\n') + r.policy.externalId;
        if (!r.policy.ok()) {
            ++tally->unreadable;
            b.results << ItemResult::failed(r.item, r.policy.reasonCode, r.policy.message);
        } else if (tally->seen.contains(key)) {
            b.results << ItemResult::failed(
                r.item, QStringLiteral("duplicate_external_id"),
                QStringLiteral("Another file of this import has policy id %1.").arg(r.policy.externalId));
        } else {
            tally->seen.insert(key);
            ++tally->observed;
            if (b.rowCount++ > 0)
                b.rows += ',';
            b.rows += r.row;
        }
    }
    b.rows += ']';
    return b;
}

// A file's policy and its "succeeded" are one write (record_inventory); other outcomes go
// through record_item_results.
bool writeBatch(runs::RunContext& ctx, const Batch& b)
{
    const qint64 runId = ctx.run().id;
    const QString lease = ctx.lease().toString(QUuid::WithoutBraces);
    return ctx.writeBatch(
        b.results,
        [&](db::Connection& conn, db::DbError* error) {
            if (b.rowCount == 0)
                return true;
            if (!conn.execParams("SELECT atlas.record_inventory($1, $2::uuid, $3::jsonb)",
                                 {QByteArray::number(runId), lease.toLatin1(), b.rows})) {
                *error = conn.lastError();
                return false;
            }
            return true;
        },
        b.rowCount);
}

// The database decides what the import retires (atlas.retire_unobserved); nullopt when the
// write failed (the context has ended the run).
std::optional<QJsonObject> retireUnobserved(runs::RunContext& ctx)
{
    QJsonObject answer;
    const bool written = ctx.writeBatch({}, [&](db::Connection& conn, db::DbError* error) {
        QSqlQuery q(conn.database());
        if (!conn.exec(q, QStringLiteral("SELECT atlas.retire_unobserved(?, ?::uuid)::text"),
                       {ctx.run().id, ctx.lease().toString(QUuid::WithoutBraces)}) ||
            !q.next()) {
            *error = conn.lastError();
            return false;
        }
        answer = QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object();
        return true;
    });
    return written ? std::optional(answer) : std::nullopt;
}

QString ignoredText(int ignored)
{
    return ignored == 0 ? QString()
                        : QStringLiteral(" %1 %2 outside policy folders or not JSON ignored.")
                              .arg(ignored)
                              .arg(ignored == 1 ? QStringLiteral("file") : QStringLiteral("files"));
}

// The summary and, when the database refused to retire, why the run did not succeed.
void finish(runs::RunContext& ctx, const QJsonObject& answer, const Tally& tally)
{
    const int retired = answer.value(QLatin1String("retired")).toInt();
    const QString refused = answer.value(QLatin1String("refused")).toString();
    const int wouldRetire = answer.value(QLatin1String("would_retire")).toInt();
    const int current = answer.value(QLatin1String("current")).toInt();
    QString headline = QStringLiteral("%1 observed, %2 retired").arg(tally.observed).arg(retired);
    if (refused == QLatin1String("retire_guard"))
        headline = QStringLiteral("%1 observed, none retired: %2 of %3 current policies would have been")
                       .arg(tally.observed)
                       .arg(wouldRetire)
                       .arg(current);
    else if (refused == QLatin1String("export_folder_empty"))
        headline = QStringLiteral("No policy could be read; nothing retired");
    ctx.setSummary({{QStringLiteral("observed"), tally.observed},
                    {QStringLiteral("retired"), retired},
                    {QStringLiteral("spared"), answer.value(QLatin1String("spared")).toInt()},
                    {QStringLiteral("unreadable_files"), tally.unreadable},
                    {QStringLiteral("ignored_files"), tally.ignored},
                    {QStringLiteral("headline"), headline}});
    if (refused == QLatin1String("retire_guard"))
        ctx.couldNotProceed(refused,
                            QStringLiteral("The import would retire %1 of the %2 current policies, more than "
                                           "half: nothing was retired. Check the folder, or start the import "
                                           "again allowing it to retire them.")
                                .arg(wouldRetire)
                                .arg(current));
    else if (refused == QLatin1String("export_folder_empty"))
        ctx.couldNotProceed(refused,
                            QStringLiteral("No file of the folder could be read as a policy; nothing was "
                                           "retired.") +
                                ignoredText(tally.ignored));
}
} // namespace

void ImportJob::execute(runs::RunContext& ctx)
{
    const QString source = ctx.run().scope.value(QLatin1String("source")).toString();
    const QFileInfo rootInfo(source);
    if (source.isEmpty() || !rootInfo.isDir() || !rootInfo.isReadable()) {
        ctx.couldNotProceed(QStringLiteral("export_folder_unreadable"), QStringLiteral("The export folder cannot be read."));
        return;
    }
    const QString root = rootInfo.canonicalFilePath();
    Tally tally;
    {
        QList<ExportFile> found;
        QString scanError;
        ExportReader::scan(root, &found, &scanError, &tally.ignored);
    }
    if (ctx.run().itemIds.isEmpty()) {
        ctx.setSummary({{QStringLiteral("observed"), 0},
                        {QStringLiteral("retired"), 0},
                        {QStringLiteral("ignored_files"), tally.ignored},
                        {QStringLiteral("headline"), QStringLiteral("No policy files; nothing retired")}});
        ctx.couldNotProceed(QStringLiteral("export_folder_empty"),
                            QStringLiteral("The folder holds no policy files (one folder per policy type, one JSON "
                                           "file per policy); nothing was retired.") +
                                ignoredText(tally.ignored));
        return;
    }

    // The next batch is read on the pool while this one is written.
    const QStringList& items = ctx.run().itemIds;
    const qsizetype batch = runs::RunContext::kBatchSize;
    const std::function<Read(const QString&)> readOne = [root](const QString& item) { return readFile(root, item); };
    auto readBatch = [&](qsizetype from) { return QtConcurrent::mapped(items.mid(from, batch), readOne); };
    QFuture<Read> next = readBatch(0);
    for (qsizetype from = 0; from < items.size(); from += batch) {
        next.waitForFinished();
        const QList<Read> reads = next.results();
        if (from + batch < items.size())
            next = readBatch(from + batch);
        if (ctx.shouldStop() || !writeBatch(ctx, sortBatch(reads, &tally))) {
            next.waitForFinished();
            return;
        }
    }
    if (const auto answer = retireUnobserved(ctx))
        finish(ctx, *answer, tally);
}

} // namespace atlas::inventory
