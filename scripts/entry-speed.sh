#!/usr/bin/env bash
# Sign-in sheets copied from paper, typed into the real app by keyboard alone (xdotool under Xvfb) as a
# clerk types them: how many keys the first takes, and that both land in the store as typed.
#
#   scripts/entry-speed.sh [DELAY_MS]      (default 150 ms between keys, a steady clerk)
#   ENTRY_DISPLAY=:90 SHOTS=DIR scripts/entry-speed.sh   (a fixed X display; screenshots of the typing in DIR)
#
# The first sheet: 5月3日, 技术培训, 鲁村二村, one advisor, topic 苹果春季修剪, 32 attendees of whom 6 poor,
# 50 brochures. Keys: the date as 5-3, the kind as 1, the first characters of the village and of the
# advisor (the type-ahead takes the rest), Tab between fields, Enter to save. Nothing is cleared first:
# the date the form starts with (today) and the kind, village and advisor it keeps after a save are
# selected when the keyboard comes to them, so typing replaces them. The second sheet (5月4日, 现场指导,
# 鲁村一村, another advisor) is typed over what the first left. Chinese text arrives as whole characters
# (xdotool stands in for the input method), so a clerk typing pinyin needs about three more keys per
# character of the topic; the script prints both counts.
set -euo pipefail
export PATH=/usr/local/go/bin:$PATH
cd "$(dirname "$0")/.."
delay=${1:-150}
tmp=$(mktemp -d)
xpid=
apid=
cleanup() {
	[[ -n $apid ]] && kill "$apid" 2>/dev/null || true
	[[ -n $xpid ]] && kill "$xpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -tags no_emoji -o "$tmp/techaid" .
go build -o "$tmp/techaid-cli" ./cmd/techaid-cli
data=$tmp/data
cli() { "$tmp/techaid-cli" --data "$data" "$@"; }
cli init --scope 3703 --clerk 王芳 >/dev/null
cli seed --villages ../shared/data/zibo_divisions.csv --trainings 1000 >/dev/null
advisors=$(cli list advisors --limit 2 --json | sed -n 's/.*"name": "\([^"]*\)".*/\1/p')
advisor=$(sed -n 1p <<<"$advisors")
advisor2=$(sed -n 2p <<<"$advisors")
before=$(cli stats --json | sed -n 's/.*"trainings": \([0-9]*\).*/\1/p')

display=${ENTRY_DISPLAY:-:$((150 + RANDOM % 50))}
Xvfb "$display" -screen 0 1366x860x24 >/dev/null 2>&1 &
xpid=$!
sleep 1
export DISPLAY=$display
LANG=en_US.UTF-8 "$tmp/techaid" --data "$data" >"$tmp/app.log" 2>&1 &
apid=$!
xdotool search --sync --name 科技帮扶台账 >/dev/null
sleep 2 # the form has focus in 日期 once the window shows

keys=0
press() { xdotool key --delay "$delay" "$@"; keys=$((keys + $#)); }
typed() { LANG=C.UTF-8 xdotool type --delay "$delay" "$1"; keys=$((keys + ${#1})); }
shot() { [[ -z ${SHOTS:-} ]] || { mkdir -p "$SHOTS"; import -window root "$SHOTS/$1.png"; }; }
start=$(date +%s.%N)
shot 0-start
typed 5-3
shot 1-date-typed-over
press Tab
typed 1
press Tab
typed 鲁村二
sleep 0.3 # let the suggestions settle before Tab takes the first
press Tab
typed "${advisor:0:2}"
sleep 0.3
press Tab
typed 苹果春季修剪
press Tab Tab
typed 32
press Tab
typed 6
press Tab
typed 50
shot 2-first-sheet-typed
press Return
end=$(date +%s.%N)
first=$keys
sleep 1
shot 3-first-sheet-saved

# The second sheet, over the date, kind, village and advisor the first left in the form.
typed 5-4
shot 4-second-date-typed-over
press Tab
typed 2
press Tab
typed 鲁村一
sleep 0.3
press Tab
typed "${advisor2:0:2}"
sleep 0.3
press Tab
typed 果树夏季管理
press Tab Tab
typed 18
press Return
sleep 1.5
shot 5-second-sheet-saved
kill "$apid"
wait "$apid" 2>/dev/null || true
apid=

after=$(cli stats --json | sed -n 's/.*"trainings": \([0-9]*\).*/\1/p')
ok=yes
year=$(date +%Y)
check() { # date, then the record as JSON
	cli list trainings --json --from "$year-$1" --to "$year-$1" | python3 -c '
import json, sys
want = json.loads(sys.argv[1])
recs = [r for r in json.load(sys.stdin) if r.get("topic") == want["topic"]]
if len(recs) != 1 or any(recs[0].get(k) != v for k, v in want.items()) or len(recs[0].get("advisors", [])) != 1:
    sys.exit("entry-speed: the saved record is not what was typed: want %s, got %s" % (want, recs))
' "$2"
}
check 05-03 '{"kind": "技术培训", "villages": ["370323102202"], "topic": "苹果春季修剪", "attendees": 32, "poor_attendees": 6, "brochures": 50}' || ok=no
check 05-04 '{"kind": "现场指导", "villages": ["370323102201"], "topic": "果树夏季管理", "attendees": 18}' || ok=no
[[ $after -eq $((before + 2)) ]] || { echo "entry-speed: trainings $before → $after, want two more" >&2; ok=no; }
pinyin=$((first + 3 * 6)) # 苹果春季修剪: six characters, about four keys each instead of one
printf 'entry-speed: %d keys (about %d with pinyin) in %.1f s at %d ms per key; both sheets saved as typed, without Ctrl+A: %s\n' \
	"$first" "$pinyin" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$delay" "$ok"
[[ $ok == yes ]]
