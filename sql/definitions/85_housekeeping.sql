-- Housekeeping the server does on a schedule when it has pg_cron (atlas-ops migrate --schedule):
-- reaping is atlas.reap_stale_runs() (callable by every client, so any console reaps as well
-- when the server does not); retention is this procedure, run as the superuser that scheduled
-- it (row-level security does not apply to it). Granted to nobody: 90_grants.sql leaves it to
-- its owner and superusers.
--
-- Each tenant's finished runs older than its retention_keep (atlas.settings; see migration
-- 0016) are deleted with what hangs off them, in batches, each batch its own transaction. A
-- tenant without retention ('') keeps everything; an age under an hour, or one that is not an
-- interval, is skipped with a warning in the server's log.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes. Every
-- statement may run again on a database that has it already.

SET ROLE atlas_owner;

-- No SET search_path on it: a procedure with a SET clause may not COMMIT. It names everything
-- with its schema, and pg_catalog is searched first whatever the caller's path.
CREATE OR REPLACE PROCEDURE atlas.apply_retention(p_batch integer DEFAULT 1000)
LANGUAGE plpgsql
AS $$
DECLARE
    t record;
    v_keep interval;
    v_count integer;
BEGIN
    FOR t IN
        SELECT tn.tenant_id,
               coalesce((SELECT s.value FROM atlas.settings s WHERE s.key = 'retention_keep:' || tn.tenant_id::text),
                        (SELECT s.value FROM atlas.settings s WHERE s.key = 'retention_keep'), '') AS keep
          FROM atlas.tenants tn
         ORDER BY tn.tenant_id
    LOOP
        CONTINUE WHEN pg_catalog.btrim(t.keep) = '';
        -- The cutoff it gives is checked, not the interval: one of mixed signs ('-1 mon 30 days
        -- 2 hours') compares above an hour yet lands in the future.
        BEGIN
            v_keep := t.keep::interval;
            IF NOT pg_catalog.isfinite(pg_catalog.now() - v_keep)
               OR pg_catalog.now() - v_keep > pg_catalog.now() - interval '1 hour' THEN
                v_keep := NULL;
            END IF;
        EXCEPTION WHEN others THEN
            v_keep := NULL;
        END;
        IF v_keep IS NULL THEN
            RAISE WARNING 'retention of tenant %: "%" is not an age of at least an hour, nothing deleted', t.tenant_id, t.keep;
            CONTINUE;
        END IF;
        LOOP
            v_count := atlas.delete_finished_runs(t.tenant_id, pg_catalog.now() - v_keep, p_batch);
            COMMIT; -- short transactions, batch by batch
            EXIT WHEN v_count < p_batch;
        END LOOP;
    END LOOP;
END
$$;

RESET ROLE;
