#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace atlas::drift {

// Compares two Graph payloads of one policy and returns the changed paths as RFC 6901 JSON
// pointers into the current payload (the baseline's for what was removed), sorted, unique.
//
// The rules, in one place:
// - Volatile fields are ignored: at the top level lastModifiedDateTime, createdDateTime,
//   modifiedDateTime and version (with their "@odata.type" annotations); at any depth the OData
//   bookkeeping (@odata.context, @odata.id, @odata.editLink, @odata.etag, "*@odata.context",
//   "*@odata.associationLink", "*@odata.navigationLink", "*@odata.nextLink", "*@odata.count")
//   and advertised actions ("#microsoft.graph.*"). "@odata.type" is kept: it is the kind of thing.
// - Arrays compare by content: the same elements in another order are no change.
// - Arrays whose elements all carry an identity (settingInstance.settingDefinitionId for settings
//   catalog settings, else settingDefinitionId, else id), unique within the array, are matched by
//   it; an element only on one side is reported as a whole. A settings-catalog setting's own "id"
//   is its position in the list, so it is ignored when settings are matched by definition id.
// - Other arrays are compared position by position.
class DriftDiff final
{
public:
    static QStringList changedPaths(const QJsonObject& baseline, const QJsonObject& current);
    static bool isVolatileKey(const QString& key, bool topLevel);
    static QString escapePointerToken(const QString& token);
};

} // namespace atlas::drift
