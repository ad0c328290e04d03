-- Imports that cannot wipe the inventory, removals a bad file cannot hide, findings that keep
-- what their run saw.
--   * Retiring is decided here, not by the caller: an import that observed no policy retires
--     nothing (export_folder_empty); one that would retire more than retire_guard_percent of the
--     tenant's current policies retires nothing (retire_guard) unless its scope says
--     "allow_retire": true; an unreadable or duplicate file spares only the policy last observed
--     from that same file.
--   * Drift findings keep the inventory payload the run compared (deduplicated by content hash)
--     and a note when the latest import could not read some files of the policy's type.

RESET ROLE;
INSERT INTO atlas.settings (key, value) VALUES ('retire_guard_percent', '50') ON CONFLICT (key) DO NOTHING;
SET ROLE atlas_owner;

-- Retiring the policies an import did not observe. Answers what was done:
--   {"retired": n, "spared": n}                                     done
--   {"refused": "export_folder_empty"}                              the run observed nothing
--   {"refused": "retire_guard", "would_retire": n, "current": n}    too many, not allowed
DROP FUNCTION atlas.retire_unobserved(bigint, uuid, text[]);
CREATE FUNCTION atlas.retire_unobserved(p_run bigint, p_lease uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_started timestamptz;
    v_observed integer;
    v_would integer;
    v_spared integer;
    v_before integer;
    v_count integer;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF v_run.resource <> 'inventory' OR v_run.action <> 'import' THEN
        RAISE EXCEPTION 'run % is not an inventory import', p_run USING ERRCODE = '22023';
    END IF;
    SELECT r.started_at INTO v_started FROM atlas.bulk_operation_runs r
     WHERE r.tenant_id = v_run.tenant_id AND r.id = p_run AND r.processed_items = r.total_items;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'run % has files without a result: nothing is retired before every file has one', p_run
            USING ERRCODE = '22023';
    END IF;
    SELECT count(*) FILTER (WHERE i.last_run_id = p_run),
           count(*) FILTER (WHERE i.last_run_id IS DISTINCT FROM p_run AND NOT s.spared),
           count(*) FILTER (WHERE i.last_run_id IS DISTINCT FROM p_run AND s.spared),
           count(*) FILTER (WHERE i.last_run_id IS DISTINCT FROM p_run OR i.first_observed_at < v_started)
      INTO v_observed, v_would, v_spared, v_before
      FROM atlas.inventory_items i
     CROSS JOIN LATERAL (SELECT EXISTS (
               SELECT 1 FROM atlas.run_item_results f
                WHERE f.tenant_id = i.tenant_id AND f.run_id = p_run AND f.item_id = i.source_item
                  AND f.outcome = 'failed')) AS s(spared)
     WHERE i.tenant_id = v_run.tenant_id AND i.is_current;
    IF v_observed = 0 THEN
        RETURN jsonb_build_object('refused', 'export_folder_empty');
    END IF;
    IF v_would * 100 > atlas.limit_of('retire_guard_percent') * v_before
       AND coalesce(v_run.scope -> 'allow_retire', 'false'::jsonb) <> 'true'::jsonb THEN
        RETURN jsonb_build_object('refused', 'retire_guard', 'would_retire', v_would, 'current', v_before);
    END IF;
    UPDATE atlas.inventory_items i SET is_current = false
     WHERE i.tenant_id = v_run.tenant_id AND i.is_current AND i.last_run_id IS DISTINCT FROM p_run
       AND NOT EXISTS (SELECT 1 FROM atlas.run_item_results f
                        WHERE f.tenant_id = i.tenant_id AND f.run_id = p_run AND f.item_id = i.source_item
                          AND f.outcome = 'failed');
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN jsonb_build_object('retired', v_count, 'spared', v_spared);
END
$$;

-- A run's progress writes (counts, heartbeat) must not touch its indexes: every other update
-- of the row re-indexed all its item ids in the GIN index (100,000 entries per batch of a
-- 100,000-item run). Without heartbeat_at in an index, and with room on the page, they are HOT
-- updates. Reaping reads the few active runs of a tenant and checks their heartbeats.
DROP INDEX atlas.bulk_operation_runs_active_idx;
CREATE INDEX bulk_operation_runs_active_idx ON atlas.bulk_operation_runs (tenant_id, status)
    WHERE status IN ('pending', 'running');
ALTER TABLE atlas.bulk_operation_runs SET (fillfactor = 70);

-- What the inventory held when a drift run compared it: one copy per content hash and tenant.
CREATE TABLE atlas.payload_snapshots (
    tenant_id     uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    content_hash  text NOT NULL,
    payload       jsonb COMPRESSION lz4 NOT NULL,
    PRIMARY KEY (tenant_id, content_hash)
);
ALTER TABLE atlas.payload_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.payload_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY payload_snapshots_member ON atlas.payload_snapshots
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));
REVOKE ALL ON atlas.payload_snapshots FROM PUBLIC;
GRANT SELECT ON atlas.payload_snapshots TO atlas_client;

ALTER TABLE atlas.drift_results ADD COLUMN observed_hash text;
ALTER TABLE atlas.drift_results ADD COLUMN note jsonb;

CREATE OR REPLACE VIEW atlas.drift_findings WITH (security_invoker = true) AS
SELECT d.run_id, d.tenant_id, d.external_id, d.policy_type, d.display_name, d.change, d.changed_paths,
       d.observed_hash, d.note
  FROM atlas.drift_results d;

-- Findings for declared items; the inventory side of added and modified findings is kept as the
-- database holds it now (the caller's word is not taken for it). A note is an object:
-- {"uncertain": true, "unreadable": [item ids of the latest import's files that could not be read]}.
CREATE OR REPLACE FUNCTION atlas.record_drift_findings(p_run bigint, p_lease uuid, p_findings jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_set jsonb;
    v_count integer;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF v_run.resource <> 'drift' OR v_run.action <> 'generate' THEN
        RAISE EXCEPTION 'run % is not a drift generation', p_run USING ERRCODE = '22023';
    END IF;
    PERFORM atlas.check_batch(p_findings, 'findings');
    v_set := atlas.run_item_set(v_run.tenant_id, p_run);
    IF EXISTS (SELECT 1 FROM jsonb_to_recordset(p_findings)
                             AS f(policy_type text, external_id text, change text, changed_paths jsonb, note jsonb)
                WHERE f.external_id IS NULL OR NOT (v_set ? f.external_id) OR f.policy_type IS NULL
                   OR f.change IS NULL OR f.change NOT IN ('added', 'removed', 'modified')
                   OR jsonb_typeof(coalesce(f.changed_paths, '[]')) <> 'array'
                   OR jsonb_typeof(coalesce(f.note, '{}')) <> 'object' OR octet_length(f.note::text) > 4096) THEN
        RAISE EXCEPTION 'findings are for declared items of run %, with a policy type and a change', p_run
            USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.payload_snapshots (tenant_id, content_hash, payload)
    SELECT DISTINCT ON (i.content_hash) i.tenant_id, i.content_hash, i.payload
      FROM jsonb_to_recordset(p_findings) AS f(policy_type text, external_id text, change text)
      JOIN atlas.inventory_items i ON i.tenant_id = v_run.tenant_id AND i.policy_type = f.policy_type
                                  AND i.external_id = f.external_id AND i.is_current
     WHERE f.change IN ('added', 'modified')
    ON CONFLICT (tenant_id, content_hash) DO NOTHING;
    INSERT INTO atlas.drift_results (tenant_id, run_id, policy_type, external_id, display_name, change,
                                     changed_paths, observed_hash, note)
    SELECT v_run.tenant_id, p_run, f.policy_type, f.external_id, left(coalesce(f.display_name, ''), 500),
           f.change, coalesce(f.changed_paths, '[]'),
           CASE WHEN f.change IN ('added', 'modified') THEN i.content_hash END, f.note
      FROM jsonb_to_recordset(p_findings)
           AS f(policy_type text, external_id text, display_name text, change text, changed_paths jsonb, note jsonb)
      LEFT JOIN atlas.inventory_items i ON i.tenant_id = v_run.tenant_id AND i.policy_type = f.policy_type
                                       AND i.external_id = f.external_id AND i.is_current
    ON CONFLICT (tenant_id, run_id, policy_type, external_id) DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- The lifecycle trigger: every change of a run goes to the change log (run_changes), never to
-- NOTIFY, which would fail the write at commit when the notification queue is full; heartbeat-only
-- updates are not changes anyone shows. The initiator's notifications say in words what
-- happened: the producer's headline (summary.headline, e.g. "107 observed, 9 retired",
-- redacted when it was stored).
CREATE OR REPLACE FUNCTION atlas.on_run_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_label text := atlas.operation_label(NEW.resource, NEW.action);
    v_headline text := left(NEW.summary ->> 'headline', 200);
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.processed_items = NEW.processed_items
       AND OLD.summary = NEW.summary AND OLD.reason_code IS NOT DISTINCT FROM NEW.reason_code
       AND OLD.message IS NOT DISTINCT FROM NEW.message THEN
        RETURN NULL;
    END IF;
    INSERT INTO atlas.run_changes (tenant_id, run_id) VALUES (NEW.tenant_id, NEW.id);
    IF TG_OP = 'INSERT' THEN
        INSERT INTO atlas.notifications (tenant_id, recipient, run_id, event, title, body)
        VALUES (NEW.tenant_id, NEW.initiator, NEW.id, 'queued',
                v_label || ' queued',
                format('Run #%s with %s item(s) is queued.', NEW.id, NEW.total_items));
    ELSIF OLD.status IN ('pending', 'running')
          AND NEW.status NOT IN ('pending', 'running') THEN
        INSERT INTO atlas.notifications (tenant_id, recipient, run_id, event, title, body)
        VALUES (NEW.tenant_id, NEW.initiator, NEW.id, 'completed',
                v_label || ' ' || replace(atlas.status_bucket(NEW.status), '_', ' '),
                format('Run #%s: %s%s succeeded, %s failed, %s skipped of %s.%s', NEW.id,
                       CASE WHEN v_headline IS NOT NULL AND v_headline <> '' THEN v_headline || '. ' ELSE '' END,
                       NEW.succeeded_items, NEW.failed_items, NEW.skipped_items, NEW.total_items,
                       CASE WHEN NEW.reason_code IS NOT NULL THEN ' Reason: ' || NEW.reason_code || '.'
                            ELSE '' END));
    END IF;
    RETURN NULL;
END
$$;

-- The guard's threshold, for consoles that warn before an import starts.
CREATE FUNCTION atlas.retire_guard_percent() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT atlas.limit_of('retire_guard_percent')::integer $$;
REVOKE ALL ON FUNCTION atlas.retire_guard_percent() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.retire_guard_percent() TO atlas_client;

REVOKE ALL ON FUNCTION atlas.retire_unobserved(bigint, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.retire_unobserved(bigint, uuid) TO atlas_client;
REVOKE ALL ON atlas.drift_findings FROM PUBLIC;
GRANT SELECT ON atlas.drift_findings TO atlas_client;

RESET ROLE;
SELECT atlas.hide_statistics();
INSERT INTO atlas.schema_migrations (version) VALUES ('0012_import_fidelity') ON CONFLICT DO NOTHING;
