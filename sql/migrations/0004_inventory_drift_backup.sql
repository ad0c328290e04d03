-- Inventory (policies as last observed), baselines, drift findings and backup sets.
SET ROLE atlas_owner;

CREATE FUNCTION atlas.content_hash(p_payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT encode(sha256(convert_to(p_payload::text, 'UTF8')), 'hex') $$;

CREATE FUNCTION atlas.require_starter(p_tenant uuid) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce(atlas.session_role(p_tenant), '') NOT IN ('owner', 'manager', 'operator') THEN
        RAISE EXCEPTION 'not allowed to change data of this tenant' USING ERRCODE = '42501';
    END IF;
END
$$;

CREATE TABLE atlas.inventory_items (
    tenant_id          uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    policy_type        text NOT NULL CHECK (length(policy_type) BETWEEN 1 AND 100),
    external_id        text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    display_name       text NOT NULL DEFAULT '',
    payload            jsonb COMPRESSION lz4 NOT NULL,
    content_hash       text NOT NULL,
    first_observed_at  timestamptz NOT NULL DEFAULT now(),
    last_observed_at   timestamptz NOT NULL DEFAULT now(),
    is_current         boolean NOT NULL DEFAULT true,
    last_run_id        bigint,
    PRIMARY KEY (tenant_id, policy_type, external_id)
);
CREATE INDEX inventory_items_external_idx ON atlas.inventory_items (tenant_id, external_id);

CREATE TABLE atlas.baselines (
    tenant_id    uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    baseline_id  bigint GENERATED ALWAYS AS IDENTITY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    item_count   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, baseline_id)
);
CREATE UNIQUE INDEX baselines_id_key ON atlas.baselines (baseline_id);

CREATE TABLE atlas.baseline_items (
    tenant_id     uuid NOT NULL,
    baseline_id   bigint NOT NULL,
    policy_type   text NOT NULL,
    external_id   text NOT NULL,
    display_name  text NOT NULL DEFAULT '',
    payload       jsonb COMPRESSION lz4 NOT NULL,
    content_hash  text NOT NULL,
    PRIMARY KEY (tenant_id, baseline_id, policy_type, external_id),
    FOREIGN KEY (tenant_id, baseline_id) REFERENCES atlas.baselines ON DELETE CASCADE
);

CREATE INDEX baseline_items_external_idx ON atlas.baseline_items (tenant_id, baseline_id, external_id);

CREATE TABLE atlas.drift_results (
    tenant_id      uuid NOT NULL,
    run_id         bigint NOT NULL,
    policy_type    text NOT NULL,
    external_id    text NOT NULL,
    display_name   text NOT NULL DEFAULT '',
    change         text NOT NULL CHECK (change IN ('added', 'removed', 'modified')),
    changed_paths  jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, run_id, policy_type, external_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE atlas.backup_sets (
    tenant_id      uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    backup_set_id  bigint GENERATED ALWAYS AS IDENTITY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, backup_set_id)
);
CREATE UNIQUE INDEX backup_sets_id_key ON atlas.backup_sets (backup_set_id);

CREATE TABLE atlas.backup_set_items (
    tenant_id      uuid NOT NULL,
    backup_set_id  bigint NOT NULL,
    policy_type    text NOT NULL,
    external_id    text NOT NULL,
    display_name   text NOT NULL DEFAULT '',
    payload        jsonb COMPRESSION lz4 NOT NULL,
    content_hash   text NOT NULL,
    added_by_run   bigint,
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, backup_set_id, policy_type, external_id),
    FOREIGN KEY (tenant_id, backup_set_id) REFERENCES atlas.backup_sets ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['inventory_items', 'baselines', 'baseline_items', 'drift_results',
                             'backup_sets', 'backup_set_items'] LOOP
        EXECUTE format('ALTER TABLE atlas.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE atlas.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON atlas.%I USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]))',
                       t || '_member', t);
        EXECUTE format('REVOKE ALL ON atlas.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON atlas.%I TO atlas_client', t);
    END LOOP;
END
$$;

-- Inventory import: upserts a batch of observed policies for an inventory/import run.
-- p_items: [{"policy_type", "external_id", "display_name", "payload"}]
CREATE FUNCTION atlas.record_inventory(p_run bigint, p_lease uuid, p_items jsonb) RETURNS integer
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
    IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' OR EXISTS (
           SELECT 1 FROM jsonb_to_recordset(p_items) AS i(policy_type text, external_id text, payload jsonb)
            WHERE i.policy_type IS NULL OR i.external_id IS NULL OR jsonb_typeof(i.payload) IS DISTINCT FROM 'object'
               OR length(i.payload::text) > 4194304) THEN
        RAISE EXCEPTION 'inventory items need policy_type, external_id and an object payload under 4 MiB'
            USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.inventory_items AS inv (tenant_id, policy_type, external_id, display_name, payload,
                                              content_hash, last_run_id)
    SELECT v_run.tenant_id, i.policy_type, i.external_id, left(coalesce(i.display_name, ''), 500),
           i.payload, atlas.content_hash(i.payload), p_run
      FROM jsonb_to_recordset(p_items) AS i(policy_type text, external_id text, display_name text, payload jsonb)
    ON CONFLICT (tenant_id, policy_type, external_id) DO UPDATE
       SET display_name = EXCLUDED.display_name, payload = EXCLUDED.payload,
           content_hash = EXCLUDED.content_hash, last_observed_at = now(), is_current = true,
           last_run_id = EXCLUDED.last_run_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- After an import: current policies that this run did not observe are no longer current, except
-- those of the spared policy types (where a file could not be read, so it may have been them).
CREATE FUNCTION atlas.retire_unobserved(p_run bigint, p_lease uuid, p_spared_types text[]) RETURNS integer
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
    UPDATE atlas.inventory_items SET is_current = false
     WHERE tenant_id = v_run.tenant_id AND NOT (policy_type = ANY (coalesce(p_spared_types, '{}')))
       AND is_current AND last_run_id IS DISTINCT FROM p_run;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

CREATE FUNCTION atlas.capture_baseline(p_tenant uuid, p_name text) RETURNS bigint
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

CREATE FUNCTION atlas.create_backup_set(p_tenant uuid, p_name text) RETURNS bigint
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

-- Drift findings for a drift/generate run. p_findings: [{"policy_type", "external_id",
-- "display_name", "change", "changed_paths"}]
CREATE FUNCTION atlas.record_drift_findings(p_run bigint, p_lease uuid, p_findings jsonb) RETURNS integer
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
    IF v_run.resource <> 'drift' OR v_run.action <> 'generate' THEN
        RAISE EXCEPTION 'run % is not a drift generation', p_run USING ERRCODE = '22023';
    END IF;
    IF p_findings IS NULL OR jsonb_typeof(p_findings) <> 'array' THEN
        RAISE EXCEPTION 'findings must be a JSON array' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.drift_results (tenant_id, run_id, policy_type, external_id, display_name, change,
                                     changed_paths)
    SELECT v_run.tenant_id, p_run, f.policy_type, f.external_id, left(coalesce(f.display_name, ''), 500),
           f.change, coalesce(f.changed_paths, '[]')
      FROM jsonb_to_recordset(p_findings)
           AS f(policy_type text, external_id text, display_name text, change text, changed_paths jsonb)
    ON CONFLICT (tenant_id, run_id, policy_type, external_id) DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- Backup set "add policies": snapshots a batch of the run's policies (item id = external id)
-- into the run's backup set and records each item's outcome, in one round trip.
CREATE FUNCTION atlas.snapshot_policies(p_run bigint, p_lease uuid, p_item_ids jsonb,
                                        p_max_payload_bytes integer DEFAULT 1048576)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_set bigint;
    v_results jsonb;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF v_run.resource <> 'backup_set' OR v_run.action <> 'add_policies' THEN
        RAISE EXCEPTION 'run % is not a backup set "add policies" run', p_run USING ERRCODE = '22023';
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
               (array_agg(i.payload))[1] AS payload, min(i.content_hash) AS content_hash,
               count(i.external_id) AS matches, max(octet_length(i.payload::text)) AS bytes
          FROM requested x
          LEFT JOIN atlas.inventory_items i
                 ON i.tenant_id = v_run.tenant_id AND i.external_id = x.item_id AND i.is_current
         GROUP BY x.item_id
    ), judged AS (
        SELECT f.*,
               CASE WHEN f.matches = 0 THEN 'policy_not_found'
                    WHEN f.matches > 1 THEN 'policy_ambiguous'
                    WHEN f.bytes > p_max_payload_bytes THEN 'payload_too_large' END AS reason_code,
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
                                                         j.bytes, p_max_payload_bytes)
               END AS message
          FROM judged j
    ), written AS (
        INSERT INTO atlas.backup_set_items AS s (tenant_id, backup_set_id, policy_type, external_id,
                                                 display_name, payload, content_hash, added_by_run)
        SELECT v_run.tenant_id, v_set, o.policy_type, o.item_id, o.display_name, o.payload, o.content_hash, p_run
          FROM outcomes o WHERE o.outcome = 'succeeded'
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

CREATE VIEW atlas.drift_findings WITH (security_invoker = true) AS
SELECT d.run_id, d.tenant_id, d.external_id, d.policy_type, d.display_name, d.change, d.changed_paths
  FROM atlas.drift_results d;

REVOKE ALL ON atlas.drift_findings FROM PUBLIC;
GRANT SELECT ON atlas.drift_findings TO atlas_client;

REVOKE ALL ON FUNCTION atlas.content_hash(jsonb), atlas.require_starter(uuid),
    atlas.record_inventory(bigint, uuid, jsonb), atlas.retire_unobserved(bigint, uuid, text[]),
    atlas.capture_baseline(uuid, text), atlas.create_backup_set(uuid, text),
    atlas.record_drift_findings(bigint, uuid, jsonb), atlas.snapshot_policies(bigint, uuid, jsonb, integer)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.content_hash(jsonb),
    atlas.record_inventory(bigint, uuid, jsonb), atlas.retire_unobserved(bigint, uuid, text[]),
    atlas.capture_baseline(uuid, text), atlas.create_backup_set(uuid, text),
    atlas.record_drift_findings(bigint, uuid, jsonb), atlas.snapshot_policies(bigint, uuid, jsonb, integer)
TO atlas_client;

INSERT INTO atlas.schema_migrations (version) VALUES ('0004_inventory_drift_backup') ON CONFLICT DO NOTHING;
RESET ROLE;
