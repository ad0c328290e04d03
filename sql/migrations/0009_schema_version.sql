-- The schema's version, for consoles to compare with what they know: a console refuses to
-- write to a database whose migrations are newer than its own (and to open one older than it
-- needs). The list of migrations stays unreadable to clients; only the latest name is told, by
-- atlas.schema_version() (a definition).
INSERT INTO atlas.schema_migrations (version) VALUES ('0009_schema_version') ON CONFLICT DO NOTHING;
