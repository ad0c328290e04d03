-- Tenancy: who is connected, which role they hold in which tenant, and what a membership change
-- does. Every row-level policy asks atlas.session_role or atlas.session_tenant_ids.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).
--
-- Memberships belong to the login itself (its OID), only atlas_client logins without SUPERUSER or
-- BYPASSRLS can hold one, and a tenant keeps at least one owner.
-- Owners: atlas_auth owns the membership look-ups (it bypasses row-level security and reads nothing
-- but tenants and memberships), so the policies on tenant_members can consult memberships without
-- recursing; atlas_system acts for the database itself where the caller's own rows are not enough
-- (ending the runs of a member whose role was taken away, forgetting memberships of dropped logins).
-- Their functions are replaced as the superuser and handed to them; the rest is atlas_owner's.

SET ROLE atlas_owner;

CREATE OR REPLACE FUNCTION atlas.session_login_oid() RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user $$;

CREATE OR REPLACE FUNCTION atlas.session_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_has_role(session_user, 'atlas_admin', 'MEMBER')
$$;

RESET ROLE;

CREATE OR REPLACE FUNCTION atlas.session_role(p_tenant uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.role FROM atlas.tenant_members m
     WHERE m.tenant_id = p_tenant AND m.login_oid = atlas.session_login_oid()
$$;

CREATE OR REPLACE FUNCTION atlas.session_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(m.tenant_id), '{}') FROM atlas.tenant_members m
     WHERE m.login_oid = atlas.session_login_oid()
$$;

-- The caller's role in a tenant as it is now, for every function that writes. session_role
-- reads the caller's snapshot, and a client may hold one from before a demotion (REPEATABLE
-- READ); locking the membership row makes that fail (40001) instead of granting the old rights,
-- and in READ COMMITTED it waits for a role change in progress and reads its outcome.
CREATE OR REPLACE FUNCTION atlas.current_role_in(p_tenant uuid) RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.role FROM atlas.tenant_members m
     WHERE m.tenant_id = p_tenant AND m.login_oid = atlas.session_login_oid()
       FOR SHARE
$$;

-- Clients read tenants and memberships only through my_tenants, served by this function: a query
-- of theirs on the tables could fetch other tenants' rows through an index (ids, logins) before
-- row-level security drops them, and EXPLAIN ANALYZE would count what was dropped.
CREATE OR REPLACE FUNCTION atlas.session_tenants() RETURNS TABLE (tenant_id uuid, tenant_name text, role text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.tenant_id, t.name, m.role
      FROM atlas.tenant_members m JOIN atlas.tenants t ON t.tenant_id = m.tenant_id
     WHERE m.login_oid = atlas.session_login_oid()
$$;

ALTER FUNCTION atlas.session_role(uuid) OWNER TO atlas_auth;
ALTER FUNCTION atlas.session_tenant_ids() OWNER TO atlas_auth;
ALTER FUNCTION atlas.current_role_in(uuid) OWNER TO atlas_auth;
ALTER FUNCTION atlas.session_tenants() OWNER TO atlas_auth;

------------------------------------------------------------------------------------------
-- Leases follow roles: losing the right to start runs in a tenant ends one's active runs there
-- (aborted/role_revoked) in the same transaction.
------------------------------------------------------------------------------------------
-- Ends the active runs `p_login` initiated in `p_tenant`: aborted/role_revoked. The lease rows
-- stay (dead: the run is no longer running) so that the former holder is told 55000, not 42501.
CREATE OR REPLACE FUNCTION atlas.end_runs_of(p_tenant uuid, p_login text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE atlas.bulk_operation_runs
       SET status = 'aborted', reason_code = 'role_revoked', finished_at = now(),
           message = 'The initiator may no longer start runs in this tenant.'
     WHERE tenant_id = p_tenant AND initiator = p_login AND status IN ('pending', 'running');
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

CREATE OR REPLACE FUNCTION atlas.forget_notifications_of(p_tenant uuid, p_login text) RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ DELETE FROM atlas.notifications WHERE tenant_id = p_tenant AND recipient = p_login $$;

-- Memberships of dropped logins (no role with that OID any more) go, with their runs ended.
CREATE OR REPLACE FUNCTION atlas.purge_dropped_logins() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    DELETE FROM atlas.tenant_members m
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.oid = m.login_oid);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

ALTER FUNCTION atlas.end_runs_of(uuid, text) OWNER TO atlas_system;
ALTER FUNCTION atlas.forget_notifications_of(uuid, text) OWNER TO atlas_system;
ALTER FUNCTION atlas.purge_dropped_logins() OWNER TO atlas_system;

SET ROLE atlas_owner;

CREATE OR REPLACE FUNCTION atlas.on_member_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.role IN ('owner', 'manager', 'operator')
       AND (TG_OP = 'DELETE' OR NEW.role NOT IN ('owner', 'manager', 'operator')
            OR NEW.login_oid <> OLD.login_oid) THEN
        PERFORM atlas.end_runs_of(OLD.tenant_id, OLD.login);
    END IF;
    -- Notifications are their recipient's: leaving the tenant (or a new login under the old
    -- name) does not hand them on.
    IF TG_OP = 'DELETE' OR NEW.login_oid <> OLD.login_oid THEN
        PERFORM atlas.forget_notifications_of(OLD.tenant_id, OLD.login);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS tenant_members_changed ON atlas.tenant_members;
CREATE TRIGGER tenant_members_changed
    AFTER UPDATE OR DELETE ON atlas.tenant_members
    FOR EACH ROW EXECUTE FUNCTION atlas.on_member_change();

------------------------------------------------------------------------------------------
-- Who may write: the current role, not the snapshot's
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.require_starter(p_tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce(atlas.current_role_in(p_tenant), '') NOT IN ('owner', 'manager', 'operator') THEN
        RAISE EXCEPTION 'not allowed to change data of this tenant' USING ERRCODE = '42501';
    END IF;
END
$$;

------------------------------------------------------------------------------------------
-- Tenants and memberships
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.create_tenant(p_name text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid;
BEGIN
    IF NOT atlas.session_is_admin() THEN
        RAISE EXCEPTION 'only atlas_admin may create tenants' USING ERRCODE = '42501';
    END IF;
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'tenant name must be 1 to 200 characters' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.tenants (name) VALUES (btrim(p_name)) RETURNING tenant_id INTO v_id;
    RETURN v_id;
END
$$;

-- Role is owner, manager, operator or readonly; replaces an existing role.
CREATE OR REPLACE FUNCTION atlas.grant_role(p_tenant uuid, p_login text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '10s'
AS $$
DECLARE
    v_oid oid;
    v_old text;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.current_role_in(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only atlas_admin or an owner of the tenant may grant roles'
            USING ERRCODE = '42501';
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('owner', 'manager', 'operator', 'readonly') THEN
        RAISE EXCEPTION 'role must be owner, manager, operator or readonly' USING ERRCODE = '22023';
    END IF;
    SELECT r.oid INTO v_oid FROM pg_catalog.pg_roles r
     WHERE r.rolname = p_login AND r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolbypassrls
       AND pg_catalog.pg_has_role(r.oid, 'atlas_client', 'MEMBER');
    IF p_login IS NULL OR v_oid IS NULL THEN
        RAISE EXCEPTION 'no such login with atlas_client (superusers and BYPASSRLS logins cannot be members)'
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM atlas.tenants WHERE tenant_id = p_tenant) THEN
        RAISE EXCEPTION 'no such tenant' USING ERRCODE = '22023';
    END IF;
    PERFORM atlas.purge_dropped_logins();
    -- One membership change per tenant at a time, and the owners as they are now: two owners
    -- demoting each other must not both win, whatever their snapshots (the rows are locked, so a
    -- REPEATABLE READ caller whose snapshot is stale fails with 40001).
    PERFORM 1 FROM atlas.tenants WHERE tenant_id = p_tenant FOR NO KEY UPDATE; -- not KEY SHARE: rows referring to the tenant stay insertable
    PERFORM 1 FROM atlas.tenant_members WHERE tenant_id = p_tenant AND role = 'owner' FOR UPDATE;
    SELECT m.role INTO v_old FROM atlas.tenant_members m WHERE m.tenant_id = p_tenant AND m.login = p_login;
    IF v_old = 'owner' AND p_role <> 'owner' AND NOT EXISTS (
           SELECT 1 FROM atlas.tenant_members m
            WHERE m.tenant_id = p_tenant AND m.role = 'owner' AND m.login <> p_login) THEN
        RAISE EXCEPTION 'a tenant keeps at least one owner: make another owner first' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.tenant_members (tenant_id, login, login_oid, role) VALUES (p_tenant, p_login, v_oid, p_role)
    ON CONFLICT (tenant_id, login) DO UPDATE
       SET role = EXCLUDED.role, login_oid = EXCLUDED.login_oid, granted_at = now();
END
$$;

-- Not part of the fixed contract: removes a membership (same rule as grant_role).
CREATE OR REPLACE FUNCTION atlas.revoke_role(p_tenant uuid, p_login text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '10s'
AS $$
DECLARE
    v_count integer;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.current_role_in(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only atlas_admin or an owner of the tenant may revoke roles'
            USING ERRCODE = '42501';
    END IF;
    PERFORM atlas.purge_dropped_logins();
    -- One membership change per tenant at a time, and the owners as they are now: two owners
    -- demoting each other must not both win, whatever their snapshots (the rows are locked, so a
    -- REPEATABLE READ caller whose snapshot is stale fails with 40001).
    PERFORM 1 FROM atlas.tenants WHERE tenant_id = p_tenant FOR NO KEY UPDATE; -- not KEY SHARE: rows referring to the tenant stay insertable
    PERFORM 1 FROM atlas.tenant_members WHERE tenant_id = p_tenant AND role = 'owner' FOR UPDATE;
    IF EXISTS (SELECT 1 FROM atlas.tenant_members m
                WHERE m.tenant_id = p_tenant AND m.login = p_login AND m.role = 'owner')
       AND NOT EXISTS (SELECT 1 FROM atlas.tenant_members m
                        WHERE m.tenant_id = p_tenant AND m.role = 'owner' AND m.login <> p_login) THEN
        RAISE EXCEPTION 'a tenant keeps at least one owner: make another owner first' USING ERRCODE = '22023';
    END IF;
    DELETE FROM atlas.tenant_members WHERE tenant_id = p_tenant AND login = p_login;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count > 0;
END
$$;

CREATE OR REPLACE VIEW atlas.my_tenants WITH (security_invoker = true) AS
SELECT s.tenant_id, s.tenant_name, s.role FROM atlas.session_tenants() s;

------------------------------------------------------------------------------------------
-- Row-level policies
------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS tenants_member ON atlas.tenants;
CREATE POLICY tenants_member ON atlas.tenants
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]) OR (SELECT atlas.session_is_admin()))
    WITH CHECK ((SELECT atlas.session_is_admin()));

-- A person sees their own memberships; owners see their tenant's; admins see all.
DROP POLICY IF EXISTS members_read ON atlas.tenant_members;
CREATE POLICY members_read ON atlas.tenant_members FOR SELECT
    USING (login_oid = (SELECT atlas.session_login_oid())
           OR atlas.session_role(tenant_id) = 'owner'
           OR (SELECT atlas.session_is_admin()));

DROP POLICY IF EXISTS members_insert ON atlas.tenant_members;
CREATE POLICY members_insert ON atlas.tenant_members FOR INSERT
    WITH CHECK (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()));

DROP POLICY IF EXISTS members_update ON atlas.tenant_members;
CREATE POLICY members_update ON atlas.tenant_members FOR UPDATE
    USING (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()))
    WITH CHECK (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()));

DROP POLICY IF EXISTS members_delete ON atlas.tenant_members;
CREATE POLICY members_delete ON atlas.tenant_members FOR DELETE
    USING (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()));

DROP POLICY IF EXISTS settings_read ON atlas.settings;
CREATE POLICY settings_read ON atlas.settings FOR SELECT USING (true);

DROP POLICY IF EXISTS settings_admin ON atlas.settings;
CREATE POLICY settings_admin ON atlas.settings FOR UPDATE
    USING ((SELECT atlas.session_is_admin())) WITH CHECK ((SELECT atlas.session_is_admin()));

RESET ROLE;
