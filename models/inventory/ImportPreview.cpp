#include "ImportPreview.h"

#include "ExportReader.h"
#include "db/Connection.h"
#include "runs/RunRequests.h"

#include <QMap>
#include <QSqlQuery>

namespace atlas::inventory {

int ImportPreview::files() const
{
    int n = 0;
    for (const Type& t : types)
        n += t.files;
    return n;
}

int ImportPreview::current() const
{
    int n = 0;
    for (const Type& t : types)
        n += t.current;
    return n;
}

int ImportPreview::wouldRetireAtLeast() const
{
    int n = 0;
    for (const Type& t : types)
        n += std::max(0, t.current - t.files);
    return n;
}

bool ImportPreview::guardWouldRefuse() const
{
    return qint64(wouldRetireAtLeast()) * 100 > qint64(guardPercent) * current();
}

ImportPreview ImportPreview::of(db::Connection& conn, const QUuid& tenant, const QString& folder)
{
    ImportPreview preview;
    QList<ExportFile> found;
    if (!ExportReader::scan(folder, &found, &preview.error, &preview.ignoredFiles))
        return preview;
    QMap<QString, Type> byType;
    for (const ExportFile& f : std::as_const(found)) {
        Type& t = byType[f.policyType];
        t.policyType = f.policyType;
        ++t.files;
    }
    QSqlQuery q(conn.database());
    if (!conn.exec(q,
                   QStringLiteral("SELECT policy_type, count(*) FROM atlas.inventory_items "
                                  "WHERE tenant_id = ?::uuid AND is_current GROUP BY policy_type"),
                   {tenant.toString(QUuid::WithoutBraces)})) {
        preview.error = runs::RunQueries::explain(conn.lastError());
        return preview;
    }
    while (q.next()) {
        Type& t = byType[q.value(0).toString()];
        t.policyType = q.value(0).toString();
        t.current = q.value(1).toInt();
    }
    const QVariant percent = conn.scalar(QStringLiteral("SELECT atlas.retire_guard_percent()"));
    if (percent.isValid())
        preview.guardPercent = percent.toInt();
    preview.types = byType.values();
    return preview;
}

} // namespace atlas::inventory
