-- What the Operations hub asks, answered from indexes at millions of runs:
-- newest first per tenant, per bucket, and search by item id. The view atlas.operation_runs (a
-- definition) reads the stored bucket.
SET ROLE atlas_owner;

ALTER TABLE atlas.bulk_operation_runs
    ADD COLUMN status_bucket text GENERATED ALWAYS AS (atlas.status_bucket(status)) STORED;

CREATE INDEX bulk_operation_runs_bucket_idx
    ON atlas.bulk_operation_runs (tenant_id, status_bucket, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_operation_idx
    ON atlas.bulk_operation_runs (tenant_id, resource, action, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_operation_bucket_idx
    ON atlas.bulk_operation_runs (tenant_id, resource, action, status_bucket, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_items_idx
    ON atlas.bulk_operation_runs USING gin (item_ids jsonb_ops);
DROP INDEX atlas.bulk_operation_runs_status_idx;

INSERT INTO atlas.schema_migrations (version) VALUES ('0005_hub_indexes') ON CONFLICT DO NOTHING;
RESET ROLE;
