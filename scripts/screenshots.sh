#!/bin/bash
# Renders the README's screenshots of the console under Xvfb (with openbox for window frames
# when it is installed): the hub at its default size, at 1280x800 with the trends, in the dark
# appearance and as a read-only auditor; the Drift page with a findings diff and the
# Add-policies picker.
#   scripts/screenshots.sh [BUILD_DIR] [OUT_DIR]
# The tray notification screenshot comes from the end-to-end test:
#   ATLAS_E2E_SCREENSHOT=docs/screenshots/tray-notification.png tests/e2e/tray_notifications.sh build/app/atlas-ops
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-$ROOT/docs/screenshots}
if [ -z "${DISPLAY:-}" ]; then
    exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" "$BUILD" "$OUT"
fi
DATA=$(mktemp -d /tmp/atlas-shots-XXXXXX)
chmod 755 "$DATA"
export XDG_CONFIG_HOME="$DATA/config" XDG_STATE_HOME="$DATA/state"
command -v openbox >/dev/null && { openbox >/dev/null 2>&1 & sleep 1; }
shot() { # the window (and any dialog over it), cropped out of the screen
    eval "$(xdotool getwindowgeometry --shell "$WID")"
    import -window root -crop "${WIDTH}x$((HEIGHT + 24))+${X}+$((Y - 24))" +repage "$1"
}
N=0
console() { # starts the console with "$@" on a demo cluster of its own, and waits for its window
    N=$((N + 1))
    CLUSTER="$DATA/cluster-$N" # each shot shows the demo as seeded, not the runs earlier ones stopped
    "$BUILD/app/atlas-ops" --data-dir "$CLUSTER" "$@" >/dev/null 2>&1 &
    CONSOLE=$!
    WID=
    for _ in $(seq 60); do WID=$(xdotool search --name "^Atlas Ops$" 2>/dev/null | head -n 1) && [ -n "$WID" ] && break; sleep 0.5; done
    sleep 4
}
stop() { kill "$CONSOLE" 2>/dev/null; wait "$CONSOLE" 2>/dev/null || true; }
trap 'stop; sleep 1; rm -rf "$DATA" 2>/dev/null || true' EXIT
row4() { "$BUILD/app/atlas-ops" --data-dir "$CLUSTER" "$@" atlas-ops://run/4 >/dev/null 2>&1; sleep 2; } # partially succeeded

# The hub: default size, then 1280x800 with the trends, then dark, then as an auditor.
console
row4
shot "$OUT/hub-partial.png"
xdotool windowsize "$WID" 1280 776
sleep 1
xdotool mousemove --window "$WID" 1250 68 click 1 # Trends
sleep 2
row4
shot "$OUT/hub-1280.png"
stop
ATLAS_THEME=dark console
row4
shot "$OUT/hub-dark.png"
stop
console --login demo_readonly
row4 --login demo_readonly
shot "$OUT/hub-readonly.png"
stop
console
nav() { xdotool mousemove --window "$WID" 60 $((66 + 36 * $1)) click 1; sleep 2; }
nav 2 # Drift: opens on the newest finished drift run and its first modified policy
shot "$OUT/drift-findings.png"
nav 3 # Backup sets → Add policies…, search, select all matching
xdotool mousemove --window "$WID" 1198 75 click 1 # "Add policies…" (the rightmost is "Cancel run…")
sleep 2
xdotool type --delay 60 "win - sc"
D=$(xdotool search --name "Add policies to" | head -n 1 || true)
if [ -n "$D" ]; then
    xdotool mousemove --window "$D" 780 25 click 1
    sleep 1
    shot "$OUT/add-policies-picker.png"
else
    echo "the Add policies picker did not open; add-policies-picker.png left as it was" >&2
fi
echo "written: $OUT/hub-partial.png $OUT/hub-1280.png $OUT/hub-dark.png $OUT/hub-readonly.png $OUT/drift-findings.png $OUT/add-policies-picker.png"
