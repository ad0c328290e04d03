#!/bin/bash
# Renders the README's screenshots of the console under Xvfb (with openbox for window frames
# when it is installed): the Drift page with a findings diff and the Add-policies picker.
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
"$BUILD/app/atlas-ops" --data-dir "$DATA/cluster" >/dev/null 2>&1 &
CONSOLE=$!
trap 'kill $CONSOLE 2>/dev/null; sleep 1; runuser -u postgres -- true 2>/dev/null; rm -rf "$DATA" 2>/dev/null || true' EXIT
for _ in $(seq 60); do WID=$(xdotool search --name "^Atlas Ops$" 2>/dev/null | head -n 1) && [ -n "$WID" ] && break; sleep 0.5; done
sleep 4
shot() { # the window (and any dialog over it), cropped out of the screen
    eval "$(xdotool getwindowgeometry --shell "$WID")"
    import -window root -crop "${WIDTH}x$((HEIGHT + 24))+${X}+$((Y - 24))" +repage "$1"
}
nav() { xdotool mousemove --window "$WID" 60 $((66 + 36 * $1)) click 1; sleep 2; }
nav 2 # Drift: opens on the newest finished drift run and its first modified policy
shot "$OUT/drift-findings.png"
nav 3 # Backup sets → Add policies…, search, select all matching
xdotool mousemove --window "$WID" 1375 75 click 1
sleep 2
xdotool type --delay 60 "win - sc"
D=$(xdotool search --name "Add policies to" | head -n 1)
xdotool mousemove --window "$D" 780 25 click 1
sleep 1
shot "$OUT/add-policies-picker.png"
echo "written: $OUT/drift-findings.png $OUT/add-policies-picker.png"
