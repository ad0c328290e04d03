-- The run API: starting, claiming, leases, item results, finishing, aborting and cancelling runs;
-- reaping stale ones; the lifecycle trigger and the change log; row-level policies of the run tables.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).
--
-- Only the initiator holding the current lease (atlas.run_leases, unreadable to clients) writes a run,
-- and only what the run declared. Run writes never NOTIFY: every change goes to the change log
-- (atlas.run_changes) that consoles read from a cursor; writers send wake-ups after they commit.

SET ROLE atlas_owner;

------------------------------------------------------------------------------------------
-- Row-level security: a person reaches rows of the tenants they belong to, nothing else.
------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS runs_member ON atlas.bulk_operation_runs;
CREATE POLICY runs_member ON atlas.bulk_operation_runs
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS results_member ON atlas.run_item_results;
CREATE POLICY results_member ON atlas.run_item_results
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS leases_member ON atlas.run_leases;
CREATE POLICY leases_member ON atlas.run_leases
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS notifications_read ON atlas.notifications;
CREATE POLICY notifications_read ON atlas.notifications FOR SELECT
    USING (recipient = session_user AND tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS notifications_insert ON atlas.notifications;
CREATE POLICY notifications_insert ON atlas.notifications FOR INSERT
    WITH CHECK (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

DROP POLICY IF EXISTS notifications_update ON atlas.notifications;
CREATE POLICY notifications_update ON atlas.notifications FOR UPDATE
    USING (recipient = session_user AND tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

-- The change log is append-only for clients (they read it through row-level security, tenant by
-- tenant); entries older than change_log_keep are removed by reap_stale_runs.
DROP POLICY IF EXISTS run_changes_member ON atlas.run_changes;
CREATE POLICY run_changes_member ON atlas.run_changes
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

------------------------------------------------------------------------------------------
-- Lifecycle trigger
------------------------------------------------------------------------------------------
-- Every change of a run goes to the change log (run_changes), never to NOTIFY, which would fail
-- the write at commit when the notification queue is full; heartbeat-only updates are not changes
-- anyone shows. The initiator's notifications say in words what happened: the producer's headline
-- (summary.headline, e.g. "107 observed, 9 retired", redacted when it was stored).
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

DROP TRIGGER IF EXISTS bulk_operation_runs_changed ON atlas.bulk_operation_runs;
CREATE TRIGGER bulk_operation_runs_changed
    AFTER INSERT OR UPDATE ON atlas.bulk_operation_runs
    FOR EACH ROW EXECUTE FUNCTION atlas.on_run_change();

-- The newest change a console may start reading after (it then re-reads what it shows).
CREATE OR REPLACE FUNCTION atlas.change_log_head() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(max(seq), 0) FROM atlas.run_changes $$;

------------------------------------------------------------------------------------------
-- Reaping (and keeping the change log short)
------------------------------------------------------------------------------------------
-- Marks stale active runs of the caller's tenants aborted/worker_lost (optionally one tenant).
CREATE OR REPLACE FUNCTION atlas.reap_stale_in(p_tenant uuid) RETURNS integer
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

CREATE OR REPLACE FUNCTION atlas.reap_stale_runs() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_reaped integer;
BEGIN
    DELETE FROM atlas.run_changes
     WHERE changed_at < now() - (SELECT value::interval FROM atlas.settings WHERE key = 'change_log_keep');
    PERFORM atlas.purge_dropped_logins();
    v_reaped := atlas.reap_stale_in(NULL);
    -- The hub's roll-ups: appended rows folded, the reaps' own included (75_run_counts).
    PERFORM atlas.compact_run_counts();
    RETURN v_reaped;
END
$$;

------------------------------------------------------------------------------------------
-- Starting: limits and shapes first, before any heavy work. The items are checked and put in
-- canonical order in one pass, and an identical active run is found by its key before the new row
-- (with its item set) is built; races between consoles are settled by one INSERT ... ON CONFLICT.
------------------------------------------------------------------------------------------
-- The scope an operation needs (drift: a baseline of the tenant; add policies and export: a backup set of the
-- tenant; prune: an age of at least an hour; import: a source).
CREATE OR REPLACE FUNCTION atlas.check_scope(p_tenant uuid, p_resource text, p_action text, p_scope jsonb) RETURNS void
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
-- Leases
------------------------------------------------------------------------------------------
-- The run, locked, if the caller holds its current lease and may still start runs in its
-- tenant; NULL otherwise. A run the caller cannot see is 42501, unless the caller holds a lease
-- on it that a role change made dead (then NULL: "lease lost", 55000 for writes).
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

RESET ROLE;

-- atlas_system's: it sees the caller's lease on a run the caller may no longer see.
CREATE OR REPLACE FUNCTION atlas.held_dead_lease(p_run bigint, p_lease uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_lease IS NOT NULL AND EXISTS (
        SELECT 1 FROM atlas.run_leases l
         WHERE l.run_id = p_run AND l.lease = p_lease AND l.holder = session_user)
$$;

ALTER FUNCTION atlas.held_dead_lease(bigint, uuid) OWNER TO atlas_system;

SET ROLE atlas_owner;

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

------------------------------------------------------------------------------------------
-- Writes stay inside their run
------------------------------------------------------------------------------------------
-- The run's declared items as a decompressed private copy (membership tests per item).
CREATE OR REPLACE FUNCTION atlas.run_item_set(p_tenant uuid, p_run bigint) RETURNS jsonb
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

-- Not part of the fixed contract: the producer's result summary (lease holder only), redacted.
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
-- Ending a run
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.finish_run(p_run bigint, p_lease uuid, p_reason_code text DEFAULT NULL,
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

-- Stopping a run on purpose: the lease holder ends it `aborted` with a reason code (the console
-- does this when its user stops runs on exit: `cancelled`; a worker that lost its database
-- connection and got it back: `db_connection_lost`). Items already recorded stay recorded.
CREATE OR REPLACE FUNCTION atlas.abort_run(p_run bigint, p_lease uuid, p_reason_code text, p_message text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF p_reason_code IS NULL OR NOT atlas.is_reason_code(p_reason_code) THEN
        RAISE EXCEPTION 'an aborted run needs a lower_snake_case reason code' USING ERRCODE = '22023';
    END IF;
    UPDATE atlas.bulk_operation_runs
       SET status = 'aborted', finished_at = now(), heartbeat_at = now(),
           reason_code = p_reason_code, message = atlas.sanitize_message(p_message)
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
    DELETE FROM atlas.run_leases WHERE tenant_id = v_run.tenant_id AND run_id = p_run;
    RETURN 'aborted';
END
$$;

-- Owners and managers end any active run of their tenant: aborted/cancelled. Returns the run's
-- storage status (unchanged when it had already ended).
CREATE OR REPLACE FUNCTION atlas.cancel_run(p_run bigint) RETURNS text
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
-- Notifications
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.mark_notifications_read(p_ids bigint[]) RETURNS integer
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

RESET ROLE;
