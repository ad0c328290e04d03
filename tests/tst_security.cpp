// The database as an attacker with psql and a real login sees it: every API function for every
// role, direct DML/TRUNCATE on every table and view, forged settings, and catalog invariants.
#include "TestCluster.h"

#include <QSqlQuery>
#include <QtTest>

#include <map>

using atlas::db::Connection;

class TestSecurity : public QObject
{
    Q_OBJECT
    atlas::test::TestCluster m_cluster;
    atlas::test::TenantFixture m_fx;
    std::map<QString, std::unique_ptr<Connection>> m_conns;

    Connection& as(const QString& login)
    {
        auto& conn = m_conns[login];
        if (!conn)
            conn = login == QLatin1String("su") ? m_cluster.connectSuperuser() : m_cluster.connectAs(login);
        return *conn;
    }
    QString a() const { return m_fx.tenantA.toString(QUuid::WithoutBraces); }
    QString b() const { return m_fx.tenantB.toString(QUuid::WithoutBraces); }

    // "ok" or the SQLSTATE the statement failed with.
    QString outcome(const QString& login, const QString& sql)
    {
        Connection& conn = as(login);
        QSqlQuery q(conn.database());
        if (!q.exec(sql))
            return q.lastError().nativeErrorCode();
        return QStringLiteral("ok");
    }

    QVariant suScalar(const QString& sql) { return as(QStringLiteral("su")).scalar(sql); }

    // A pending run of tenant A started by operator_a (fresh scope each call).
    qint64 pendingRun()
    {
        static int n = 0;
        return as(QStringLiteral("operator_a"))
            .scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'drift', 'generate', "
                                   "'{\"n\": %2}', '[\"p1\", \"p2\"]')")
                        .arg(a())
                        .arg(++n))
            .toLongLong();
    }

    // A running run of tenant A with its lease, held by operator_a (a drift run unless asked).
    QPair<qint64, QString> leasedRun(const QString& resource = QString(), const QString& action = QString(),
                                     const QString& scope = QString())
    {
        static int n = 0;
        const qint64 run = resource.isEmpty()
            ? pendingRun()
            : as(QStringLiteral("operator_a"))
                  .scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', '%2', '%3', "
                                         "coalesce(NULLIF('%4', '')::jsonb, '{}') || jsonb_build_object('n', %5), '[\"p1\", \"f1\"]')")
                              .arg(a(), resource, action, scope).arg(++n))
                  .toLongLong();
        const QString lease =
            as(QStringLiteral("operator_a")).scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(run)).toString();
        return {run, lease};
    }

    QStringList atlasTables()
    {
        QStringList tables;
        QSqlQuery q(as(QStringLiteral("su")).database());
        q.exec(QStringLiteral("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = 'atlas' AND c.relkind IN ('r', 'p') ORDER BY 1"));
        while (q.next())
            tables << q.value(0).toString();
        return tables;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_cluster.setUp(&error), qPrintable(error));
        QVERIFY2(m_fx.create(m_cluster, &error), qPrintable(error));

        // Rows in every table of both tenants, made through the API.
        for (const auto& [login, tenant] : {std::pair{QStringLiteral("operator_a"), a()},
                                            std::pair{QStringLiteral("owner_b"), b()}}) {
            Connection& c = as(login);
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.create_backup_set('%1', 'set')").arg(tenant)).isValid());
            const qint64 imp = c.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'inventory', 'import', "
                                                       "'{}', '[\"f1\"]')").arg(tenant)).toLongLong();
            const QString lease = c.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(imp)).toString();
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '[{\"policy_type\": \"t\", "
                                            "\"external_id\": \"p1\", \"payload\": {\"id\": \"p1\"}}]')")
                                 .arg(imp).arg(lease)).isValid());
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.record_item_results(%1, '%2', "
                                            "'[{\"item_id\": \"f1\", \"outcome\": \"failed\", \"reason_code\": \"x\"}]')::text IS NULL")
                                 .arg(imp).arg(lease)).isValid());
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.finish_run(%1, '%2')").arg(imp).arg(lease)).isValid());
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.capture_baseline('%1', 'base')").arg(tenant)).isValid());
            const qint64 drift = c.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'drift', 'generate', "
                                                         "'{}', '[\"p1\"]')").arg(tenant)).toLongLong();
            const QString dl = c.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(drift)).toString();
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.record_drift_findings(%1, '%2', '[{\"policy_type\": \"t\", "
                                            "\"external_id\": \"p1\", \"change\": \"added\"}]')").arg(drift).arg(dl)).isValid());
            const qint64 snap = c.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'backup_set', "
                                                        "'add_policies', jsonb_build_object('backup_set_id', "
                                                        "(SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = '%1')), "
                                                        "'[\"p1\"]')").arg(tenant)).toLongLong();
            const QString sl = c.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(snap)).toString();
            QVERIFY2(c.scalar(QStringLiteral("SELECT atlas.snapshot_policies(%1, '%2', '[\"p1\"]')").arg(snap).arg(sl)).isValid(),
                     qPrintable(c.lastError().message));
        }
        for (const QString& table : atlasTables()) {
            if (table == QLatin1String("settings") || table == QLatin1String("schema_migrations"))
                continue;
            const QString sql = QStringLiteral("SELECT count(DISTINCT tenant_id) FROM atlas.%1").arg(table);
            QVERIFY2(suScalar(sql).toInt() == 2 || table == QLatin1String("run_leases"),
                     qPrintable(QStringLiteral("fixture has no rows of both tenants in %1").arg(table)));
        }
    }

    // ---- catalog invariants -------------------------------------------------------------------
    void everyTenantTableForcesRowLevelSecurity()
    {
        QSqlQuery q(as(QStringLiteral("su")).database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id') "
            "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            " WHERE n.nspname = 'atlas' AND c.relkind IN ('r', 'p')")));
        int tenantTables = 0;
        while (q.next()) {
            const QString name = q.value(0).toString();
            if (q.value(3).toBool()) {
                ++tenantTables;
                QVERIFY2(q.value(1).toBool(), qPrintable(name + QStringLiteral(": RLS not enabled")));
                QVERIFY2(q.value(2).toBool(), qPrintable(name + QStringLiteral(": RLS not forced")));
            }
        }
        QVERIFY(tenantTables >= 12);
    }

    void definerFunctionsPinSearchPathAndAreNotPublic()
    {
        QSqlQuery q(as(QStringLiteral("su")).database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT p.oid::regprocedure::text, p.prosecdef, "
            "       coalesce(array_to_string(p.proconfig, ','), ''), "
            "       has_function_privilege('public', p.oid, 'EXECUTE') "
            "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'atlas'")));
        int definers = 0;
        while (q.next()) {
            const QString name = q.value(0).toString();
            QVERIFY2(!q.value(3).toBool(), qPrintable(name + QStringLiteral(" is executable by PUBLIC")));
            if (q.value(1).toBool()) {
                ++definers;
                QVERIFY2(q.value(2).toString().contains(QLatin1String("search_path=pg_catalog, pg_temp")),
                         qPrintable(name + QStringLiteral(" does not pin search_path")));
            }
        }
        QVERIFY(definers >= 15);
    }

    void viewsAreSecurityInvoker()
    {
        QSqlQuery q(as(QStringLiteral("su")).database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'atlas' AND c.relkind = 'v'")));
        QStringList views;
        while (q.next()) {
            views << q.value(0).toString();
            QVERIFY2(q.value(1).toString().contains(QLatin1String("security_invoker=true")),
                     qPrintable(q.value(0).toString()));
        }
        for (const char* v : {"operation_runs", "my_tenants", "my_notifications", "drift_findings"})
            QVERIFY2(views.contains(QLatin1String(v)), v);
    }

    void clientsHaveNoWritePrivilegeNoCreateAndNoSecrets()
    {
        for (const QString& login : atlas::test::TenantFixture::logins()) {
            QSqlQuery q(as(QStringLiteral("su")).database());
            QVERIFY(q.exec(QStringLiteral(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                " WHERE n.nspname = 'atlas' AND c.relkind IN ('r', 'p', 'v') "
                "   AND has_table_privilege('%1', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')")
                               .arg(login)));
            QVERIFY2(!q.next(), qPrintable(login + QStringLiteral(" may write ") + q.value(0).toString()));
            QVERIFY(q.exec(QStringLiteral("SELECT nspname FROM pg_namespace WHERE has_schema_privilege('%1', oid, 'CREATE')")
                               .arg(login)));
            QVERIFY2(!q.next(), qPrintable(login + QStringLiteral(" may create in ") + q.value(0).toString()));
            QVERIFY(!suScalar(QStringLiteral("SELECT has_database_privilege('%1', current_database(), 'CREATE')")
                                  .arg(login)).toBool());
            for (const char* secret : {"run_leases", "settings", "schema_migrations"})
                QVERIFY2(!suScalar(QStringLiteral("SELECT has_table_privilege('%1', 'atlas.%2', 'SELECT')")
                                       .arg(login, QLatin1String(secret))).toBool(), secret);
            for (const char* role : {"atlas_owner", "atlas_auth"})
                QVERIFY(!suScalar(QStringLiteral("SELECT pg_has_role('%1', '%2', 'MEMBER')").arg(login, QLatin1String(role)))
                             .toBool());
        }
        QVERIFY(!suScalar(QStringLiteral("SELECT rolbypassrls FROM pg_roles WHERE rolname = 'atlas_owner'")).toBool());
    }

    // ---- direct DML on every table and view -----------------------------------------------------
    void directWritesAreRefused_data()
    {
        QTest::addColumn<QString>("login");
        QTest::addColumn<QString>("relation");
        QStringList relations = atlasTables();
        relations << QStringLiteral("operation_runs") << QStringLiteral("my_tenants") << QStringLiteral("my_notifications")
                  << QStringLiteral("drift_findings");
        for (const QString& login : atlas::test::TenantFixture::logins()) {
            for (const QString& rel : relations)
                QTest::newRow(qPrintable(login + QLatin1Char('/') + rel)) << login << rel;
        }
    }
    void directWritesAreRefused()
    {
        QFETCH(QString, login);
        QFETCH(QString, relation);
        const QString before = suScalar(QStringLiteral("SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                                                       "FROM atlas.%1 t").arg(relation)).toString();
        const QString column = suScalar(QStringLiteral("SELECT attname FROM pg_attribute WHERE attrelid = 'atlas.%1'::regclass AND attnum > 0 "
                                                       "ORDER BY attname <> 'tenant_id', attnum LIMIT 1").arg(relation)).toString();
        // A view that is not updatable at all refuses with 55000 before privileges are looked at.
        const QString refused = relation == QLatin1String("my_tenants") ? QStringLiteral("55000") : QStringLiteral("42501");
        QCOMPARE(outcome(login, QStringLiteral("INSERT INTO atlas.%1 DEFAULT VALUES").arg(relation)), refused);
        QCOMPARE(outcome(login, QStringLiteral("UPDATE atlas.%1 SET %2 = %2").arg(relation, column)), refused);
        QCOMPARE(outcome(login, QStringLiteral("DELETE FROM atlas.%1").arg(relation)), refused);
        const QString truncate = outcome(login, QStringLiteral("TRUNCATE atlas.%1").arg(relation));
        QVERIFY2(truncate == QLatin1String("42501") || truncate == QLatin1String("42809"), qPrintable(truncate));
        const QString after = suScalar(QStringLiteral("SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                                                      "FROM atlas.%1 t").arg(relation)).toString();
        QCOMPARE(after, before);
    }

    // ---- what each login can read -------------------------------------------------------------------
    void readsAreTenantScoped_data()
    {
        QTest::addColumn<QString>("login");
        QTest::addColumn<bool>("seesA");
        QTest::addColumn<bool>("seesB");
        QTest::newRow("owner_a") << "owner_a" << true << false;
        QTest::newRow("manager_a") << "manager_a" << true << false;
        QTest::newRow("operator_a") << "operator_a" << true << false;
        QTest::newRow("readonly_a") << "readonly_a" << true << false;
        QTest::newRow("owner_b") << "owner_b" << false << true;
        QTest::newRow("outsider") << "outsider" << false << false;
        QTest::newRow("admin") << "admin" << false << false;
    }
    void readsAreTenantScoped()
    {
        QFETCH(QString, login);
        QFETCH(bool, seesA);
        QFETCH(bool, seesB);
        QStringList relations = atlasTables();
        relations << QStringLiteral("operation_runs") << QStringLiteral("drift_findings") << QStringLiteral("my_tenants")
                  << QStringLiteral("my_notifications");
        for (const QString& rel : relations) {
            if (rel == QLatin1String("run_leases") || rel == QLatin1String("settings") ||
                rel == QLatin1String("schema_migrations")) {
                QCOMPARE(outcome(login, QStringLiteral("SELECT * FROM atlas.%1").arg(rel)), QStringLiteral("42501"));
                continue;
            }
            if ((rel == QLatin1String("tenants") || rel == QLatin1String("tenant_members")) && login == QLatin1String("admin"))
                continue; // admins provision tenants and memberships, so they see those (not tenant data)
            // Notifications belong to their recipient: in tenant A every run was operator_a's.
            const bool personal = rel == QLatin1String("notifications") || rel == QLatin1String("my_notifications");
            const bool expectA = personal ? login == QLatin1String("operator_a") : seesA;
            const QVariant seenA = as(login).scalar(QStringLiteral("SELECT count(*) FROM atlas.%1 WHERE tenant_id = '%2'").arg(rel, a()));
            const QVariant seenB = as(login).scalar(QStringLiteral("SELECT count(*) FROM atlas.%1 WHERE tenant_id = '%2'").arg(rel, b()));
            QVERIFY2(seenA.isValid() && seenB.isValid(), qPrintable(rel + QLatin1Char(' ') + as(login).lastError().message));
            QVERIFY2((seenA.toInt() > 0) == expectA, qPrintable(QStringLiteral("%1 in A: %2").arg(rel).arg(seenA.toInt())));
            QVERIFY2((seenB.toInt() > 0) == seesB, qPrintable(QStringLiteral("%1 in B: %2").arg(rel).arg(seenB.toInt())));
        }
    }

    void notificationsAreThePersonsOwn()
    {
        // operator_a started every run in tenant A, so only operator_a has notifications there.
        QVERIFY(as(QStringLiteral("operator_a")).scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications")).toInt() > 0);
        for (const char* other : {"owner_a", "manager_a", "readonly_a"}) {
            QCOMPARE(as(QLatin1String(other)).scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications")).toInt(), 0);
            QCOMPARE(as(QLatin1String(other)).scalar(QStringLiteral("SELECT count(*) FROM atlas.notifications")).toInt(), 0);
            QCOMPARE(as(QLatin1String(other)).scalar(QStringLiteral("SELECT atlas.mark_notifications_read("
                                                                    "ARRAY(SELECT generate_series(1, 1000)::bigint))")).toInt(), 0);
        }
        QVERIFY(suScalar(QStringLiteral("SELECT count(*) FROM atlas.notifications WHERE read_at IS NOT NULL")).toInt() == 0);
    }

    // ---- the API, role by role ------------------------------------------------------------------------
    void apiRoleMatrix_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<QString>("login");
        QTest::addColumn<QString>("expected");
        const QStringList logins = atlas::test::TenantFixture::logins();
        auto rows = [&](const QString& call, const QStringList& allowed, const QString& deniedState = QStringLiteral("42501")) {
            for (const QString& login : logins)
                QTest::newRow(qPrintable(call + QLatin1Char('/') + login))
                    << call << login << (allowed.contains(login) ? QStringLiteral("ok") : deniedState);
        };
        const QStringList starters{QStringLiteral("owner_a"), QStringLiteral("manager_a"), QStringLiteral("operator_a")};
        rows(QStringLiteral("create_tenant"), {QStringLiteral("admin")});
        rows(QStringLiteral("grant_role"), {QStringLiteral("admin"), QStringLiteral("owner_a")});
        rows(QStringLiteral("revoke_role"), {QStringLiteral("admin"), QStringLiteral("owner_a")});
        rows(QStringLiteral("start_run"), starters);
        rows(QStringLiteral("capture_baseline"), starters);
        rows(QStringLiteral("create_backup_set"), starters);
        rows(QStringLiteral("claim_run"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("heartbeat_run"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("record_item_results"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("finish_run"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("abort_run"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("set_run_summary"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("record_drift_findings"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("record_inventory"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("retire_unobserved"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("snapshot_policies"), {QStringLiteral("operator_a")});
        rows(QStringLiteral("reap_stale_runs"), logins);
    }
    void apiRoleMatrix()
    {
        QFETCH(QString, call);
        QFETCH(QString, login);
        QFETCH(QString, expected);
        QString sql;
        qint64 run = 0;
        if (call == QLatin1String("create_tenant")) {
            sql = QStringLiteral("SELECT atlas.create_tenant('New tenant')");
        } else if (call == QLatin1String("grant_role")) {
            sql = QStringLiteral("SELECT atlas.grant_role('%1', 'readonly_a', 'readonly')").arg(a());
        } else if (call == QLatin1String("revoke_role")) {
            m_cluster.createLogin(QStringLiteral("temp_member"));
            QVERIFY(as(QStringLiteral("admin")).scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'temp_member', 'readonly')::text IS NULL").arg(a())).isValid());
            sql = QStringLiteral("SELECT atlas.revoke_role('%1', 'temp_member')").arg(a());
        } else if (call == QLatin1String("start_run")) {
            sql = QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', '{\"matrix\": \"%2\"}', '[]')").arg(a(), login);
        } else if (call == QLatin1String("capture_baseline")) {
            sql = QStringLiteral("SELECT atlas.capture_baseline('%1', 'b')").arg(a());
        } else if (call == QLatin1String("create_backup_set")) {
            sql = QStringLiteral("SELECT atlas.create_backup_set('%1', 's')").arg(a());
        } else if (call == QLatin1String("claim_run")) {
            run = pendingRun();
            sql = QStringLiteral("SELECT atlas.claim_run(%1)").arg(run);
        } else if (call == QLatin1String("reap_stale_runs")) {
            sql = QStringLiteral("SELECT atlas.reap_stale_runs()");
        } else if (call == QLatin1String("record_inventory") || call == QLatin1String("retire_unobserved")) {
            const auto [r, lease] = leasedRun(QStringLiteral("inventory"), QStringLiteral("import"));
            run = r;
            sql = call == QLatin1String("record_inventory")
                ? QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '[{\"policy_type\": \"t\", \"external_id\": \"m-%3\", \"payload\": {\"id\": 1}}]')").arg(run).arg(lease).arg(login)
                : QStringLiteral("SELECT atlas.retire_unobserved(%1, '%2', ARRAY['t'])").arg(run).arg(lease);
        } else if (call == QLatin1String("snapshot_policies")) {
            const QString set = suScalar(QStringLiteral("SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = '%1'").arg(a())).toString();
            const auto [r, lease] = leasedRun(QStringLiteral("backup_set"), QStringLiteral("add_policies"),
                                              QStringLiteral("{\"backup_set_id\": %1}").arg(set));
            run = r;
            sql = QStringLiteral("SELECT atlas.snapshot_policies(%1, '%2', '[\"p1\"]')").arg(run).arg(lease);
        } else {
            // Lease-holder calls, made with the real lease: a lease seen by anyone else is no key.
            const auto [r, lease] = leasedRun();
            run = r;
            if (call == QLatin1String("heartbeat_run"))
                sql = QStringLiteral("SELECT atlas.heartbeat_run(%1, '%2')").arg(run).arg(lease);
            else if (call == QLatin1String("record_item_results"))
                sql = QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"p1\", \"outcome\": \"succeeded\"}]')").arg(run).arg(lease);
            else if (call == QLatin1String("finish_run"))
                sql = QStringLiteral("SELECT atlas.finish_run(%1, '%2')").arg(run).arg(lease);
            else if (call == QLatin1String("abort_run"))
                sql = QStringLiteral("SELECT atlas.abort_run(%1, '%2', 'cancelled', 'stopped by test')").arg(run).arg(lease);
            else if (call == QLatin1String("set_run_summary"))
                sql = QStringLiteral("SELECT atlas.set_run_summary(%1, '%2', '{\"a\": 1}')").arg(run).arg(lease);
            else if (call == QLatin1String("record_drift_findings"))
                sql = QStringLiteral("SELECT atlas.record_drift_findings(%1, '%2', '[{\"policy_type\": \"t\", \"external_id\": \"x\", \"change\": \"added\"}]')").arg(run).arg(lease);
        }
        const QString before = run ? suScalar(QStringLiteral("SELECT row_to_json(r)::text FROM atlas.bulk_operation_runs r WHERE id = %1").arg(run)).toString() : QString();
        QCOMPARE(outcome(login, sql), expected);
        if (run && expected != QLatin1String("ok")) {
            const QString after = suScalar(QStringLiteral("SELECT row_to_json(r)::text FROM atlas.bulk_operation_runs r WHERE id = %1").arg(run)).toString();
            QCOMPARE(after, before);
        }
    }

    void writeFunctionsRefuseOtherTenantsLeaseHolders()
    {
        // owner_b holds a real lease in tenant B; it opens nothing in tenant A.
        Connection& ob = as(QStringLiteral("owner_b"));
        const qint64 runB = ob.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'inventory', 'import', '{\"x\": 1}', '[\"f\"]')").arg(b())).toLongLong();
        const QString leaseB = ob.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(runB)).toString();
        const auto [runA, leaseA] = leasedRun();
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[]')").arg(runA).arg(leaseB)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[]')").arg(runA).arg(leaseA)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', '{}', '[]')").arg(a())), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.capture_baseline('%1', 'x')").arg(a())), QStringLiteral("42501"));
        // Inventory writes go only into the lease's own tenant, whatever the caller asks.
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '[{\"tenant_id\": \"%3\", \"policy_type\": \"t\", \"external_id\": \"evil\", \"payload\": {}}]')")
                                                      .arg(runB).arg(leaseB).arg(a())), QStringLiteral("ok"));
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE external_id = 'evil' AND tenant_id = '%1'").arg(a())).toInt(), 0);
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE external_id = 'evil' AND tenant_id = '%1'").arg(b())).toInt(), 1);
    }

    void readonlyCannotReachRunsThroughAnyFunction()
    {
        const QString r = QStringLiteral("readonly_a");
        QCOMPARE(outcome(r, QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', '{}', '[]')").arg(a())), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("SELECT atlas.grant_role('%1', 'readonly_a', 'owner')").arg(a())), QStringLiteral("42501"));
        QCOMPARE(as(r).scalar(QStringLiteral("SELECT role FROM atlas.my_tenants")).toString(), QStringLiteral("readonly"));
    }

    // ---- forged settings and role games -------------------------------------------------------------
    void forgedSettingsChangeNothing()
    {
        const QString r = QStringLiteral("readonly_a");
        for (const QString& forge : {QStringLiteral("SET atlas.tenant = '%1'").arg(b()),
                                     QStringLiteral("SET app.current_tenant = '%1'").arg(b()),
                                     QStringLiteral("SELECT set_config('request.jwt.claim.role', 'owner', false)"),
                                     QStringLiteral("SET search_path = public, atlas"),
                                     QStringLiteral("CREATE TEMP TABLE tenant_members (tenant_id uuid, login text, role text)"),
                                     QStringLiteral("INSERT INTO pg_temp.tenant_members VALUES ('%1', 'readonly_a', 'owner')").arg(a())})
            QCOMPARE(outcome(r, forge), QStringLiteral("ok"));
        QCOMPARE(outcome(r, QStringLiteral("SET ROLE atlas_owner")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("SET ROLE atlas_admin")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("SET ROLE owner_a")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("SET SESSION AUTHORIZATION owner_a")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("SET ROLE atlas_client")), QStringLiteral("ok")); // a role it has: no gain
        QCOMPARE(outcome(r, QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', '{}', '[]')").arg(a())), QStringLiteral("42501"));
        QCOMPARE(as(r).scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs WHERE tenant_id = '%1'").arg(b())).toInt(), 0);
        QCOMPARE(as(r).scalar(QStringLiteral("SELECT atlas.session_role('%1')").arg(a())).toString(), QStringLiteral("readonly"));
        QCOMPARE(outcome(r, QStringLiteral("CREATE SCHEMA evil")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("CREATE FUNCTION atlas.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("CREATE TABLE public.evil (x int)")), QStringLiteral("42501"));
        QCOMPARE(outcome(r, QStringLiteral("ALTER TABLE atlas.bulk_operation_runs NO FORCE ROW LEVEL SECURITY")), QStringLiteral("42501"));
    }
};

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
