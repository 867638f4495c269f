#!/usr/bin/env bash
# Screenshots of the desktop app under Xvfb, to review the UI as a clerk would see it:
#
#   - a city store (3703): all Zibo villages, 300 advisors, a year of trainings (seeded), pushed to a real
#     city hub (techaid-city serve);
#   - a township store (沂源县鲁村镇, 370323102) that got its villages, the roster and its trainings the
#     honest way: pulled from that hub with its own township token, as a township office PC does;
#   - a conflict between the two (the same village field edited in both before syncing), so that the
#     sync tab and the status bar show one;
#   - the first-run set-up on an empty data directory.
#
# Each screen is opened with --screen, then driven with xdotool (type-ahead, a validation error, a
# record opened for editing, dialogs) and captured with ImageMagick's import, cropped to the window.
# The hub keeps running while the app is shown, so the status bar shows a live connection.
#
# Usage: scripts/screenshots.sh [TRAININGS]     (default 20000, this year up to yesterday)
#   SETTLE=3 scripts/screenshots.sh             seconds to let a screen settle before its picture
# Output: screenshots/NN-name.png (git-ignored); the list is printed at the end, with the run time.
# Needs Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them) and Go at /usr/local/go/bin.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
# xdotool needs a UTF-8 locale to type Chinese; C.UTF-8 exists everywhere. The app gets the locale of a
# Chinese office PC (Fyne cannot parse "C" as a language and logs an error for it).
export LANG=C.UTF-8 LC_ALL=C.UTF-8
APP_LANG=zh_CN.UTF-8
# Light theme, as on a fresh Windows office PC; there is no desktop portal under Xvfb to ask.
export FYNE_THEME=light
# Scale 1, as at 96 dpi; the click coordinates below are for it.
export FYNE_SCALE=1
SCREEN_W=1366 SCREEN_H=768 # the screen of many office laptops; the window is 1280×720

TRAININGS=${1:-20000}
SETTLE=${SETTLE:-2.5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIVISIONS="$ROOT/../shared/data/zibo_divisions.csv"
OUT="$ROOT/screenshots"
TOWN=370323102           # 沂源县鲁村镇: 68 villages
TOWN_VILLAGE=370323102201 # 鲁村一村村委会: the village edited on both sides
started=$(date +%s)

tmp=$(mktemp -d)
APP="" HUB="" XVFB=""
cleanup() {
	local rc=$? p
	# Stop the app, the hub and Xvfb and wait until they have exited: a store deleted under a running
	# Badger makes it retry its flush forever.
	for p in $APP $HUB $XVFB; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $APP $HUB $XVFB; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ $rc -ne 0 ]; then
		echo "screenshots: failed (exit $rc); logs:" >&2
		tail -n 20 "$tmp"/*.log >&2 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '== %s (%ds)\n' "$*" $(($(date +%s) - started)); }

# --- build --------------------------------------------------------------------------------------------
step "build"
cd "$ROOT"
go build -o "$tmp/techaid" .
go build -o "$tmp/techaid-cli" ./cmd/techaid-cli
go build -o "$tmp/techaid-city" ./cmd/techaid-city
cli() { "$tmp/techaid-cli" --data "$@"; }
hub() { "$tmp/techaid-city" --data "$tmp/hub" "$@"; }

# --- data: the city hub, a seeded city store pushed to it, a township store pulled from it ---------------
step "hub: offices"
# The tokens go to files (never a process argument: every user of a PC can read those).
(umask 077; hub office add --scope 3703 --name 市局 2>>"$tmp/hub.log" >"$tmp/city.token")
(umask 077; hub office add --scope $TOWN --name 鲁村镇 2>>"$tmp/hub.log" >"$tmp/town.token")
"$tmp/techaid-city" --data "$tmp/hub" serve --listen 127.0.0.1:0 >>"$tmp/hub.log" 2>&1 & # not through hub(): $! is the server
HUB=$!
for _ in $(seq 100); do [ -s "$tmp/hub/serve.json" ] && break; sleep 0.1; done
URL=$(sed 's/.*"url":"\([^"]*\)".*/\1/' "$tmp/hub/serve.json" | sed 's/^http/ws/')
echo "hub at $URL"

step "city store: seed $TRAININGS trainings"
cli "$tmp/city" init --scope 3703 --clerk 刘洋 >/dev/null
cli "$tmp/city" seed --villages "$DIVISIONS" --advisors 300 --trainings "$TRAININGS"
step "city store: push to the hub"
cli "$tmp/city" sync --city "$URL" --token-file "$tmp/city.token" --once

step "township store: pull from the hub"
cli "$tmp/town" init --scope $TOWN --clerk 王芳 >/dev/null
cli "$tmp/town" sync --city "$URL" --token-file "$tmp/town.token" --once
cli "$tmp/town" stats

step "a conflict: the same field edited in both offices before either synced"
cli "$tmp/town" village edit $TOWN_VILLAGE --households 320 --secretary 张建国 >/dev/null
sleep 1 # the city's edit is the later one, so it wins and the township's value goes to the conflict log
cli "$tmp/city" village edit $TOWN_VILLAGE --households 306 >/dev/null
cli "$tmp/city" sync --once
cli "$tmp/town" sync --once
cli "$tmp/city" sync --once

# --- X ------------------------------------------------------------------------------------------------
DISPLAY_N=""
for n in $(seq 91 160); do
	if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then
		DISPLAY_N=$n
		break
	fi
done
[ -n "$DISPLAY_N" ] || { echo "screenshots: no free X display in :91–:160" >&2; exit 1; }
step "Xvfb :$DISPLAY_N"
# -noreset: without it the server resets whenever its last client leaves (between two runs of the
# app), which puts the pointer back in the middle of the screen, over the trainings list
Xvfb ":$DISPLAY_N" -screen 0 "${SCREEN_W}x${SCREEN_H}x24" -nolisten tcp -noreset >"$tmp/xvfb.log" 2>&1 &
XVFB=$!
export DISPLAY=":$DISPLAY_N"
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$DISPLAY_N" ] && break; sleep 0.1; done

rm -rf "$OUT"
mkdir -p "$OUT"

WID="" WX=0 WY=0 WW=0 WH=0
# launch DATA [SCREEN]: start the app, wait for its window, give it the keyboard, let it settle.
launch() {
	local args=(--data "$1")
	[ -n "${2:-}" ] && args+=(--screen "$2")
	xdotool mousemove $((SCREEN_W - 6)) $((SCREEN_H - 6)) # not over the window as it opens
	LANG=$APP_LANG LC_ALL=$APP_LANG "$tmp/techaid" "${args[@]}" >>"$tmp/app.log" 2>&1 &
	APP=$!
	WID=$(timeout 30 xdotool search --sync --onlyvisible --name '^科技帮扶台账' | head -n 1) || {
		echo "screenshots: the app's window did not show within 30 s" >&2
		exit 1
	}
	local X Y WIDTH HEIGHT SCREEN WINDOW
	eval "$(xdotool getwindowgeometry --shell "$WID")"
	WX=$X WY=$Y WW=$WIDTH WH=$HEIGHT
	if [ "$WW" != 1280 ] || [ "$WH" != 720 ]; then
		echo "screenshots: warning: the window is ${WW}x${WH}, not 1280x720: the clicks may miss" >&2
	fi
	xdotool windowfocus --sync "$WID" 2>/dev/null || true # no window manager: focus it ourselves
	away
	sleep "$SETTLE"
}
close() {
	kill -TERM "$APP" 2>/dev/null || true
	wait "$APP" 2>/dev/null || true
	APP=""
}
# the pointer out of the window, so that nothing shows a hover highlight
away() { xdotool mousemove $((WX + WW + 40)) $((WY + WH + 40)); }
# click X Y: a click at window coordinates, then the pointer away
click() {
	xdotool mousemove $((WX + $1)) $((WY + $2)) click 1
	sleep 0.4
	away
	sleep 0.4
}
key() { xdotool key --delay 80 "$@"; sleep 0.4; }
typein() { xdotool type --delay 120 "$1"; sleep 0.8; }
N=0
# shot NAME: the window as screenshots/NN-NAME.png, numbered in the order taken
shot() {
	sleep 0.6
	N=$((N + 1))
	local f
	f=$(printf '%02d-%s.png' $N "$1")
	import -window root -crop "${WW}x${WH}+${WX}+${WY}" +repage "$OUT/$f"
	echo "  $f"
}

# Window coordinates of what is clicked (the 1280×720 window at Fyne scale 1; read off the pictures).
ATTENDEES="717 104"        # 培训人次 in the trainings form
TRAINING_ROW="160 430"     # the first row of the trainings list
TRAINING_HISTORY="1156 267" # 修改历史, once a record is in the form
TRAINING_DELETE="1242 267" # 删除, once a record is in the form
VILLAGE_FILTER="597 353"   # 村名 above the trainings list
CITY_VILLAGE_ROW="250 144" # the first village (city: search, township picker, key check above the list)
TOWN_VILLAGE_ROW="250 144" # the second village of a township store (no township picker): 鲁村一村村委会
VILLAGE_HISTORY="538 426"  # 修改历史 of the opened village
ADVISOR_ROW="250 104"      # the first advisor (search, group above the list)
EDIT_TARGETS="1228 23"     # 修改目标 on the city's dashboard
BACKUP="179 436"           # 备份到文件… in the settings
IMPORT_KEYVILLAGES="190 451" # 导入省定重点村名单… in 报表与导入

# office STORE NAME VILLAGE_PREFIX VILLAGE_FILTER: the screens of one office.
office() {
	local store=$1 p=$2 vprefix=$3 vfilter=$4
	step "$p: trainings"
	launch "$store"
	shot "$p-trainings"
	key Tab Tab # 日期 → 服务形式 → 村
	typein "$vprefix"
	shot "$p-trainings-typeahead"
	key Tab # takes the first suggestion
	click $ATTENDEES
	typein abc
	key Return
	shot "$p-trainings-error"
	click $VILLAGE_FILTER
	typein "$vfilter"
	shot "$p-trainings-filter"
	close

	launch "$store"
	click $TRAINING_ROW
	shot "$p-trainings-edit"
	click $TRAINING_HISTORY
	shot "$p-trainings-history"
	close
	if [ "$p" = town ]; then
		launch "$store"
		click $TRAINING_ROW
		click $TRAINING_DELETE
		shot "$p-trainings-delete"
		close
	fi

	step "$p: villages"
	launch "$store" 村庄
	if [ "$p" = town ]; then click $TOWN_VILLAGE_ROW; else click $CITY_VILLAGE_ROW; fi
	shot "$p-villages"
	click $VILLAGE_HISTORY
	shot "$p-village-history"
	close

	step "$p: advisors, dashboard, sync, settings"
	launch "$store" 科技指导人员
	click $ADVISOR_ROW
	shot "$p-advisors"
	close
	launch "$store" 目标进度
	shot "$p-dashboard"
	if [ "$p" = city ]; then
		click $EDIT_TARGETS
		shot "$p-dashboard-targets"
	fi
	close
	launch "$store" 报表与导入
	shot "$p-sheets"
	if [ "$p" = city ]; then
		click $IMPORT_KEYVILLAGES
		shot "$p-sheets-import"
	fi
	close
	launch "$store" 同步与冲突
	shot "$p-sync"
	close
	launch "$store" 设置
	shot "$p-settings"
	if [ "$p" = town ]; then
		click $BACKUP
		shot "$p-settings-backup"
	fi
	close
}

office "$tmp/city" city 鲁村 王村
office "$tmp/town" town 王 鲁村一村

step "first-run set-up"
COUNTY="690 264"        # the 区县 picker
COUNTY_YIYUAN="493 621" # 沂源县 in its list
TOWNSHIP="690 305"      # the 乡镇（街道） picker
TOWNSHIP_LUCUN="493 394" # 鲁村镇 in its list
START="883 506"         # 开始使用
launch "$tmp/fresh"
shot setup
click $COUNTY
shot setup-counties
click $COUNTY_YIYUAN
click $TOWNSHIP
shot setup-townships
click $TOWNSHIP_LUCUN
click $START # no clerk yet: refused
shot setup-error
typein 张敏 # the clerk field has the focus now
click $START
sleep "$SETTLE"
shot setup-done # the township's villages written from the division list; no server, no records
close

# A picture of a few colours is a blank or black window: the app did not draw.
for f in "$OUT"/*.png; do
	if [ "$(identify -format %k "$f")" -lt 16 ]; then
		echo "screenshots: warning: $(basename "$f") looks blank" >&2
	fi
done
echo
echo "screenshots in $OUT:"
ls -1 "$OUT"
echo "total run time: $(($(date +%s) - started)) s"
