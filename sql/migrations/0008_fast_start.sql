-- Starting stays within a blink for runs of 10,000 items: the items are checked and put in
-- canonical order in one pass (not again inside the key), and an identical active run is found by its key before the
-- new row (with its item set) is built. Same signature, same answers, same race handling.
-- Nothing of the schema changes: atlas.start_run is a definition (sql/definitions/).
INSERT INTO atlas.schema_migrations (version) VALUES ('0008_fast_start') ON CONFLICT DO NOTHING;
