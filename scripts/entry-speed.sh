#!/usr/bin/env bash
# A training copied from a paper sign-in sheet, typed into the real app by keyboard alone (xdotool under
# Xvfb): how many keys it takes and that it lands in the store as typed.
#
#   scripts/entry-speed.sh [DELAY_MS]      (default 150 ms between keys, a steady clerk)
#
# The sheet: 5月3日, 技术培训, 鲁村二村, one advisor, topic 苹果春季修剪, 32 attendees of whom 6 poor,
# 50 brochures. Keys: the date as 5-3, the kind as 1, the first characters of the village and of the
# advisor (the type-ahead takes the rest), Tab between fields, Enter to save. Chinese text arrives as
# whole characters (xdotool stands in for the input method), so a clerk typing pinyin needs about three
# more keys per character of the topic; the script prints both counts.
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
advisor=$(cli list advisors --limit 1 --json | sed -n 's/.*"name": "\([^"]*\)".*/\1/p' | head -1)
before=$(cli stats --json | sed -n 's/.*"trainings": \([0-9]*\).*/\1/p')

display=:$((150 + RANDOM % 50))
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
start=$(date +%s.%N)
press ctrl+a
typed 5-3
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
press Return
end=$(date +%s.%N)
sleep 1.5
kill "$apid"
wait "$apid" 2>/dev/null || true
apid=

after=$(cli stats --json | sed -n 's/.*"trainings": \([0-9]*\).*/\1/p')
ok=yes
year=$(date +%Y)
cli list trainings --json --from "$year-05-03" --to "$year-05-03" | python3 -c '
import json, sys
want = {"kind": "技术培训", "villages": ["370323102202"], "topic": "苹果春季修剪", "attendees": 32,
        "poor_attendees": 6, "brochures": 50}
recs = [r for r in json.load(sys.stdin) if r.get("topic") == want["topic"]]
if len(recs) != 1 or any(recs[0].get(k) != v for k, v in want.items()) or len(recs[0].get("advisors", [])) != 1:
    sys.exit("entry-speed: the saved record is not what was typed: %s" % recs)
' || ok=no
[[ $after -eq $((before + 1)) ]] || { echo "entry-speed: trainings $before → $after, want one more" >&2; ok=no; }
pinyin=$((keys + 3 * 6)) # 苹果春季修剪: six characters, about four keys each instead of one
printf 'entry-speed: %d keys (about %d with pinyin) in %.1f s at %d ms per key; saved as typed: %s\n' \
	"$keys" "$pinyin" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$delay" "$ok"
[[ $ok == yes ]]
