#pragma once

#include <QString>
#include <QUuid>

namespace atlas::db {
class EmbeddedCluster;
}

namespace atlas::demo {

struct DemoTenants
{
    QUuid contoso;
    QUuid fabrikam;
};

// Fills a freshly migrated embedded database with the demo: logins for the console's user and for
// all four roles, two tenants, and a history of runs in every bucket, all written through the
// same API functions the console uses (only the "lost worker" is back-dated by the superuser).
class DemoSeeder final
{
public:
    static QStringList demoLogins(); // demo_owner, demo_manager, demo_operator, demo_readonly, demo_other

    // Creates (or updates the password of) a login that is a member of atlas_client (and of
    // atlas_admin when admin is true). Returns false with *error.
    static bool ensureLogin(const db::EmbeddedCluster& cluster, const QString& database, const QString& login,
                            const QString& password, bool admin, QString* error);

    // Idempotent: does nothing when the demo tenants exist already.
    static bool seed(const db::EmbeddedCluster& cluster, const QString& database, const QString& consoleLogin,
                     DemoTenants* tenants, QString* error);
};

} // namespace atlas::demo
