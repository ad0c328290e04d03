-- Pure rules, one place each: buckets and final status, redaction, the idempotency key, limits,
-- and the schema's version. No tenant data.
--
-- Applied after every migration, in lexical order with the other files of sql/definitions/, each
-- file in one transaction, as a superuser; again when it or a file before it changes, and after any
-- migration. Every statement may run again on a database that has it already (CREATE OR REPLACE,
-- DROP ... IF EXISTS first).
--
-- (The two rules tables are built on, atlas.status_bucket and atlas.is_reason_code, are defined by
-- the migration 0003_runs with those tables.)

SET ROLE atlas_owner;

-- UI bucket -> storage statuses (the inverse of status_bucket, for index-friendly filters).
CREATE OR REPLACE FUNCTION atlas.bucket_statuses(p_bucket text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_bucket
        WHEN 'queued' THEN ARRAY['pending']
        WHEN 'running' THEN ARRAY['running']
        WHEN 'succeeded' THEN ARRAY['completed']
        WHEN 'partially_succeeded' THEN ARRAY['completed_with_errors']
        WHEN 'failed' THEN ARRAY['failed', 'aborted']
    END
$$;

-- Final status from item results: >=1 success and >=1 failure -> completed_with_errors;
-- failures and no success, or the run could not proceed -> failed; otherwise completed
-- (skips are not failures, an empty run succeeds).
CREATE OR REPLACE FUNCTION atlas.derive_status(p_succeeded integer, p_failed integer, p_could_not_proceed boolean)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN coalesce(p_could_not_proceed, false) THEN 'failed'
        WHEN p_failed > 0 AND p_succeeded > 0 THEN 'completed_with_errors'
        WHEN p_failed > 0 THEN 'failed'
        ELSE 'completed'
    END
$$;

------------------------------------------------------------------------------------------
-- Redaction
------------------------------------------------------------------------------------------
-- Secrets out of any stored message: authorization values with or without a scheme, JWTs (also
-- with white space in their JSON header), PEM blocks (encrypted ones too), URL credentials,
-- connection-string passwords, cloud keys, API-key headers, GitHub and Slack tokens, password=-style
-- and URL-encoded pairs. The same table of patterns, in the same order, lives in
-- models/runs/Redactor.cpp; both are run against one table of cases in the tests. Every pattern
-- stays in the part of the syntax PostgreSQL and PCRE2 read alike (no look-behind, no \b, greedy
-- quantifiers only, alternatives that cannot both match at one place), so both give the same text.
CREATE OR REPLACE FUNCTION atlas.redact(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(p_text,
        -- PEM blocks, encrypted ones with Proc-Type:/DEK-Info: headers too, and cut-off ones.
        '-----BEGIN [A-Z0-9 ]+-----(?:[^-]|-[^-])*(-----END [A-Z0-9 ]+-----)?', '[REDACTED PEM]', 'g'),
        -- JWTs: base64url JSON header and payload.
        'eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)?'
        '|e[wy][A-Za-z0-9_-]{8,}\.e[wy][A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*', '[REDACTED JWT]', 'g'),
        -- Authorization header values, with or without a scheme, in any case.
        '(authorization["'']?[[:space:]]*[:=][[:space:]]*["'']?'
        '((basic|bearer|negotiate|ntlm|token)[[:space:]]+)?)[A-Za-z0-9._~+/=-]{8,}', '\1[REDACTED]', 'gi'),
        '(bearer)[[:space:]]+[A-Za-z0-9._~+/=-]{6,}', '\1 [REDACTED]', 'gi'),
        -- Not lower-case "basic": that is a word ("basic settings").
        '(Basic|BASIC)[[:space:]]+[A-Za-z0-9+/]{6,}=*', '\1 [REDACTED]', 'g'),
        -- user:password@ in URLs, up to the last @ of the URL: passwords may hold / and @, users
        -- may be empty.
        '([a-zA-Z][a-zA-Z0-9+.-]*://)[^[:space:]/:"''<>]*:[^[:space:]"''<>]*@', '\1[REDACTED]@', 'g'),
        -- Connection strings: Password=/Pwd= up to the ; (spaces included) or a {...} value.
        '((password|pwd)[[:space:]]*=[[:space:]]*)(\{[^}]*\}|[^;"''\r\n{[:space:]][^;"''\r\n]*(;))',
        '\1[REDACTED]\4', 'gi'),
        '(;[[:space:]]*(password|pwd)[[:space:]]*=[[:space:]]*)[^;"''\r\n{[:space:]][^;"''\r\n]*',
        '\1[REDACTED]', 'gi'),
        -- Tokens known by their prefix: AWS access key ids, GitHub and Slack tokens.
        'A(KIA|SIA)[0-9A-Z]{16}'
        '|gh[oprsu]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,}'
        '|(xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,}', '[REDACTED]', 'g'),
        '(hooks\.slack\.com/(services|workflows|triggers)/)[A-Za-z0-9_/+-]+', '\1[REDACTED]', 'gi'),
        -- URL-encoded pairs (password%3D..., %22password%22%3A%22...%22): the value ends at %26 or %22.
        '(' || n.names || ')((%22)?%3[AD](%22)?)'
        '([^[:space:]&%;,"'']|%([013-9A-F][0-9A-F]|2[013-57-9A-F]))+',
        '\1\2[REDACTED]', 'gi'),
        '(' || n.names || ')("?[[:space:]]*[=:][[:space:]]*)("[^"]*"|''[^'']*''|[^[:space:]&;,"'']+)',
        '\1\2[REDACTED]', 'gi')
      FROM (SELECT 'password|passwd|pwd|client_secret|secret_access_key|secretaccesskey|secret|access_token|'
                   'refresh_token|id_token|token|api_key|apikey|api-key|subscription-key|functions-key|'
                   'accountkey|sharedaccesskey|sas|sig'::text AS names) n
$$;

-- Redacted, single-line and capped: what a stored message may be.
CREATE OR REPLACE FUNCTION atlas.sanitize_message(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_text IS NULL THEN NULL
                ELSE left(regexp_replace(atlas.redact(p_text), '[[:cntrl:]]+', ' ', 'g'), 300) END
$$;

-- Secrets out of JSON a run stores (scope, summary): every string, key or value, redacted.
CREATE OR REPLACE FUNCTION atlas.redact_json(p_value jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CASE jsonb_typeof(p_value)
    WHEN 'string' THEN
        RETURN to_jsonb(atlas.redact(p_value #>> '{}'));
    WHEN 'array' THEN
        RETURN coalesce((SELECT jsonb_agg(atlas.redact_json(e) ORDER BY n)
                           FROM jsonb_array_elements(p_value) WITH ORDINALITY AS x(e, n)), '[]'::jsonb);
    WHEN 'object' THEN
        RETURN coalesce((SELECT jsonb_object_agg(atlas.redact(k), atlas.redact_json(v))
                           FROM jsonb_each(p_value) AS x(k, v)), '{}'::jsonb);
    ELSE
        RETURN p_value;
    END CASE;
END
$$;

------------------------------------------------------------------------------------------
-- Keys and hashes
------------------------------------------------------------------------------------------
-- Versioned hash over tenant + resource + action + canonical scope + sorted distinct items.
-- jsonb already stores object keys in one canonical order and drops duplicate keys.
CREATE OR REPLACE FUNCTION atlas.canonical_items(p_item_ids jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(DISTINCT x.v ORDER BY x.v), '[]'::jsonb)
      FROM (SELECT e COLLATE "C" AS v FROM jsonb_array_elements_text(coalesce(p_item_ids, '[]')) e) x
$$;

CREATE OR REPLACE FUNCTION atlas.idempotency_key(p_tenant uuid, p_resource text, p_action text,
                                      p_scope jsonb, p_item_ids jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'v1:' || encode(sha256(convert_to(
        jsonb_build_array(p_tenant::text, p_resource, p_action,
                          coalesce(p_scope, '{}'::jsonb),
                          atlas.canonical_items(p_item_ids))::text, 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION atlas.content_hash(p_payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT encode(sha256(convert_to(p_payload::text, 'UTF8')), 'hex') $$;

-- What notifications call a kind of run (atlas.operation_kinds, filled by migrations).
CREATE OR REPLACE FUNCTION atlas.operation_label(p_resource text, p_action text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT k.label FROM atlas.operation_kinds k WHERE k.resource = p_resource AND k.action = p_action),
                    initcap(replace(p_resource, '_', ' ')) || ': ' || replace(p_action, '_', ' '))
$$;

------------------------------------------------------------------------------------------
-- Limits (atlas.settings, written by superusers only)
------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION atlas.limit_of(p_key text) RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT value::bigint FROM atlas.settings WHERE key = p_key $$;

-- Refuses a batch argument that is not an array of at most max_batch_items entries.
CREATE OR REPLACE FUNCTION atlas.check_batch(p_batch jsonb, p_what text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_batch IS NULL OR jsonb_typeof(p_batch) <> 'array' THEN
        RAISE EXCEPTION '% must be a JSON array', p_what USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(p_batch) > atlas.limit_of('max_batch_items') THEN
        RAISE EXCEPTION '% may hold at most % entries per call', p_what, atlas.limit_of('max_batch_items')
            USING ERRCODE = '22023';
    END IF;
END
$$;

-- The schema's version, for consoles to compare with what they know: the latest migration's name.
-- The list of migrations stays unreadable to clients.
CREATE OR REPLACE FUNCTION atlas.schema_version() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT max(version) FROM atlas.schema_migrations $$;

RESET ROLE;
