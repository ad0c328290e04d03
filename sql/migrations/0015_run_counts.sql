-- Roll-ups of runs for the hub's counts: exact bucket and reason counts at millions of runs without
-- counting them. One row per change of a (tenant, UTC day of created_at, resource, action, bucket,
-- reason) key: the triggers of sql/definitions/75_run_counts.sql append +n/-n rows in the
-- transaction of the run change, so finishers never wait for one another on a counter row; the
-- compaction (atlas.compact_run_counts, run by reap_stale_runs) folds appended rows into one
-- `compacted` row per key. A count is the sum of a key's rows.
--   bucket 'failed': reason is the run's reason_code ('' for none); other buckets: reason ''.
--   bucket '': rows that count failed items (failed_items) by the item's reason_code; runs 0.
-- No foreign key to tenants: every finisher's delta would lock the tenant row (KEY SHARE); a
-- tenant's rows go with it by trigger.
SET ROLE atlas_owner;

CREATE TABLE atlas.run_counts (
    tenant_id     uuid NOT NULL,
    day           date NOT NULL,
    resource      text NOT NULL,
    action        text NOT NULL,
    bucket        text NOT NULL,
    reason        text NOT NULL,
    runs          bigint NOT NULL DEFAULT 0,
    failed_items  bigint NOT NULL DEFAULT 0,
    compacted     boolean NOT NULL DEFAULT false
);
CREATE INDEX run_counts_key_idx ON atlas.run_counts (tenant_id, day, resource, action, bucket, reason)
    INCLUDE (runs, failed_items);
-- What the compaction has not folded yet.
CREATE INDEX run_counts_fresh_idx ON atlas.run_counts (tenant_id, day, resource, action, bucket, reason)
    WHERE NOT compacted;

ALTER TABLE atlas.run_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.run_counts FORCE ROW LEVEL SECURITY;

RESET ROLE;

-- The runs already there (as the superuser: row-level security would hide them from atlas_owner).
INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, runs, compacted)
SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date, r.resource, r.action, r.status_bucket,
       CASE WHEN r.status_bucket = 'failed' THEN coalesce(r.reason_code, '') ELSE '' END, count(*), true
  FROM atlas.bulk_operation_runs r
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO atlas.run_counts (tenant_id, day, resource, action, bucket, reason, failed_items, compacted)
SELECT r.tenant_id, (r.created_at AT TIME ZONE 'UTC')::date, r.resource, r.action, '', coalesce(i.reason_code, ''),
       count(*), true
  FROM atlas.run_item_results i
  JOIN atlas.bulk_operation_runs r ON r.tenant_id = i.tenant_id AND r.id = i.run_id
 WHERE i.outcome = 'failed'
 GROUP BY 1, 2, 3, 4, 5, 6;

SELECT atlas.hide_statistics();

INSERT INTO atlas.schema_migrations (version) VALUES ('0015_run_counts') ON CONFLICT DO NOTHING;
