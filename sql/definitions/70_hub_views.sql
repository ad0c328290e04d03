-- What the Operations hub and the notification feed read: security_invoker views over the run
-- tables (row-level security of the caller applies).
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).

SET ROLE atlas_owner;

-- Runs with their bucket (stored: migration 0005) and failures, newest first from the indexes.
CREATE OR REPLACE VIEW atlas.operation_runs WITH (security_invoker = true) AS
SELECT r.id, r.tenant_id, r.initiator, r.resource, r.action, r.status,
       r.status_bucket,
       r.total_items, r.processed_items, r.succeeded_items, r.failed_items, r.skipped_items,
       r.item_ids,
       CASE WHEN r.reason_code IS NULL THEN '[]'::jsonb
            ELSE jsonb_build_array(jsonb_build_object('item_id', NULL, 'reason_code', r.reason_code,
                                                      'message', r.message)) END
       || coalesce((SELECT jsonb_agg(jsonb_build_object('item_id', f.item_id,
                                                         'reason_code', f.reason_code,
                                                         'message', f.message) ORDER BY f.item_id)
                      FROM atlas.run_item_results f
                     WHERE f.tenant_id = r.tenant_id AND f.run_id = r.id AND f.outcome = 'failed'),
                   '[]'::jsonb) AS failures,
       r.idempotency_key, r.created_at, r.started_at, r.finished_at, r.heartbeat_at, r.summary,
       r.scope, r.reason_code, r.message
  FROM atlas.bulk_operation_runs r;

CREATE OR REPLACE VIEW atlas.my_notifications WITH (security_invoker = true) AS
SELECT n.id, n.tenant_id, n.run_id, n.event, n.title, n.body, n.created_at, n.read_at
  FROM atlas.notifications n
 WHERE n.recipient = session_user;

RESET ROLE;
