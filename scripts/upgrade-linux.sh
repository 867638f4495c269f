#!/usr/bin/env bash
# An upgrade from the city on a Linux office PC, end to end with real programs: a techaid-city serving
# a release (techaid-city release add), the desktop app of the older version installed where the clerk
# may write it (~/.local/bin, as `make user-install` puts it), syncing with the city under Xvfb. The app
# downloads the new version while it runs and shows 有新版本 in its status line; one click replaces
# the program file and starts the new version, which opens the same data.
#
#   scripts/upgrade-linux.sh [OUT_DIR]     screenshots go to OUT_DIR (default: screenshots/upgrade)
#
# Checks: the offer appears; after the click the old process has exited, the program file is the new
# version, the new version runs and syncs (the city's status page shows it), the data is unchanged.
# Needs Xvfb, xdotool, ImageMagick (scripts/setup.sh), Go. Uses its own X display (:98 or the next free).
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 FYNE_THEME=light FYNE_SCALE=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/screenshots/upgrade}
OLD=0.4.0 NEW=0.4.1
TOWN=370323102

tmp=$(mktemp -d)
HUB="" XVFB="" APPS=""
cleanup() {
	local rc=$? p
	for p in $APPS $HUB $XVFB; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $APPS $HUB $XVFB; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ $rc -ne 0 ]; then
		echo "upgrade-linux: failed (exit $rc); logs:" >&2
		tail -n 30 "$tmp"/*.log >&2 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "upgrade-linux: $*" >&2; exit 1; }

echo "== build $OLD and $NEW"
cd "$ROOT"
go build -tags no_emoji -ldflags "-X main.version=$OLD" -o "$tmp/techaid-$OLD" .
go build -tags no_emoji -ldflags "-X main.version=$NEW" -o "$tmp/techaid-$NEW" .
go build -o "$tmp/techaid-cli" ./cmd/techaid-cli
go build -o "$tmp/techaid-city" ./cmd/techaid-city
# The release as package.sh lays it out (fyne package): techaid/usr/local/bin/techaid in a .tar.xz.
mkdir -p "$tmp/pkg/techaid/usr/local/bin"
cp "$tmp/techaid-$NEW" "$tmp/pkg/techaid/usr/local/bin/techaid"
XZ_OPT="-1 -T0" tar -cJf "$tmp/techaid-$NEW-linux-amd64.tar.xz" -C "$tmp/pkg" techaid

# The clerk's home: the app in ~/.local/bin, its data, its token key, its downloads.
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache XDG_DATA_HOME=$tmp/home/.local/share
mkdir -p "$HOME/.local/bin"
cp "$tmp/techaid-$OLD" "$HOME/.local/bin/techaid"
DATA=$tmp/office

echo "== the city: an office, a release, serving"
hub() { "$tmp/techaid-city" --data "$tmp/city" "$@"; }
(umask 077; hub office add --scope $TOWN --name 沂源县鲁村镇 2>>"$tmp/hub.log" >"$tmp/town.token")
hub release add "$tmp/techaid-$NEW-linux-amd64.tar.xz"
"$tmp/techaid-city" --data "$tmp/city" serve --listen 127.0.0.1:0 >>"$tmp/hub.log" 2>&1 &
HUB=$!
for _ in $(seq 100); do [ -s "$tmp/city/serve.json" ] && break; sleep 0.1; done
URL=$(sed 's/.*"url":"\([^"]*\)".*/\1/' "$tmp/city/serve.json" | sed 's/^http/ws/')

echo "== the office: a store that remembers the city, a village edited"
cli() { "$tmp/techaid-cli" --data "$DATA" "$@"; }
cli init --scope $TOWN --clerk 王芳 >/dev/null
cli sync --city "$URL" --token-file "$tmp/town.token" --once >/dev/null
before=$(cli stats)

DISPLAY_N=""
for n in 98 $(seq 99 160); do
	if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then DISPLAY_N=$n; break; fi
done
[ -n "$DISPLAY_N" ] || fail "no free X display"
Xvfb ":$DISPLAY_N" -screen 0 1366x768x24 -nolisten tcp -noreset >"$tmp/xvfb.log" 2>&1 &
XVFB=$!
export DISPLAY=":$DISPLAY_N"
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$DISPLAY_N" ] && break; sleep 0.1; done

echo "== the app $OLD, syncing"
LANG=zh_CN.UTF-8 "$HOME/.local/bin/techaid" --data "$DATA" >>"$tmp/app.log" 2>&1 &
OLDPID=$!
APPS=$OLDPID
WID=$(timeout 60 xdotool search --sync --onlyvisible --name '^科技帮扶台账' | head -n 1) || fail "no window"
# The download (about 40 MB over loopback) and its check: the log says when it is verified.
for _ in $(seq 600); do grep -q "downloaded and verified" "$tmp/app.log" && break; sleep 0.2; done
grep -q "downloaded and verified" "$tmp/app.log" || fail "the app did not download the release"
sleep ${SETTLE:-6} # the status line redraws; a loaded machine draws slowly
mkdir -p "$OUT"
import -window root "$OUT/upgrade-offer.png"
echo "   screenshot $OUT/upgrade-offer.png"

echo "== one click on 有新版本"
eval "$(xdotool getwindowgeometry --shell "$WID")"
# A click at the offer's place in the status line, measured on the screenshot (FYNE_SCALE=1, 1280×720).
xdotool mousemove $((X + ${OFFER_X:-1030})) $((Y + HEIGHT - 21)) click 1
for _ in $(seq 600); do kill -0 $OLDPID 2>/dev/null || break; sleep 0.2; done # unpacking 40 MB takes a while on a loaded PC
kill -0 $OLDPID 2>/dev/null && { import -window root "$OUT/upgrade-click-missed.png"; fail "the old app still runs after the click"; }
got=$("$HOME/.local/bin/techaid" --version)
[ "$got" = "techaid $NEW" ] || fail "the program file says '$got', want techaid $NEW"
echo "   the old app exited; ~/.local/bin/techaid is now $got"

echo "== the new version starts by itself, on the same data"
NEWWID=$(timeout 60 xdotool search --sync --onlyvisible --name '^科技帮扶台账' | head -n 1) || fail "the new version's window did not show"
NEWPID=$(xdotool getwindowpid "$NEWWID")
APPS="$APPS $NEWPID"
for _ in $(seq 150); do
	"$tmp/techaid-city" --data "$tmp/city" status --json 2>/dev/null | grep -q "\"app\": \"$NEW\"" && break
	sleep 0.2
done
"$tmp/techaid-city" --data "$tmp/city" status --json | grep -q "\"app\": \"$NEW\"" || fail "the city's status page does not show $NEW"
sleep 1
import -window root "$OUT/upgrade-after.png"
echo "   the city's status page shows the PC at $NEW; screenshot $OUT/upgrade-after.png"
kill -TERM "$NEWPID"
for _ in $(seq 100); do kill -0 "$NEWPID" 2>/dev/null || break; sleep 0.1; done
after=$(cli stats)
[ "$before" = "$after" ] || fail "the data changed: before
$before
after
$after"
ls "$XDG_CACHE_HOME/techaid/updates"
echo "upgrade-linux: ok ($OLD → $NEW from the city, data unchanged)"
