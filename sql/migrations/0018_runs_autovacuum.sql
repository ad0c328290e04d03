-- Retention deletes runs a batch at a time, and a daily schedule deletes a day's worth (about
-- 27,000 runs a day at ten million a year). At PostgreSQL's default scale factor (20 %) autovacuum
-- of the runs table would wait for two million dead rows there, about ten weeks of retention, and
-- the space of the deleted runs would not be reused meanwhile. At 1 % it vacuums after 100,000
-- (measured: VACUUM of the runs table after a day's retention 0.5 s, after a month's 4.4 s;
-- BENCHMARKS.md). The item results go with their runs and get the same.
SET ROLE atlas_owner;

ALTER TABLE atlas.bulk_operation_runs SET (autovacuum_vacuum_scale_factor = 0.01);
ALTER TABLE atlas.run_item_results SET (autovacuum_vacuum_scale_factor = 0.01);

INSERT INTO atlas.schema_migrations (version) VALUES ('0018_runs_autovacuum') ON CONFLICT DO NOTHING;
RESET ROLE;
