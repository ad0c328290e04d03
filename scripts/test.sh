#!/usr/bin/env bash
# Builds Atlas Ops and runs every test. Each test starts its own throwaway PostgreSQL cluster
# (as the unprivileged account `postgres` when run as root); no service needs to be running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/deps.sh"
atlas_install_missing "${ATLAS_PACKAGES[@]}" "${ATLAS_TEST_PACKAGES[@]}"
# The layout first: a product source that .clang-format would change fails the run.
bash "$(dirname "${BASH_SOURCE[0]}")/format.sh" --check
atlas_build
cd "$ATLAS_BUILD"
export QT_QPA_PLATFORM=offscreen
ctest --output-on-failure --parallel 2 --timeout 900 "$@"
