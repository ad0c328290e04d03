#!/usr/bin/env bash
# Installs the Debian packages Atlas Ops needs to build, run and test, when any is missing.
# Sourced by scripts/console.sh and scripts/test.sh.
set -euo pipefail

ATLAS_PACKAGES=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-charts-dev libqt6opengl6-dev libqt6sql6-psql libgl-dev
    libspdlog-dev libfmt-dev libpq-dev qtkeychain-qt6-dev
    postgresql postgresql-client
    fonts-dejavu-core
)
ATLAS_TEST_PACKAGES=(
    xvfb xauth dbus dbus-x11 dunst trayer libnotify-bin xdotool imagemagick gnome-keyring clang-format-14
    postgresql-15-cron
)

atlas_install_missing() {
    local wanted=("$@") missing=() pkg
    for pkg in "${wanted[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

atlas_build() {
    local top build
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    build="${ATLAS_BUILD_DIR:-$top/build}"
    cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" --parallel "$(nproc)"
    ATLAS_BUILD="$build"
}
