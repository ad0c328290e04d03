-- The canonical run record, its per-item results, leases, notifications and the run API.
SET ROLE atlas_owner;

------------------------------------------------------------------------------------------
-- Pure rules, one place each.
------------------------------------------------------------------------------------------

-- Storage status -> UI bucket. Every screen, export and CLI reads this mapping.
CREATE FUNCTION atlas.status_bucket(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_status
        WHEN 'pending' THEN 'queued'
        WHEN 'running' THEN 'running'
        WHEN 'completed' THEN 'succeeded'
        WHEN 'completed_with_errors' THEN 'partially_succeeded'
        WHEN 'failed' THEN 'failed'
        WHEN 'aborted' THEN 'failed'
    END
$$;

-- UI bucket -> storage statuses (the inverse of status_bucket, for index-friendly filters).
CREATE FUNCTION atlas.bucket_statuses(p_bucket text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_bucket
        WHEN 'queued' THEN ARRAY['pending']
        WHEN 'running' THEN ARRAY['running']
        WHEN 'succeeded' THEN ARRAY['completed']
        WHEN 'partially_succeeded' THEN ARRAY['completed_with_errors']
        WHEN 'failed' THEN ARRAY['failed', 'aborted']
    END
$$;

-- Final status from item results: >=1 success and >=1 failure -> completed_with_errors;
-- failures and no success, or the run could not proceed -> failed; otherwise completed
-- (skips are not failures, an empty run succeeds).
CREATE FUNCTION atlas.derive_status(p_succeeded integer, p_failed integer, p_could_not_proceed boolean)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN coalesce(p_could_not_proceed, false) THEN 'failed'
        WHEN p_failed > 0 AND p_succeeded > 0 THEN 'completed_with_errors'
        WHEN p_failed > 0 THEN 'failed'
        ELSE 'completed'
    END
$$;

-- Secrets out of any stored message. The same table of patterns lives in
-- models/runs/Redactor.cpp and both are run against one table of cases in the tests.
CREATE FUNCTION atlas.redact(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(p_text,
        '-----BEGIN [A-Z0-9 ]+-----[^-]*(-----END [A-Z0-9 ]+-----)?', '[REDACTED PEM]', 'g'),
        'eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)?', '[REDACTED JWT]', 'g'),
        '(bearer)[[:space:]]+[A-Za-z0-9._~+/=-]{6,}', '\1 [REDACTED]', 'gi'),
        '(Basic)[[:space:]]+[A-Za-z0-9+/]{6,}=*', '\1 [REDACTED]', 'g'),
        '([a-zA-Z][a-zA-Z0-9+.-]*://)[^/[:space:]:@]+:[^/[:space:]@]+@', '\1[REDACTED]@', 'g'),
        '(password|passwd|pwd|client_secret|secret|access_token|refresh_token|id_token|token|api_key|apikey|sas|sig)("?[[:space:]]*[=:][[:space:]]*)("[^"]*"|''[^'']*''|[^[:space:]&;,"'']+)',
        '\1\2[REDACTED]', 'gi')
$$;

-- Redacted, single-line and capped: what a stored message may be.
CREATE FUNCTION atlas.sanitize_message(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_text IS NULL THEN NULL
                ELSE left(regexp_replace(atlas.redact(p_text), '[[:cntrl:]]+', ' ', 'g'), 300) END
$$;

CREATE FUNCTION atlas.is_reason_code(p_code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT p_code ~ '^[a-z][a-z0-9_]{0,63}$' $$;

-- Versioned hash over tenant + resource + action + canonical scope + sorted distinct items.
-- jsonb already stores object keys in one canonical order and drops duplicate keys.
CREATE FUNCTION atlas.canonical_items(p_item_ids jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(DISTINCT x.v ORDER BY x.v), '[]'::jsonb)
      FROM (SELECT e COLLATE "C" AS v FROM jsonb_array_elements_text(coalesce(p_item_ids, '[]')) e) x
$$;

CREATE FUNCTION atlas.idempotency_key(p_tenant uuid, p_resource text, p_action text,
                                      p_scope jsonb, p_item_ids jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'v1:' || encode(sha256(convert_to(
        jsonb_build_array(p_tenant::text, p_resource, p_action,
                          coalesce(p_scope, '{}'::jsonb),
                          atlas.canonical_items(p_item_ids))::text, 'UTF8')), 'hex')
$$;

------------------------------------------------------------------------------------------
-- Tables.
------------------------------------------------------------------------------------------

CREATE TABLE atlas.bulk_operation_runs (
    tenant_id        uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    initiator        text NOT NULL,
    resource         text NOT NULL CHECK (resource ~ '^[a-z][a-z0-9_]{0,39}$'),
    action           text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]{0,39}$'),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'running', 'completed', 'completed_with_errors',
                                       'failed', 'aborted')),
    total_items      integer NOT NULL DEFAULT 0,
    processed_items  integer NOT NULL DEFAULT 0,
    succeeded_items  integer NOT NULL DEFAULT 0,
    failed_items     integer NOT NULL DEFAULT 0,
    skipped_items    integer NOT NULL DEFAULT 0,
    item_ids         jsonb NOT NULL DEFAULT '[]',
    -- The same ids as object keys: membership checks in O(log n) while recording results.
    item_set         jsonb NOT NULL DEFAULT '{}',
    scope            jsonb NOT NULL DEFAULT '{}',
    idempotency_key  text NOT NULL,
    reason_code      text CHECK (reason_code IS NULL OR atlas.is_reason_code(reason_code)),
    message          text,
    summary          jsonb NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at       timestamptz,
    finished_at      timestamptz,
    heartbeat_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (processed_items = succeeded_items + failed_items + skipped_items)
);
CREATE UNIQUE INDEX bulk_operation_runs_id_key ON atlas.bulk_operation_runs (id);
-- At most one active run per identical request: the database settles start races.
CREATE UNIQUE INDEX bulk_operation_runs_active_key ON atlas.bulk_operation_runs (tenant_id, idempotency_key)
    WHERE status IN ('pending', 'running');
CREATE INDEX bulk_operation_runs_recent_idx ON atlas.bulk_operation_runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_status_idx ON atlas.bulk_operation_runs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_active_idx ON atlas.bulk_operation_runs (tenant_id, status, heartbeat_at)
    WHERE status IN ('pending', 'running');

CREATE TABLE atlas.run_item_results (
    tenant_id    uuid NOT NULL,
    run_id       bigint NOT NULL,
    item_id      text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'skipped')),
    reason_code  text CHECK (reason_code IS NULL OR atlas.is_reason_code(reason_code)),
    message      text,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id, item_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX run_item_results_failed_idx ON atlas.run_item_results (tenant_id, run_id, item_id)
    WHERE outcome = 'failed';

-- Lease tokens are secrets: no client may read this table.
CREATE TABLE atlas.run_leases (
    tenant_id   uuid NOT NULL,
    run_id      bigint NOT NULL,
    lease       uuid NOT NULL,
    holder      text NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE atlas.notifications (
    tenant_id   uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    recipient   text NOT NULL,
    run_id      bigint NOT NULL,
    event       text NOT NULL CHECK (event IN ('queued', 'completed')),
    title       text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_recipient_idx ON atlas.notifications (tenant_id, recipient, created_at DESC);

------------------------------------------------------------------------------------------
-- Row-level security: a person reaches rows of the tenants they belong to, nothing else.
------------------------------------------------------------------------------------------
ALTER TABLE atlas.bulk_operation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.bulk_operation_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY runs_member ON atlas.bulk_operation_runs
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

ALTER TABLE atlas.run_item_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.run_item_results FORCE ROW LEVEL SECURITY;
CREATE POLICY results_member ON atlas.run_item_results
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

ALTER TABLE atlas.run_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.run_leases FORCE ROW LEVEL SECURITY;
CREATE POLICY leases_member ON atlas.run_leases
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

ALTER TABLE atlas.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_read ON atlas.notifications FOR SELECT
    USING (recipient = session_user AND tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));
CREATE POLICY notifications_insert ON atlas.notifications FOR INSERT
    WITH CHECK (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));
CREATE POLICY notifications_update ON atlas.notifications FOR UPDATE
    USING (recipient = session_user AND tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

REVOKE ALL ON atlas.bulk_operation_runs, atlas.run_item_results, atlas.run_leases,
    atlas.notifications FROM PUBLIC;
GRANT SELECT ON atlas.bulk_operation_runs, atlas.run_item_results, atlas.notifications TO atlas_client;

------------------------------------------------------------------------------------------
-- Lifecycle trigger: announces every change and writes the initiator's notifications.
------------------------------------------------------------------------------------------
CREATE FUNCTION atlas.operation_label(p_resource text, p_action text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_resource || '/' || p_action
        WHEN 'drift/generate' THEN 'Drift generation'
        WHEN 'backup_set/add_policies' THEN 'Backup set: add policies'
        WHEN 'inventory/import' THEN 'Inventory import'
        ELSE initcap(replace(p_resource, '_', ' ')) || ': ' || replace(p_action, '_', ' ')
    END
$$;

CREATE FUNCTION atlas.on_run_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_label text := atlas.operation_label(NEW.resource, NEW.action);
BEGIN
    PERFORM pg_notify('atlas_runs', NEW.id::text);
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
                format('Run #%s: %s succeeded, %s failed, %s skipped of %s.%s', NEW.id,
                       NEW.succeeded_items, NEW.failed_items, NEW.skipped_items, NEW.total_items,
                       CASE WHEN NEW.reason_code IS NOT NULL THEN ' Reason: ' || NEW.reason_code || '.'
                            ELSE '' END));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER bulk_operation_runs_changed
    AFTER INSERT OR UPDATE ON atlas.bulk_operation_runs
    FOR EACH ROW EXECUTE FUNCTION atlas.on_run_change();

------------------------------------------------------------------------------------------
-- The run API.
------------------------------------------------------------------------------------------

-- Marks stale active runs of the caller's tenants aborted/worker_lost (optionally one tenant).
CREATE FUNCTION atlas.reap_stale_in(p_tenant uuid) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_timeout interval := coalesce((SELECT value::interval FROM atlas.settings WHERE key = 'reap_timeout'),
                                   interval '2 minutes');
    v_count integer;
BEGIN
    WITH stale AS (
        UPDATE atlas.bulk_operation_runs r
           SET status = 'aborted', reason_code = 'worker_lost',
               message = 'No heartbeat from the worker within ' || v_timeout::text || '.',
               finished_at = now()
         WHERE (p_tenant IS NULL OR r.tenant_id = p_tenant)
           AND ((r.status = 'running' AND coalesce(r.heartbeat_at, r.started_at, r.created_at) < now() - v_timeout)
             OR (r.status = 'pending' AND r.created_at < now() - v_timeout))
        RETURNING r.tenant_id, r.id
    ), gone AS (
        DELETE FROM atlas.run_leases l USING stale s
         WHERE l.tenant_id = s.tenant_id AND l.run_id = s.id
    )
    SELECT count(*) INTO v_count FROM stale;
    RETURN v_count;
END
$$;

CREATE FUNCTION atlas.reap_stale_runs() RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT atlas.reap_stale_in(NULL) $$;

CREATE FUNCTION atlas.start_run(p_tenant uuid, p_resource text, p_action text,
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
    IF p_item_ids IS NOT NULL AND (jsonb_typeof(p_item_ids) <> 'array'
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_item_ids) e
                   WHERE jsonb_typeof(e) <> 'string' OR length(e #>> '{}') NOT BETWEEN 1 AND 1000)) THEN
        RAISE EXCEPTION 'item ids must be an array of non-empty strings' USING ERRCODE = '22023';
    END IF;

    v_items := atlas.canonical_items(p_item_ids);
    v_key := atlas.idempotency_key(p_tenant, p_resource, p_action, v_scope, v_items);

    -- A stale identical run must not block this start for ever.
    PERFORM atlas.reap_stale_in(p_tenant);

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

CREATE FUNCTION atlas.claim_run(p_run bigint) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.bulk_operation_runs%ROWTYPE;
    v_lease uuid := gen_random_uuid();
BEGIN
    SELECT * INTO v_run FROM atlas.bulk_operation_runs WHERE id = p_run FOR UPDATE;
    IF NOT FOUND OR v_run.initiator <> session_user
       OR coalesce(atlas.session_role(v_run.tenant_id), '') NOT IN ('owner', 'manager', 'operator') THEN
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

-- What the lease-holder functions need of a run: never the (large) item lists.
CREATE TYPE atlas.run_ref AS (
    tenant_id        uuid,
    id               bigint,
    resource         text,
    action           text,
    scope            jsonb,
    succeeded_items  integer,
    failed_items     integer
);

-- The run, locked, if the caller holds its current lease; NULL otherwise.
CREATE FUNCTION atlas.leased_run(p_run bigint, p_lease uuid) RETURNS atlas.run_ref
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref;
    v_initiator text;
    v_status text;
BEGIN
    SELECT r.tenant_id, r.id, r.resource, r.action, r.scope, r.succeeded_items, r.failed_items,
           r.initiator, r.status
      INTO v_run.tenant_id, v_run.id, v_run.resource, v_run.action, v_run.scope, v_run.succeeded_items,
           v_run.failed_items, v_initiator, v_status
      FROM atlas.bulk_operation_runs r WHERE r.id = p_run FOR UPDATE;
    IF NOT FOUND OR v_initiator <> session_user THEN
        RAISE EXCEPTION 'run % is not yours', p_run USING ERRCODE = '42501';
    END IF;
    IF v_status <> 'running' OR p_lease IS NULL OR NOT EXISTS (
           SELECT 1 FROM atlas.run_leases l
            WHERE l.tenant_id = v_run.tenant_id AND l.run_id = p_run
              AND l.lease = p_lease AND l.holder = session_user) THEN
        RETURN NULL;
    END IF;
    RETURN v_run;
END
$$;

CREATE FUNCTION atlas.heartbeat_run(p_run bigint, p_lease uuid) RETURNS boolean
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

CREATE FUNCTION atlas.record_item_results(p_run bigint, p_lease uuid, p_results jsonb) RETURNS void
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
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF p_results IS NULL OR jsonb_typeof(p_results) <> 'array' THEN
        RAISE EXCEPTION 'results must be a JSON array' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_results) e WHERE jsonb_typeof(e) <> 'object') THEN
        RAISE EXCEPTION 'each result must be a JSON object' USING ERRCODE = '22023';
    END IF;
    -- A private, decompressed copy: the membership test below runs once per item, and on the
    -- stored (compressed) value each test would decompress the whole set again.
    SELECT r.item_set || '{}'::jsonb INTO v_set FROM atlas.bulk_operation_runs r
     WHERE r.tenant_id = v_run.tenant_id AND r.id = p_run;
    SELECT coalesce(r.item_id, '<missing item_id>') INTO v_bad
      FROM jsonb_to_recordset(p_results) AS r(item_id text, outcome text, reason_code text)
     WHERE r.item_id IS NULL OR NOT (v_set ? r.item_id)
        OR r.outcome IS NULL OR r.outcome NOT IN ('succeeded', 'failed', 'skipped')
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

CREATE FUNCTION atlas.finish_run(p_run bigint, p_lease uuid, p_reason_code text DEFAULT NULL,
                                 p_message text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
    v_status text;
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF p_reason_code IS NOT NULL AND NOT atlas.is_reason_code(p_reason_code) THEN
        RAISE EXCEPTION 'reason code must be lower_snake_case' USING ERRCODE = '22023';
    END IF;
    v_status := atlas.derive_status(v_run.succeeded_items, v_run.failed_items, p_reason_code IS NOT NULL);
    UPDATE atlas.bulk_operation_runs
       SET status = v_status, finished_at = now(), heartbeat_at = now(),
           reason_code = p_reason_code, message = atlas.sanitize_message(p_message)
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
    DELETE FROM atlas.run_leases WHERE tenant_id = v_run.tenant_id AND run_id = p_run;
    RETURN v_status;
END
$$;

-- Not part of the fixed contract: the producer's result summary (lease holder only).
CREATE FUNCTION atlas.set_run_summary(p_run bigint, p_lease uuid, p_summary jsonb) RETURNS void
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
    UPDATE atlas.bulk_operation_runs SET summary = p_summary, heartbeat_at = now()
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
END
$$;

CREATE FUNCTION atlas.mark_notifications_read(p_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE atlas.notifications SET read_at = now()
     WHERE id = ANY (p_ids) AND recipient = session_user AND read_at IS NULL;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

------------------------------------------------------------------------------------------
-- Views.
------------------------------------------------------------------------------------------
CREATE VIEW atlas.operation_runs WITH (security_invoker = true) AS
SELECT r.id, r.tenant_id, r.initiator, r.resource, r.action, r.status,
       atlas.status_bucket(r.status) AS status_bucket,
       r.total_items, r.processed_items, r.succeeded_items, r.failed_items, r.skipped_items,
       r.item_ids,
       CASE WHEN r.reason_code IS NULL THEN '[]'::jsonb
            ELSE jsonb_build_array(jsonb_build_object('item_id', NULL, 'reason_code', r.reason_code,
                                                      'message', r.message)) END
       || coalesce((SELECT jsonb_agg(jsonb_build_object('item_id', f.item_id,
                                                         'reason_code', f.reason_code,
                                                         'message', f.message) ORDER BY f.item_id)
                      FROM atlas.run_item_results f
                     WHERE f.tenant_id = r.tenant_id AND f.run_id = r.id AND f.outcome = 'failed'),
                   '[]'::jsonb) AS failures,
       r.idempotency_key, r.created_at, r.started_at, r.finished_at, r.heartbeat_at, r.summary,
       r.scope, r.reason_code, r.message
  FROM atlas.bulk_operation_runs r;

CREATE VIEW atlas.my_notifications WITH (security_invoker = true) AS
SELECT n.id, n.tenant_id, n.run_id, n.event, n.title, n.body, n.created_at, n.read_at
  FROM atlas.notifications n
 WHERE n.recipient = session_user;

REVOKE ALL ON atlas.operation_runs, atlas.my_notifications FROM PUBLIC;
GRANT SELECT ON atlas.operation_runs, atlas.my_notifications TO atlas_client;

REVOKE ALL ON FUNCTION
    atlas.status_bucket(text), atlas.bucket_statuses(text), atlas.derive_status(integer, integer, boolean),
    atlas.redact(text), atlas.sanitize_message(text), atlas.is_reason_code(text),
    atlas.canonical_items(jsonb), atlas.idempotency_key(uuid, text, text, jsonb, jsonb),
    atlas.operation_label(text, text), atlas.on_run_change(), atlas.reap_stale_in(uuid),
    atlas.reap_stale_runs(), atlas.start_run(uuid, text, text, jsonb, jsonb), atlas.claim_run(bigint),
    atlas.leased_run(bigint, uuid), atlas.heartbeat_run(bigint, uuid),
    atlas.record_item_results(bigint, uuid, jsonb), atlas.finish_run(bigint, uuid, text, text),
    atlas.set_run_summary(bigint, uuid, jsonb), atlas.mark_notifications_read(bigint[])
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    atlas.status_bucket(text), atlas.bucket_statuses(text), atlas.derive_status(integer, integer, boolean),
    atlas.redact(text), atlas.sanitize_message(text), atlas.is_reason_code(text),
    atlas.canonical_items(jsonb), atlas.idempotency_key(uuid, text, text, jsonb, jsonb),
    atlas.operation_label(text, text),
    atlas.reap_stale_runs(), atlas.start_run(uuid, text, text, jsonb, jsonb), atlas.claim_run(bigint),
    atlas.heartbeat_run(bigint, uuid), atlas.record_item_results(bigint, uuid, jsonb),
    atlas.finish_run(bigint, uuid, text, text), atlas.set_run_summary(bigint, uuid, jsonb),
    atlas.mark_notifications_read(bigint[])
TO atlas_client;

INSERT INTO atlas.schema_migrations (version) VALUES ('0003_runs') ON CONFLICT DO NOTHING;
RESET ROLE;
