-- Retention: owners of a tenant (or atlas_admin) delete finished runs older than an age, with
-- everything that hangs off them (item results, findings, notifications, leases: ON DELETE
-- CASCADE). At most p_batch runs per call, so a caller prunes in short transactions. Nothing of
-- the schema changes: atlas.prune_runs and its policies are definitions (sql/definitions/).
INSERT INTO atlas.schema_migrations (version) VALUES ('0006_retention') ON CONFLICT DO NOTHING;
