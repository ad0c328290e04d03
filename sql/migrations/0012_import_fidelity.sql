-- Imports that cannot wipe the inventory, removals a bad file cannot hide, findings that keep
-- what their run saw.
--   * Retiring is decided here, not by the caller: an import that observed no policy retires
--     nothing (export_folder_empty); one that would retire more than retire_guard_percent of the
--     tenant's current policies retires nothing (retire_guard) unless its scope says
--     "allow_retire": true; an unreadable or duplicate file spares only the policy last observed
--     from that same file.
--   * Drift findings keep the inventory payload the run compared (deduplicated by content hash)
--     and a note when the latest import could not read some files of the policy's type.
-- The functions are definitions (sql/definitions/); here are the setting, the tables and columns
-- they need.

INSERT INTO atlas.settings (key, value) VALUES ('retire_guard_percent', '50') ON CONFLICT (key) DO NOTHING;
SET ROLE atlas_owner;

-- Retiring is no longer the caller's word: the signature with the spared types (of 0004) goes.
DROP FUNCTION IF EXISTS atlas.retire_unobserved(bigint, uuid, text[]);

-- A run's progress writes (counts, heartbeat) must not touch its indexes: every other update
-- of the row re-indexed all its item ids in the GIN index (100,000 entries per batch of a
-- 100,000-item run). Without heartbeat_at in an index, and with room on the page, they are HOT
-- updates. Reaping reads the few active runs of a tenant and checks their heartbeats.
DROP INDEX atlas.bulk_operation_runs_active_idx;
CREATE INDEX bulk_operation_runs_active_idx ON atlas.bulk_operation_runs (tenant_id, status)
    WHERE status IN ('pending', 'running');
ALTER TABLE atlas.bulk_operation_runs SET (fillfactor = 70);

-- What the inventory held when a drift run compared it: one copy per content hash and tenant.
CREATE TABLE atlas.payload_snapshots (
    tenant_id     uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    content_hash  text NOT NULL,
    payload       jsonb COMPRESSION lz4 NOT NULL,
    PRIMARY KEY (tenant_id, content_hash)
);
ALTER TABLE atlas.payload_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.payload_snapshots FORCE ROW LEVEL SECURITY;

ALTER TABLE atlas.drift_results ADD COLUMN observed_hash text;
ALTER TABLE atlas.drift_results ADD COLUMN note jsonb;

RESET ROLE;
SELECT atlas.hide_statistics();
INSERT INTO atlas.schema_migrations (version) VALUES ('0012_import_fidelity') ON CONFLICT DO NOTHING;
