-- Backup sets: named sets of policy snapshots, filled by backup_set/add_policies runs.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).

SET ROLE atlas_owner;

DROP POLICY IF EXISTS backup_sets_member ON atlas.backup_sets;
CREATE POLICY backup_sets_member ON atlas.backup_sets
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS backup_set_items_member ON atlas.backup_set_items;
CREATE POLICY backup_set_items_member ON atlas.backup_set_items
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

CREATE OR REPLACE FUNCTION atlas.create_backup_set(p_tenant uuid, p_name text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM atlas.require_starter(p_tenant);
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'backup set name must be 1 to 200 characters' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.backup_sets (tenant_id, name, created_by)
    VALUES (p_tenant, btrim(p_name), session_user) RETURNING backup_set_id INTO v_id;
    RETURN v_id;
END
$$;

-- Backup set "add policies": snapshots a batch of the run's policies (item id = external id)
-- into the run's backup set and records each item's outcome, in one round trip. The payload cap is
-- the database's own (settings), not the caller's.
CREATE OR REPLACE FUNCTION atlas.snapshot_policies(p_run bigint, p_lease uuid, p_item_ids jsonb)
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

RESET ROLE;
