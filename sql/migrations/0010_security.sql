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
-- What of this is functions, policies, triggers and grants lives in sql/definitions/; here are the
-- role, the settings, the columns, tables and indexes, and the statistics.

------------------------------------------------------------------------------------------
-- atlas_system: acts for the database itself where the caller's own rows are not enough
-- (ending the runs of a member whose role was taken away by an admin, forgetting memberships
-- of dropped logins). It bypasses row-level security, has no login, and only the SECURITY
-- DEFINER functions it owns (definitions) run as it.
------------------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atlas_system') THEN
        CREATE ROLE atlas_system NOLOGIN BYPASSRLS;
    END IF;
END
$$;
ALTER ROLE atlas_system NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB;

------------------------------------------------------------------------------------------
-- Limits, one place each (the settings table is written by superusers only).
------------------------------------------------------------------------------------------
INSERT INTO atlas.settings (key, value) VALUES
    ('max_run_items', '100000'),          -- items of one run
    ('max_item_id_chars', '1024'),        -- characters of one item id
    ('max_scope_bytes', '16384'),         -- a run's scope as JSON text
    ('max_batch_items', '5000'),          -- entries in one record_* / snapshot call
    ('backup_payload_max_bytes', '1048576'),
    ('change_log_keep', '1 day')          -- how long run_changes entries are kept
ON CONFLICT (key) DO NOTHING;
SET ROLE atlas_owner;

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

------------------------------------------------------------------------------------------
-- Writes stay inside their run.
------------------------------------------------------------------------------------------
-- Where each observation came from: the declared file (item id) of the import that saw it last.
ALTER TABLE atlas.inventory_items ADD COLUMN source_item text;
-- The payload's size as JSON text, kept when it is recorded: "add policies" checks it for every
-- policy and would otherwise serialise each payload to measure it.
ALTER TABLE atlas.inventory_items ADD COLUMN payload_bytes integer;

-- "Add policies": the payload cap is the database's own (settings), not the caller's; the
-- signature with the caller's cap (of 0004 before) goes.
DROP FUNCTION IF EXISTS atlas.snapshot_policies(bigint, uuid, jsonb, integer);
RESET ROLE;

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
SELECT atlas.hide_statistics();

INSERT INTO atlas.schema_migrations (version) VALUES ('0010_security') ON CONFLICT DO NOTHING;
