#!/usr/bin/env bash
# Builds the Debian package, installs it, and runs the installed atlas-ops (--version, and migrate
# on a throwaway cluster, plus the installed SQL files through psql). Installing touches the
# machine, so it runs only in CI (CI=true) or with ATLAS_PACKAGE_TEST=1; otherwise it skips (77).
set -euo pipefail
build_dir=$1
if [ "${CI:-}" != "true" ] && [ "${ATLAS_PACKAGE_TEST:-}" != "1" ]; then
    echo "skipped: set ATLAS_PACKAGE_TEST=1 to build and install the package"; exit 77
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || { echo "skipped: installing needs root or passwordless sudo"; exit 77; }
    sudo=(sudo -n)
fi
fail() { echo "FAIL: $*"; exit 1; }
cd "$build_dir"
rm -f atlas-ops_*.deb
cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; fail "cpack"; }
deb=$(ls atlas-ops_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "package $deb, Depends: $depends"
case "$depends" in *libqt6core6*) ;; *) fail "shlibdeps did not compute the Qt dependency";; esac
case "$depends" in *libqt6sql6-psql*) ;; *) fail "missing the QPSQL plugin dependency";; esac
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
for f in /usr/bin/atlas-ops /usr/share/applications/atlas-ops.desktop /usr/share/metainfo/io.atlasops.AtlasOps.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/atlas-ops.svg /usr/share/icons/hicolor/48x48/apps/atlas-ops.png \
         /usr/share/icons/hicolor/256x256/apps/atlas-ops.png /usr/share/man/man1/atlas-ops.1.gz \
         /usr/share/atlas-ops/sql/migrations/0001_roles_and_schema.sql /usr/share/atlas-ops/sql/definitions/90_grants.sql; do
    [ -e "$f" ] || fail "not installed: $f"
done
grep -q '^MimeType=x-scheme-handler/atlas-ops;' /usr/share/applications/atlas-ops.desktop || fail "scheme handler"
[ "$(/usr/bin/atlas-ops --version)" = "atlas-ops $(dpkg-deb -f "$deb" Version)" ] || fail "--version"
work=$(mktemp -d /tmp/atlas-pkg-XXXXXX)
chmod 711 "$work"
stop_cluster() {
    local pg as=()
    pg=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$pg/pg_ctl" -D "$work/cluster/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop_cluster EXIT
out=$(/usr/bin/atlas-ops migrate --data-dir "$work/cluster" --json)
echo "installed atlas-ops migrate: $out"
case "$out" in *'"schema_version":"00'*) ;; *) fail "migrate";; esac
# The installed SQL files give the same schema through psql -f, as the contract says: every
# migration, then every definition file, each in lexical order.
secret=$(cat "$work/cluster/superuser.secret")
export PGHOST="$work/cluster/run" PGPORT=5432 PGUSER=atlas_super PGPASSWORD="$secret"
psql -X -q -d postgres -c "CREATE DATABASE via_package" >/dev/null
for f in /usr/share/atlas-ops/sql/migrations/*.sql /usr/share/atlas-ops/sql/definitions/*.sql; do
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d via_package -f "$f" >/dev/null ||
        fail "psql -f $f"
done
applied=$(psql -X -At -d via_package -c "SELECT count(*) FROM atlas.schema_migrations")
[ "$applied" = "$(ls /usr/share/atlas-ops/sql/migrations/*.sql | wc -l)" ] || fail "schema_migrations has $applied rows"
functions=$(psql -X -At -d via_package -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'atlas'::regnamespace")
[ "$functions" = "$(psql -X -At -d atlas -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'atlas'::regnamespace")" ] ||
    fail "psql -f gave $functions functions, atlas-ops migrate another number"
echo "package install test: all checks passed"
