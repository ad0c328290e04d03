-- The canonical run record, its per-item results, leases and notifications. The run API, the
-- lifecycle trigger, row-level policies and views are definitions (sql/definitions/); here are
-- only the two rules that a stored column and checks are made of.
SET ROLE atlas_owner;

------------------------------------------------------------------------------------------
-- Rules a table is built on (the generated column of 0005, the checks below).
------------------------------------------------------------------------------------------

-- Storage status -> UI bucket. Every screen, export and CLI reads this mapping.
CREATE FUNCTION atlas.status_bucket(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_status
        WHEN 'pending' THEN 'queued'
        WHEN 'running' THEN 'running'
        WHEN 'completed' THEN 'succeeded'
        WHEN 'completed_with_errors' THEN 'partially_succeeded'
        WHEN 'failed' THEN 'failed'
        WHEN 'aborted' THEN 'failed'
    END
$$;

CREATE FUNCTION atlas.is_reason_code(p_code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT p_code ~ '^[a-z][a-z0-9_]{0,63}$' $$;

------------------------------------------------------------------------------------------
-- Tables.
------------------------------------------------------------------------------------------

CREATE TABLE atlas.bulk_operation_runs (
    tenant_id        uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    initiator        text NOT NULL,
    resource         text NOT NULL CHECK (resource ~ '^[a-z][a-z0-9_]{0,39}$'),
    action           text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]{0,39}$'),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'running', 'completed', 'completed_with_errors',
                                       'failed', 'aborted')),
    total_items      integer NOT NULL DEFAULT 0,
    processed_items  integer NOT NULL DEFAULT 0,
    succeeded_items  integer NOT NULL DEFAULT 0,
    failed_items     integer NOT NULL DEFAULT 0,
    skipped_items    integer NOT NULL DEFAULT 0,
    item_ids         jsonb NOT NULL DEFAULT '[]',
    -- The same ids as object keys: membership checks in O(log n) while recording results.
    item_set         jsonb NOT NULL DEFAULT '{}',
    scope            jsonb NOT NULL DEFAULT '{}',
    idempotency_key  text NOT NULL,
    reason_code      text CHECK (reason_code IS NULL OR atlas.is_reason_code(reason_code)),
    message          text,
    summary          jsonb NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at       timestamptz,
    finished_at      timestamptz,
    heartbeat_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (processed_items = succeeded_items + failed_items + skipped_items)
);
CREATE UNIQUE INDEX bulk_operation_runs_id_key ON atlas.bulk_operation_runs (id);
-- At most one active run per identical request: the database settles start races.
CREATE UNIQUE INDEX bulk_operation_runs_active_key ON atlas.bulk_operation_runs (tenant_id, idempotency_key)
    WHERE status IN ('pending', 'running');
CREATE INDEX bulk_operation_runs_recent_idx ON atlas.bulk_operation_runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_status_idx ON atlas.bulk_operation_runs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX bulk_operation_runs_active_idx ON atlas.bulk_operation_runs (tenant_id, status, heartbeat_at)
    WHERE status IN ('pending', 'running');

CREATE TABLE atlas.run_item_results (
    tenant_id    uuid NOT NULL,
    run_id       bigint NOT NULL,
    item_id      text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'skipped')),
    reason_code  text CHECK (reason_code IS NULL OR atlas.is_reason_code(reason_code)),
    message      text,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id, item_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX run_item_results_failed_idx ON atlas.run_item_results (tenant_id, run_id, item_id)
    WHERE outcome = 'failed';

-- Lease tokens are secrets: no client may read this table.
CREATE TABLE atlas.run_leases (
    tenant_id   uuid NOT NULL,
    run_id      bigint NOT NULL,
    lease       uuid NOT NULL,
    holder      text NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE atlas.notifications (
    tenant_id   uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    recipient   text NOT NULL,
    run_id      bigint NOT NULL,
    event       text NOT NULL CHECK (event IN ('queued', 'completed')),
    title       text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_recipient_idx ON atlas.notifications (tenant_id, recipient, created_at DESC);

------------------------------------------------------------------------------------------
-- Row-level security: a person reaches rows of the tenants they belong to, nothing else
-- (the policies are definitions).
------------------------------------------------------------------------------------------
ALTER TABLE atlas.bulk_operation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.bulk_operation_runs FORCE ROW LEVEL SECURITY;

ALTER TABLE atlas.run_item_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.run_item_results FORCE ROW LEVEL SECURITY;

ALTER TABLE atlas.run_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.run_leases FORCE ROW LEVEL SECURITY;

ALTER TABLE atlas.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.notifications FORCE ROW LEVEL SECURITY;

-- What the lease-holder functions need of a run: never the (large) item lists.
CREATE TYPE atlas.run_ref AS (
    tenant_id        uuid,
    id               bigint,
    resource         text,
    action           text,
    scope            jsonb,
    succeeded_items  integer,
    failed_items     integer
);

INSERT INTO atlas.schema_migrations (version) VALUES ('0003_runs') ON CONFLICT DO NOTHING;
RESET ROLE;
