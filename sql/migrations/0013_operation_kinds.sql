-- The kinds of run, one row each, filled by each producer's migration: what the notifications
-- and the console call them (the console's own list is models/runs/Producers.cpp). Not tenant
-- data: every login may read it. atlas.operation_label (a definition) reads it.
SET ROLE atlas_owner;

CREATE TABLE atlas.operation_kinds (
    resource  text NOT NULL CHECK (resource ~ '^[a-z][a-z0-9_]{0,39}$'),
    action    text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]{0,39}$'),
    label     text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    PRIMARY KEY (resource, action)
);
INSERT INTO atlas.operation_kinds VALUES
    ('inventory', 'import', 'Inventory import'),
    ('drift', 'generate', 'Drift generation'),
    ('backup_set', 'add_policies', 'Backup set: add policies'),
    -- Writes a backup set as an IntuneManagement export folder (a run of the console's worker).
    ('backup_set', 'export', 'Backup set: export'),
    -- Retention as a run: an owner's prune of finished runs, batch by batch.
    ('runs', 'prune', 'Retention: prune runs');

INSERT INTO atlas.schema_migrations (version) VALUES ('0013_operation_kinds') ON CONFLICT DO NOTHING;
RESET ROLE;
