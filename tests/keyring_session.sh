#!/bin/bash
# Runs tst_login's keyring test against a private Secret Service: a D-Bus session of its own
# and an unlocked GNOME Keyring in a throwaway home. Exit 77 (skipped) when either is missing.
#   keyring_session.sh TST_LOGIN_BINARY
set -uo pipefail
BIN=${1:?usage: keyring_session.sh TST_LOGIN_BINARY}
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
if [ -z "${ATLAS_KEYRING_BUS:-}" ]; then
    export ATLAS_KEYRING_BUS=private
    exec dbus-run-session -- bash "$0" "$@"
fi
HOME=$(mktemp -d /tmp/atlas-keyring-XXXXXX)
export HOME XDG_DATA_HOME="$HOME/.local/share"
trap 'rm -rf "$HOME"' EXIT
eval "$(printf 'throwaway' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
ATLAS_TEST_KEYRING=1 "$BIN" theKeyringRemembersAPassword
