#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one after another, each for FUZZTIME (10s unless set):
# `make test` runs it briefly after the unit tests, `make test-long` for longer, `make fuzz` on its own.
# Targets are found, not listed: any func Fuzz* in a _test.go file of any package is picked up.
# It prints the executions of each target and fails if any target fails; go test then has written
# the failing input to that package's testdata/fuzz/<Target>/ (commit it with the fix: it becomes a
# seed that every go test runs).
#
#   FUZZTIME=2m scripts/fuzz.sh          longer
#   scripts/fuzz.sh ./ledger ./sync/...  only these packages
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
fuzztime=${FUZZTIME:-10s}
tags=${TAGS:-ci}
go=${GO:-go}

# Packages whose tests declare a fuzz target (a cheap grep first: go test -list builds the tests).
pkgs=()
while read -r dir pkg; do
	if grep -qs '^func Fuzz' "$dir"/*_test.go; then
		pkgs+=("$pkg")
	fi
done < <("$go" list -tags "$tags" -f '{{.Dir}} {{.ImportPath}}' "${@:-./...}")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
total=0
start=$SECONDS
for pkg in "${pkgs[@]}"; do
	targets=$("$go" test -tags "$tags" -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for name in $targets; do
		t0=$SECONDS
		corpus=$("$go" list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$name
		# (a new target has no corpus folder yet: ls fails, and pipefail would end the script here)
		before=$({ ls "$corpus" 2>/dev/null || true; } | wc -l)
		# A new interesting input is minimised for up to a minute by default, during which nothing else
		# runs (FuzzImport's 17 kB workbook seed stalled it for tens of seconds): a second is enough here.
		if "$go" test -tags "$tags" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg" >"$log" 2>&1; then
			status=ok
		elif [[ $({ ls "$corpus" 2>/dev/null || true; } | wc -l) -eq $before ]] &&
			[[ $(grep -c -- '--- FAIL' "$log") -eq 1 ]] && grep -q '^    context deadline exceeded$' "$log"; then
			# Go's fuzz coordinator can fail a target at the end of -fuzztime with a bare "context
			# deadline exceeded" when a worker is slow to stop (go.dev/issue/75804, fixed in Go 1.27; we
			# are on 1.26). Nothing was found: no input written, no other failure. Say so; do not fail.
			status=late
		else
			status=FAIL
			failed+=("$pkg $name")
		fi
		# The last progress line has the count: "fuzz: elapsed: 10s, execs: 12345 (1234/sec), ...". It is
		# a lower bound: the engine counts a worker's runs when it reports, and a slow target's last
		# reports are lost when the time is up (FuzzSession ran 1,459 inputs in 5 s and said 31).
		# (none when a seed fails before fuzzing starts: the || true keeps set -e from ending the
		# script silently there, before the failure is printed)
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
		total=$((total + 1))
		printf '%-4s %-24s %-20s execs >= %-8s %3ss\n' "$status" "$pkg" "$name" "${execs:-?}" $((SECONDS - t0))
		if [[ $status == FAIL ]]; then
			sed 's/^/     /' "$log"
		elif [[ $status == late ]]; then
			echo "     (Go's end-of-fuzztime race, go.dev/issue/75804: nothing found, not a failure)"
		fi
	done
done
printf 'fuzz: %d targets, %s each, %ss in all\n' "$total" "$fuzztime" $((SECONDS - start))
if [[ $total -eq 0 ]]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
if [[ ${#failed[@]} -gt 0 ]]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
