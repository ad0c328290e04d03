#pragma once

#include <QString>

namespace atlas::db {

class Connection;

// Does this build fit the database's schema? Compares atlas.schema_version() (the latest
// migration applied) with the latest migration compiled into this build.
//  - Current: the same.
//  - Newer: the database has migrations this build does not know; it may read but must not
//    write (its writes could be what a newer migration changed). Update Atlas Ops.
//  - Older: migrations this build needs are missing; run `atlas-ops migrate`.
struct SchemaCheck
{
    enum class State
    {
        Current,
        Newer,
        Older,
        NoAccess,   // the login is not an Atlas Ops user (not granted atlas_client)
        Unreachable // the question itself failed (see error)
    };
    State state = State::Unreachable;
    QString database; // the database's latest migration ("" before 0009 or with no schema)
    QString console;  // this build's latest migration
    QString error;

    static SchemaCheck of(Connection& conn);
    bool mayRead() const { return state == State::Current || state == State::Newer; }
    bool mayWrite() const { return state == State::Current; }
    // One sentence for a person when the answer is not Current.
    QString explain() const;
};

} // namespace atlas::db
