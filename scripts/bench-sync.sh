#!/bin/sh
# Measures sync with real processes: techaid-city serving, techaid-cli pushing 100k trainings from an
# office, a new office pulling them, then 2,000 simulated offices against the server. Prints records/s
# and the resident memory of each end. Usage: scripts/bench-sync.sh [TRAININGS] [OFFICES]
set -eu
export PATH="$PATH:/usr/local/go/bin" LANG=en_US.UTF-8
TRAININGS=${1:-100000}
OFFICES=${2:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="$ROOT/../shared/data/zibo_divisions.csv"
T=$(mktemp -d)
# stop ends the server: TERM, and KILL if it has not gone within 10 s (a server left behind holds a
# port and a core on a shared machine).
stop() {
	kill -TERM "$SERVER" 2>/dev/null || return 0
	for _ in $(seq 50); do kill -0 "$SERVER" 2>/dev/null || return 0; sleep 0.2; done
	kill -KILL "$SERVER" 2>/dev/null || true
}
SERVER=
trap 'stop; rm -rf "$T"' EXIT
cd "$ROOT"
go build -o "$T/techaid-city" ./cmd/techaid-city
go build -o "$T/techaid-cli" ./cmd/techaid-cli
CITY="$T/techaid-city --data $T/hub"
CLI="$T/techaid-cli"

# peak RSS of a finished command, from GNU time if present, else from the shell's rusage
rss() { /usr/bin/time -f "%M" "$@" 2>"$T/time.txt" >"$T/out.txt"; cat "$T/out.txt"; echo "  peak RSS $(( $(tail -1 "$T/time.txt") / 1024 )) MiB"; }
hubrss() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2/1024} END {print ""}' /proc/$SERVER/status; }

$CITY import villages "$DATA" >/dev/null 2>&1
(umask 077; $CITY office add --scope 3703 --name 市局录入 2>/dev/null >"$T/office.token") # a file: never an argument
$CITY serve --listen 127.0.0.1:0 >"$T/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do [ -f "$T/hub/serve.json" ] && break; sleep 0.1; done
URL=$(sed 's/.*"url":"\([^"]*\)".*/\1/' "$T/hub/serve.json" | sed 's/^http/ws/')

$CLI --data "$T/office" init --scope 3703 --clerk 录入员 >/dev/null
echo "seeding an office with the 2,931 villages, 300 advisors and $TRAININGS trainings…"
$CLI --data "$T/office" seed --villages "$DATA" --advisors 300 --trainings "$TRAININGS" >/dev/null 2>&1

echo "== initial push, office → city"
rss $CLI --data "$T/office" sync --city "$URL" --token-file "$T/office.token" --once
echo "  server: $(hubrss)"

echo "== initial pull, city → a new office"
$CLI --data "$T/fresh" init --scope 3703 --clerk 新电脑 >/dev/null
rss $CLI --data "$T/fresh" sync --city "$URL" --token-file "$T/office.token" --once
echo "  server: $(hubrss)"

stop; wait $SERVER 2>/dev/null || true

echo "== $OFFICES simulated offices, 100 records each, on a new server holding the villages"
CITY="$T/techaid-city --data $T/hub2"
$CITY import villages "$DATA" >/dev/null 2>&1
$CITY serve --listen 127.0.0.1:0 >"$T/serve2.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do [ -f "$T/hub2/serve.json" ] && break; sleep 0.1; done
$CITY loadtest --villages "$DATA" --offices "$OFFICES" --records 100
stop; wait $SERVER 2>/dev/null || true
