#!/usr/bin/env bash
# Builds Atlas Ops and opens the console. With no server configured (no --db, no PG* variables)
# it starts its private PostgreSQL cluster with the demo tenants. Arguments go to atlas-ops.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/deps.sh"
atlas_install_missing "${ATLAS_PACKAGES[@]}"
atlas_build
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "No display found: run this from a desktop session (or under xvfb-run)." >&2
    exit 1
fi
exec "$ATLAS_BUILD/app/atlas-ops" "$@"
