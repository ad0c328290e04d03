-- Baselines and drift: a baseline is a copy of the current inventory; a drift/generate run records
-- findings for its declared items, keeping the inventory payload it compared.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).

SET ROLE atlas_owner;

DROP POLICY IF EXISTS baselines_member ON atlas.baselines;
CREATE POLICY baselines_member ON atlas.baselines
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS baseline_items_member ON atlas.baseline_items;
CREATE POLICY baseline_items_member ON atlas.baseline_items
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS drift_results_member ON atlas.drift_results;
CREATE POLICY drift_results_member ON atlas.drift_results
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

-- What the inventory held when a drift run compared it: one copy per content hash and tenant.
DROP POLICY IF EXISTS payload_snapshots_member ON atlas.payload_snapshots;
CREATE POLICY payload_snapshots_member ON atlas.payload_snapshots
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

CREATE OR REPLACE FUNCTION atlas.capture_baseline(p_tenant uuid, p_name text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_count integer;
BEGIN
    PERFORM atlas.require_starter(p_tenant);
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'baseline name must be 1 to 200 characters' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.baselines (tenant_id, name, created_by)
    VALUES (p_tenant, btrim(p_name), session_user) RETURNING baseline_id INTO v_id;
    INSERT INTO atlas.baseline_items (tenant_id, baseline_id, policy_type, external_id, display_name,
                                      payload, content_hash)
    SELECT tenant_id, v_id, policy_type, external_id, display_name, payload, content_hash
      FROM atlas.inventory_items WHERE tenant_id = p_tenant AND is_current;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    UPDATE atlas.baselines SET item_count = v_count WHERE tenant_id = p_tenant AND baseline_id = v_id;
    RETURN v_id;
END
$$;

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

CREATE OR REPLACE VIEW atlas.drift_findings WITH (security_invoker = true) AS
SELECT d.run_id, d.tenant_id, d.external_id, d.policy_type, d.display_name, d.change, d.changed_paths,
       d.observed_hash, d.note
  FROM atlas.drift_results d;

RESET ROLE;
