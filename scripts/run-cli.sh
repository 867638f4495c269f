#!/usr/bin/env bash
# `make run` until the desktop app exists: the headless replica on the per-user data directory.
# The first run makes it the city office (3703) with the real Zibo villages, so there is something to see.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(mktemp -d)/techaid-cli
trap 'rm -rf "$(dirname "$bin")"' EXIT
CGO_ENABLED=0 go build -o "$bin" ./cmd/techaid-cli
if ! "$bin" stats 2>/dev/null; then
	echo "第一次运行：初始化为淄博市科技局（3703），录入人「演示」。"
	"$bin" init --scope 3703 --clerk 演示
	villages=../shared/data/zibo_divisions.csv
	[[ -f $villages ]] && "$bin" import villages "$villages" --quiet
	"$bin" stats
fi
echo
echo "更多命令（不带参数列出全部）：go run ./cmd/techaid-cli"
