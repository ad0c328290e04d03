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

-- The cutoff itself must lie at least an hour back, however the age is spelled.
CREATE OR REPLACE FUNCTION atlas.prune_runs(p_tenant uuid, p_older_than interval, p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cutoff timestamptz;
    v_count integer;
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
    DELETE FROM atlas.bulk_operation_runs r
     WHERE r.tenant_id = p_tenant
       AND (r.tenant_id, r.id) IN (
           SELECT o.tenant_id, o.id FROM atlas.bulk_operation_runs o
            WHERE o.tenant_id = p_tenant
              AND o.status NOT IN ('pending', 'running')
              AND coalesce(o.finished_at, o.created_at) < v_cutoff
            ORDER BY o.created_at
            LIMIT p_batch);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

RESET ROLE;
