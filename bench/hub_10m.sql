-- bench_hub 10m: @TOTAL@ runs, @BIG@ of them in the tenant @BIG_TENANT@, the rest across the
-- other tenants (the bench creates them), spread over the year before now, every status; failed
-- items (one per failed or partly succeeded run of the big tenant) with reason codes. Written
-- set-based as the superuser with triggers and foreign-key checks off and the secondary indexes
-- built afterwards; the roll-ups are then counted afresh by atlas.rebuild_run_counts().
SET session_replication_role = replica;
SET maintenance_work_mem = '1GB';

CREATE TEMP TABLE bench_indexes AS
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
  FROM pg_index
 WHERE indrelid = 'atlas.bulk_operation_runs'::regclass AND NOT indisprimary
   AND indexrelid <> 'atlas.bulk_operation_runs_id_key'::regclass;
DO $$
DECLARE i record;
BEGIN
    FOR i IN SELECT name FROM bench_indexes LOOP
        EXECUTE 'DROP INDEX ' || i.name;
    END LOOP;
END
$$;

CREATE TEMP TABLE bench_tenants AS
SELECT t.tenant_id, CASE WHEN t.tenant_id = '@BIG_TENANT@' THEN @BIG@
                         ELSE (@TOTAL@ - @BIG@) / (count(*) OVER () - 1) END AS runs
  FROM atlas.tenants t;

-- g: the run's number in its tenant; h: a hash of it for the spread of kinds and statuses.
INSERT INTO atlas.bulk_operation_runs (tenant_id, initiator, resource, action, status, total_items, processed_items,
        succeeded_items, failed_items, item_ids, idempotency_key, reason_code, created_at, started_at, finished_at)
SELECT t.tenant_id, 'operator_a', k.resource, k.action, s.status, 10,
       CASE WHEN s.status IN ('pending', 'running') THEN 0 ELSE 10 END,
       CASE s.status WHEN 'completed' THEN 10 WHEN 'completed_with_errors' THEN 9 WHEN 'pending' THEN 0
                     WHEN 'running' THEN 0 ELSE 9 END,
       CASE WHEN s.status IN ('completed_with_errors', 'failed', 'aborted') THEN 1 ELSE 0 END,
       jsonb_build_array('policy-' || g), 'k' || g,
       CASE WHEN s.status IN ('failed', 'aborted')
            THEN (ARRAY['timeout', 'cancelled', 'worker_lost', 'graph_throttled', 'db_connection_lost'])[1 + h % 5] END,
       c.created_at, c.created_at + interval '1 second',
       CASE WHEN s.status NOT IN ('pending', 'running')
            THEN c.created_at + interval '1 second' + (h % 600) * interval '1 second' END
  FROM bench_tenants t
 CROSS JOIN LATERAL generate_series(1, t.runs) g
 CROSS JOIN LATERAL (SELECT abs(hashint8(g)) AS h) hh
 CROSS JOIN LATERAL (SELECT (ARRAY['drift', 'backup_set', 'inventory', 'backup_set', 'runs'])[1 + h % 5] AS resource,
                            (ARRAY['generate', 'add_policies', 'import', 'export', 'prune'])[1 + h % 5] AS action) k
 -- Newest first by g, over 365 days; the newest 20 of each tenant still active.
 CROSS JOIN LATERAL (SELECT now() - (g::float8 / t.runs) * interval '365 days' AS created_at) c
 CROSS JOIN LATERAL (SELECT CASE WHEN g <= 10 THEN 'pending' WHEN g <= 20 THEN 'running'
                                 ELSE (ARRAY['completed', 'completed', 'completed', 'completed', 'completed',
                                             'completed_with_errors', 'failed', 'aborted'])[1 + (h / 7) % 8] END AS status) s;

INSERT INTO atlas.run_item_results (tenant_id, run_id, item_id, outcome, reason_code)
SELECT r.tenant_id, r.id, r.item_ids ->> 0, 'failed',
       (ARRAY['policy_not_found', 'graph_throttled', 'payload_invalid'])[1 + r.id % 3]
  FROM atlas.bulk_operation_runs r
 WHERE r.tenant_id = '@BIG_TENANT@' AND r.failed_items > 0;

DO $$
DECLARE i record;
BEGIN
    FOR i IN SELECT def FROM bench_indexes LOOP
        EXECUTE i.def;
    END LOOP;
END
$$;
SET session_replication_role = origin;
SELECT atlas.rebuild_run_counts();
