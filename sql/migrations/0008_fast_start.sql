-- Starting stays within a blink for runs of 10,000 items: the items are checked and put in
-- canonical order in one pass (not again inside the key), and an identical active run is found by its key before the
-- new row (with its item set) is built. Same signature, same answers, same race handling.
SET ROLE atlas_owner;

CREATE OR REPLACE FUNCTION atlas.start_run(p_tenant uuid, p_resource text, p_action text,
                                p_scope jsonb, p_item_ids jsonb)
RETURNS TABLE (run_id bigint, reused boolean)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role text := atlas.session_role(p_tenant);
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
    IF jsonb_typeof(v_scope) <> 'object' THEN
        RAISE EXCEPTION 'scope must be a JSON object' USING ERRCODE = '22023';
    END IF;
    IF p_item_ids IS NOT NULL AND jsonb_typeof(p_item_ids) <> 'array' THEN
        RAISE EXCEPTION 'item ids must be an array of non-empty strings' USING ERRCODE = '22023';
    END IF;
    -- One pass over the items: checked, de-duplicated and sorted as atlas.canonical_items does.
    SELECT coalesce(bool_and(jsonb_typeof(e) = 'string' AND length(e #>> '{}') BETWEEN 1 AND 1000), true),
           coalesce(jsonb_agg(DISTINCT (e #>> '{}') COLLATE "C" ORDER BY (e #>> '{}') COLLATE "C")
                        FILTER (WHERE jsonb_typeof(e) = 'string'), '[]'::jsonb)
      INTO v_valid, v_items
      FROM jsonb_array_elements(coalesce(p_item_ids, '[]'::jsonb)) e;
    IF NOT v_valid THEN
        RAISE EXCEPTION 'item ids must be an array of non-empty strings' USING ERRCODE = '22023';
    END IF;
    -- The same text atlas.idempotency_key hashes; v_items is already canonical, so it is not
    -- sorted a second time.
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

INSERT INTO atlas.schema_migrations (version) VALUES ('0008_fast_start') ON CONFLICT DO NOTHING;
RESET ROLE;
