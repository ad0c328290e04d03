-- The hub sorts by duration, failed items, initiator and operation as well as by time: each
-- keyset-paged (sort value, id) from an index, so a sorted page of a large tenant reads a page,
-- not the tenant. Every index leads with tenant_id, like all others.
SET ROLE atlas_owner;

CREATE INDEX bulk_operation_runs_duration_idx
    ON atlas.bulk_operation_runs (tenant_id, (coalesce(extract(epoch FROM finished_at - started_at), -1)), id);
CREATE INDEX bulk_operation_runs_failed_idx
    ON atlas.bulk_operation_runs (tenant_id, failed_items, id);
CREATE INDEX bulk_operation_runs_initiator_idx
    ON atlas.bulk_operation_runs (tenant_id, initiator, id);
CREATE INDEX bulk_operation_runs_operation_sort_idx
    ON atlas.bulk_operation_runs (tenant_id, (resource || '/' || action), id);

INSERT INTO atlas.schema_migrations (version) VALUES ('0017_hub_sorting') ON CONFLICT DO NOTHING;
RESET ROLE;
-- The expression indexes gather no statistics either (they would tell other tenants' values);
-- as the superuser, who may delete what was gathered.
SELECT atlas.hide_statistics();
