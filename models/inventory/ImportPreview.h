#pragma once

#include <QList>
#include <QString>
#include <QUuid>

namespace atlas::db {
class Connection;
}

namespace atlas::inventory {

// What an import of a folder would do, asked before it starts: the folder's policy files per
// type against the tenant's current policies per type, and whether the database's retire guard
// (atlas.retire_guard_percent()) would refuse it. An estimate: files are counted, not read.
struct ImportPreview
{
    struct Type
    {
        QString policyType;
        int files = 0;   // in the folder
        int current = 0; // current policies of the tenant now
    };
    QList<Type> types; // by name
    int ignoredFiles = 0;
    int guardPercent = 50;
    QString error; // the folder or the inventory could not be read

    int files() const;
    int current() const;
    // Current policies the folder cannot account for: at least this many would be retired.
    int wouldRetireAtLeast() const;
    bool guardWouldRefuse() const;

    static ImportPreview of(db::Connection& conn, const QUuid& tenant, const QString& folder);
};

} // namespace atlas::inventory
