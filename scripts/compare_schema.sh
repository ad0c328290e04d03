#!/usr/bin/env bash
# Shows that this checkout's SQL builds the same schema as an earlier layout, however a database
# got there. On a throwaway cluster it builds
#   base           the earlier commit's sql/migrations, each with psql -f (the schema as it was)
#   fresh_psql     this checkout's sql/migrations then sql/definitions, each with psql -f
#   fresh_migrate  `atlas-ops migrate` into an empty database
#   upgrade_NNNN   the earlier commit's migrations up to NNNN with psql -f, then `atlas-ops migrate`
#                  (one database per earlier migration: installs of every age)
# and compares each with base: the catalog (scripts/schema_catalog.sql: functions, views,
# policies, triggers, owners, ACLs, columns, indexes, constraints, settings) and pg_dump -s
# (with owners and privileges) with its lines sorted, so that only the order of statements and of
# ACL items may differ. What 0014_definitions adds for its own bookkeeping (the checksum column,
# atlas.schema_definitions) is dropped from the new databases before they are compared.
#
# usage: scripts/compare_schema.sh ATLAS_OPS_BINARY [BASE_COMMIT]   (default d709bc6)
# Exit status 0 when every database matches base.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=$(realpath "${1:?usage: $0 ATLAS_OPS_BINARY [BASE_COMMIT]}")
base_commit=${2:-d709bc6}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/atlas-compare-XXXXXX)
chmod 711 "$work"
as=()
if [ "$(id -u)" -eq 0 ]; then
    as=(runuser -u postgres --) # PostgreSQL refuses to run as root
    mkdir "$work/data" "$work/run"
    chown postgres "$work/data" "$work/run"
fi
stop() {
    "${as[@]}" "$pgbin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop EXIT
"${as[@]}" "$pgbin/initdb" -D "$work/data" -U atlas_super -A trust >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$work/data" -l "$work/data/log" -w \
    -o "-k $work/run -p 5432 -c listen_addresses=''" start >/dev/null
export PGHOST=$work/run PGPORT=5432 PGUSER=atlas_super PGDATABASE=postgres
url() { echo "postgresql:///$1?host=$work/run&port=5432&user=atlas_super"; }

mkdir "$work/base"
for f in $(git -C "$root" ls-tree --name-only "$base_commit" sql/migrations/); do
    git -C "$root" show "$base_commit:$f" >"$work/base/$(basename "$f")"
done
base_files=("$work"/base/*.sql)

apply() { # database, files...
    local db=$1
    shift
    for f in "$@"; do
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" >/dev/null 2>"$work/psql.err" || {
            cat "$work/psql.err"
            echo "FAIL: psql -f $f into $db"
            exit 1
        }
    done
}
migrate() { # database
    "$binary" migrate --db "$(url "$1")" >/dev/null || {
        echo "FAIL: atlas-ops migrate into $1"
        exit 1
    }
}
created=()
create() {
    psql -X -q -c "CREATE DATABASE $1" >/dev/null
    created+=("$1")
}

create base
apply base "${base_files[@]}"
create fresh_psql
apply fresh_psql "$root"/sql/migrations/*.sql "$root"/sql/definitions/*.sql
create fresh_migrate
migrate fresh_migrate
for ((n = 1; n <= ${#base_files[@]}; n++)); do
    name=upgrade_$(basename "${base_files[n - 1]}" | cut -c1-4)
    create "$name"
    apply "$name" "${base_files[@]:0:n}"
    migrate "$name"
done

describe() { # database -> $work/<db>.catalog, $work/<db>.dump (sorted)
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$root/scripts/schema_catalog.sql" >"$work/$1.catalog"
    # (\restrict lines carry a random key of each run)
    "$pgbin/pg_dump" -s -d "$1" | grep -v '^\\\(un\)\?restrict ' | LC_ALL=C sort >"$work/$1.dump"
}
describe base
status=0
for db in "${created[@]}"; do
    [ "$db" = base ] && continue
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
        -c "DROP TABLE atlas.schema_definitions; ALTER TABLE atlas.schema_migrations DROP COLUMN checksum" >/dev/null
    describe "$db"
    if diff -u "$work/base.catalog" "$work/$db.catalog" >"$work/$db.catalog.diff" &&
        diff -u "$work/base.dump" "$work/$db.dump" >"$work/$db.dump.diff"; then
        echo "same as base: $db ($(wc -l <"$work/$db.catalog") catalog lines, $(wc -l <"$work/$db.dump") pg_dump lines)"
    else
        echo "DIFFERENT from base: $db"
        cat "$work/$db.catalog.diff" "$work/$db.dump.diff" 2>/dev/null | head -60
        status=1
    fi
done
exit $status
