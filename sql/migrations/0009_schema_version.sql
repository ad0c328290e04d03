-- The schema's version, for consoles to compare with what they know: a console refuses to
-- write to a database whose migrations are newer than its own (and to open one older than it
-- needs). The list of migrations stays unreadable to clients; only the latest name is told.
SET ROLE atlas_owner;

CREATE FUNCTION atlas.schema_version() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT max(version) FROM atlas.schema_migrations $$;

REVOKE ALL ON FUNCTION atlas.schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.schema_version() TO atlas_client;

INSERT INTO atlas.schema_migrations (version) VALUES ('0009_schema_version') ON CONFLICT DO NOTHING;
RESET ROLE;
