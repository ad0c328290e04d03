-- Who may do what: every privilege on the schema, its tables, views and functions, and on the
-- database. This file is the whole list: it first takes every privilege away from PUBLIC and the
-- atlas roles (except what an owner holds as owner), then grants what is written here, in one
-- transaction, so a privilege taken out of this file is gone from every database it is applied to.
-- Applied after every migration and the other files of sql/definitions/ (last, in lexical order),
-- as a superuser, and again when it or a file before it changes, and after any migration (so a
-- function created anew gets its grants back). A superuser's GRANT is recorded as the object
-- owner's.
--
-- atlas_client (every person's login): SELECT on the views and on the tenant tables those
-- security_invoker views read (row-level security applies), EXECUTE on the API; no table writes,
-- nothing on memberships or lease tokens. atlas_admin: provisions tenants and memberships.
-- atlas_auth and atlas_system (no login): only what the functions they own need.

------------------------------------------------------------------------------------------
-- From nothing.
------------------------------------------------------------------------------------------
REVOKE ALL ON SCHEMA atlas FROM PUBLIC, atlas_client, atlas_admin, atlas_auth, atlas_system;
-- Tables and views all belong to atlas_owner.
REVOKE ALL ON ALL TABLES IN SCHEMA atlas FROM PUBLIC, atlas_client, atlas_admin, atlas_auth, atlas_system;
-- Functions (and procedures) belong to atlas_owner, atlas_auth or atlas_system; an owner keeps its own EXECUTE.
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure AS fn,
               (SELECT string_agg(quote_ident(r), ', ' ORDER BY r)
                  FROM unnest(ARRAY['atlas_owner', 'atlas_client', 'atlas_admin', 'atlas_auth', 'atlas_system']) r
                 WHERE r <> pg_get_userbyid(p.proowner)) AS others
          FROM pg_proc p
         WHERE p.pronamespace = 'atlas'::regnamespace
    LOOP
        EXECUTE format('REVOKE ALL ON ROUTINE %s FROM PUBLIC, %s', f.fn, f.others); -- functions and procedures
    END LOOP;
END
$$;

-- Nobody but superusers creates objects in public (PostgreSQL 15 default; made explicit).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Only atlas_client and atlas_admin may connect to this database at all.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO atlas_client, atlas_admin', current_database());
END
$$;

GRANT USAGE ON SCHEMA atlas TO atlas_client, atlas_admin, atlas_auth, atlas_system;

------------------------------------------------------------------------------------------
-- atlas_client: the views, the tenant tables behind them, the API.
------------------------------------------------------------------------------------------
GRANT SELECT ON atlas.my_tenants, atlas.operation_runs, atlas.my_notifications, atlas.drift_findings,
    atlas.operation_kinds TO atlas_client;
GRANT SELECT ON atlas.bulk_operation_runs, atlas.run_item_results, atlas.notifications, atlas.run_changes,
    atlas.inventory_items, atlas.baselines, atlas.baseline_items, atlas.drift_results, atlas.payload_snapshots,
    atlas.backup_sets, atlas.backup_set_items TO atlas_client;

-- Pure rules (every screen may ask them).
GRANT EXECUTE ON FUNCTION atlas.status_bucket(text), atlas.bucket_statuses(text),
    atlas.derive_status(integer, integer, boolean), atlas.redact(text), atlas.sanitize_message(text),
    atlas.redact_json(jsonb), atlas.is_reason_code(text), atlas.canonical_items(jsonb),
    atlas.idempotency_key(uuid, text, text, jsonb, jsonb), atlas.content_hash(jsonb),
    atlas.operation_label(text, text), atlas.schema_version(), atlas.retire_guard_percent()
TO atlas_client;
-- Who am I, where.
GRANT EXECUTE ON FUNCTION atlas.session_login_oid(), atlas.session_role(uuid), atlas.session_tenant_ids(),
    atlas.session_is_admin(), atlas.current_role_in(uuid), atlas.session_tenants(),
    atlas.grant_role(uuid, text, text), atlas.revoke_role(uuid, text)
TO atlas_client;
-- Runs.
GRANT EXECUTE ON FUNCTION atlas.start_run(uuid, text, text, jsonb, jsonb), atlas.claim_run(bigint),
    atlas.heartbeat_run(bigint, uuid), atlas.record_item_results(bigint, uuid, jsonb),
    atlas.finish_run(bigint, uuid, text, text), atlas.abort_run(bigint, uuid, text, text),
    atlas.cancel_run(bigint), atlas.set_run_summary(bigint, uuid, jsonb), atlas.reap_stale_runs(),
    atlas.mark_notifications_read(bigint[]), atlas.change_log_head(), atlas.prune_runs(uuid, interval, integer),
    atlas.prunable_runs(uuid, timestamptz)
TO atlas_client;
-- The hub's counts (the roll-ups themselves are read only through these).
GRANT EXECUTE ON FUNCTION atlas.run_bucket_counts(uuid[], text, text, timestamptz, timestamptz),
    atlas.run_reason_counts(uuid[], text, text, timestamptz, timestamptz),
    atlas.runs_per_day(uuid[], text, text, timestamptz, timestamptz),
    atlas.duration_percentiles(uuid[], text, text, timestamptz, timestamptz)
TO atlas_client;
-- Producers.
GRANT EXECUTE ON FUNCTION atlas.record_inventory(bigint, uuid, jsonb), atlas.retire_unobserved(bigint, uuid),
    atlas.capture_baseline(uuid, text), atlas.record_drift_findings(bigint, uuid, jsonb),
    atlas.create_backup_set(uuid, text), atlas.snapshot_policies(bigint, uuid, jsonb)
TO atlas_client;

------------------------------------------------------------------------------------------
-- atlas_admin: tenants and memberships, retention.
------------------------------------------------------------------------------------------
GRANT SELECT ON atlas.tenants, atlas.tenant_members, atlas.my_tenants, atlas.operation_kinds TO atlas_admin;
GRANT EXECUTE ON FUNCTION atlas.create_tenant(text), atlas.grant_role(uuid, text, text),
    atlas.revoke_role(uuid, text), atlas.prune_runs(uuid, interval, integer),
    atlas.session_login_oid(), atlas.session_role(uuid), atlas.session_tenant_ids(), atlas.session_is_admin(),
    atlas.current_role_in(uuid), atlas.session_tenants()
TO atlas_admin;

------------------------------------------------------------------------------------------
-- atlas_auth: reads memberships (and tenants, for session_tenants); FOR SHARE in
-- current_role_in needs UPDATE on a column.
------------------------------------------------------------------------------------------
GRANT SELECT ON atlas.tenants, atlas.tenant_members TO atlas_auth;
GRANT UPDATE (granted_at) ON atlas.tenant_members TO atlas_auth;
GRANT EXECUTE ON FUNCTION atlas.session_login_oid() TO atlas_auth;

------------------------------------------------------------------------------------------
-- atlas_system acts across tenants only through the functions it owns (end_runs_of,
-- forget_notifications_of, purge_dropped_logins, held_dead_lease) and the triggers they fire.
------------------------------------------------------------------------------------------
GRANT SELECT, UPDATE ON atlas.bulk_operation_runs TO atlas_system;
GRANT SELECT, DELETE ON atlas.tenant_members TO atlas_system;
GRANT SELECT, INSERT, DELETE ON atlas.notifications TO atlas_system;
GRANT SELECT, INSERT ON atlas.run_changes TO atlas_system;
GRANT SELECT ON atlas.run_leases, atlas.settings, atlas.operation_kinds TO atlas_system;
GRANT EXECUTE ON FUNCTION atlas.operation_label(text, text), atlas.status_bucket(text), atlas.is_reason_code(text),
    atlas.sanitize_message(text), atlas.redact(text), atlas.limit_of(text), atlas.on_run_change(),
    atlas.session_login_oid(), atlas.session_tenant_ids(), atlas.session_role(uuid)
TO atlas_system;
-- The roll-ups of runs (75_run_counts): kept by its triggers, folded by compact_run_counts.
GRANT SELECT, INSERT, DELETE ON atlas.run_counts TO atlas_system;
GRANT SELECT ON atlas.run_item_results, atlas.tenants TO atlas_system;

------------------------------------------------------------------------------------------
-- atlas_owner (whose SECURITY DEFINER functions call these of other owners).
------------------------------------------------------------------------------------------
GRANT EXECUTE ON FUNCTION atlas.session_role(uuid), atlas.session_tenant_ids(), atlas.current_role_in(uuid),
    atlas.end_runs_of(uuid, text), atlas.forget_notifications_of(uuid, text), atlas.purge_dropped_logins(),
    atlas.held_dead_lease(bigint, uuid), atlas.compact_run_counts()
TO atlas_owner;
