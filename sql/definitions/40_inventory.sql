-- Inventory: policies as last observed by imports. An import records only policies read from its
-- declared files, one per file, together with that file's result, and retires unobserved policies
-- only once every declared file has a result, never more than the guard allows.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).

SET ROLE atlas_owner;

DROP POLICY IF EXISTS inventory_items_member ON atlas.inventory_items;
CREATE POLICY inventory_items_member ON atlas.inventory_items
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

-- Inventory import: each entry is one policy read from one declared file of the run,
-- {"item_id": file, "policy_type", "external_id", "display_name", "payload"}; the file's item
-- result (succeeded) is recorded in the same call. A file without a result yet, once per run.
CREATE OR REPLACE FUNCTION atlas.record_inventory(p_run bigint, p_lease uuid, p_items jsonb) RETURNS integer
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

-- Retiring the policies an import did not observe. Answers what was done:
--   {"retired": n, "spared": n}                                     done
--   {"refused": "export_folder_empty"}                              the run observed nothing
--   {"refused": "retire_guard", "would_retire": n, "current": n}    too many, not allowed
-- An unreadable or duplicate file spares only the policy last observed from that same file; a scope
-- with "allow_retire": true lifts the guard.
CREATE OR REPLACE FUNCTION atlas.retire_unobserved(p_run bigint, p_lease uuid) RETURNS jsonb
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

-- The guard's threshold, for consoles that warn before an import starts.
CREATE OR REPLACE FUNCTION atlas.retire_guard_percent() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT atlas.limit_of('retire_guard_percent')::integer $$;

RESET ROLE;
