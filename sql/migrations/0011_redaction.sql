-- Wider redaction: the patterns of 0003 let through authorization values in other cases or without
-- a scheme, JWTs whose JSON header has white space (ew...), encrypted PEM blocks (their
-- Proc-Type:/DEK-Info: headers hold a "-"), URL passwords holding "/" or "@" or with an empty user,
-- connection-string passwords with spaces or in braces, cloud keys, API-key headers, GitHub and
-- Slack tokens and URL-encoded pairs. The same table of patterns, in the same order, lives in
-- models/runs/Redactor.cpp; both are run against one table of cases in the tests. Every pattern
-- stays in the part of the syntax PostgreSQL and PCRE2 read alike (no look-behind, no \b, greedy
-- quantifiers only, alternatives that cannot both match at one place), so both give the same text.
-- atlas.sanitize_message calls atlas.redact, so stored messages get the new rules as well.
SET ROLE atlas_owner;

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

INSERT INTO atlas.schema_migrations (version) VALUES ('0011_redaction') ON CONFLICT DO NOTHING;
RESET ROLE;
