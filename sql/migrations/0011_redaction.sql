-- Wider redaction (atlas.redact, a definition): authorization values in other
-- cases or without a scheme, JWTs whose JSON header has white space, encrypted PEM blocks, URL
-- passwords holding "/" or "@", connection-string passwords, cloud keys, API-key headers, GitHub
-- and Slack tokens and URL-encoded pairs. Nothing of the schema changes.
INSERT INTO atlas.schema_migrations (version) VALUES ('0011_redaction') ON CONFLICT DO NOTHING;
