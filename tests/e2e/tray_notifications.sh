#!/bin/bash
# End to end on a real desktop stack: Xvfb, a tray host (trayer), a notification daemon
# (dunst) and dbus-monitor on a private session bus. The console runs on its embedded cluster;
# the same login then imports an export from the command line ("another workstation"). The
# run's queued and completed notifications must reach the desktop naming the run, carry no
# secret from the export (a payload and a broken file hold some), and clicking one (dunstctl
# action) must open that run in the console. A second atlas-ops with the run's link hands it to
# the running console instead of opening another.
#   tray_notifications.sh ATLAS_OPS_BINARY        exit 0 pass, 1 fail, 77 skipped
# ATLAS_E2E_SCREENSHOT=FILE keeps a screenshot of the desktop with the notification showing.
set -uo pipefail
BIN=${1:?usage: tray_notifications.sh ATLAS_OPS_BINARY}
for tool in Xvfb trayer dunst dunstctl dbus-run-session dbus-monitor dbus-send; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
if [ -z "${ATLAS_E2E_BUS:-}" ]; then
    export ATLAS_E2E_BUS=private
    exec dbus-run-session -- bash "$0" "$@"
fi

WORK=$(mktemp -d /tmp/atlas-e2e-XXXXXX)
chmod 755 "$WORK" # the embedded cluster runs as postgres when this runs as root
PIDS=()
fail() { echo "FAIL: $*"; echo "--- console log"; tail -n 40 "$LOG" 2>/dev/null; echo "--- bus"; tail -n 40 "$WORK/monitor.log"; exit 1; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    local pgctl
    pgctl=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
    if [ -f "$WORK/data/data/postmaster.pid" ] && [ -n "$pgctl" ]; then
        if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pgctl" -D "$WORK/data/data" -m immediate stop >/dev/null 2>&1
        else "$pgctl" -D "$WORK/data/data" -m immediate stop >/dev/null 2>&1; fi
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
# Waits up to $1 seconds for the command after it to succeed.
until_ok() { local t=$1; shift; for _ in $(seq $((t * 5))); do "$@" && return 0; sleep 0.2; done; return 1; }

# The desktop.
exec 3>"$WORK/display"
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
until_ok 20 test -s "$WORK/display" || fail "Xvfb did not start"
export DISPLAY=":$(head -n 1 "$WORK/display")"
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications'" >"$WORK/monitor.log" 2>&1 &
PIDS+=($!)
dunst >"$WORK/dunst.log" 2>&1 &
PIDS+=($!)
has_daemon() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"
}
until_ok 20 has_daemon || fail "dunst did not take org.freedesktop.Notifications"
trayer --edge top --align right --widthtype request --height 28 --SetDockType true >/dev/null 2>&1 &
PIDS+=($!)
sleep 1

# The console, on a private embedded cluster, with its own settings and log.
export QT_QPA_PLATFORM=xcb # a real X display here, whatever the other tests use
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/share"
LOG="$XDG_STATE_HOME/atlas-ops/atlas-ops.log"
"$BIN" --data-dir "$WORK/data" --log-level info >"$WORK/console.out" 2>&1 &
PIDS+=($!)
until_ok 90 grep -qs "desktop: tray icon shown" "$LOG" || fail "the console put no icon in the tray"
grep -q "notification service available" "$LOG" || fail "the console did not find the notification service"
sleep 2 # the console has read its notifications once; what comes now is new

TENANT=$("$BIN" --data-dir "$WORK/data" tenants --json | grep -o '"tenant_id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
[ -n "$TENANT" ] || fail "no tenant to import into"

# An export with secrets in a payload and in a broken file's name and content.
mkdir -p "$WORK/export/SettingsCatalog"
printf '{"id": "e2e-policy-1", "displayName": "E2E policy", "description": "password=hunter2"}' \
    >"$WORK/export/SettingsCatalog/e2e-policy-1.json"
printf '{"id": "Bearer eyJhbGciOiJIUzI1NiJ9.e2e' >"$WORK/export/SettingsCatalog/client_secret=hunter2.json"
OUT=$("$BIN" --data-dir "$WORK/data" inventory import --tenant "$TENANT" --allow-retire "$WORK/export" --json)
RUN=$(printf '%s' "$OUT" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
[ -n "$RUN" ] || fail "the import printed no run: $OUT"
echo "run #$RUN imported from the command line"

until_ok 20 grep -q "Run #$RUN: " "$WORK/monitor.log" || fail "no desktop notification for the completed run #$RUN"
grep -q "string \"Inventory import partially succeeded\"" "$WORK/monitor.log" || fail "the completed notification does not say its bucket"
# Queued runs stay in the in-app list; only with View → "Desktop notifications for queued runs"
# do they pop up (not set here).
if grep -q "Run #$RUN with 2 item(s) is queued." "$WORK/monitor.log"; then
    fail "a queued run popped up on the desktop although queued pop-ups are off by default"
fi
grep -q "member=Notify" "$WORK/monitor.log" || fail "no Notify call on the bus"
if grep -n -E "hunter2|eyJ|Bearer|password=|client_secret" "$WORK/monitor.log"; then
    fail "a secret reached a desktop notification"
fi
[ -n "${ATLAS_E2E_SCREENSHOT:-}" ] && command -v import >/dev/null && import -window root "$ATLAS_E2E_SCREENSHOT"

# Clicking the notification opens the run.
dunstctl action 0 >/dev/null 2>&1 || fail "dunstctl could not invoke the notification's action"
until_ok 10 grep -qs "notification for run $RUN clicked" "$LOG" || fail "clicking the notification did not reach the console"
until_ok 10 grep -qs "showing run $RUN in Operations" "$LOG" || fail "clicking the notification did not open run #$RUN"
# A second atlas-ops with a deep link hands it to this console and exits at once.
"$BIN" --data-dir "$WORK/data" "atlas-ops://run/$RUN" >"$WORK/second.out" 2>&1 || fail "the second invocation failed: $(cat "$WORK/second.out")"
until_ok 10 grep -qs "another invocation asked for 'atlas-ops://run/$RUN'" "$LOG" || fail "the running console did not get the link"
[ "$(pgrep -fc -- "--data-dir $WORK/data")" -le 1 ] || fail "a second console stayed open"
echo "PASS: run #$RUN notified on the desktop (completed; queued only in the list), no secrets, click opens the run, one instance"
exit 0
