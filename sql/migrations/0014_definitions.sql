-- Functions, views, row-level policies, triggers and grants are no longer migrations: each has
-- one current definition in sql/definitions/ (idempotent files, applied in lexical order after
-- every migration, again whenever a file changes). Migrations keep what is versioned: roles,
-- tables, columns, indexes, constraints and data.
--   * schema_migrations.checksum: the SHA-256 of the migration file as applied. A migration is
--     never edited once applied; atlas-ops migrate refuses a file whose checksum differs. Rows
--     without one (applied before checksums were kept, or with psql -f) get the file's checksum
--     the first time atlas-ops migrate sees them.
--   * schema_definitions: each definition file as last applied by atlas-ops migrate, and its
--     checksum; a file whose checksum differs (or that has no row) is applied again.
SET ROLE atlas_owner;

ALTER TABLE atlas.schema_migrations ADD COLUMN checksum text;

CREATE TABLE atlas.schema_definitions (
    name        text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO atlas.schema_migrations (version) VALUES ('0014_definitions') ON CONFLICT DO NOTHING;
RESET ROLE;
