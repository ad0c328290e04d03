-- The atlas schema as the catalog holds it, one line per fact, in a fixed order: what two
-- databases must share for their schemas to be the same (scripts/compare_schema.sh). ACL items
-- are sorted, so the order in which privileges were granted plays no part; the bookkeeping of
-- applied files (atlas.schema_migrations, atlas.schema_definitions rows) is data and not here.
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' | '
SELECT 'role | ' || r.rolname || ' | ' || concat_ws(',', CASE WHEN r.rolsuper THEN 'super' END,
       CASE WHEN r.rolbypassrls THEN 'bypassrls' END, CASE WHEN r.rolcanlogin THEN 'login' END,
       CASE WHEN r.rolcreaterole THEN 'createrole' END, CASE WHEN r.rolcreatedb THEN 'createdb' END)
  FROM pg_roles r WHERE r.rolname LIKE 'atlas\_%' AND NOT r.rolcanlogin ORDER BY 1;
SELECT 'database acl | ' || coalesce((SELECT string_agg(replace(x::text, pg_get_userbyid(d.datdba), '<dba>'), ',' ORDER BY x::text)
                                       FROM unnest(d.datacl) x), '<default>')
  FROM pg_database d WHERE d.datname = current_database();
SELECT 'schema | ' || n.nspname || ' | owner ' || pg_get_userbyid(n.nspowner) || ' | '
       || coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(n.nspacl) x), '<default>')
  FROM pg_namespace n WHERE n.nspname IN ('atlas', 'public') ORDER BY 1;
SELECT 'default acl | ' || coalesce(pg_get_userbyid(d.defaclrole), '') || ' | ' || d.defaclobjtype::text || ' | '
       || coalesce(d.defaclnamespace::regnamespace::text, '') || ' | '
       || (SELECT string_agg(replace(x::text, pg_get_userbyid(d.defaclrole), '<role>'), ',' ORDER BY x::text) FROM unnest(d.defaclacl) x)
  FROM pg_default_acl d ORDER BY 1;
SELECT 'relation | ' || c.relname || ' | ' || c.relkind::text || ' | owner ' || pg_get_userbyid(c.relowner)
       || ' | rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity || ' | options ' || coalesce(c.reloptions::text, '')
       || ' | acl ' || coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) x), '<default>')
  FROM pg_class c WHERE c.relnamespace = 'atlas'::regnamespace ORDER BY 1;
SELECT 'column | ' || c.relname || '.' || a.attname || ' | ' || a.attnum || ' | ' || format_type(a.atttypid, a.atttypmod)
       || ' | notnull ' || a.attnotnull || ' | default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
       || ' | generated ' || a.attgenerated::text || ' | identity ' || a.attidentity::text || ' | statistics ' || a.attstattarget
       || ' | compression ' || a.attcompression::text || ' | collation ' || a.attcollation
       || ' | acl ' || coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'atlas'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1;
SELECT 'index | ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = 'atlas'::regnamespace ORDER BY 1;
SELECT 'constraint | ' || c.conrelid::regclass || ' | ' || c.conname || ' | ' || pg_get_constraintdef(c.oid)
  FROM pg_constraint c WHERE c.connamespace = 'atlas'::regnamespace ORDER BY 1;
SELECT 'type | ' || t.typname || ' | ' || t.typtype::text || ' | owner ' || pg_get_userbyid(t.typowner)
       || ' | acl ' || coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(t.typacl) x), '<default>')
       || ' | ' || coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                               FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0), '')
  FROM pg_type t WHERE t.typnamespace = 'atlas'::regnamespace AND t.typtype = 'c'
   AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c' ORDER BY 1;
SELECT 'function | ' || p.oid::regprocedure || ' | owner ' || pg_get_userbyid(p.proowner)
       || ' | acl ' || coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(p.proacl) x), '<default>')
       || E'\n' || pg_get_functiondef(p.oid)
  FROM pg_proc p WHERE p.pronamespace = 'atlas'::regnamespace ORDER BY p.oid::regprocedure::text;
SELECT 'view | ' || c.relname || E'\n' || pg_get_viewdef(c.oid)
  FROM pg_class c WHERE c.relnamespace = 'atlas'::regnamespace AND c.relkind = 'v' ORDER BY 1;
SELECT 'policy | ' || p.tablename || ' | ' || p.policyname || ' | ' || p.permissive || ' | ' || p.roles::text
       || ' | ' || p.cmd || ' | using ' || coalesce(p.qual, '') || ' | check ' || coalesce(p.with_check, '')
  FROM pg_policies p WHERE p.schemaname = 'atlas' ORDER BY 1;
SELECT 'trigger | ' || pg_get_triggerdef(t.oid) || ' | enabled ' || t.tgenabled::text
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'atlas'::regnamespace AND NOT t.tgisinternal ORDER BY 1;
SELECT 'setting | ' || s.key || ' = ' || s.value FROM atlas.settings s ORDER BY 1;
SELECT 'operation kind | ' || k.resource || '/' || k.action || ' = ' || k.label FROM atlas.operation_kinds k ORDER BY 1;
