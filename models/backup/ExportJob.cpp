#include "ExportJob.h"

#include "db/Connection.h"
#include "runs/RunContext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSqlQuery>
#include <QStringEncoder>

namespace atlas::backup {

using runs::ItemResult;

std::optional<runs::RunRequest> ExportJob::request(db::Connection& conn, const QUuid& tenant, qint64 backupSetId,
                                                   const QString& folder, QString* error)
{
    const QFileInfo info(folder);
    if (info.exists() && (!info.isDir() || !QDir(folder).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))) {
        *error = QStringLiteral("%1 is not an empty folder: an export goes into a new or empty one").arg(folder);
        return std::nullopt;
    }
    if (!runs::RunRequests::existsInTenant(conn, tenant, QStringLiteral("backup_sets"), QStringLiteral("backup_set_id"),
                                           backupSetId, QStringLiteral("backup set"), error))
        return std::nullopt;
    runs::RunRequest request{tenant,
                             kResource,
                             kAction,
                             QJsonObject{{QStringLiteral("backup_set_id"), backupSetId},
                                         {QStringLiteral("target"), QDir::cleanPath(info.absoluteFilePath())}},
                             {}};
    request.itemsQuery = QStringLiteral("SELECT coalesce(jsonb_agg(policy_type || '/' || external_id), '[]'::jsonb) "
                                        "FROM atlas.backup_set_items WHERE tenant_id = ?::uuid AND backup_set_id = ?");
    request.itemsBinds = {tenant.toString(QUuid::WithoutBraces), backupSetId};
    return request;
}

QString ExportJob::safeName(const QString& name, const QString& fallback)
{
    static const QRegularExpression reserved(QStringLiteral("[<>:\"/\\\\|?*\\x00-\\x1F\\x7F]"));
    static const QRegularExpression device(QStringLiteral("^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\\..*)?$"),
                                           QRegularExpression::CaseInsensitiveOption);
    QString safe = name.simplified();
    safe.replace(reserved, QStringLiteral("_"));
    safe = safe.left(150);
    while (safe.endsWith(QLatin1Char('.')) || safe.endsWith(QLatin1Char(' ')))
        safe.chop(1);
    if (safe.isEmpty() && fallback != name)
        return safeName(fallback, fallback);
    if (safe.isEmpty())
        safe = QStringLiteral("_");
    if (device.match(safe).hasMatch())
        safe.prepend(QLatin1Char('_'));
    return safe;
}

QString ExportJob::safeFileName(const QString& displayName, const QString& fallback, QSet<QString>* taken)
{
    const QString name = safeName(displayName, fallback);
    QString unique = name;
    for (int n = 2; taken->contains(unique.toLower()); ++n)
        unique = QStringLiteral("%1 (%2)").arg(name).arg(n);
    taken->insert(unique.toLower());
    return unique + QStringLiteral(".json");
}

void ExportJob::execute(runs::RunContext& ctx)
{
    const qint64 setId = ctx.run().scope.value(QLatin1String("backup_set_id")).toInteger(-1);
    const QString target = ctx.run().scope.value(QLatin1String("target")).toString();
    if (target.isEmpty() || !QDir().mkpath(target)) {
        ctx.couldNotProceed(QStringLiteral("export_folder_unwritable"), QStringLiteral("The export folder cannot be created."));
        return;
    }
    const QString tenant = ctx.run().tenant.toString(QUuid::WithoutBraces);
    QHash<QString, QSet<QString>> namesByType; // file names taken per type folder
    int written = 0, failed = 0;
    const QStringList& items = ctx.run().itemIds;
    for (qsizetype offset = 0; offset < items.size(); offset += kChunk) {
        if (ctx.shouldStop())
            return;
        const QStringList chunk = items.mid(offset, kChunk);
        QSqlQuery q(ctx.connection().database());
        if (!ctx.connection().exec(
                q,
                QStringLiteral(
                    "SELECT s.policy_type || '/' || s.external_id, s.policy_type, s.external_id, s.display_name, s.payload::text "
                    "FROM atlas.backup_set_items s WHERE s.tenant_id = ?::uuid AND s.backup_set_id = ? "
                    "AND s.policy_type || '/' || s.external_id IN (SELECT jsonb_array_elements_text(?::jsonb)) ORDER BY 1"),
                {tenant, setId,
                 QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(chunk)).toJson(QJsonDocument::Compact))})) {
            ctx.couldNotProceed(QStringLiteral("backup_set_unreadable"), ctx.connection().lastError().message);
            return;
        }
        QSet<QString> found;
        QList<ItemResult> results;
        while (q.next()) {
            const QString item = q.value(0).toString();
            const QString type = q.value(1).toString();
            found.insert(item);
            const QDir typeDir(target + QLatin1Char('/') + safeName(type, QStringLiteral("Policies")));
            // A type's folder is made with its first file.
            auto names = namesByType.find(type);
            const bool folderReady = names != namesByType.end() || QDir().mkpath(typeDir.path());
            if (names == namesByType.end())
                names = namesByType.insert(type, {});
            // The tool's layout: indented JSON, UTF-16LE with BOM, CRLF.
            const QJsonDocument doc = QJsonDocument::fromJson(q.value(4).toString().toUtf8());
            QString text = QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
            text.replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
            QStringEncoder encoder(QStringConverter::Utf16LE, QStringConverter::Flag::WriteBom);
            const QString fileName = safeFileName(q.value(3).toString(), q.value(2).toString(), &*names);
            QSaveFile file(typeDir.filePath(fileName));
            const bool ok =
                folderReady && file.open(QIODevice::WriteOnly) && file.write(encoder.encode(text)) >= 0 && file.commit();
            if (ok) {
                ++written;
                results << ItemResult::succeeded(item);
            } else {
                ++failed;
                results << ItemResult::failed(item, QStringLiteral("export_write_failed"),
                                              QStringLiteral("Cannot write %1: %2").arg(fileName, file.errorString()));
            }
        }
        for (const QString& item : chunk) {
            if (!found.contains(item)) {
                ++failed;
                results << ItemResult::failed(item, QStringLiteral("policy_not_in_set"),
                                              QStringLiteral("The backup set no longer holds this policy."));
            }
        }
        if (!ctx.writeBatch(results, {}))
            return;
    }
    ctx.setSummary({{QStringLiteral("backup_set_id"), setId},
                    {QStringLiteral("written"), written},
                    {QStringLiteral("failed"), failed},
                    {QStringLiteral("target"), target},
                    {QStringLiteral("headline"),
                     QStringLiteral("%1 %2 written to %3")
                         .arg(written)
                         .arg(written == 1 ? QStringLiteral("policy") : QStringLiteral("policies"))
                         .arg(QDir::toNativeSeparators(target))}});
}

} // namespace atlas::backup
