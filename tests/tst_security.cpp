// The database as an attacker with psql and a real login sees it: every API function for every
// role, direct DML/TRUNCATE on every table and view, forged settings, and catalog invariants.
#include "Fixture.h"

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <map>

using atlas::db::Connection;

class TestSecurity : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;
    std::map<QString, std::unique_ptr<Connection>> m_conns;

    Connection& as(const QString& login)
    {
        auto& conn = m_conns[login];
        if (!conn)
            conn = login == QLatin1String("su") ? m_fx.cluster.connectSuperuser() : m_fx.cluster.connectAs(login);
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
            .scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', "
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
        ATLAS_SET_UP(m_fx);

        // Rows in every table of both tenants, made through the API.
        for (const auto& [login, tenant] : {std::pair{QStringLiteral("operator_a"), a()},
                                            std::pair{QStringLiteral("owner_b"), b()}}) {
            Connection& c = as(login);
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.create_backup_set('%1', 'set')").arg(tenant)).isValid());
            const qint64 imp = c.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'inventory', 'import', "
                                                       "'{\"source\": \"/exports\"}', '[\"t/f1.json\", \"t/f2.json\"]')").arg(tenant)).toLongLong();
            const QString lease = c.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(imp)).toString();
            QVERIFY2(c.scalar(QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '[{\"item_id\": \"t/f1.json\", \"policy_type\": \"t\", "
                                             "\"external_id\": \"p1\", \"payload\": {\"id\": \"p1\"}}]')")
                                  .arg(imp).arg(lease)).isValid(), qPrintable(c.lastError().message));
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.record_item_results(%1, '%2', "
                                            "'[{\"item_id\": \"t/f2.json\", \"outcome\": \"failed\", \"reason_code\": \"x\"}]')::text IS NULL")
                                 .arg(imp).arg(lease)).isValid());
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.finish_run(%1, '%2')").arg(imp).arg(lease)).isValid());
            QVERIFY(c.scalar(QStringLiteral("SELECT atlas.capture_baseline('%1', 'base')").arg(tenant)).isValid());
            const qint64 drift = c.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'drift', 'generate', "
                                                         "jsonb_build_object('baseline_id', (SELECT max(baseline_id) FROM atlas.baselines "
                                                         "WHERE tenant_id = '%1')), '[\"p1\"]')").arg(tenant)).toLongLong();
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
            if (table == QLatin1String("settings") || table == QLatin1String("schema_migrations") ||
                table == QLatin1String("schema_definitions") || table == QLatin1String("operation_kinds"))
                continue; // not tenant data
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
            for (const char* secret : {"run_leases", "settings", "schema_migrations", "schema_definitions"})
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
            if (rel == QLatin1String("operation_kinds"))
                continue; // the kinds of run: not tenant data, every login reads them
            // Tenants and memberships are read through my_tenants only (a function serves it).
            const bool membership = rel == QLatin1String("tenants") || rel == QLatin1String("tenant_members");
            // The hub's roll-ups are read through the count functions only (tst_hubcounts).
            if (rel == QLatin1String("run_leases") || rel == QLatin1String("settings") || rel == QLatin1String("run_counts") ||
                rel == QLatin1String("schema_migrations") || rel == QLatin1String("schema_definitions") ||
                (membership && login != QLatin1String("admin"))) {
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
        rows(QStringLiteral("cancel_run"), {QStringLiteral("owner_a"), QStringLiteral("manager_a")});
        // Read-only helpers every login may call: each answers about the caller alone.
        for (const char* helper : {"change_log_head", "retire_guard_percent", "redact_json", "session_tenants",
                                   "current_role_in", "session_login_oid"})
            rows(QLatin1String(helper), logins);
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
            m_fx.cluster.createLogin(QStringLiteral("temp_member"));
            QVERIFY(as(QStringLiteral("admin")).scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'temp_member', 'readonly')::text IS NULL").arg(a())).isValid());
            sql = QStringLiteral("SELECT atlas.revoke_role('%1', 'temp_member')").arg(a());
        } else if (call == QLatin1String("start_run")) {
            sql = QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{\"matrix\": \"%2\"}', '[]')").arg(a(), login);
        } else if (call == QLatin1String("capture_baseline")) {
            sql = QStringLiteral("SELECT atlas.capture_baseline('%1', 'b')").arg(a());
        } else if (call == QLatin1String("create_backup_set")) {
            sql = QStringLiteral("SELECT atlas.create_backup_set('%1', 's')").arg(a());
        } else if (call == QLatin1String("claim_run")) {
            run = pendingRun();
            sql = QStringLiteral("SELECT atlas.claim_run(%1)").arg(run);
        } else if (call == QLatin1String("reap_stale_runs")) {
            sql = QStringLiteral("SELECT atlas.reap_stale_runs()");
        } else if (call == QLatin1String("change_log_head") || call == QLatin1String("retire_guard_percent") ||
                   call == QLatin1String("session_login_oid")) {
            sql = QStringLiteral("SELECT atlas.%1()").arg(call);
        } else if (call == QLatin1String("session_tenants")) {
            sql = QStringLiteral("SELECT * FROM atlas.session_tenants()");
        } else if (call == QLatin1String("redact_json")) {
            sql = QStringLiteral("SELECT atlas.redact_json('{\"k\": \"password=x\"}')");
        } else if (call == QLatin1String("current_role_in")) {
            sql = QStringLiteral("SELECT atlas.current_role_in('%1')").arg(a());
        } else if (call == QLatin1String("record_inventory") || call == QLatin1String("retire_unobserved")) {
            const auto [r, lease] = leasedRun(QStringLiteral("inventory"), QStringLiteral("import"),
                                              QStringLiteral("{\"source\": \"/exports\"}"));
            run = r;
            if (call == QLatin1String("retire_unobserved")) // only once every declared file has a result
                QVERIFY(as(QStringLiteral("operator_a")).scalar(QStringLiteral(
                    "SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"p1\", \"outcome\": \"failed\"}, "
                    "{\"item_id\": \"f1\", \"outcome\": \"skipped\"}]')::text IS NULL").arg(run).arg(lease)).isValid());
            sql = call == QLatin1String("record_inventory")
                ? QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '[{\"item_id\": \"f1\", \"policy_type\": \"t\", \"external_id\": \"m-%3\", \"payload\": {\"id\": 1}}]')").arg(run).arg(lease).arg(login)
                : QStringLiteral("SELECT atlas.retire_unobserved(%1, '%2')").arg(run).arg(lease);
        } else if (call == QLatin1String("snapshot_policies")) {
            const QString set = suScalar(QStringLiteral("SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = '%1'").arg(a())).toString();
            const auto [r, lease] = leasedRun(QStringLiteral("backup_set"), QStringLiteral("add_policies"),
                                              QStringLiteral("{\"backup_set_id\": %1}").arg(set));
            run = r;
            sql = QStringLiteral("SELECT atlas.snapshot_policies(%1, '%2', '[\"p1\"]')").arg(run).arg(lease);
        } else if (call == QLatin1String("record_drift_findings")) {
            const QString baseline = suScalar(QStringLiteral("SELECT max(baseline_id) FROM atlas.baselines WHERE tenant_id = '%1'").arg(a())).toString();
            const auto [r, lease] = leasedRun(QStringLiteral("drift"), QStringLiteral("generate"),
                                              QStringLiteral("{\"baseline_id\": %1}").arg(baseline));
            run = r;
            sql = QStringLiteral("SELECT atlas.record_drift_findings(%1, '%2', '[{\"policy_type\": \"t\", \"external_id\": \"p1\", \"change\": \"added\"}]')").arg(run).arg(lease);
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
            else if (call == QLatin1String("cancel_run"))
                sql = QStringLiteral("SELECT atlas.cancel_run(%1)").arg(run);
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
        const qint64 runB = ob.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'inventory', 'import', '{\"source\": \"/x\"}', '[\"f\"]')").arg(b())).toLongLong();
        const QString leaseB = ob.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(runB)).toString();
        const auto [runA, leaseA] = leasedRun();
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[]')").arg(runA).arg(leaseB)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[]')").arg(runA).arg(leaseA)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', '{}', '[]')").arg(a())), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.capture_baseline('%1', 'x')").arg(a())), QStringLiteral("42501"));
        // Inventory writes go only into the lease's own tenant, whatever the caller asks.
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '[{\"item_id\": \"f\", \"tenant_id\": \"%3\", \"policy_type\": \"t\", \"external_id\": \"evil\", \"payload\": {}}]')")
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

    // ---- leases follow roles --------------------------------------------------------------------
    // A running run of `login` in tenant A, with its lease.
    QPair<qint64, QString> runningRunOf(const QString& login)
    {
        static int n = 0;
        Connection& c = as(login);
        const qint64 run = c.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', "
                                                   "'{\"role\": %2}', '[\"i1\", \"i2\"]')").arg(a()).arg(++n)).toLongLong();
        return {run, c.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(run)).toString()};
    }

    // Every write of a lease holder fails with 55000 and the heartbeat says false.
    void expectLeaseDead(const QString& login, qint64 run, const QString& lease)
    {
        QCOMPARE(as(login).scalar(QStringLiteral("SELECT atlas.heartbeat_run(%1, '%2')").arg(run).arg(lease)).toBool(), false);
        for (const QString& write : {QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"i1\", \"outcome\": \"succeeded\"}]')"),
                                     QStringLiteral("SELECT atlas.finish_run(%1, '%2')"),
                                     QStringLiteral("SELECT atlas.abort_run(%1, '%2', 'cancelled')"),
                                     QStringLiteral("SELECT atlas.set_run_summary(%1, '%2', '{}')")})
            QCOMPARE(outcome(login, write.arg(run).arg(lease)), QStringLiteral("55000"));
    }

    void demotionEndsTheMembersRunsInTheSameTransaction()
    {
        m_fx.cluster.createLogin(QStringLiteral("demoted_op"));
        QVERIFY2(as(QStringLiteral("admin")).scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'demoted_op', 'operator')::text IS NULL").arg(a())).isValid(),
                 qPrintable(as(QStringLiteral("admin")).lastError().message));
        const auto [run, lease] = runningRunOf(QStringLiteral("demoted_op"));
        const auto [other, otherLease] = runningRunOf(QStringLiteral("operator_a"));
        QVERIFY(run > 0 && !lease.isEmpty());
        // Within the demoting transaction the run has already ended; rolled back, it runs on.
        Connection& admin = as(QStringLiteral("admin"));
        QVERIFY(admin.begin());
        const bool demoted = admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'demoted_op', 'readonly')::text IS NULL").arg(a())).isValid();
        // Seen from inside the demoting transaction (the superuser's own session would not see it yet).
        const QString inside = admin.scalar(QStringLiteral("SELECT atlas.end_runs_of('%1', 'nobody')::text").arg(a())).isValid()
            ? QString() : QStringLiteral("(end_runs_of is not the admin's)");
        admin.rollback();
        QVERIFY(demoted);
        QVERIFY(!inside.isEmpty()); // clients cannot call the internal helper
        QCOMPARE(suScalar(QStringLiteral("SELECT status FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString(), QStringLiteral("running"));
        QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'demoted_op', 'readonly')::text IS NULL").arg(a())).isValid());
        QCOMPARE(suScalar(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString(),
                 QStringLiteral("aborted/role_revoked"));
        expectLeaseDead(QStringLiteral("demoted_op"), run, lease);
        // Nobody else's run was touched.
        QCOMPARE(suScalar(QStringLiteral("SELECT status FROM atlas.bulk_operation_runs WHERE id = %1").arg(other)).toString(), QStringLiteral("running"));
        QVERIFY(as(QStringLiteral("operator_a")).scalar(QStringLiteral("SELECT atlas.heartbeat_run(%1, '%2')").arg(other).arg(otherLease)).toBool());
    }

    void removalEndsTheMembersRunsAndTheirLeases()
    {
        m_fx.cluster.createLogin(QStringLiteral("removed_op"));
        QVERIFY(as(QStringLiteral("owner_a")).scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'removed_op', 'manager')::text IS NULL").arg(a())).isValid());
        const auto [run, lease] = runningRunOf(QStringLiteral("removed_op"));
        const qint64 pending = as(QStringLiteral("removed_op")).scalar(QStringLiteral(
            "SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', '{\"pending\": true}', '[]')").arg(a())).toLongLong();
        QVERIFY2(as(QStringLiteral("owner_a")).scalar(QStringLiteral("SELECT atlas.revoke_role('%1', 'removed_op')").arg(a())).toBool(),
                 qPrintable(as(QStringLiteral("owner_a")).lastError().message));
        QCOMPARE(suScalar(QStringLiteral("SELECT string_agg(status || '/' || reason_code, ',' ORDER BY id) FROM atlas.bulk_operation_runs "
                                         "WHERE id IN (%1, %2)").arg(run).arg(pending)).toString(),
                 QStringLiteral("aborted/role_revoked,aborted/role_revoked"));
        // The run is no longer visible to its former initiator, but the lease it holds is dead (55000), not 42501.
        expectLeaseDead(QStringLiteral("removed_op"), run, lease);
        QCOMPARE(outcome(QStringLiteral("removed_op"), QStringLiteral("SELECT atlas.claim_run(%1)").arg(pending)), QStringLiteral("42501"));
    }

    void aDroppedLoginsNameBringsNoRolesBack()
    {
        Connection& su = as(QStringLiteral("su"));
        m_fx.cluster.createLogin(QStringLiteral("reborn"));
        QVERIFY(as(QStringLiteral("admin")).scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'reborn', 'operator')::text IS NULL").arg(a())).isValid());
        qint64 run = 0;
        {
            auto first = m_fx.cluster.connectAs(QStringLiteral("reborn"));
            run = first->scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', '{\"reborn\": 1}', '[]')").arg(a())).toLongLong();
            QVERIFY(run > 0);
        }
        QVERIFY(su.execRaw(QStringLiteral("DROP ROLE reborn")));
        m_fx.cluster.createLogin(QStringLiteral("reborn"));
        auto second = m_fx.cluster.connectAs(QStringLiteral("reborn"));
        QVERIFY(second->isOpen());
        QCOMPARE(second->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_tenants")).toInt(), 0);
        QVERIFY(second->scalar(QStringLiteral("SELECT atlas.session_role('%1')").arg(a())).isNull());
        QSqlQuery q(second->database());
        QVERIFY(!q.exec(QStringLiteral("SELECT atlas.claim_run(%1)").arg(run)));
        QCOMPARE(q.lastError().nativeErrorCode(), QStringLiteral("42501"));
        QCOMPARE(second->scalar(QStringLiteral("SELECT count(*) FROM atlas.operation_runs")).toInt(), 0);
        // The next housekeeping call (any console's reaper) forgets the old memberships and ends
        // the old login's runs.
        QVERIFY(as(QStringLiteral("readonly_a")).scalar(QStringLiteral("SELECT atlas.reap_stale_runs()")).isValid());
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.tenant_members WHERE login = 'reborn'")).toInt(), 0);
        QCOMPARE(suScalar(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString(),
                 QStringLiteral("aborted/role_revoked"));
    }

    void ownersAndManagersCancelAnyActiveRunOfTheirTenant()
    {
        const auto [run, lease] = runningRunOf(QStringLiteral("operator_a"));
        QCOMPARE(outcome(QStringLiteral("operator_a"), QStringLiteral("SELECT atlas.cancel_run(%1)").arg(run)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("readonly_a"), QStringLiteral("SELECT atlas.cancel_run(%1)").arg(run)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.cancel_run(%1)").arg(run)), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("owner_b"), QStringLiteral("SELECT atlas.cancel_run(987654321)")), QStringLiteral("42501"));
        QCOMPARE(as(QStringLiteral("manager_a")).scalar(QStringLiteral("SELECT atlas.cancel_run(%1)").arg(run)).toString(), QStringLiteral("aborted"));
        QCOMPARE(suScalar(QStringLiteral("SELECT reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString(), QStringLiteral("cancelled"));
        QVERIFY(suScalar(QStringLiteral("SELECT message FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString().contains(QLatin1String("manager_a")));
        expectLeaseDead(QStringLiteral("operator_a"), run, lease);
        // An ended run stays as it ended.
        QCOMPARE(as(QStringLiteral("owner_a")).scalar(QStringLiteral("SELECT atlas.cancel_run(%1)").arg(run)).toString(), QStringLiteral("aborted"));
        QCOMPARE(suScalar(QStringLiteral("SELECT reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString(), QStringLiteral("cancelled"));
    }

    // ---- writes stay inside their run -------------------------------------------------------------
    void importsWriteOnlyPoliciesOfTheirDeclaredFiles()
    {
        const auto [run, lease] = leasedRun(QStringLiteral("inventory"), QStringLiteral("import"), QStringLiteral("{\"source\": \"/in\"}"));
        const QString op = QStringLiteral("operator_a");
        auto inventory = [&](const QString& items) {
            return outcome(op, QStringLiteral("SELECT atlas.record_inventory(%1, '%2', '%3')").arg(run).arg(lease).arg(items));
        };
        auto policy = [](const QString& file, const QString& id) {
            return QStringLiteral("{\"item_id\": \"%1\", \"policy_type\": \"t\", \"external_id\": \"%2\", \"payload\": {\"id\": \"%2\"}}").arg(file, id);
        };
        const int before = suScalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items")).toInt();
        QCOMPARE(inventory(QStringLiteral("[{\"policy_type\": \"t\", \"external_id\": \"w1\", \"payload\": {}}]")), QStringLiteral("22023")); // no file
        QCOMPARE(inventory(QLatin1Char('[') + policy(QStringLiteral("undeclared.json"), QStringLiteral("w1")) + QLatin1Char(']')), QStringLiteral("22023"));
        QCOMPARE(inventory(QLatin1Char('[') + policy(QStringLiteral("p1"), QStringLiteral("w1")) + QLatin1Char(',') +
                           policy(QStringLiteral("p1"), QStringLiteral("w2")) + QLatin1Char(']')), QStringLiteral("22023")); // two from one file
        // A file's success comes only with its policy.
        QCOMPARE(outcome(op, QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"p1\", \"outcome\": \"succeeded\"}]')").arg(run).arg(lease)),
                 QStringLiteral("22023"));
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items")).toInt(), before);
        QCOMPARE(inventory(QLatin1Char('[') + policy(QStringLiteral("p1"), QStringLiteral("w1")) + QLatin1Char(']')), QStringLiteral("ok"));
        QCOMPARE(suScalar(QStringLiteral("SELECT source_item FROM atlas.inventory_items WHERE external_id = 'w1'")).toString(), QStringLiteral("p1"));
        QCOMPARE(suScalar(QStringLiteral("SELECT outcome FROM atlas.run_item_results WHERE run_id = %1 AND item_id = 'p1'").arg(run)).toString(),
                 QStringLiteral("succeeded"));
        // The same file again, or the same policy from another file of this run: refused.
        QCOMPARE(inventory(QLatin1Char('[') + policy(QStringLiteral("p1"), QStringLiteral("w9")) + QLatin1Char(']')), QStringLiteral("22023"));
        QCOMPARE(inventory(QLatin1Char('[') + policy(QStringLiteral("f1"), QStringLiteral("w1")) + QLatin1Char(']')), QStringLiteral("22023"));
        // Retiring waits until every declared file has a result.
        const int current = suScalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current").arg(a())).toInt();
        QCOMPARE(outcome(op, QStringLiteral("SELECT atlas.retire_unobserved(%1, '%2')").arg(run).arg(lease)), QStringLiteral("22023"));
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.inventory_items WHERE tenant_id = '%1' AND is_current").arg(a())).toInt(), current);
        QCOMPARE(outcome(op, QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"f1\", \"outcome\": \"failed\"}]')").arg(run).arg(lease)),
                 QStringLiteral("ok"));
        // Now it may (what it retires is the database's decision; tst_producers covers that).
        const QString answer = as(op).scalar(QStringLiteral("SELECT atlas.retire_unobserved(%1, '%2')::text").arg(run).arg(lease)).toString();
        QVERIFY2(answer.contains(QLatin1String("retired")) || answer.contains(QLatin1String("retire_guard")), qPrintable(answer));
    }

    void driftFindingsOnlyForDeclaredItems()
    {
        const QString baseline = suScalar(QStringLiteral("SELECT max(baseline_id) FROM atlas.baselines WHERE tenant_id = '%1'").arg(a())).toString();
        const auto [run, lease] = leasedRun(QStringLiteral("drift"), QStringLiteral("generate"), QStringLiteral("{\"baseline_id\": %1}").arg(baseline));
        QCOMPARE(outcome(QStringLiteral("operator_a"), QStringLiteral("SELECT atlas.record_drift_findings(%1, '%2', '[{\"policy_type\": \"t\", "
                                                                      "\"external_id\": \"not-declared\", \"change\": \"removed\"}]')").arg(run).arg(lease)),
                 QStringLiteral("22023"));
        QCOMPARE(outcome(QStringLiteral("operator_a"), QStringLiteral("SELECT atlas.record_drift_findings(%1, '%2', '[{\"policy_type\": \"t\", "
                                                                      "\"external_id\": \"p1\", \"change\": \"exploded\"}]')").arg(run).arg(lease)),
                 QStringLiteral("22023"));
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.drift_results WHERE run_id = %1").arg(run)).toInt(), 0);
    }

    void theBackupPayloadCapIsTheDatabasesOwn()
    {
        const QString set = suScalar(QStringLiteral("SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = '%1'").arg(a())).toString();
        Connection& op = as(QStringLiteral("operator_a"));
        QVERIFY(as(QStringLiteral("su")).execRaw(QStringLiteral(
            "INSERT INTO atlas.inventory_items (tenant_id, policy_type, external_id, display_name, payload, content_hash) "
            "VALUES ('%1', 't', 'p1', 'Cap', '{\"big\": \"0123456789\"}', 'h') ON CONFLICT (tenant_id, policy_type, external_id) "
            "DO UPDATE SET is_current = true").arg(a())));
        const qint64 run = op.scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'backup_set', 'add_policies', "
                                                    "'{\"backup_set_id\": %2, \"cap\": 1}', '[\"p1\"]')").arg(a(), set)).toLongLong();
        const QString lease = op.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(run)).toString();
        QVERIFY(run > 0 && !lease.isEmpty());
        // The old way to raise the cap is gone.
        QCOMPARE(outcome(QStringLiteral("operator_a"), QStringLiteral("SELECT atlas.snapshot_policies(%1, '%2', '[\"p1\"]', 2147483647)").arg(run).arg(lease)),
                 QStringLiteral("42883"));
        QCOMPARE(outcome(QStringLiteral("operator_a"), QStringLiteral("SELECT atlas.snapshot_policies(%1, '%2', '[\"undeclared\"]')").arg(run).arg(lease)),
                 QStringLiteral("22023"));
        Connection& su = as(QStringLiteral("su"));
        QVERIFY(su.execRaw(QStringLiteral("UPDATE atlas.settings SET value = '10' WHERE key = 'backup_payload_max_bytes'")));
        const QString results = as(QStringLiteral("operator_a")).scalar(QStringLiteral("SELECT atlas.snapshot_policies(%1, '%2', '[\"p1\"]')::text").arg(run).arg(lease)).toString();
        QVERIFY(su.execRaw(QStringLiteral("UPDATE atlas.settings SET value = '1048576' WHERE key = 'backup_payload_max_bytes'")));
        QVERIFY2(results.contains(QLatin1String("payload_too_large")), qPrintable(results));
    }

    // ---- limits and shapes ----------------------------------------------------------------------------
    void startRunRefusesOversizedAndMisshapenRequests_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("expected");
        const QString t = a();
        const QString other = b();
        QTest::newRow("100,001 items") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{}', "
                                                         "(SELECT jsonb_agg('i' || g) FROM generate_series(1, 100001) g))").arg(t) << "22023";
        QTest::newRow("100,000 items") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{\"limit\": 1}', "
                                                         "(SELECT jsonb_agg('i' || g) FROM generate_series(1, 100000) g))").arg(t) << "ok";
        QTest::newRow("id of 1,025") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{}', jsonb_build_array(repeat('x', 1025)))").arg(t) << "22023";
        QTest::newRow("id of 1,024") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{}', jsonb_build_array(repeat('x', 1024)))").arg(t) << "ok";
        QTest::newRow("scope of 16 KB + 1") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', jsonb_build_object('x', repeat('y', 16384 - 9 + 1)), '[]')").arg(t) << "22023";
        QTest::newRow("scope of 16 KB") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', jsonb_build_object('x', repeat('y', 16384 - 9)), '[]')").arg(t) << "ok";
        QTest::newRow("drift without baseline") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', '{}', '[]')").arg(t) << "22023";
        QTest::newRow("drift, baseline as text") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', jsonb_build_object('baseline_id', "
                                                                   "(SELECT max(baseline_id)::text FROM atlas.baselines WHERE tenant_id = '%1')), '[]')").arg(t) << "22023";
        QTest::newRow("drift, other tenant's baseline") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', jsonb_build_object('baseline_id', "
                                                                          "%2), '[]')").arg(t, suScalar(QStringLiteral("SELECT max(baseline_id) FROM atlas.baselines WHERE tenant_id = '%1'").arg(other)).toString()) << "22023";
        QTest::newRow("drift, own baseline") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'drift', 'generate', jsonb_build_object('baseline_id', "
                                                               "(SELECT max(baseline_id) FROM atlas.baselines WHERE tenant_id = '%1'), 'k', 'shape'), '[]')").arg(t) << "ok";
        QTest::newRow("add policies without set") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'backup_set', 'add_policies', '{\"backup_set_id\": 987654}', '[]')").arg(t) << "22023";
        QTest::newRow("add policies, other tenant's set") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'backup_set', 'add_policies', '{\"backup_set_id\": %2}', '[]')")
                                                                 .arg(t, suScalar(QStringLiteral("SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = '%1'").arg(other)).toString()) << "22023";
        QTest::newRow("import without source") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'inventory', 'import', '{\"source\": \"  \"}', '[]')").arg(t) << "22023";
        QTest::newRow("import, source not text") << QStringLiteral("SELECT * FROM atlas.start_run('%1', 'inventory', 'import', '{\"source\": 7}', '[]')").arg(t) << "22023";
    }
    void startRunRefusesOversizedAndMisshapenRequests()
    {
        QFETCH(QString, sql);
        QFETCH(QString, expected);
        const int before = suScalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toInt();
        QCOMPARE(outcome(QStringLiteral("operator_a"), sql), expected);
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toInt(), before + (expected == QLatin1String("ok") ? 1 : 0));
    }

    void batchesAreCapped()
    {
        const auto [run, lease] = runningRunOf(QStringLiteral("operator_a"));
        QCOMPARE(outcome(QStringLiteral("operator_a"), QStringLiteral("SELECT atlas.record_item_results(%1, '%2', (SELECT jsonb_agg(jsonb_build_object("
                                                                      "'item_id', 'i1', 'outcome', 'succeeded')) FROM generate_series(1, 5001)))").arg(run).arg(lease)),
                 QStringLiteral("22023"));
        QCOMPARE(suScalar(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toInt(), 0);
    }

    void pruneChecksTheCutoffItComputes_data()
    {
        QTest::addColumn<QString>("age");
        QTest::addColumn<QString>("expected");
        QTest::newRow("months back, days forward") << "-1200 months 36001 days" << "22023";
        QTest::newRow("negative") << "-1 day" << "22023";
        QTest::newRow("59 minutes") << "59 minutes" << "22023";
        QTest::newRow("hours as days") << "0 days 3599 seconds" << "22023";
        QTest::newRow("an hour") << "1 hour" << "ok";
        QTest::newRow("a year") << "1 year" << "ok";
    }
    void pruneChecksTheCutoffItComputes()
    {
        QFETCH(QString, age);
        QFETCH(QString, expected);
        const int before = suScalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE tenant_id = '%1'").arg(a())).toInt();
        QCOMPARE(outcome(QStringLiteral("owner_a"), QStringLiteral("SELECT atlas.prune_runs('%1', '%2'::interval)").arg(a(), age)), expected);
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs WHERE tenant_id = '%1'").arg(a())).toInt(), before);
    }

    // ---- memberships ----------------------------------------------------------------------------------
    void membershipsOnlyForPlainAtlasClients()
    {
        Connection& su = as(QStringLiteral("su"));
        QVERIFY(su.execRaw(QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plain_login') THEN "
                                          "CREATE ROLE plain_login LOGIN; CREATE ROLE super_login LOGIN SUPERUSER IN ROLE atlas_client; "
                                          "CREATE ROLE bypass_login LOGIN BYPASSRLS IN ROLE atlas_client; END IF; END $$")));
        for (const char* login : {"plain_login", "super_login", "bypass_login", "atlas_client", "atlas_owner"}) {
            QCOMPARE(outcome(QStringLiteral("admin"), QStringLiteral("SELECT atlas.grant_role('%1', '%2', 'readonly')").arg(a(), QLatin1String(login))),
                     QStringLiteral("22023"));
            QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.tenant_members WHERE login = '%1'").arg(QLatin1String(login))).toInt(), 0);
        }
    }

    void aTenantKeepsAnOwner()
    {
        // owner_a is tenant A's only owner.
        QCOMPARE(suScalar(QStringLiteral("SELECT string_agg(login, ',') FROM atlas.tenant_members WHERE tenant_id = '%1' AND role = 'owner'").arg(a())).toString(),
                 QStringLiteral("owner_a"));
        QCOMPARE(outcome(QStringLiteral("admin"), QStringLiteral("SELECT atlas.revoke_role('%1', 'owner_a')").arg(a())), QStringLiteral("22023"));
        QCOMPARE(outcome(QStringLiteral("owner_a"), QStringLiteral("SELECT atlas.grant_role('%1', 'owner_a', 'manager')").arg(a())), QStringLiteral("22023"));
        QCOMPARE(outcome(QStringLiteral("admin"), QStringLiteral("SELECT atlas.grant_role('%1', 'owner_a', 'readonly')").arg(a())), QStringLiteral("22023"));
        QCOMPARE(as(QStringLiteral("owner_a")).scalar(QStringLiteral("SELECT atlas.session_role('%1')").arg(a())).toString(), QStringLiteral("owner"));
        // With a second owner, the first may step down; the last one still may not.
        m_fx.cluster.createLogin(QStringLiteral("second_owner"));
        QCOMPARE(outcome(QStringLiteral("owner_a"), QStringLiteral("SELECT atlas.grant_role('%1', 'second_owner', 'owner')").arg(a())), QStringLiteral("ok"));
        QCOMPARE(outcome(QStringLiteral("owner_a"), QStringLiteral("SELECT atlas.grant_role('%1', 'owner_a', 'manager')").arg(a())), QStringLiteral("ok"));
        QCOMPARE(outcome(QStringLiteral("second_owner"), QStringLiteral("SELECT atlas.revoke_role('%1', 'second_owner')").arg(a())), QStringLiteral("22023"));
        QCOMPARE(outcome(QStringLiteral("second_owner"), QStringLiteral("SELECT atlas.grant_role('%1', 'owner_a', 'owner')").arg(a())), QStringLiteral("ok"));
        QCOMPARE(outcome(QStringLiteral("owner_a"), QStringLiteral("SELECT atlas.revoke_role('%1', 'second_owner')").arg(a())), QStringLiteral("ok"));
    }

    // ---- what all sessions share ----------------------------------------------------------------------
    void onlyAtlasLoginsMayConnect()
    {
        Connection& su = as(QStringLiteral("su"));
        QVERIFY(su.execRaw(QStringLiteral("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stranger') THEN "
                                          "CREATE ROLE stranger LOGIN PASSWORD 'pw-stranger'; END IF; END $$")));
        QVERIFY(!suScalar(QStringLiteral("SELECT has_database_privilege('public', current_database(), 'CONNECT')")).toBool());
        QVERIFY(!suScalar(QStringLiteral("SELECT has_database_privilege('stranger', current_database(), 'CONNECT')")).toBool());
        Connection stranger(m_fx.cluster.loginSpec(QStringLiteral("stranger")), QStringLiteral("stranger"));
        QVERIFY(!stranger.open());
        QVERIFY2(stranger.lastError().message.contains(QLatin1String("permission denied for database")), qPrintable(stranger.lastError().message));
        for (const QString& login : atlas::test::TenantFixture::logins())
            QVERIFY(suScalar(QStringLiteral("SELECT has_database_privilege('%1', current_database(), 'CONNECT')").arg(login)).toBool());
    }

    void noStatisticsAreGatheredOnTenantTables()
    {
        Connection& su = as(QStringLiteral("su"));
        QVERIFY(su.execRaw(QStringLiteral("ANALYZE")));
        QCOMPARE(suScalar(QStringLiteral(
                     "SELECT count(*) FROM pg_statistic s JOIN pg_class c ON c.oid = s.starelid "
                     "LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid "
                     "WHERE c.relnamespace = 'atlas'::regnamespace AND (c.relrowsecurity OR t.relrowsecurity)")).toInt(), 0);
        QCOMPARE(suScalar(QStringLiteral(
                     "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                     "WHERE c.relnamespace = 'atlas'::regnamespace AND c.relkind IN ('r', 'p') AND c.relrowsecurity "
                     "AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget IS DISTINCT FROM 0")).toInt(), 0);
    }

    // Tenant B's auditor asks the planner about tenant A's names, ids and initiators one guess at
    // a time: the answers must not depend on what A holds.
    void plansTellNothingAboutOtherTenants_data()
    {
        QTest::addColumn<QString>("hit");  // matches A's rows
        QTest::addColumn<QString>("miss"); // matches nothing anywhere
        QTest::newRow("display name prefix") << "SELECT * FROM atlas.inventory_items WHERE display_name LIKE 'Secret Baseline%'"
                                             << "SELECT * FROM atlas.inventory_items WHERE display_name LIKE 'Qqqqqq Qqqqqqqq%'";
        QTest::newRow("display name range") << "SELECT * FROM atlas.inventory_items WHERE display_name < 'Secret Baseline 5'"
                                            << "SELECT * FROM atlas.inventory_items WHERE display_name < 'AAAAA'";
        QTest::newRow("external id") << "SELECT * FROM atlas.inventory_items WHERE external_id >= 'secret-0' AND external_id < 'secret-5'"
                                     << "SELECT * FROM atlas.inventory_items WHERE external_id >= 'qqqqq-0' AND external_id < 'qqqqq-5'";
        QTest::newRow("initiator") << "SELECT * FROM atlas.bulk_operation_runs WHERE initiator = 'operator_a'"
                                   << "SELECT * FROM atlas.bulk_operation_runs WHERE initiator = 'qqqqqqqqqq'";
        QTest::newRow("item ids") << "SELECT * FROM atlas.bulk_operation_runs WHERE item_ids @> '[\"secret-17\"]'"
                                  << "SELECT * FROM atlas.bulk_operation_runs WHERE item_ids @> '[\"qqqqq-17\"]'";
        QTest::newRow("recipient") << "SELECT * FROM atlas.notifications WHERE recipient = 'operator_a'"
                                   << "SELECT * FROM atlas.notifications WHERE recipient = 'qqqqqqqqqq'";
        QTest::newRow("recipient and id") << "SELECT * FROM atlas.notifications WHERE recipient = 'operator_a' AND id > 0"
                                          << "SELECT * FROM atlas.notifications WHERE recipient = 'qqqqqqqqqq' AND id > 0";
        QTest::newRow("change log by number") << "SELECT * FROM atlas.run_changes WHERE seq BETWEEN 1 AND 100000000"
                                              << "SELECT * FROM atlas.run_changes WHERE seq BETWEEN 200000000 AND 300000000";
        QTest::newRow("change log by time") << "SELECT * FROM atlas.run_changes WHERE changed_at > now() - interval '1 day'"
                                            << "SELECT * FROM atlas.run_changes WHERE changed_at < '2000-01-01'";
        QTest::newRow("a run id") << "SELECT * FROM atlas.drift_results WHERE run_id = 3 AND tenant_id IS NOT NULL"
                                  << "SELECT * FROM atlas.drift_results WHERE run_id = 999999999 AND tenant_id IS NOT NULL";
    }
    void plansTellNothingAboutOtherTenants()
    {
        QFETCH(QString, hit);
        QFETCH(QString, miss);
        static bool seeded = false;
        Connection& su = as(QStringLiteral("su"));
        if (!seeded) {
            // Enough of A's rows for histograms and most-common values to say something.
            QVERIFY(su.execRaw(QStringLiteral(
                "INSERT INTO atlas.inventory_items (tenant_id, policy_type, external_id, display_name, payload, content_hash) "
                "SELECT '%1', 'SettingsCatalog', 'secret-' || g, 'Secret Baseline ' || g, '{}', 'h' FROM generate_series(1, 3000) g").arg(a())));
            QVERIFY(su.execRaw(QStringLiteral(
                "INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, item_ids, idempotency_key) "
                "SELECT '%1', 'operator_a', 'probe', 'check', 'completed', jsonb_build_array('secret-' || g), 'plan-' || g "
                "FROM generate_series(1, 3000) g").arg(a())));
            QVERIFY(su.execRaw(QStringLiteral("ANALYZE")));
            seeded = true;
        }
        // What a plan tells beyond the rows the caller may see: estimates, and what row security
        // dropped after an index fetched it (times and buffers vary; the rows returned are its own).
        auto numbers = [&](const QString& sql) -> QString {
            QSqlQuery q(as(QStringLiteral("owner_b")).database());
            // As an attacker would: make the planner reach for any index it can.
            q.exec(QStringLiteral("SET enable_seqscan = off"));
            q.exec(QStringLiteral("SET enable_bitmapscan = off"));
            if (!q.exec(QStringLiteral("EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) ") + sql) || !q.next())
                return QStringLiteral("error: ") + q.lastError().text();
            const QString plan = q.value(0).toString();
            static const QRegularExpression keep(QStringLiteral("\"(Plan Rows|Rows Removed by Filter|Rows Removed by Index Recheck|Plan Width|Node Type|Index Name)\": (\"[^\"]*\"|[0-9.]+)"));
            QStringList out;
            for (auto it = keep.globalMatch(plan); it.hasNext();)
                out << it.next().captured(0);
            return out.join(QLatin1Char(' '));
        };
        const QString hitNumbers = numbers(hit);
        QVERIFY2(hitNumbers.contains(QLatin1String("Plan Rows")), qPrintable(hitNumbers));
        QCOMPARE(hitNumbers, numbers(miss));
    }

    // Scopes and summaries are stored without the secrets a caller put in them.
    void scopesAndSummariesAreRedacted()
    {
        Connection& op = as(QStringLiteral("operator_a"));
        const qint64 run = op.scalar(QStringLiteral(
            "SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', "
            "'{\"source\": \"https://svc:Hunter2pass@files.example/x\", \"nested\": [{\"note\": \"token=abc123def\"}], "
            "\"password=hunter3\": 1}', '[]')").arg(a())).toLongLong();
        QVERIFY(run > 0);
        const QString lease = op.scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(run)).toString();
        QVERIFY(op.scalar(QStringLiteral("SELECT atlas.set_run_summary(%1, '%2', '{\"detail\": \"Authorization: Bearer abcdef123456\"}')::text IS NULL")
                              .arg(run).arg(lease)).isValid());
        const QString stored = suScalar(QStringLiteral("SELECT scope::text || summary::text FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString();
        for (const char* secret : {"Hunter2pass", "abc123def", "hunter3", "abcdef123456"})
            QVERIFY2(!stored.contains(QLatin1String(secret)), qPrintable(stored));
        QVERIFY2(stored.contains(QLatin1String("files.example")) && stored.contains(QLatin1String("REDACTED")), qPrintable(stored));
    }

    // ---- stale snapshots, concurrent owners, locks anyone can take ------------------------------------
    // A member opens a REPEATABLE READ transaction, is removed, and carries on in it: every write
    // must see the removal (or fail), not the snapshot from before.
    void aStaleSnapshotKeepsNoRights()
    {
        m_fx.cluster.createLogin(QStringLiteral("stale_op"));
        Connection& admin = as(QStringLiteral("admin"));
        QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'stale_op', 'operator')::text IS NULL").arg(a())).isValid());
        auto op = m_fx.cluster.connectAs(QStringLiteral("stale_op"));
        const qint64 run = op->scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', '{\"stale\": 1}', '[\"i\"]')").arg(a())).toLongLong();
        const QString lease = op->scalar(QStringLiteral("SELECT atlas.claim_run(%1)").arg(run)).toString();
        QVERIFY(run > 0 && !lease.isEmpty());
        const int setsBefore = suScalar(QStringLiteral("SELECT count(*) FROM atlas.backup_sets")).toInt();
        const int runsBefore = suScalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toInt();
        for (const QString& write : {QStringLiteral("SELECT atlas.create_backup_set('%1', 'after removal')").arg(a()),
                                     QStringLiteral("SELECT * FROM atlas.start_run('%1', 'probe', 'check', '{\"after\": 1}', '[]')").arg(a()),
                                     QStringLiteral("SELECT atlas.record_item_results(%1, '%2', '[{\"item_id\": \"i\", \"outcome\": \"succeeded\"}]')").arg(run).arg(lease),
                                     QStringLiteral("SELECT atlas.heartbeat_run(%1, '%2')").arg(run).arg(lease)}) {
            QVERIFY(op->execRaw(QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ")));
            QVERIFY(op->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_tenants")).toInt() == 1); // the snapshot
            QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.revoke_role('%1', 'stale_op')").arg(a())).toBool());
            QSqlQuery q(op->database());
            const bool ok = q.exec(write) && q.next();
            const QString answer = ok ? q.value(0).toString() : q.lastError().nativeErrorCode();
            op->execRaw(QStringLiteral("COMMIT"));
            op->execRaw(QStringLiteral("ROLLBACK"));
            QVERIFY2(!ok || answer == QLatin1String("false"), qPrintable(write + QStringLiteral(" → ") + answer));
            QVERIFY2(answer == QLatin1String("40001") || answer == QLatin1String("42501") || answer == QLatin1String("55000") ||
                         answer == QLatin1String("false"), qPrintable(answer));
            QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'stale_op', 'operator')::text IS NULL").arg(a())).isValid());
        }
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.backup_sets")).toInt(), setsBefore);
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.bulk_operation_runs")).toInt(), runsBefore);
        QCOMPARE(suScalar(QStringLiteral("SELECT processed_items FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toInt(), 0);
        QCOMPARE(suScalar(QStringLiteral("SELECT status || '/' || reason_code FROM atlas.bulk_operation_runs WHERE id = %1").arg(run)).toString(),
                 QStringLiteral("aborted/role_revoked"));
    }

    void twoOwnersDemotingEachOtherLeaveAnOwner()
    {
        m_fx.cluster.createLogin(QStringLiteral("twin_one"));
        m_fx.cluster.createLogin(QStringLiteral("twin_two"));
        Connection& admin = as(QStringLiteral("admin"));
        const QString tenant = admin.scalar(QStringLiteral("SELECT atlas.create_tenant('Twins')")).toString();
        for (const char* login : {"twin_one", "twin_two"})
            QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', '%2', 'owner')::text IS NULL").arg(tenant, QLatin1String(login))).isValid());
        auto one = m_fx.cluster.connectAs(QStringLiteral("twin_one"));
        auto two = m_fx.cluster.connectAs(QStringLiteral("twin_two"));
        for (Connection* c : {one.get(), two.get()}) {
            QVERIFY(c->execRaw(QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ")));
            QVERIFY(c->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_tenants")).isValid()); // both snapshots taken
        }
        const bool first = one->scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'twin_two', 'readonly')::text IS NULL").arg(tenant)).isValid();
        QVERIFY(one->execRaw(QStringLiteral("COMMIT")));
        const bool second = two->scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'twin_one', 'readonly')::text IS NULL").arg(tenant)).isValid();
        const QString why = two->lastError().sqlState;
        two->execRaw(QStringLiteral("COMMIT"));
        two->execRaw(QStringLiteral("ROLLBACK"));
        QVERIFY(first);
        QVERIFY2(!second, "both demotions went through");
        QVERIFY2(why == QLatin1String("40001") || why == QLatin1String("42501"), qPrintable(why));
        QCOMPARE(suScalar(QStringLiteral("SELECT count(*) FROM atlas.tenant_members WHERE tenant_id = '%1' AND role = 'owner'").arg(tenant)).toInt(), 1);
    }

    void nobodyBlocksMembershipChangesWithALockOfTheirOwn()
    {
        // An advisory lock on any key a member could guess holds nothing up: memberships lock rows.
        auto outsider = m_fx.cluster.connectAs(QStringLiteral("outsider"));
        QVERIFY(outsider->execRaw(QStringLiteral("SELECT pg_advisory_lock(hashtext('atlas.tenant_members'), hashtext('%1'))").arg(a())));
        // ...nor can anyone lock the tenant's row or the memberships themselves.
        QCOMPARE(outcome(QStringLiteral("outsider"), QStringLiteral("SELECT 1 FROM atlas.tenants FOR UPDATE")), QStringLiteral("42501"));
        QCOMPARE(outcome(QStringLiteral("readonly_a"), QStringLiteral("SELECT 1 FROM atlas.tenant_members FOR SHARE")), QStringLiteral("42501"));
        Connection& admin = as(QStringLiteral("admin"));
        QVERIFY(admin.execRaw(QStringLiteral("SET lock_timeout = '3s'")));
        QVERIFY2(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'readonly_a', 'readonly')::text IS NULL").arg(a())).isValid(),
                 qPrintable(admin.lastError().message));
        QVERIFY(admin.execRaw(QStringLiteral("RESET lock_timeout")));
    }

    void aNewLoginUnderAnOldNameSeesNoneOfItsNotifications()
    {
        m_fx.cluster.createLogin(QStringLiteral("renamed"));
        Connection& admin = as(QStringLiteral("admin"));
        QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'renamed', 'operator')::text IS NULL").arg(a())).isValid());
        {
            auto first = m_fx.cluster.connectAs(QStringLiteral("renamed"));
            QVERIFY(first->scalar(QStringLiteral("SELECT run_id FROM atlas.start_run('%1', 'probe', 'check', '{\"renamed\": 1}', '[]')").arg(a())).isValid());
            QVERIFY(first->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications")).toInt() > 0);
        }
        QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.revoke_role('%1', 'renamed')").arg(a())).toBool());
        QVERIFY(as(QStringLiteral("su")).execRaw(QStringLiteral("DROP ROLE renamed")));
        m_fx.cluster.createLogin(QStringLiteral("renamed"));
        QVERIFY(admin.scalar(QStringLiteral("SELECT atlas.grant_role('%1', 'renamed', 'readonly')::text IS NULL").arg(a())).isValid());
        auto second = m_fx.cluster.connectAs(QStringLiteral("renamed"));
        QCOMPARE(second->scalar(QStringLiteral("SELECT count(*) FROM atlas.my_notifications")).toInt(), 0);
    }

    void tenantsAndMembershipsAreReadOnlyThroughMyTenants()
    {
        for (const char* login : {"owner_b", "outsider", "readonly_a"}) {
            QCOMPARE(outcome(QLatin1String(login), QStringLiteral("EXPLAIN ANALYZE SELECT * FROM atlas.tenants WHERE tenant_id > '00000000-0000-0000-0000-000000000000'")),
                     QStringLiteral("42501"));
            QCOMPARE(outcome(QLatin1String(login), QStringLiteral("EXPLAIN ANALYZE SELECT * FROM atlas.tenant_members WHERE login = 'operator_a'")),
                     QStringLiteral("42501"));
        }
        QCOMPARE(as(QStringLiteral("owner_b")).scalar(QStringLiteral("SELECT string_agg(tenant_id::text, ',') FROM atlas.my_tenants")).toString(), b());
    }

    // The helpers tell each login about itself and nothing of others.
    void helpersAnswerAboutTheCallerAlone()
    {
        QCOMPARE(as(QStringLiteral("owner_b")).scalar(QStringLiteral("SELECT atlas.current_role_in('%1')").arg(a())).isNull(), true);
        QCOMPARE(as(QStringLiteral("readonly_a")).scalar(QStringLiteral("SELECT atlas.current_role_in('%1')").arg(a())).toString(), QStringLiteral("readonly"));
        QCOMPARE(as(QStringLiteral("outsider")).scalar(QStringLiteral("SELECT atlas.change_log_head()")).toLongLong(), 0);
        QCOMPARE(as(QStringLiteral("outsider")).scalar(QStringLiteral("SELECT count(*) FROM atlas.session_tenants()")).toInt(), 0);
        const qint64 headB = as(QStringLiteral("owner_b")).scalar(QStringLiteral("SELECT atlas.change_log_head()")).toLongLong();
        QCOMPARE(headB, suScalar(QStringLiteral("SELECT max(seq) FROM atlas.run_changes WHERE tenant_id = '%1'").arg(b())).toLongLong());
    }
};

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
