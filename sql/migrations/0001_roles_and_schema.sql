-- Cluster-wide roles (idempotent) and the atlas schema.
-- atlas_owner owns every object; atlas_client is granted to every person's login;
-- atlas_admin provisions tenants and memberships.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atlas_owner') THEN
        CREATE ROLE atlas_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atlas_client') THEN
        CREATE ROLE atlas_client NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atlas_admin') THEN
        CREATE ROLE atlas_admin NOLOGIN;
    END IF;
END
$$;

-- The owner must never be able to skip row-level security, whatever was done to it before.
ALTER ROLE atlas_owner NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
ALTER ROLE atlas_client NOLOGIN NOSUPERUSER NOBYPASSRLS;
ALTER ROLE atlas_admin NOLOGIN NOSUPERUSER NOBYPASSRLS;

-- Who may use the schema (and public) is a grant, with the others in sql/definitions/.
CREATE SCHEMA IF NOT EXISTS atlas AUTHORIZATION atlas_owner;

-- Functions created from here on are not executable by PUBLIC unless granted.
ALTER DEFAULT PRIVILEGES FOR ROLE atlas_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

CREATE TABLE IF NOT EXISTS atlas.schema_migrations (
    version     text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE atlas.schema_migrations OWNER TO atlas_owner;
INSERT INTO atlas.schema_migrations (version) VALUES ('0001_roles_and_schema') ON CONFLICT DO NOTHING;
