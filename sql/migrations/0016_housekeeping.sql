-- Housekeeping inside the server when it has pg_cron (atlas-ops migrate --schedule): reaping of
-- runs whose worker died and retention, on a schedule, with no console open. The schedules and
-- the retention are settings (superusers write them; the server reads them):
--   * reap_schedule: when reap_stale_runs runs (cron syntax; every minute).
--   * retention_schedule: when retention runs (daily, 03:23 server time).
--   * retention_keep: how long finished runs are kept in every tenant ('' = for ever, the
--     default); retention_keep:<tenant uuid> for one tenant (an age, or '' for ever). At least
--     an hour, as for an owner's prune.
-- The function is a definition (sql/definitions/85_housekeeping.sql).

INSERT INTO atlas.settings (key, value) VALUES
    ('reap_schedule', '* * * * *'),
    ('retention_schedule', '23 3 * * *'),
    ('retention_keep', '')
ON CONFLICT (key) DO NOTHING;

SET ROLE atlas_owner;
INSERT INTO atlas.schema_migrations (version) VALUES ('0016_housekeeping') ON CONFLICT DO NOTHING;
RESET ROLE;
