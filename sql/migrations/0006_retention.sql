-- Retention: owners of a tenant (or atlas_admin) delete finished runs older than an age, with
-- everything that hangs off them (item results, findings, notifications, leases: ON DELETE
-- CASCADE). At most p_batch runs per call, so a caller prunes in short transactions.
SET ROLE atlas_owner;

-- An admin need not be a member of the tenant. These policies name atlas_owner, so they apply
-- only while a SECURITY DEFINER function runs (current_user = atlas_owner), here prune_runs: an
-- admin's own SELECT or DELETE still sees nothing of a tenant it does not belong to.
CREATE POLICY runs_admin_prune_read ON atlas.bulk_operation_runs FOR SELECT TO atlas_owner
    USING ((SELECT atlas.session_is_admin()));
CREATE POLICY runs_admin_prune ON atlas.bulk_operation_runs FOR DELETE TO atlas_owner
    USING ((SELECT atlas.session_is_admin()));

CREATE FUNCTION atlas.prune_runs(p_tenant uuid, p_older_than interval, p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.session_role(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only an owner of the tenant or atlas_admin may prune runs' USING ERRCODE = '42501';
    END IF;
    IF p_older_than IS NULL OR p_older_than < interval '1 hour' OR p_batch IS NULL OR p_batch NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION 'prune runs older than at least one hour, in batches of 1 to 100000' USING ERRCODE = '22023';
    END IF;
    DELETE FROM atlas.bulk_operation_runs r
     WHERE r.tenant_id = p_tenant
       AND (r.tenant_id, r.id) IN (
           SELECT o.tenant_id, o.id FROM atlas.bulk_operation_runs o
            WHERE o.tenant_id = p_tenant
              AND o.status NOT IN ('pending', 'running')
              AND coalesce(o.finished_at, o.created_at) < now() - p_older_than
            ORDER BY o.created_at
            LIMIT p_batch);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

REVOKE ALL ON FUNCTION atlas.prune_runs(uuid, interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.prune_runs(uuid, interval, integer) TO atlas_client, atlas_admin;

INSERT INTO atlas.schema_migrations (version) VALUES ('0006_retention') ON CONFLICT DO NOTHING;
RESET ROLE;
