-- Tenants, memberships and the two functions every row-level policy asks:
-- "which role does the connected person (session_user) hold in this tenant?"
SET ROLE atlas_owner;

CREATE TABLE atlas.tenants (
    tenant_id   uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE atlas.tenant_members (
    tenant_id   uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    login       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('owner', 'manager', 'operator', 'readonly')),
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, login)
);
CREATE INDEX tenant_members_login_idx ON atlas.tenant_members (login, tenant_id);

-- Settings that only the database itself reads (not tenant data, no client access).
CREATE TABLE atlas.settings (
    key    text PRIMARY KEY,
    value  text NOT NULL
);
INSERT INTO atlas.settings VALUES ('reap_timeout', '2 minutes');

RESET ROLE;

-- atlas_auth owns only the membership look-ups. It bypasses row-level security so that the
-- policies on tenant_members can themselves ask about membership without recursing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atlas_auth') THEN
        CREATE ROLE atlas_auth NOLOGIN BYPASSRLS;
    END IF;
END
$$;
ALTER ROLE atlas_auth NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB;
GRANT USAGE ON SCHEMA atlas TO atlas_auth;
GRANT SELECT ON atlas.tenant_members TO atlas_auth;

CREATE FUNCTION atlas.session_role(p_tenant uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.role FROM atlas.tenant_members m
     WHERE m.tenant_id = p_tenant AND m.login = session_user
$$;

CREATE FUNCTION atlas.session_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(m.tenant_id), '{}') FROM atlas.tenant_members m
     WHERE m.login = session_user
$$;

CREATE FUNCTION atlas.session_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_has_role(session_user, 'atlas_admin', 'MEMBER')
$$;

GRANT CREATE ON SCHEMA atlas TO atlas_auth;
ALTER FUNCTION atlas.session_role(uuid) OWNER TO atlas_auth;
ALTER FUNCTION atlas.session_tenant_ids() OWNER TO atlas_auth;
REVOKE CREATE ON SCHEMA atlas FROM atlas_auth;
ALTER FUNCTION atlas.session_is_admin() OWNER TO atlas_owner;

REVOKE ALL ON FUNCTION atlas.session_role(uuid), atlas.session_tenant_ids(),
    atlas.session_is_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.session_role(uuid), atlas.session_tenant_ids(),
    atlas.session_is_admin() TO atlas_client, atlas_admin, atlas_owner;

SET ROLE atlas_owner;

ALTER TABLE atlas.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_member ON atlas.tenants
    USING (tenant_id = ANY ((SELECT atlas.session_tenant_ids())::uuid[]) OR (SELECT atlas.session_is_admin()))
    WITH CHECK ((SELECT atlas.session_is_admin()));

ALTER TABLE atlas.tenant_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.tenant_members FORCE ROW LEVEL SECURITY;
-- A person sees their own memberships; owners see their tenant's; admins see all.
CREATE POLICY members_read ON atlas.tenant_members FOR SELECT
    USING (login = session_user
           OR atlas.session_role(tenant_id) = 'owner'
           OR (SELECT atlas.session_is_admin()));
CREATE POLICY members_insert ON atlas.tenant_members FOR INSERT
    WITH CHECK (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()));
CREATE POLICY members_update ON atlas.tenant_members FOR UPDATE
    USING (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()))
    WITH CHECK (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()));
CREATE POLICY members_delete ON atlas.tenant_members FOR DELETE
    USING (atlas.session_role(tenant_id) = 'owner' OR (SELECT atlas.session_is_admin()));

ALTER TABLE atlas.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.settings FORCE ROW LEVEL SECURITY;
CREATE POLICY settings_read ON atlas.settings FOR SELECT USING (true);
CREATE POLICY settings_admin ON atlas.settings FOR UPDATE
    USING ((SELECT atlas.session_is_admin())) WITH CHECK ((SELECT atlas.session_is_admin()));

REVOKE ALL ON atlas.tenants, atlas.tenant_members, atlas.settings FROM PUBLIC;
GRANT SELECT ON atlas.tenants, atlas.tenant_members TO atlas_client, atlas_admin;

CREATE FUNCTION atlas.create_tenant(p_name text) RETURNS uuid
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

CREATE FUNCTION atlas.grant_role(p_tenant uuid, p_login text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.session_role(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only atlas_admin or an owner of the tenant may grant roles'
            USING ERRCODE = '42501';
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('owner', 'manager', 'operator', 'readonly') THEN
        RAISE EXCEPTION 'role must be owner, manager, operator or readonly' USING ERRCODE = '22023';
    END IF;
    IF p_login IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login AND rolcanlogin) THEN
        RAISE EXCEPTION 'no such login' USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM atlas.tenants WHERE tenant_id = p_tenant) THEN
        RAISE EXCEPTION 'no such tenant' USING ERRCODE = '22023';
    END IF;
    INSERT INTO atlas.tenant_members (tenant_id, login, role) VALUES (p_tenant, p_login, p_role)
    ON CONFLICT (tenant_id, login) DO UPDATE SET role = EXCLUDED.role, granted_at = now();
END
$$;

-- Not part of the fixed contract: removes a membership (same rule as grant_role).
CREATE FUNCTION atlas.revoke_role(p_tenant uuid, p_login text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    IF NOT (atlas.session_is_admin() OR coalesce(atlas.session_role(p_tenant), '') = 'owner') THEN
        RAISE EXCEPTION 'only atlas_admin or an owner of the tenant may revoke roles'
            USING ERRCODE = '42501';
    END IF;
    DELETE FROM atlas.tenant_members WHERE tenant_id = p_tenant AND login = p_login;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count > 0;
END
$$;

CREATE VIEW atlas.my_tenants WITH (security_invoker = true) AS
SELECT t.tenant_id, t.name AS tenant_name, m.role
  FROM atlas.tenants t
  JOIN atlas.tenant_members m ON m.tenant_id = t.tenant_id AND m.login = session_user;

REVOKE ALL ON atlas.my_tenants FROM PUBLIC;
GRANT SELECT ON atlas.my_tenants TO atlas_client, atlas_admin;
REVOKE ALL ON FUNCTION atlas.create_tenant(text), atlas.grant_role(uuid, text, text),
    atlas.revoke_role(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.create_tenant(text) TO atlas_admin;
GRANT EXECUTE ON FUNCTION atlas.grant_role(uuid, text, text), atlas.revoke_role(uuid, text)
    TO atlas_admin, atlas_client;

INSERT INTO atlas.schema_migrations (version) VALUES ('0002_tenancy') ON CONFLICT DO NOTHING;
RESET ROLE;
