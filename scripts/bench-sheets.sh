#!/usr/bin/env bash
# Spreadsheets at 100k: time and peak RSS of every export, and of previewing 100k-row imports.
#
#   scripts/bench-sheets.sh [TRAININGS] [RUNS]     (defaults 100000 and 2)
#
# Seeds a city-scope store (all 2,931 Zibo villages, 300 advisors, TRAININGS trainings this year), then
# runs `techaid-cli export NAME --out F.xlsx` (and the work ledger as CSV) RUNS times each, each in a
# fresh process under /usr/bin/time, and previews the import of a 100,000-row key-village list (names
# as lists write them: official, without 村委会, one character off, without the township) and of a
# 100,000-row roster. Prints one line per run: seconds, peak RSS, rows, file size.
set -euo pipefail
export PATH=/usr/local/go/bin:$PATH LANG=en_US.UTF-8
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/techaid-cli" ./cmd/techaid-cli
cli() { "$tmp/techaid-cli" --data "$tmp/data" "$@"; }
cli init --scope 3703 --clerk 基准 >/dev/null
cli seed --villages ../shared/data/zibo_divisions.csv --trainings "$n" >/dev/null
echo "store: $(cli stats | sed -n 2p)"

measure() { # LABEL FILE CMD...: one run, one line
	local label=$1 file=$2
	shift 2
	local out
	out=$( { /usr/bin/time -f '%e %M' "$@" >"$tmp/stdout"; } 2>&1 | tail -1)
	read -r secs kb <<<"$out"
	local size=""
	[[ -n $file && -f $file ]] && size=$(du -h "$file" | cut -f1)
	printf '%-34s %6.2f s  peak RSS %4d MiB  %s\n' "$label" "$secs" $((kb / 1024)) "$size"
}

for ((r = 1; r <= runs; r++)); do
	for name in ledger targets monthly keyvillages advisors; do
		measure "export $name .xlsx" "$tmp/$name.xlsx" "$tmp/techaid-cli" --data "$tmp/data" export "$name" --out "$tmp/$name.xlsx"
	done
	measure "export ledger .csv" "$tmp/ledger.csv" "$tmp/techaid-cli" --data "$tmp/data" export ledger --out "$tmp/ledger.csv"
done

# 100k-row lists, from the real division list.
awk -F, 'NR > 1 { v[++n] = $2 "," $4 "," $6 }
	END { srand(1); print "区县,乡镇,村"
		for (i = 0; i < 100000; i++) { split(v[int(rand() * n) + 1], f, ","); k = i % 4; name = f[3]
			if (k == 1) sub(/村委会$|居委会$/, "", name); if (k == 2) name = name "x"
			print f[1] "," (k == 3 ? "" : f[2]) "," name } }' ../shared/data/zibo_divisions.csv >"$tmp/kv.csv"
awk 'BEGIN { print "姓名,性别,电话,派出单位,职称,专业特长,专业组,专家服务团成员"
	split("粮食 蔬菜 林果 畜牧 水产 农业良种 经济作物 花卉", g, " ")
	for (i = 0; i < 100000; i++) printf "人员%d,%s,139%08d,某单位,农艺师,果树,%s,%s\n", i, (i % 2 ? "男" : "女"), i, g[i % 8 + 1], (i % 3 ? "否" : "是") }' >"$tmp/adv.csv"
for ((r = 1; r <= runs; r++)); do
	measure "preview 100k-row key-village list" "" "$tmp/techaid-cli" --data "$tmp/data" import keyvillages "$tmp/kv.csv"
	measure "preview 100k-row roster" "" "$tmp/techaid-cli" --data "$tmp/data" import advisors "$tmp/adv.csv"
done
tail -2 "$tmp/stdout"
