-- Counts of runs for the hub, exact at millions of runs: roll-ups (atlas.run_counts, migration
-- 0015) kept in the transaction of every run change, and the functions the console calls.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).
--
-- Writes: the triggers append a +n/-n row per changed key (never an UPDATE of a shared counter
-- row, so 32 workers finishing runs of one tenant and day do not queue); the compaction folds
-- them. Their functions belong to atlas_system (it bypasses row-level security: a run change is
-- already authorised on the run itself, and a reap or a demotion changes runs of any initiator).
-- Reads: full UTC days from the roll-ups, the partial days at a range's edges from the runs
-- themselves; only tenants of session_user count (an intersection with p_tenants, and the
-- row-level policy below).

SET ROLE atlas_owner;

DROP POLICY IF EXISTS run_counts_member ON atlas.run_counts;
CREATE POLICY run_counts_member ON atlas.run_counts FOR SELECT
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]));

RESET ROLE;

------------------------------------------------------------------------------------------
-- Keeping the roll-ups (atlas_system's)
------------------------------------------------------------------------------------------
-- Runs inserted (one statement: one row per key).
CREATE OR REPLACE FUNCTION atlas.count_runs_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, runs)
    SELECT n.tenant_id, (n.created_at AT TIME ZONE 'UTC')::date, n.resource, n.action, n.status_bucket,
           CASE WHEN n.status_bucket = 'failed' THEN coalesce(n.reason_code, '') ELSE '' END, count(*)
      FROM new_runs n
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END
$$;

-- A run whose key changed: its bucket or reason (status changes), or (by hand) its day or operation.
CREATE OR REPLACE FUNCTION atlas.count_run_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_old_day date := (OLD.created_at AT TIME ZONE 'UTC')::date;
    v_new_day date := (NEW.created_at AT TIME ZONE 'UTC')::date;
    v_old_reason text := CASE WHEN OLD.status_bucket = 'failed' THEN coalesce(OLD.reason_code, '') ELSE '' END;
    v_new_reason text := CASE WHEN NEW.status_bucket = 'failed' THEN coalesce(NEW.reason_code, '') ELSE '' END;
    v_moved boolean := OLD.tenant_id <> NEW.tenant_id OR v_old_day <> v_new_day
                       OR OLD.resource <> NEW.resource OR OLD.action <> NEW.action;
BEGIN
    IF NOT v_moved AND OLD.status_bucket = NEW.status_bucket AND v_old_reason = v_new_reason THEN
        RETURN NULL;
    END IF;
    INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, runs)
    VALUES (OLD.tenant_id, v_old_day, OLD.resource, OLD.action, OLD.status_bucket, v_old_reason, -1),
           (NEW.tenant_id, v_new_day, NEW.resource, NEW.action, NEW.status_bucket, v_new_reason, 1);
    IF v_moved THEN
        -- Its failed items move with it.
        INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, failed_items)
        SELECT k.tenant_id, k.day, k.resource, k.action, '', coalesce(i.reason_code, ''), k.sign * count(*)
          FROM atlas.run_item_results i
         CROSS JOIN (VALUES (OLD.tenant_id, v_old_day, OLD.resource, OLD.action, -1),
                            (NEW.tenant_id, v_new_day, NEW.resource, NEW.action, 1))
                    AS k(tenant_id, day, resource, action, sign)
         WHERE i.tenant_id = NEW.tenant_id AND i.run_id = NEW.id AND i.outcome = 'failed'
         GROUP BY k.tenant_id, k.day, k.resource, k.action, k.sign, coalesce(i.reason_code, '');
    END IF;
    RETURN NULL;
END
$$;

-- Runs deleted (prune, by hand): one statement, one row per key. A deleted tenant's runs count
-- nothing any more (its rows go with it: count_tenant_deleted).
CREATE OR REPLACE FUNCTION atlas.count_runs_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, runs)
    SELECT o.tenant_id, (o.created_at AT TIME ZONE 'UTC')::date, o.resource, o.action, o.status_bucket,
           CASE WHEN o.status_bucket = 'failed' THEN coalesce(o.reason_code, '') ELSE '' END, -count(*)
      FROM old_runs o
     WHERE EXISTS (SELECT 1 FROM atlas.tenants t WHERE t.tenant_id = o.tenant_id)
     GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END
$$;

-- Before a run goes, its failed items (they go by cascade after it, when the run they counted
-- under can no longer be read).
CREATE OR REPLACE FUNCTION atlas.count_run_items_leaving() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM atlas.tenants t WHERE t.tenant_id = OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, failed_items)
    SELECT OLD.tenant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.resource, OLD.action, '',
           coalesce(i.reason_code, ''), -count(*)
      FROM atlas.run_item_results i
     WHERE i.tenant_id = OLD.tenant_id AND i.run_id = OLD.id AND i.outcome = 'failed'
     GROUP BY coalesce(i.reason_code, '');
    RETURN OLD;
END
$$;

-- Item results recorded, changed or deleted while their run stays (a cascade from a deleted run
-- finds no run here: count_run_items_leaving counted those).
CREATE OR REPLACE FUNCTION atlas.count_items_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, failed_items)
        SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date, r.resource, r.action, '',
               coalesce(n.reason_code, ''), count(*)
          FROM new_items n JOIN atlas.bulk_operation_runs r ON r.tenant_id = n.tenant_id AND r.id = n.run_id
         WHERE n.outcome = 'failed'
         GROUP BY 1, 2, 3, 4, 5, 6;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, failed_items)
        SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date, r.resource, r.action, '',
               coalesce(o.reason_code, ''), -count(*)
          FROM old_items o JOIN atlas.bulk_operation_runs r ON r.tenant_id = o.tenant_id AND r.id = o.run_id
         WHERE o.outcome = 'failed'
         GROUP BY 1, 2, 3, 4, 5, 6;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION atlas.count_tenant_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM atlas.run_counts c USING old_tenants o WHERE c.tenant_id = o.tenant_id;
    RETURN NULL;
END
$$;

-- Folds the appended rows into one compacted row per key (keys that sum to nothing go). One
-- statement, so a reader sees either the rows or their sum; one compaction at a time (another
-- caller returns 0 at once). Rows appended meanwhile stay for the next one. The one-at-a-time
-- lock is SHARE UPDATE EXCLUSIVE on the table: it conflicts with itself (and VACUUM), not with
-- the triggers' appends, and no client can take it (that needs a privilege on the table they do
-- not have; an advisory lock, as before, any login could hold for ever and stop compaction).
CREATE OR REPLACE FUNCTION atlas.compact_run_counts() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    BEGIN
        LOCK TABLE atlas.run_counts IN SHARE UPDATE EXCLUSIVE MODE NOWAIT;
    EXCEPTION WHEN lock_not_available THEN
        RETURN 0; -- another compaction, or a VACUUM, holds it: the next reap folds
    END;
    WITH fresh AS (
        SELECT DISTINCT f.tenant_id, f.day, f.resource, f.action, f.bucket, f.reason
          FROM atlas.run_counts f WHERE NOT f.compacted
    ), gone AS (
        DELETE FROM atlas.run_counts c USING fresh k
         WHERE c.tenant_id = k.tenant_id AND c.day = k.day AND c.resource = k.resource
           AND c.action = k.action AND c.bucket = k.bucket AND c.reason = k.reason
        RETURNING c.*
    ), folded AS (
        INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, runs, failed_items, compacted)
        SELECT g.tenant_id, g.day, g.resource, g.action, g.bucket, g.reason, sum(g.runs), sum(g.failed_items), true
          FROM gone g
         GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(g.runs) <> 0 OR sum(g.failed_items) <> 0
    )
    SELECT count(*) INTO v_count FROM gone;
    RETURN v_count;
END
$$;

-- The roll-ups of one tenant (NULL: all) counted afresh from the runs: after a bulk load with the
-- triggers off, or to repair. Superusers only (no grant). One statement: changes committed after
-- its snapshot keep their appended rows, so nothing is lost or counted twice.
CREATE OR REPLACE FUNCTION atlas.rebuild_run_counts(p_tenant uuid DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count bigint;
BEGIN
    WITH gone AS (
        DELETE FROM atlas.run_counts c WHERE p_tenant IS NULL OR c.tenant_id = p_tenant
    ), counted AS (
        SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.resource, r.action, r.status_bucket AS bucket,
               CASE WHEN r.status_bucket = 'failed' THEN coalesce(r.reason_code, '') ELSE '' END AS reason,
               count(*) AS runs, 0::bigint AS failed_items
          FROM atlas.bulk_operation_runs r
         WHERE p_tenant IS NULL OR r.tenant_id = p_tenant
         GROUP BY 1, 2, 3, 4, 5, 6
        UNION ALL
        SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date, r.resource, r.action, '', coalesce(i.reason_code, ''),
               0, count(*)
          FROM atlas.run_item_results i
          JOIN atlas.bulk_operation_runs r ON r.tenant_id = i.tenant_id AND r.id = i.run_id
         WHERE i.outcome = 'failed' AND (p_tenant IS NULL OR i.tenant_id = p_tenant)
         GROUP BY 1, 2, 3, 4, 5, 6
    ), added AS (
        INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, runs, failed_items, compacted)
        SELECT tenant_id, day, resource, action, bucket, reason, runs, failed_items, true FROM counted
        RETURNING 1
    )
    SELECT count(*) INTO v_count FROM added;
    RETURN v_count;
END
$$;

ALTER FUNCTION atlas.count_runs_inserted() OWNER TO atlas_system;
ALTER FUNCTION atlas.count_run_changed() OWNER TO atlas_system;
ALTER FUNCTION atlas.count_runs_deleted() OWNER TO atlas_system;
ALTER FUNCTION atlas.count_run_items_leaving() OWNER TO atlas_system;
ALTER FUNCTION atlas.count_items_changed() OWNER TO atlas_system;
ALTER FUNCTION atlas.count_tenant_deleted() OWNER TO atlas_system;
ALTER FUNCTION atlas.compact_run_counts() OWNER TO atlas_system;
ALTER FUNCTION atlas.rebuild_run_counts(uuid) OWNER TO atlas_system;

DROP TRIGGER IF EXISTS bulk_operation_runs_count_inserted ON atlas.bulk_operation_runs;
CREATE TRIGGER bulk_operation_runs_count_inserted
    AFTER INSERT ON atlas.bulk_operation_runs REFERENCING NEW TABLE AS new_runs
    FOR EACH STATEMENT EXECUTE FUNCTION atlas.count_runs_inserted();

-- Heartbeats and item counters leave the key alone: no call at all.
DROP TRIGGER IF EXISTS bulk_operation_runs_count_changed ON atlas.bulk_operation_runs;
CREATE TRIGGER bulk_operation_runs_count_changed
    AFTER UPDATE ON atlas.bulk_operation_runs
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.reason_code IS DISTINCT FROM NEW.reason_code
          OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.resource IS DISTINCT FROM NEW.resource
          OR OLD.action IS DISTINCT FROM NEW.action OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION atlas.count_run_changed();

DROP TRIGGER IF EXISTS bulk_operation_runs_count_deleted ON atlas.bulk_operation_runs;
CREATE TRIGGER bulk_operation_runs_count_deleted
    AFTER DELETE ON atlas.bulk_operation_runs REFERENCING OLD TABLE AS old_runs
    FOR EACH STATEMENT EXECUTE FUNCTION atlas.count_runs_deleted();

DROP TRIGGER IF EXISTS bulk_operation_runs_count_items_leaving ON atlas.bulk_operation_runs;
CREATE TRIGGER bulk_operation_runs_count_items_leaving
    BEFORE DELETE ON atlas.bulk_operation_runs
    FOR EACH ROW EXECUTE FUNCTION atlas.count_run_items_leaving();

DROP TRIGGER IF EXISTS run_item_results_count_inserted ON atlas.run_item_results;
CREATE TRIGGER run_item_results_count_inserted
    AFTER INSERT ON atlas.run_item_results REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION atlas.count_items_changed();

DROP TRIGGER IF EXISTS run_item_results_count_updated ON atlas.run_item_results;
CREATE TRIGGER run_item_results_count_updated
    AFTER UPDATE ON atlas.run_item_results REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION atlas.count_items_changed();

DROP TRIGGER IF EXISTS run_item_results_count_deleted ON atlas.run_item_results;
CREATE TRIGGER run_item_results_count_deleted
    AFTER DELETE ON atlas.run_item_results REFERENCING OLD TABLE AS old_items
    FOR EACH STATEMENT EXECUTE FUNCTION atlas.count_items_changed();

DROP TRIGGER IF EXISTS tenants_count_deleted ON atlas.tenants;
CREATE TRIGGER tenants_count_deleted
    AFTER DELETE ON atlas.tenants REFERENCING OLD TABLE AS old_tenants
    FOR EACH STATEMENT EXECUTE FUNCTION atlas.count_tenant_deleted();

------------------------------------------------------------------------------------------
-- Reading (atlas_owner's, for atlas_client)
------------------------------------------------------------------------------------------
SET ROLE atlas_owner;

-- The tenants a count covers: the caller's, or those of p_tenants the caller belongs to.
CREATE OR REPLACE FUNCTION atlas.count_tenant_ids(p_tenants uuid[]) RETURNS uuid[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(t), '{}')
      FROM unnest(atlas.session_tenant_ids()) t
     WHERE p_tenants IS NULL OR t = ANY (p_tenants)
$$;

-- [p_from, p_to) as the full UTC days [lo, hi) the roll-ups answer and at most two edges
-- [e1_from, e1_to), [e2_from, e2_to) counted live (NULL: none). NULL ends are open.
CREATE OR REPLACE FUNCTION atlas.count_window(p_from timestamptz, p_to timestamptz,
    OUT lo date, OUT hi date, OUT e1_from timestamptz, OUT e1_to timestamptz,
    OUT e2_from timestamptz, OUT e2_to timestamptz)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    lo := CASE WHEN p_from IS NULL THEN '-infinity'::date ELSE (p_from AT TIME ZONE 'UTC')::date END;
    IF p_from IS NOT NULL AND (lo::timestamp AT TIME ZONE 'UTC') < p_from THEN
        lo := lo + 1;
    END IF;
    hi := CASE WHEN p_to IS NULL THEN 'infinity'::date ELSE (p_to AT TIME ZONE 'UTC')::date END;
    IF p_from IS NOT NULL AND p_to IS NOT NULL AND p_from >= p_to THEN
        lo := 'infinity'; hi := '-infinity'; -- nothing
    ELSIF lo >= hi THEN
        -- Within one day (or across one midnight without a full day): all of it live.
        e1_from := p_from; e1_to := p_to;
        lo := 'infinity'; hi := '-infinity';
    ELSE
        IF p_from IS NOT NULL AND p_from < (lo::timestamp AT TIME ZONE 'UTC') THEN
            e1_from := p_from; e1_to := lo::timestamp AT TIME ZONE 'UTC';
        END IF;
        IF p_to IS NOT NULL AND (hi::timestamp AT TIME ZONE 'UTC') < p_to THEN
            e2_from := hi::timestamp AT TIME ZONE 'UTC'; e2_to := p_to;
        END IF;
    END IF;
END
$$;

-- What the counts below add up, per UTC day, bucket and reason (as in run_counts): the roll-ups
-- of the full days, the runs (and with p_items their failed items) of the edges, for the caller's
-- tenants among p_tenants. Without p_by_day, day is NULL (a few groups, not a year of days).
CREATE OR REPLACE FUNCTION atlas.count_rows(p_tenants uuid[], p_resource text, p_action text,
                                            p_from timestamptz, p_to timestamptz, p_items boolean, p_by_day boolean)
RETURNS TABLE (day date, bucket text, reason text, runs bigint, failed_items bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenants uuid[] := atlas.count_tenant_ids(p_tenants);
    w record := atlas.count_window(p_from, p_to);
    e record;
BEGIN
    RETURN QUERY
    SELECT CASE WHEN p_by_day THEN c.day END, c.bucket, c.reason, sum(c.runs)::bigint, sum(c.failed_items)::bigint
      FROM atlas.run_counts c
     WHERE c.tenant_id = ANY (v_tenants) AND c.day >= w.lo AND c.day < w.hi
       AND (p_items OR c.bucket <> '')
       AND (p_resource IS NULL OR c.resource = p_resource) AND (p_action IS NULL OR c.action = p_action)
     GROUP BY 1, 2, 3;
    -- Each edge on its own: one range of the (tenant_id, created_at) index.
    FOR e IN SELECT v.f, v.t FROM (VALUES (w.e1_from, w.e1_to), (w.e2_from, w.e2_to)) v(f, t) WHERE v.f IS NOT NULL LOOP
        RETURN QUERY
        SELECT (r.created_at AT TIME ZONE 'UTC')::date, r.status_bucket,
               CASE WHEN r.status_bucket = 'failed' THEN coalesce(r.reason_code, '') ELSE '' END, count(*), 0::bigint
          FROM atlas.bulk_operation_runs r
         WHERE r.tenant_id = ANY (v_tenants) AND r.created_at >= e.f AND r.created_at < e.t
           AND (p_resource IS NULL OR r.resource = p_resource) AND (p_action IS NULL OR r.action = p_action)
         GROUP BY 1, 2, 3;
        IF p_items THEN
            RETURN QUERY
            -- Per run (OFFSET 0 keeps it a lookup of the run's key, not a scan of all results).
            SELECT (r.created_at AT TIME ZONE 'UTC')::date, '', coalesce(i.reason_code, ''), 0::bigint, count(*)
              FROM atlas.bulk_operation_runs r
             CROSS JOIN LATERAL (SELECT f.reason_code FROM atlas.run_item_results f
                                  WHERE f.tenant_id = r.tenant_id AND f.run_id = r.id AND f.outcome = 'failed' OFFSET 0) i
             WHERE r.tenant_id = ANY (v_tenants) AND r.created_at >= e.f AND r.created_at < e.t AND r.failed_items > 0
               AND (p_resource IS NULL OR r.resource = p_resource) AND (p_action IS NULL OR r.action = p_action)
             GROUP BY 1, 2, 3;
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION atlas.run_bucket_counts(p_tenants uuid[], p_resource text, p_action text,
                                                   p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket text, runs bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.bucket, sum(c.runs)::bigint
      FROM atlas.count_rows(p_tenants, p_resource, p_action, p_from, p_to, false, false) c
     GROUP BY c.bucket
    HAVING sum(c.runs) <> 0
$$;

-- Failed and aborted runs by their reason code, and failed items by theirs (NULL: none given).
CREATE OR REPLACE FUNCTION atlas.run_reason_counts(p_tenants uuid[], p_resource text, p_action text,
                                                   p_from timestamptz, p_to timestamptz)
RETURNS TABLE (reason_code text, runs bigint, failed_items bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT nullif(c.reason, ''), sum(c.runs)::bigint, sum(c.failed_items)::bigint
      FROM atlas.count_rows(p_tenants, p_resource, p_action, p_from, p_to, true, false) c
     WHERE c.bucket IN ('failed', '')
     GROUP BY c.reason
    HAVING sum(c.runs) <> 0 OR sum(c.failed_items) <> 0
$$;

-- Runs per UTC day of created_at and bucket.
CREATE OR REPLACE FUNCTION atlas.runs_per_day(p_tenants uuid[], p_resource text, p_action text,
                                              p_from timestamptz, p_to timestamptz)
RETURNS TABLE (day date, bucket text, runs bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.day, c.bucket, sum(c.runs)::bigint
      FROM atlas.count_rows(p_tenants, p_resource, p_action, p_from, p_to, false, true) c
     GROUP BY c.day, c.bucket
    HAVING sum(c.runs) <> 0
     ORDER BY c.day, c.bucket
$$;

-- Durations (finished_at - started_at) of finished runs that started, per operation; live.
CREATE OR REPLACE FUNCTION atlas.duration_percentiles(p_tenants uuid[], p_resource text, p_action text,
                                                      p_from timestamptz, p_to timestamptz)
RETURNS TABLE (resource text, action text, runs bigint, p50_seconds double precision,
               p90_seconds double precision, p99_seconds double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenants uuid[] := atlas.count_tenant_ids(p_tenants);
    -- Open ends as infinities: a range of the (tenant_id, created_at) index in a generic plan too.
    v_from timestamptz := coalesce(p_from, '-infinity');
    v_to timestamptz := coalesce(p_to, 'infinity');
BEGIN
    RETURN QUERY
    SELECT s.resource, s.action, s.n, s.p[1], s.p[2], s.p[3]
      FROM (SELECT r.resource, r.action,
                   percentile_cont(ARRAY[0.5, 0.9, 0.99]::float8[])
                       WITHIN GROUP (ORDER BY extract(epoch FROM r.finished_at - r.started_at)::float8) AS p,
                   count(*)::bigint AS n
              FROM atlas.bulk_operation_runs r
             WHERE r.tenant_id = ANY (v_tenants) AND r.status NOT IN ('pending', 'running')
               AND r.started_at IS NOT NULL AND r.finished_at IS NOT NULL
               AND r.created_at >= v_from AND r.created_at < v_to
               AND (p_resource IS NULL OR r.resource = p_resource) AND (p_action IS NULL OR r.action = p_action)
             GROUP BY r.resource, r.action) s
     ORDER BY s.resource, s.action;
END
$$;

RESET ROLE;
