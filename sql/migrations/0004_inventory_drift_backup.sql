-- Inventory (policies as last observed), baselines, drift findings and backup sets. Their
-- functions and policies are definitions (sql/definitions/).
SET ROLE atlas_owner;

CREATE TABLE atlas.inventory_items (
    tenant_id          uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    policy_type        text NOT NULL CHECK (length(policy_type) BETWEEN 1 AND 100),
    external_id        text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    display_name       text NOT NULL DEFAULT '',
    payload            jsonb COMPRESSION lz4 NOT NULL,
    content_hash       text NOT NULL,
    first_observed_at  timestamptz NOT NULL DEFAULT now(),
    last_observed_at   timestamptz NOT NULL DEFAULT now(),
    is_current         boolean NOT NULL DEFAULT true,
    last_run_id        bigint,
    PRIMARY KEY (tenant_id, policy_type, external_id)
);
CREATE INDEX inventory_items_external_idx ON atlas.inventory_items (tenant_id, external_id);

CREATE TABLE atlas.baselines (
    tenant_id    uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    baseline_id  bigint GENERATED ALWAYS AS IDENTITY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    item_count   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, baseline_id)
);
CREATE UNIQUE INDEX baselines_id_key ON atlas.baselines (baseline_id);

CREATE TABLE atlas.baseline_items (
    tenant_id     uuid NOT NULL,
    baseline_id   bigint NOT NULL,
    policy_type   text NOT NULL,
    external_id   text NOT NULL,
    display_name  text NOT NULL DEFAULT '',
    payload       jsonb COMPRESSION lz4 NOT NULL,
    content_hash  text NOT NULL,
    PRIMARY KEY (tenant_id, baseline_id, policy_type, external_id),
    FOREIGN KEY (tenant_id, baseline_id) REFERENCES atlas.baselines ON DELETE CASCADE
);

CREATE INDEX baseline_items_external_idx ON atlas.baseline_items (tenant_id, baseline_id, external_id);

CREATE TABLE atlas.drift_results (
    tenant_id      uuid NOT NULL,
    run_id         bigint NOT NULL,
    policy_type    text NOT NULL,
    external_id    text NOT NULL,
    display_name   text NOT NULL DEFAULT '',
    change         text NOT NULL CHECK (change IN ('added', 'removed', 'modified')),
    changed_paths  jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, run_id, policy_type, external_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES atlas.bulk_operation_runs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE atlas.backup_sets (
    tenant_id      uuid NOT NULL REFERENCES atlas.tenants ON DELETE CASCADE,
    backup_set_id  bigint GENERATED ALWAYS AS IDENTITY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, backup_set_id)
);
CREATE UNIQUE INDEX backup_sets_id_key ON atlas.backup_sets (backup_set_id);

CREATE TABLE atlas.backup_set_items (
    tenant_id      uuid NOT NULL,
    backup_set_id  bigint NOT NULL,
    policy_type    text NOT NULL,
    external_id    text NOT NULL,
    display_name   text NOT NULL DEFAULT '',
    payload        jsonb COMPRESSION lz4 NOT NULL,
    content_hash   text NOT NULL,
    added_by_run   bigint,
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, backup_set_id, policy_type, external_id),
    FOREIGN KEY (tenant_id, backup_set_id) REFERENCES atlas.backup_sets ON DELETE CASCADE
);

-- Tenant-scoped like every tenant table (the policies are in sql/definitions/).
ALTER TABLE atlas.inventory_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.inventory_items FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.baselines ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.baselines FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.baseline_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.baseline_items FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.drift_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.drift_results FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.backup_sets ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.backup_sets FORCE ROW LEVEL SECURITY;
ALTER TABLE atlas.backup_set_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas.backup_set_items FORCE ROW LEVEL SECURITY;

INSERT INTO atlas.schema_migrations (version) VALUES ('0004_inventory_drift_backup') ON CONFLICT DO NOTHING;
RESET ROLE;
