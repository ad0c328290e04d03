-- Rules that hold over time, at the edges of the inputs and for what all sessions share:
--   * leases follow roles: losing the right to start runs ends one's active runs (role_revoked)
--     in the same transaction, and owners/managers may cancel any active run (cancel_run);
--   * a lease holder writes only what its run declared;
--   * start_run refuses oversized or misshapen requests before any heavy work; batches are capped;
--     prune_runs checks the cutoff it computes;
--   * memberships belong to the login's OID, only for atlas_client logins without SUPERUSER or
--     BYPASSRLS, and a tenant keeps at least one owner;
--   * CONNECT only for atlas_client and atlas_admin;
--   * run writes never NOTIFY: every change goes to an append-only change log (run_changes) that
--     consoles read from a cursor; wake-ups are sent by writers after their transaction commits;
--   * no planner statistics on tenant tables (estimates would tell other tenants' values).

------------------------------------------------------------------------------------------
-- atlas_system: acts for the database itself where the caller's own rows are not enough
-- (ending the runs of a member whose role was taken away by an admin, forgetting memberships
-- of dropped logins). It bypasses row-level security, has no login, and only the SECURITY
-- DEFINER functions below run as it.
------------------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atlas_system') THEN
        CREATE ROLE atlas_system NOLOGIN BYPASSRLS;
    END IF;
END
$$;
ALTER ROLE atlas_system NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB;
GRANT USAGE ON SCHEMA atlas TO atlas_system;

-- Only atlas_client and atlas_admin may connect to this database at all.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO atlas_client, atlas_admin', current_database());
END
$$;

SET ROLE atlas_owner;

------------------------------------------------------------------------------------------
-- Limits, one place each (the settings table is written by superusers only).
------------------------------------------------------------------------------------------
RESET ROLE;
INSERT INTO atlas.settings (key, value) VALUES
    ('max_run_items', '100000'),          -- items of one run
    ('max_item_id_chars', '1024'),        -- characters of one item id
    ('max_scope_bytes', '16384'),         -- a run's scope as JSON text
    ('max_batch_items', '5000'),          -- entries in one record_* / snapshot call
    ('backup_payload_max_bytes', '1048576'),
    ('change_log_keep', '1 day')          -- how long run_changes entries are kept
ON CONFLICT (key) DO NOTHING;
SET ROLE atlas_owner;

CREATE FUNCTION atlas.limit_of(p_key text) RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT value::bigint FROM atlas.settings WHERE key = p_key $$;

-- Refuses a batch argument that is not an array of at most max_batch_items entries.
CREATE FUNCTION atlas.check_batch(p_batch jsonb, p_what text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_batch IS NULL OR jsonb_typeof(p_batch) <> 'array' THEN
        RAISE EXCEPTION '% must be a JSON array', p_what USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(p_batch) > atlas.limit_of('max_batch_items') THEN
        RAISE EXCEPTION '% may hold at most % entries per call', p_what, atlas.limit_of('max_batch_items')
            USING ERRCODE = '22023';
    END IF;
END
$$;

------------------------------------------------------------------------------------------
-- Memberships belong to the login itself (its OID).
------------------------------------------------------------------------------------------
ALTER TABLE atlas.tenant_members ADD COLUMN login_oid oid;
RESET ROLE;
-- Memberships of logins that no longer exist are forgotten now (migrations run as superuser).
DELETE FROM atlas.tenant_members m WHERE NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = m.login);
UPDATE atlas.tenant_members m SET login_oid = r.oid FROM pg_roles r WHERE r.rolname = m.login;
SET ROLE atlas_owner;
ALTER TABLE atlas.tenant_members ALTER COLUMN login_oid SET NOT NULL;
CREATE INDEX tenant_members_oid_idx ON atlas.tenant_members (login_oid, tenant_id);

CREATE FUNCTION atlas.session_login_oid() RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user $$;
REVOKE ALL ON FUNCTION atlas.session_login_oid() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.session_login_oid() TO atlas_client, atlas_admin, atlas_auth, atlas_system;

RESET ROLE;
CREATE OR REPLACE FUNCTION atlas.session_role(p_tenant uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.role FROM atlas.tenant_members m
     WHERE m.tenant_id = p_tenant AND m.login_oid = atlas.session_login_oid()
$$;

CREATE OR REPLACE FUNCTION atlas.session_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(m.tenant_id), '{}') FROM atlas.tenant_members m
     WHERE m.login_oid = atlas.session_login_oid()
$$;

-- The caller's role in a tenant as it is now, for every function that writes. session_role
-- reads the caller's snapshot, and a client may hold one from before a demotion (REPEATABLE
-- READ); locking the membership row makes that fail (40001) instead of granting the old rights,
-- and in READ COMMITTED it waits for a role change in progress and reads its outcome.
CREATE FUNCTION atlas.current_role_in(p_tenant uuid) RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.role FROM atlas.tenant_members m
     WHERE m.tenant_id = p_tenant AND m.login_oid = atlas.session_login_oid()
       FOR SHARE
$$;
GRANT UPDATE (granted_at) ON atlas.tenant_members TO atlas_auth; -- what FOR SHARE needs
GRANT CREATE ON SCHEMA atlas TO atlas_auth;
ALTER FUNCTION atlas.current_role_in(uuid) OWNER TO atlas_auth;
REVOKE CREATE ON SCHEMA atlas FROM atlas_auth;
REVOKE ALL ON FUNCTION atlas.current_role_in(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.current_role_in(uuid) TO atlas_client, atlas_admin, atlas_owner;
SET ROLE atlas_owner;

DROP POLICY members_read ON atlas.tenant_members;
CREATE POLICY members_read ON atlas.tenant_members FOR SELECT
    USING (login_oid = (SELECT atlas.session_login_oid())
           OR atlas.session_role(tenant_id) = 'owner'
           OR (SELECT atlas.session_is_admin()));

-- Clients read tenants and memberships only through my_tenants, served by a function: a query
-- of theirs on the tables could fetch other tenants' rows through an index (ids, logins) before
-- row-level security drops them, and EXPLAIN ANALYZE would count what was dropped.
RESET ROLE;
GRANT SELECT ON atlas.tenants TO atlas_auth;
CREATE FUNCTION atlas.session_tenants() RETURNS TABLE (tenant_id uuid, tenant_name text, role text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.tenant_id, t.name, m.role
      FROM atlas.tenant_members m JOIN atlas.tenants t ON t.tenant_id = m.tenant_id
     WHERE m.login_oid = atlas.session_login_oid()
$$;
GRANT CREATE ON SCHEMA atlas TO atlas_auth;
ALTER FUNCTION atlas.session_tenants() OWNER TO atlas_auth;
REVOKE CREATE ON SCHEMA atlas FROM atlas_auth;
REVOKE ALL ON FUNCTION atlas.session_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.session_tenants() TO atlas_client, atlas_admin;
REVOKE SELECT ON atlas.tenants, atlas.tenant_members FROM atlas_client;
SET ROLE atlas_owner;

CREATE OR REPLACE VIEW atlas.my_tenants WITH (security_invoker = true) AS
SELECT s.tenant_id, s.tenant_name, s.role FROM atlas.session_tenants() s;

------------------------------------------------------------------------------------------
-- The change log: every change of a run, in commit-independent sequence order. Append-only for
-- clients (they read it through row-level security, tenant by tenant); entries older than
-- change_log_keep are removed by reap_stale_runs.
------------------------------------------------------------------------------------------
-- Every index leads with tenant_id, so that a client's condition on seq or time alone never
-- fetches other tenants' entries through an index.
CREATE TABLE atlas.run_changes (
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id   uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    run_id      bigint NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX run_changes_changed_at_idx ON atlas.run_changes (tenant_id, changed_at);
-- The notification feed ("mine, newer than id N") the same way.
DROP INDEX atlas.notifications_recipient_id_idx;
CREATE INDEX notifications_feed_idx ON atlas.notifications (tenant_id, recipient, id);
ALTER TABLE atlas.run_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.run_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY run_changes_member ON atlas.run_changes
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));
REVOKE ALL ON atlas.run_changes FROM PUBLIC;
GRANT SELECT ON atlas.run_changes TO atlas_client;

-- The newest change a console may start reading after (it then re-reads what it shows).
CREATE FUNCTION atlas.change_log_head() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(max(seq), 0) FROM atlas.run_changes $$;

-- The lifecycle trigger writes the change log instead of NOTIFYing (a full notification queue
-- would fail the write at commit): see atlas.on_run_change in 0012.

------------------------------------------------------------------------------------------
-- Leases follow roles.
------------------------------------------------------------------------------------------

-- Ends the active runs `p_login` initiated in `p_tenant`: aborted/role_revoked. The lease rows
-- stay (dead: the run is no longer running) so that the former holder is told 55000, not 42501.
CREATE FUNCTION atlas.end_runs_of(p_tenant uuid, p_login text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE atlas.bulk_operation_runs
       SET status = 'aborted', reason_code = 'role_revoked', finished_at = now(),
           message = 'The initiator may no longer start runs in this tenant.'
     WHERE tenant_id = p_tenant AND initiator = p_login AND status IN ('pending', 'running');
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

CREATE FUNCTION atlas.forget_notifications_of(p_tenant uuid, p_login text) RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ DELETE FROM atlas.notifications WHERE tenant_id = p_tenant AND recipient = p_login $$;

CREATE FUNCTION atlas.on_member_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.role IN ('owner', 'manager', 'operator')
       AND (TG_OP = 'DELETE' OR NEW.role NOT IN ('owner', 'manager', 'operator')
            OR NEW.login_oid <> OLD.login_oid) THEN
        PERFORM atlas.end_runs_of(OLD.tenant_id, OLD.login);
    END IF;
    -- Notifications are their recipient's: leaving the tenant (or a new login under the old
    -- name) does not hand them on.
    IF TG_OP = 'DELETE' OR NEW.login_oid <> OLD.login_oid THEN
        PERFORM atlas.forget_notifications_of(OLD.tenant_id, OLD.login);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tenant_members_changed
    AFTER UPDATE OR DELETE ON atlas.tenant_members
    FOR EACH ROW EXECUTE FUNCTION atlas.on_member_change();

-- Memberships of dropped logins (no role with that OID any more) go, with their runs ended.
CREATE FUNCTION atlas.purge_dropped_logins() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    DELETE FROM atlas.tenant_members m
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.oid = m.login_oid);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- The run, locked, if the caller holds its current lease and may still start runs in its
-- tenant; NULL otherwise. A run the caller cannot see is 42501, unless the caller holds a lease
-- on it that a role change made dead (then NULL: "lease lost", 55000 for writes).
CREATE FUNCTION atlas.held_dead_lease(p_run bigint, p_lease uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_lease IS NOT NULL AND EXISTS (
        SELECT 1 FROM atlas.run_leases l
         WHERE l.run_id = p_run AND l.lease = p_lease AND l.holder = session_user)
$$;

CREATE OR REPLACE FUNCTION atlas.leased_run(p_run bigint, p_lease uuid) RETURNS atlas.run_ref
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref;
    v_initiator text;
    v_status text;
    v_role text;
BEGIN
    -- The membership first, then the run: the order in which a demotion locks them too (its
    -- trigger ends the member's runs), so the two never wait for each other in a circle.
    SELECT atlas.current_role_in(r.tenant_id) INTO v_role FROM atlas.bulk_operation_runs r WHERE r.id = p_run;
    SELECT r.tenant_id, r.id, r.resource, r.action, r.scope, r.succeeded_items, r.failed_items,
           r.initiator, r.status
      INTO v_run.tenant_id, v_run.id, v_run.resource, v_run.action, v_run.scope, v_run.succeeded_items,
           v_run.failed_items, v_initiator, v_status
      FROM atlas.bulk_operation_runs r WHERE r.id = p_run FOR UPDATE;
    IF NOT FOUND OR v_initiator <> session_user THEN
        IF atlas.held_dead_lease(p_run, p_lease) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'run % is not yours', p_run USING ERRCODE = '42501';
    END IF;
    IF v_status <> 'running' OR p_lease IS NULL
       OR coalesce(v_role, '') NOT IN ('owner', 'manager', 'operator')
       OR NOT EXISTS (
           SELECT 1 FROM atlas.run_leases l
            WHERE l.tenant_id = v_run.tenant_id AND l.run_id = p_run
              AND l.lease = p_lease AND l.holder = session_user) THEN
        RETURN NULL;
    END IF;
    RETURN v_run;
END
$$;

CREATE OR REPLACE FUNCTION atlas.heartbeat_run(p_run bigint, p_lease uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
BEGIN
    IF v_run.id IS NULL THEN
        RETURN false;
    END IF;
    UPDATE atlas.bulk_operation_runs SET heartbeat_at = now()
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
    RETURN true;
END
$$;

-- Owners and managers end any active run of their tenant: aborted/cancelled. Returns the run's
-- storage status (unchanged when it had already ended).
CREATE FUNCTION atlas.cancel_run(p_run bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '10s'
AS $$
DECLARE
    v_tenant uuid;
    v_status text;
    v_role text;
BEGIN
    SELECT atlas.current_role_in(r.tenant_id) INTO v_role FROM atlas.bulk_operation_runs r WHERE r.id = p_run;
    SELECT r.tenant_id, r.status INTO v_tenant, v_status
      FROM atlas.bulk_operation_runs r WHERE r.id = p_run FOR UPDATE;
    IF NOT FOUND OR coalesce(v_role, '') NOT IN ('owner', 'manager') THEN
        RAISE EXCEPTION 'only an owner or manager of the run''s tenant may cancel run %', p_run
            USING ERRCODE = '42501';
    END IF;
    IF v_status NOT IN ('pending', 'running') THEN
        RETURN v_status;
    END IF;
    UPDATE atlas.bulk_operation_runs
       SET status = 'aborted', reason_code = 'cancelled', finished_at = now(),
           message = atlas.sanitize_message(format('Cancelled by %s.', session_user))
     WHERE tenant_id = v_tenant AND id = p_run;
    -- The lease row stays, dead: its holder is told 55000 even once it has left the tenant.
    RETURN 'aborted';
END
$$;

------------------------------------------------------------------------------------------
-- Memberships: who may hold one, and a tenant keeps an owner.
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.grant_role(p_tenant uuid, p_login text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '10s'
AS $$
DECLARE
    v_oid oid;
    v_old text;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.current_role_in(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only atlas_admin or an owner of the tenant may grant roles'
            USING ERRCODE = '42501';
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('owner', 'manager', 'operator', 'readonly') THEN
        RAISE EXCEPTION 'role must be owner, manager, operator or readonly' USING ERRCODE = '22023';
    END IF;
    SELECT r.oid INTO v_oid FROM pg_catalog.pg_roles r
     WHERE r.rolname = p_login AND r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolbypassrls
       AND pg_catalog.pg_has_role(r.oid, 'atlas_client', 'MEMBER');
    IF p_login IS NULL OR v_oid IS NULL THEN
        RAISE EXCEPTION 'no such login with atlas_client (superusers and BYPASSRLS logins cannot be members)'
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM atlas.tenants WHERE tenant_id = p_tenant) THEN
        RAISE EXCEPTION 'no such tenant' USING ERRCODE = '22023';
    END IF;
    PERFORM atlas.purge_dropped_logins();
    -- One membership change per tenant at a time, and the owners as they are now: two owners
    -- demoting each other must not both win, whatever their snapshots (the rows are locked, so a
    -- REPEATABLE READ caller whose snapshot is stale fails with 40001).
    PERFORM 1 FROM atlas.tenants WHERE tenant_id = p_tenant FOR NO KEY UPDATE; -- not KEY SHARE: rows referring to the tenant stay insertable
    PERFORM 1 FROM atlas.tenant_members WHERE tenant_id = p_tenant AND role = 'owner' FOR UPDATE;
    SELECT m.role INTO v_old FROM atlas.tenant_members m WHERE m.tenant_id = p_tenant AND m.login = p_login;
    IF v_old = 'owner' AND p_role <> 'owner' AND NOT EXISTS (
           SELECT 1 FROM atlas.tenant_members m
            WHERE m.tenant_id = p_tenant AND m.role = 'owner' AND m.login <> p_login) THEN
        RAISE EXCEPTION 'a tenant keeps at least one owner: make another owner first' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.tenant_members (tenant_id, login, login_oid, role) VALUES (p_tenant, p_login, v_oid, p_role)
    ON CONFLICT (tenant_id, login) DO UPDATE
       SET role = EXCLUDED.role, login_oid = EXCLUDED.login_oid, granted_at = now();
END
$$;

CREATE OR REPLACE FUNCTION atlas.revoke_role(p_tenant uuid, p_login text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '10s'
AS $$
DECLARE
    v_count integer;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.current_role_in(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only atlas_admin or an owner of the tenant may revoke roles'
            USING ERRCODE = '42501';
    END IF;
    PERFORM atlas.purge_dropped_logins();
    -- One membership change per tenant at a time, and the owners as they are now: two owners
    -- demoting each other must not both win, whatever their snapshots (the rows are locked, so a
    -- REPEATABLE READ caller whose snapshot is stale fails with 40001).
    PERFORM 1 FROM atlas.tenants WHERE tenant_id = p_tenant FOR NO KEY UPDATE; -- not KEY SHARE: rows referring to the tenant stay insertable
    PERFORM 1 FROM atlas.tenant_members WHERE tenant_id = p_tenant AND role = 'owner' FOR UPDATE;
    IF EXISTS (SELECT 1 FROM atlas.tenant_members m
                WHERE m.tenant_id = p_tenant AND m.login = p_login AND m.role = 'owner')
       AND NOT EXISTS (SELECT 1 FROM atlas.tenant_members m
                        WHERE m.tenant_id = p_tenant AND m.role = 'owner' AND m.login <> p_login) THEN
        RAISE EXCEPTION 'a tenant keeps at least one owner: make another owner first' USING ERRCODE = '22023';
    END IF;
    DELETE FROM atlas.tenant_members WHERE tenant_id = p_tenant AND login = p_login;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count > 0;
END
$$;

------------------------------------------------------------------------------------------
-- Reaping (and keeping the change log short).
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.reap_stale_runs() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM atlas.run_changes
     WHERE changed_at < now() - (SELECT value::interval FROM atlas.settings WHERE key = 'change_log_keep');
    PERFORM atlas.purge_dropped_logins();
    RETURN atlas.reap_stale_in(NULL);
END
$$;

------------------------------------------------------------------------------------------
-- Secrets out of JSON a run stores (scope, summary): every string, key or value, redacted.
------------------------------------------------------------------------------------------
CREATE FUNCTION atlas.redact_json(p_value jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CASE jsonb_typeof(p_value)
    WHEN 'string' THEN
        RETURN to_jsonb(atlas.redact(p_value #>> '{}'));
    WHEN 'array' THEN
        RETURN coalesce((SELECT jsonb_agg(atlas.redact_json(e) ORDER BY n)
                           FROM jsonb_array_elements(p_value) WITH ORDINALITY AS x(e, n)), '[]'::jsonb);
    WHEN 'object' THEN
        RETURN coalesce((SELECT jsonb_object_agg(atlas.redact(k), atlas.redact_json(v))
                           FROM jsonb_each(p_value) AS x(k, v)), '{}'::jsonb);
    ELSE
        RETURN p_value;
    END CASE;
END
$$;

CREATE OR REPLACE FUNCTION atlas.set_run_summary(p_run bigint, p_lease uuid, p_summary jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF p_summary IS NULL OR jsonb_typeof(p_summary) <> 'object' OR length(p_summary::text) > 8192 THEN
        RAISE EXCEPTION 'summary must be a JSON object under 8 KiB' USING ERRCODE = '22023';
    END IF;
    UPDATE atlas.bulk_operation_runs SET summary = atlas.redact_json(p_summary), heartbeat_at = now()
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
END
$$;

------------------------------------------------------------------------------------------
-- Starting: limits and shapes first, before any heavy work.
------------------------------------------------------------------------------------------
CREATE FUNCTION atlas.check_scope(p_tenant uuid, p_resource text, p_action text, p_scope jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE -- it may ask for the caller's current role (a row lock)
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id jsonb;
BEGIN
    IF jsonb_typeof(p_scope) <> 'object' THEN
        RAISE EXCEPTION 'scope must be a JSON object' USING ERRCODE = '22023';
    END IF;
    IF octet_length(p_scope::text) > atlas.limit_of('max_scope_bytes') THEN
        RAISE EXCEPTION 'scope may be at most % bytes', atlas.limit_of('max_scope_bytes') USING ERRCODE = '22023';
    END IF;
    CASE p_resource || '/' || p_action
    WHEN 'drift/generate' THEN
        v_id := p_scope -> 'baseline_id';
        IF jsonb_typeof(v_id) IS DISTINCT FROM 'number' OR (v_id #>> '{}') !~ '^[0-9]{1,18}$' OR NOT EXISTS (
               SELECT 1 FROM atlas.baselines b
                WHERE b.tenant_id = p_tenant AND b.baseline_id = (v_id #>> '{}')::bigint) THEN
            RAISE EXCEPTION 'a drift run needs the baseline_id of a baseline of its tenant' USING ERRCODE = '22023';
        END IF;
    WHEN 'backup_set/add_policies' THEN
        v_id := p_scope -> 'backup_set_id';
        IF jsonb_typeof(v_id) IS DISTINCT FROM 'number' OR (v_id #>> '{}') !~ '^[0-9]{1,18}$' OR NOT EXISTS (
               SELECT 1 FROM atlas.backup_sets s
                WHERE s.tenant_id = p_tenant AND s.backup_set_id = (v_id #>> '{}')::bigint) THEN
            RAISE EXCEPTION 'an "add policies" run needs the backup_set_id of a backup set of its tenant'
                USING ERRCODE = '22023';
        END IF;
    WHEN 'backup_set/export' THEN
        v_id := p_scope -> 'backup_set_id';
        IF jsonb_typeof(v_id) IS DISTINCT FROM 'number' OR (v_id #>> '{}') !~ '^[0-9]{1,18}$' OR NOT EXISTS (
               SELECT 1 FROM atlas.backup_sets s
                WHERE s.tenant_id = p_tenant AND s.backup_set_id = (v_id #>> '{}')::bigint)
           OR jsonb_typeof(p_scope -> 'target') IS DISTINCT FROM 'string' OR length(btrim(p_scope ->> 'target')) = 0 THEN
            RAISE EXCEPTION 'an export run needs the backup_set_id of a backup set of its tenant and a target folder'
                USING ERRCODE = '22023';
        END IF;
    WHEN 'runs/prune' THEN
        IF coalesce(atlas.current_role_in(p_tenant), '') <> 'owner' THEN
            RAISE EXCEPTION 'only an owner of the tenant may prune its runs' USING ERRCODE = '42501';
        END IF;
        BEGIN
            IF jsonb_typeof(p_scope -> 'older_than') IS DISTINCT FROM 'string'
               OR now() - (p_scope ->> 'older_than')::interval > now() - interval '1 hour' THEN
                RAISE EXCEPTION 'a prune run needs older_than, an age of at least one hour' USING ERRCODE = '22023';
            END IF;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow
                       OR syntax_error THEN
            RAISE EXCEPTION 'a prune run needs older_than, an age of at least one hour' USING ERRCODE = '22023';
        END;
    WHEN 'inventory/import' THEN
        IF jsonb_typeof(p_scope -> 'source') IS DISTINCT FROM 'string'
           OR length(btrim(p_scope ->> 'source')) = 0 THEN
            RAISE EXCEPTION 'an import run needs a non-empty source' USING ERRCODE = '22023';
        END IF;
    ELSE
        NULL;
    END CASE;
END
$$;

CREATE OR REPLACE FUNCTION atlas.start_run(p_tenant uuid, p_resource text, p_action text,
                                p_scope jsonb, p_item_ids jsonb)
RETURNS TABLE (run_id bigint, reused boolean)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role text := atlas.current_role_in(p_tenant);
    v_scope jsonb := coalesce(p_scope, '{}'::jsonb);
    v_items jsonb;
    v_key text;
    v_id bigint;
    v_inserted boolean;
    v_valid boolean;
BEGIN
    IF v_role IS NULL OR v_role NOT IN ('owner', 'manager', 'operator') THEN
        RAISE EXCEPTION 'not allowed to start runs in this tenant' USING ERRCODE = '42501';
    END IF;
    IF p_resource IS NULL OR p_resource !~ '^[a-z][a-z0-9_]{0,39}$'
       OR p_action IS NULL OR p_action !~ '^[a-z][a-z0-9_]{0,39}$' THEN
        RAISE EXCEPTION 'resource and action must be lower_snake_case' USING ERRCODE = '22023';
    END IF;
    IF p_item_ids IS NOT NULL AND jsonb_typeof(p_item_ids) <> 'array' THEN
        RAISE EXCEPTION 'item ids must be an array of non-empty strings' USING ERRCODE = '22023';
    END IF;
    -- Cheap checks first: a length is known without looking at the elements.
    IF jsonb_array_length(coalesce(p_item_ids, '[]'::jsonb)) > atlas.limit_of('max_run_items') THEN
        RAISE EXCEPTION 'a run may have at most % items', atlas.limit_of('max_run_items') USING ERRCODE = '22023';
    END IF;
    PERFORM atlas.check_scope(p_tenant, p_resource, p_action, v_scope);
    -- What is stored (and hashed into the key) is the scope without secrets.
    v_scope := atlas.redact_json(v_scope);
    -- One pass over the items: checked, de-duplicated and sorted as atlas.canonical_items does.
    SELECT coalesce(bool_and(jsonb_typeof(e) = 'string'
                             AND length(e #>> '{}') BETWEEN 1 AND atlas.limit_of('max_item_id_chars')), true),
           coalesce(jsonb_agg(DISTINCT (e #>> '{}') COLLATE "C" ORDER BY (e #>> '{}') COLLATE "C")
                        FILTER (WHERE jsonb_typeof(e) = 'string'), '[]'::jsonb)
      INTO v_valid, v_items
      FROM jsonb_array_elements(coalesce(p_item_ids, '[]'::jsonb)) e;
    IF NOT v_valid THEN
        RAISE EXCEPTION 'item ids must be non-empty strings of at most % characters',
            atlas.limit_of('max_item_id_chars') USING ERRCODE = '22023';
    END IF;
    -- The same text atlas.idempotency_key hashes; v_items is already canonical.
    v_key := 'v1:' || encode(sha256(convert_to(
        jsonb_build_array(p_tenant::text, p_resource, p_action, v_scope, v_items)::text, 'UTF8')), 'hex');

    -- A stale identical run must not block this start for ever.
    PERFORM atlas.reap_stale_in(p_tenant);

    -- Reuse without building the new row: the common answer to a second click.
    SELECT r.id INTO v_id FROM atlas.bulk_operation_runs r
     WHERE r.tenant_id = p_tenant AND r.idempotency_key = v_key AND r.status IN ('pending', 'running');
    IF FOUND THEN
        run_id := v_id;
        reused := true;
        RETURN NEXT;
        RETURN;
    END IF;

    -- Races between consoles are settled here, in one statement.
    INSERT INTO atlas.bulk_operation_runs AS r
        (tenant_id, initiator, resource, action, scope, item_ids, item_set, total_items, idempotency_key)
    VALUES (p_tenant, session_user, p_resource, p_action, v_scope, v_items,
            (SELECT coalesce(jsonb_object_agg(x, true), '{}'::jsonb) FROM jsonb_array_elements_text(v_items) x),
            jsonb_array_length(v_items), v_key)
    ON CONFLICT (tenant_id, idempotency_key) WHERE status IN ('pending', 'running')
    DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
    RETURNING r.id, (r.xmax = 0) INTO v_id, v_inserted;

    run_id := v_id;
    reused := NOT v_inserted;
    RETURN NEXT;
END
$$;

------------------------------------------------------------------------------------------
-- Writes stay inside their run.
------------------------------------------------------------------------------------------

-- The run's declared items as a decompressed private copy (membership tests per item).
CREATE FUNCTION atlas.run_item_set(p_tenant uuid, p_run bigint) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.item_set || '{}'::jsonb FROM atlas.bulk_operation_runs r WHERE r.tenant_id = p_tenant AND r.id = p_run
$$;

CREATE OR REPLACE FUNCTION atlas.record_item_results(p_run bigint, p_lease uuid, p_results jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_set jsonb;
    v_bad text;
    v_succeeded integer;
    v_failed integer;
    v_skipped integer;
    v_import boolean;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    PERFORM atlas.check_batch(p_results, 'results');
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_results) e WHERE jsonb_typeof(e) <> 'object') THEN
        RAISE EXCEPTION 'each result must be a JSON object' USING ERRCODE = '22023';
    END IF;
    -- An import's succeeded file is recorded together with the policy read from it
    -- (record_inventory), never on its own.
    v_import := v_run.resource = 'inventory' AND v_run.action = 'import';
    v_set := atlas.run_item_set(v_run.tenant_id, p_run);
    SELECT coalesce(r.item_id, '<missing item_id>') INTO v_bad
      FROM jsonb_to_recordset(p_results) AS r(item_id text, outcome text, reason_code text)
     WHERE r.item_id IS NULL OR NOT (v_set ? r.item_id)
        OR r.outcome IS NULL OR r.outcome NOT IN ('succeeded', 'failed', 'skipped')
        OR (v_import AND r.outcome = 'succeeded')
        OR (r.reason_code IS NOT NULL AND NOT atlas.is_reason_code(r.reason_code))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'invalid result for item %', left(atlas.sanitize_message(v_bad), 200)
            USING ERRCODE = '22023';
    END IF;

    WITH ins AS (
        INSERT INTO atlas.run_item_results (tenant_id, run_id, item_id, outcome, reason_code, message)
        SELECT v_run.tenant_id, p_run, r.item_id, r.outcome,
               CASE WHEN r.outcome = 'failed' THEN coalesce(r.reason_code, 'unknown_error')
                    ELSE r.reason_code END,
               atlas.sanitize_message(r.message)
          FROM jsonb_to_recordset(p_results) AS r(item_id text, outcome text, reason_code text, message text)
        ON CONFLICT (tenant_id, run_id, item_id) DO NOTHING
        RETURNING outcome
    )
    SELECT count(*) FILTER (WHERE outcome = 'succeeded'),
           count(*) FILTER (WHERE outcome = 'failed'),
           count(*) FILTER (WHERE outcome = 'skipped')
      INTO v_succeeded, v_failed, v_skipped FROM ins;

    UPDATE atlas.bulk_operation_runs
       SET succeeded_items = succeeded_items + v_succeeded,
           failed_items = failed_items + v_failed,
           skipped_items = skipped_items + v_skipped,
           processed_items = processed_items + v_succeeded + v_failed + v_skipped,
           heartbeat_at = now()
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
END
$$;

-- Where each observation came from: the declared file (item id) of the import that saw it last.
ALTER TABLE atlas.inventory_items ADD COLUMN source_item text;
-- The payload's size as JSON text, kept when it is recorded: "add policies" checks it for every
-- policy and would otherwise serialise each payload to measure it.
ALTER TABLE atlas.inventory_items ADD COLUMN payload_bytes integer;

-- Inventory import: each entry is one policy read from one declared file of the run,
-- {"item_id": file, "policy_type", "external_id", "display_name", "payload"}; the file's item
-- result (succeeded) is recorded in the same call. A file without a result yet, once per run.
DROP FUNCTION atlas.record_inventory(bigint, uuid, jsonb);
CREATE FUNCTION atlas.record_inventory(p_run bigint, p_lease uuid, p_items jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_set jsonb;
    v_count integer;
    v_total integer;
    v_bad_shape integer;
    v_undeclared integer;
    v_distinct_policies integer;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF v_run.resource <> 'inventory' OR v_run.action <> 'import' THEN
        RAISE EXCEPTION 'run % is not an inventory import', p_run USING ERRCODE = '22023';
    END IF;
    PERFORM atlas.check_batch(p_items, 'inventory items');
    v_set := atlas.run_item_set(v_run.tenant_id, p_run);
    -- One pass over the batch for every shape rule; payloads are not copied for it.
    SELECT count(*),
           count(*) FILTER (WHERE e ->> 'item_id' IS NULL OR e ->> 'policy_type' IS NULL OR e ->> 'external_id' IS NULL
                               OR jsonb_typeof(e -> 'payload') IS DISTINCT FROM 'object'
                               OR pg_column_size(e -> 'payload') > 4194304),
           count(*) FILTER (WHERE NOT (v_set ? (e ->> 'item_id'))),
           count(DISTINCT (e ->> 'policy_type', e ->> 'external_id'))
      INTO v_total, v_bad_shape, v_undeclared, v_distinct_policies
      FROM jsonb_array_elements(p_items) e;
    IF v_bad_shape > 0 THEN
        RAISE EXCEPTION 'inventory items need item_id, policy_type, external_id and an object payload under 4 MiB'
            USING ERRCODE = '22023';
    END IF;
    IF v_undeclared > 0 THEN
        RAISE EXCEPTION 'each policy must come from a declared file of run % that has no result yet', p_run
            USING ERRCODE = '22023';
    END IF;
    IF v_distinct_policies <> v_total THEN
        RAISE EXCEPTION 'a policy may be recorded once per batch' USING ERRCODE = '22023';
    END IF;
    -- Each file's result first: a file twice in the batch, or one that has a result already,
    -- violates the results' key.
    BEGIN
        INSERT INTO atlas.run_item_results (tenant_id, run_id, item_id, outcome)
        SELECT v_run.tenant_id, p_run, e ->> 'item_id', 'succeeded' FROM jsonb_array_elements(p_items) e;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'each policy must come from a declared file of run % that has no result yet', p_run
            USING ERRCODE = '22023';
    END;
    INSERT INTO atlas.inventory_items AS inv (tenant_id, policy_type, external_id, display_name, payload,
                                              content_hash, last_run_id, source_item, payload_bytes)
    SELECT v_run.tenant_id, i.policy_type, i.external_id, left(coalesce(i.display_name, ''), 500),
           i.payload, encode(sha256(convert_to(t.text, 'UTF8')), 'hex'), p_run, i.item_id, octet_length(t.text)
      FROM jsonb_to_recordset(p_items) AS i(item_id text, policy_type text, external_id text, display_name text,
                                            payload jsonb)
     CROSS JOIN LATERAL (SELECT i.payload::text) AS t(text) -- hashed as atlas.content_hash does, measured once
    ON CONFLICT (tenant_id, policy_type, external_id) DO UPDATE
       SET display_name = EXCLUDED.display_name, payload = EXCLUDED.payload,
           content_hash = EXCLUDED.content_hash, last_observed_at = now(), is_current = true,
           last_run_id = EXCLUDED.last_run_id, source_item = EXCLUDED.source_item,
           payload_bytes = EXCLUDED.payload_bytes
     WHERE inv.last_run_id IS DISTINCT FROM p_run; -- once per run: a later file cannot overwrite
    GET DIAGNOSTICS v_count = ROW_COUNT;
    IF v_count <> v_total THEN
        RAISE EXCEPTION 'a policy of run % was already recorded from another file', p_run USING ERRCODE = '22023';
    END IF;
    UPDATE atlas.bulk_operation_runs
       SET succeeded_items = succeeded_items + v_count, processed_items = processed_items + v_count,
           heartbeat_at = now()
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
    RETURN v_count;
END
$$;

-- Retiring happens only at the end of an import in which every declared file has a result.
CREATE OR REPLACE FUNCTION atlas.retire_unobserved(p_run bigint, p_lease uuid, p_spared_types text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_count integer;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF v_run.resource <> 'inventory' OR v_run.action <> 'import' THEN
        RAISE EXCEPTION 'run % is not an inventory import', p_run USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM atlas.bulk_operation_runs r
                WHERE r.tenant_id = v_run.tenant_id AND r.id = p_run AND r.processed_items <> r.total_items) THEN
        RAISE EXCEPTION 'run % has files without a result: nothing is retired before every file has one', p_run
            USING ERRCODE = '22023';
    END IF;
    UPDATE atlas.inventory_items SET is_current = false
     WHERE tenant_id = v_run.tenant_id AND NOT (policy_type = ANY (coalesce(p_spared_types, '{}')))
       AND is_current AND last_run_id IS DISTINCT FROM p_run;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- Drift findings only for declared items: atlas.record_drift_findings in 0012.

-- "Add policies": the payload cap is the database's own (settings), not the caller's.
DROP FUNCTION atlas.snapshot_policies(bigint, uuid, jsonb, integer);
CREATE FUNCTION atlas.snapshot_policies(p_run bigint, p_lease uuid, p_item_ids jsonb)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_max bigint := atlas.limit_of('backup_payload_max_bytes');
    v_set bigint;
    v_items jsonb;
    v_results jsonb;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF v_run.resource <> 'backup_set' OR v_run.action <> 'add_policies' THEN
        RAISE EXCEPTION 'run % is not a backup set "add policies" run', p_run USING ERRCODE = '22023';
    END IF;
    PERFORM atlas.check_batch(p_item_ids, 'item ids');
    v_items := atlas.run_item_set(v_run.tenant_id, p_run);
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_item_ids) e
                WHERE jsonb_typeof(e) <> 'string' OR NOT (v_items ? (e #>> '{}')))
       OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(p_item_ids) e
                   JOIN atlas.run_item_results x ON x.tenant_id = v_run.tenant_id AND x.run_id = p_run AND x.item_id = e) THEN
        RAISE EXCEPTION 'only declared items of run % without a result yet', p_run USING ERRCODE = '22023';
    END IF;
    v_set := (v_run.scope ->> 'backup_set_id')::bigint;
    IF NOT EXISTS (SELECT 1 FROM atlas.backup_sets WHERE tenant_id = v_run.tenant_id AND backup_set_id = v_set) THEN
        RAISE EXCEPTION 'backup set of run % does not exist', p_run USING ERRCODE = '22023';
    END IF;

    -- No temporary tables here: a caller could pre-create one with a trigger of its own.
    WITH requested AS (
        SELECT DISTINCT e AS item_id FROM jsonb_array_elements_text(p_item_ids) e
    ), found AS (
        SELECT x.item_id, min(i.policy_type) AS policy_type, min(i.display_name) AS display_name,
               min(i.content_hash) AS content_hash, count(i.external_id) AS matches,
               max(coalesce(i.payload_bytes, octet_length(i.payload::text))) AS bytes
          FROM requested x
          LEFT JOIN atlas.inventory_items i
                 ON i.tenant_id = v_run.tenant_id AND i.external_id = x.item_id AND i.is_current
         GROUP BY x.item_id
    ), judged AS (
        SELECT f.*,
               CASE WHEN f.matches = 0 THEN 'policy_not_found'
                    WHEN f.matches > 1 THEN 'policy_ambiguous'
                    WHEN f.bytes > v_max THEN 'payload_too_large' END AS reason_code,
               EXISTS (SELECT 1 FROM atlas.backup_set_items s
                        WHERE s.tenant_id = v_run.tenant_id AND s.backup_set_id = v_set
                          AND s.policy_type = f.policy_type AND s.external_id = f.item_id
                          AND s.content_hash = f.content_hash) AS identical
          FROM found f
    ), outcomes AS (
        SELECT j.*,
               CASE WHEN j.reason_code IS NOT NULL THEN 'failed'
                    WHEN j.identical THEN 'skipped' ELSE 'succeeded' END AS outcome,
               CASE j.reason_code
                    WHEN 'policy_not_found' THEN 'No current policy with this id in the inventory.'
                    WHEN 'policy_ambiguous' THEN 'Several policy types share this id.'
                    WHEN 'payload_too_large' THEN format('Payload of %s bytes exceeds the limit of %s bytes.',
                                                         j.bytes, v_max)
               END AS message
          FROM judged j
    ), written AS (
        INSERT INTO atlas.backup_set_items AS s (tenant_id, backup_set_id, policy_type, external_id,
                                                 display_name, payload, content_hash, added_by_run)
        -- Payloads are read only for what is written.
        SELECT v_run.tenant_id, v_set, o.policy_type, o.item_id, o.display_name, i.payload, o.content_hash, p_run
          FROM outcomes o
          JOIN atlas.inventory_items i ON i.tenant_id = v_run.tenant_id AND i.policy_type = o.policy_type
                                      AND i.external_id = o.item_id AND i.is_current
         WHERE o.outcome = 'succeeded'
        ON CONFLICT (tenant_id, backup_set_id, policy_type, external_id) DO UPDATE
           SET display_name = EXCLUDED.display_name, payload = EXCLUDED.payload,
               content_hash = EXCLUDED.content_hash, added_by_run = EXCLUDED.added_by_run, added_at = now()
        RETURNING 1
    )
    SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'item_id', o.item_id, 'outcome', o.outcome, 'reason_code', o.reason_code,
               'message', o.message))), '[]'::jsonb)
      INTO v_results FROM outcomes o;
    PERFORM atlas.record_item_results(p_run, p_lease, v_results);
    RETURN v_results;
END
$$;

------------------------------------------------------------------------------------------
-- Retention: the cutoff itself must lie at least an hour back, however the age is spelled.
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.prune_runs(p_tenant uuid, p_older_than interval, p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cutoff timestamptz;
    v_count integer;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.current_role_in(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only an owner of the tenant or atlas_admin may prune runs' USING ERRCODE = '42501';
    END IF;
    BEGIN
        v_cutoff := now() - p_older_than;
    EXCEPTION WHEN datetime_field_overflow OR interval_field_overflow THEN
        v_cutoff := NULL;
    END;
    IF v_cutoff IS NULL OR NOT isfinite(v_cutoff) OR v_cutoff > now() - interval '1 hour'
       OR p_batch IS NULL OR p_batch NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION 'prune runs older than at least one hour, in batches of 1 to 100000' USING ERRCODE = '22023';
    END IF;
    DELETE FROM atlas.bulk_operation_runs r
     WHERE r.tenant_id = p_tenant
       AND (r.tenant_id, r.id) IN (
           SELECT o.tenant_id, o.id FROM atlas.bulk_operation_runs o
            WHERE o.tenant_id = p_tenant
              AND o.status NOT IN ('pending', 'running')
              AND coalesce(o.finished_at, o.created_at) < v_cutoff
            ORDER BY o.created_at
            LIMIT p_batch);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

------------------------------------------------------------------------------------------
-- The other writers ask for the current role too.
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.require_starter(p_tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce(atlas.current_role_in(p_tenant), '') NOT IN ('owner', 'manager', 'operator') THEN
        RAISE EXCEPTION 'not allowed to change data of this tenant' USING ERRCODE = '42501';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION atlas.claim_run(p_run bigint) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.bulk_operation_runs%ROWTYPE;
    v_lease uuid := gen_random_uuid();
    v_role text;
BEGIN
    SELECT atlas.current_role_in(r.tenant_id) INTO v_role FROM atlas.bulk_operation_runs r WHERE r.id = p_run;
    SELECT * INTO v_run FROM atlas.bulk_operation_runs WHERE id = p_run FOR UPDATE;
    IF NOT FOUND OR v_run.initiator <> session_user
       OR coalesce(v_role, '') NOT IN ('owner', 'manager', 'operator') THEN
        RAISE EXCEPTION 'run % is not yours to claim', p_run USING ERRCODE = '42501';
    END IF;
    IF v_run.status <> 'pending' THEN
        RETURN NULL;
    END IF;
    UPDATE atlas.bulk_operation_runs
       SET status = 'running', started_at = now(), heartbeat_at = now()
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
    INSERT INTO atlas.run_leases (tenant_id, run_id, lease, holder)
    VALUES (v_run.tenant_id, p_run, v_lease, session_user)
    ON CONFLICT (tenant_id, run_id) DO UPDATE SET lease = EXCLUDED.lease, holder = EXCLUDED.holder,
                                                 claimed_at = now();
    RETURN v_lease;
END
$$;

------------------------------------------------------------------------------------------
-- Ownership and privileges of what is new.
------------------------------------------------------------------------------------------
RESET ROLE;
-- atlas_system acts across tenants only through these two functions (and the triggers they fire).
GRANT SELECT, UPDATE ON atlas.bulk_operation_runs TO atlas_system;
GRANT SELECT, DELETE ON atlas.tenant_members TO atlas_system;
GRANT SELECT, INSERT, DELETE ON atlas.notifications TO atlas_system;
GRANT SELECT, INSERT ON atlas.run_changes TO atlas_system;
GRANT SELECT ON atlas.run_leases, atlas.settings TO atlas_system;
GRANT CREATE ON SCHEMA atlas TO atlas_system;
ALTER FUNCTION atlas.end_runs_of(uuid, text) OWNER TO atlas_system;
ALTER FUNCTION atlas.purge_dropped_logins() OWNER TO atlas_system;
ALTER FUNCTION atlas.held_dead_lease(bigint, uuid) OWNER TO atlas_system;
ALTER FUNCTION atlas.forget_notifications_of(uuid, text) OWNER TO atlas_system;
REVOKE CREATE ON SCHEMA atlas FROM atlas_system;
GRANT EXECUTE ON FUNCTION atlas.operation_label(text, text), atlas.status_bucket(text), atlas.is_reason_code(text),
    atlas.sanitize_message(text), atlas.redact(text),
    atlas.on_run_change(), atlas.session_tenant_ids(), atlas.session_role(uuid) TO atlas_system;

REVOKE ALL ON FUNCTION atlas.limit_of(text), atlas.check_batch(jsonb, text), atlas.end_runs_of(uuid, text),
    atlas.on_member_change(), atlas.purge_dropped_logins(), atlas.held_dead_lease(bigint, uuid),
    atlas.forget_notifications_of(uuid, text),
    atlas.cancel_run(bigint), atlas.check_scope(uuid, text, text, jsonb), atlas.run_item_set(uuid, bigint),
    atlas.record_inventory(bigint, uuid, jsonb), atlas.snapshot_policies(bigint, uuid, jsonb),
    atlas.change_log_head(), atlas.redact_json(jsonb)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.limit_of(text) TO atlas_system;
GRANT EXECUTE ON FUNCTION atlas.end_runs_of(uuid, text), atlas.purge_dropped_logins(),
    atlas.held_dead_lease(bigint, uuid), atlas.forget_notifications_of(uuid, text) TO atlas_owner;
GRANT EXECUTE ON FUNCTION atlas.redact_json(jsonb) TO atlas_client;
GRANT EXECUTE ON FUNCTION atlas.cancel_run(bigint), atlas.record_inventory(bigint, uuid, jsonb),
    atlas.snapshot_policies(bigint, uuid, jsonb), atlas.change_log_head() TO atlas_client;

------------------------------------------------------------------------------------------
-- No planner statistics on tenant tables: histograms and most-common values are gathered over
-- every tenant's rows, and EXPLAIN's row estimates would tell a member of one tenant another
-- tenant's names, ids and initiators one prefix at a time. Every later migration that adds a
-- tenant table calls atlas.hide_statistics() (tst_security checks that none are gathered).
------------------------------------------------------------------------------------------
CREATE FUNCTION atlas.hide_statistics() RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    v_count integer := 0;
BEGIN
    FOR c IN
        SELECT cl.oid::regclass AS rel, a.attname
          FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
          JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE n.nspname = 'atlas' AND cl.relkind IN ('r', 'p') AND cl.relrowsecurity
           AND a.attstattarget IS DISTINCT FROM 0
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 0', c.rel, c.attname);
        v_count := v_count + 1;
    END LOOP;
    -- Expression columns of indexes gather statistics of their own.
    FOR c IN
        SELECT i.indexrelid::regclass AS rel, a.attnum
          FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
          JOIN pg_attribute a ON a.attrelid = i.indexrelid AND a.attnum > 0
         WHERE n.nspname = 'atlas' AND cl.relrowsecurity AND i.indkey[a.attnum - 1] = 0
           AND a.attstattarget IS DISTINCT FROM 0
    LOOP
        EXECUTE format('ALTER INDEX %s ALTER COLUMN %s SET STATISTICS 0', c.rel, c.attnum);
        v_count := v_count + 1;
    END LOOP;
    -- What was gathered before goes (only a superuser may; migrations run as one).
    DELETE FROM pg_statistic s
     USING pg_class cl, pg_namespace n
     WHERE n.oid = cl.relnamespace AND n.nspname = 'atlas'
       AND (s.starelid = cl.oid AND cl.relrowsecurity
            OR s.starelid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = cl.oid AND cl.relrowsecurity));
    DELETE FROM pg_statistic_ext_data d USING pg_statistic_ext e, pg_class cl
     WHERE d.stxoid = e.oid AND e.stxrelid = cl.oid AND cl.relrowsecurity
       AND cl.relnamespace = 'atlas'::regnamespace;
    RETURN v_count;
END
$$;
ALTER FUNCTION atlas.hide_statistics() OWNER TO atlas_owner;
REVOKE ALL ON FUNCTION atlas.hide_statistics() FROM PUBLIC;
SELECT atlas.hide_statistics();

INSERT INTO atlas.schema_migrations (version) VALUES ('0010_security') ON CONFLICT DO NOTHING;
