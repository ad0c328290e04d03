-- Retention: owners of a tenant (or atlas_admin) delete finished runs older than an age, with
-- everything that hangs off them (item results, findings, notifications, leases: ON DELETE
-- CASCADE). At most p_batch runs per call, so a caller prunes in short transactions.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).

SET ROLE atlas_owner;

-- An admin need not be a member of the tenant. These policies name atlas_owner, so they apply
-- only while a SECURITY DEFINER function runs (current_user = atlas_owner), here prune_runs: an
-- admin's own SELECT or DELETE still sees nothing of a tenant it does not belong to.
DROP POLICY IF EXISTS runs_admin_prune_read ON atlas.bulk_operation_runs;
CREATE POLICY runs_admin_prune_read ON atlas.bulk_operation_runs FOR SELECT TO atlas_owner
    USING ((SELECT atlas.session_is_admin()));

DROP POLICY IF EXISTS runs_admin_prune ON atlas.bulk_operation_runs;
CREATE POLICY runs_admin_prune ON atlas.bulk_operation_runs FOR DELETE TO atlas_owner
    USING ((SELECT atlas.session_is_admin()));

-- What a prune deletes of a tenant: its finished runs that ended before p_cutoff. A run ends
-- after it was created, so the cutoff bounds created_at as well: the walk along (tenant_id,
-- created_at) stops there. Without that bound a batch that finds fewer than it may delete read
-- the rest of the tenant's runs to the newest (at ten million runs, a daily retention of 27,000
-- runs took 4.2 s; BENCHMARKS.md). The one definition for the deleting batches below and for the
-- prune run's count of its batches (PruneJob). Plain SQL, with no SET clause, so the planner
-- inlines it into the query that calls it (index range and all); with the caller's rights and
-- row security, so a client reads only what it may read of the runs anyway.
CREATE OR REPLACE FUNCTION atlas.prunable_runs(p_tenant uuid, p_cutoff timestamptz)
RETURNS SETOF atlas.bulk_operation_runs
LANGUAGE sql STABLE
AS $$
    SELECT o.* FROM atlas.bulk_operation_runs o
     WHERE o.tenant_id = p_tenant
       AND o.created_at < p_cutoff
       AND o.status NOT IN ('pending', 'running')
       AND coalesce(o.finished_at, o.created_at) < p_cutoff
$$;

-- One batch of a prune, for prune_runs and atlas.apply_retention alike: at most p_batch of
-- atlas.prunable_runs, oldest first, with what hangs off them; returns how many. Runs with the
-- caller's rights: the definer's in prune_runs, the superuser's in the scheduled retention;
-- granted to nobody.
CREATE OR REPLACE FUNCTION atlas.delete_finished_runs(p_tenant uuid, p_cutoff timestamptz, p_batch integer)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM atlas.bulk_operation_runs r
         WHERE r.tenant_id = p_tenant
           AND (r.tenant_id, r.id) IN (
               SELECT o.tenant_id, o.id FROM atlas.prunable_runs(p_tenant, p_cutoff) o
                ORDER BY o.created_at
                LIMIT p_batch)
        RETURNING 1)
    SELECT count(*)::integer FROM gone;
$$;

-- The cutoff itself must lie at least an hour back, however the age is spelled.
CREATE OR REPLACE FUNCTION atlas.prune_runs(p_tenant uuid, p_older_than interval, p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cutoff timestamptz;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.current_role_in(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only an owner of the tenant or atlas_admin may prune runs' USING ERRCODE = '42501';
    END IF;
    BEGIN
        v_cutoff := now() - p_older_than;
    EXCEPTION WHEN datetime_field_overflow OR interval_field_overflow THEN
        v_cutoff := NULL;
    END;
    IF v_cutoff IS NULL OR NOT isfinite(v_cutoff) OR v_cutoff > now() - interval '1 hour'
       OR p_batch IS NULL OR p_batch NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION 'prune runs older than at least one hour, in batches of 1 to 100000' USING ERRCODE = '22023';
    END IF;
    RETURN atlas.delete_finished_runs(p_tenant, v_cutoff, p_batch);
END
$$;

RESET ROLE;
