-- Stopping a run on purpose: the lease holder ends it `aborted` with a reason code (the console
-- does this when its user stops runs on exit: `cancelled`; a worker that lost its database
-- connection and got it back: `db_connection_lost`). Items already recorded stay recorded
-- (atlas.abort_run, a definition).
-- Also: the notification feed reads "my notifications newer than id N" on every live change.
SET ROLE atlas_owner;

CREATE INDEX notifications_recipient_id_idx ON atlas.notifications (recipient, id);

INSERT INTO atlas.schema_migrations (version) VALUES ('0007_abort_run') ON CONFLICT DO NOTHING;
RESET ROLE;
