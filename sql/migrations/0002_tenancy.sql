-- Tenants, memberships and settings. Who may read them (row-level policies) and the functions
-- every policy asks ("which role does the connected person, session_user, hold in this
-- tenant?") are definitions (sql/definitions/).
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

SET ROLE atlas_owner;

ALTER TABLE atlas.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.tenant_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.tenant_members FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.settings FORCE ROW LEVEL SECURITY;

INSERT INTO atlas.schema_migrations (version) VALUES ('0002_tenancy') ON CONFLICT DO NOTHING;
RESET ROLE;
