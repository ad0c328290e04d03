-- Stopping a run on purpose: the lease holder ends it `aborted` with a reason code (the console
-- does this when its user stops runs on exit: `cancelled`; a worker that lost its database
-- connection and got it back: `db_connection_lost`). Items already recorded stay recorded.
-- Also: the notification feed reads "my notifications newer than id N" on every live change.
SET ROLE atlas_owner;

CREATE FUNCTION atlas.abort_run(p_run bigint, p_lease uuid, p_reason_code text, p_message text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run atlas.run_ref := atlas.leased_run(p_run, p_lease);
BEGIN
    IF v_run.id IS NULL THEN
        RAISE EXCEPTION 'lease on run % is lost', p_run USING ERRCODE = '55000';
    END IF;
    IF p_reason_code IS NULL OR NOT atlas.is_reason_code(p_reason_code) THEN
        RAISE EXCEPTION 'an aborted run needs a lower_snake_case reason code' USING ERRCODE = '22023';
    END IF;
    UPDATE atlas.bulk_operation_runs
       SET status = 'aborted', finished_at = now(), heartbeat_at = now(),
           reason_code = p_reason_code, message = atlas.sanitize_message(p_message)
     WHERE tenant_id = v_run.tenant_id AND id = p_run;
    DELETE FROM atlas.run_leases WHERE tenant_id = v_run.tenant_id AND run_id = p_run;
    RETURN 'aborted';
END
$$;

REVOKE ALL ON FUNCTION atlas.abort_run(bigint, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas.abort_run(bigint, uuid, text, text) TO atlas_client;

CREATE INDEX notifications_recipient_id_idx ON atlas.notifications (recipient, id);

INSERT INTO atlas.schema_migrations (version) VALUES ('0007_abort_run') ON CONFLICT DO NOTHING;
RESET ROLE;
