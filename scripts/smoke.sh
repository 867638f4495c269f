#!/usr/bin/env bash
# Smoke test of the packages in dist/ (scripts/package.sh): each desktop build starts on a fresh data
# directory, shows its first-run window under Xvfb, and leaves a screenshot; each command answers
# --version with the packaged version.
#
#   scripts/smoke.sh [VERSION]     (default: the one version found in dist/)
#
#   dist/smoke-linux.png     the Linux package, unpacked and started as a clerk would
#   dist/smoke-windows.png   the Windows .exe under wine (a fresh prefix; the data directory is then
#                            %LOCALAPPDATA%\techaid\data inside it)
#
# Needs Xvfb, xdotool, ImageMagick (scripts/setup.sh), wine (installed here if missing) and mingw (for the
# bcryptprimitives.dll that Go ≥ 1.22 programs need under Debian's wine 8: scripts/wine/).
# Xvfb's locale is C: the app logs that Fyne cannot parse it as a language; harmless.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/dist
version=${1:-$(cd "$out" && ls techaid-*-linux-amd64.tar.xz 2>/dev/null | sed 's/^techaid-\(.*\)-linux-amd64.tar.xz$/\1/' | head -1)}
[[ -n $version ]] || { echo "smoke: nothing in dist/: run scripts/package.sh first" >&2; exit 1; }
echo "smoke: techaid $version"

need=()
command -v wine >/dev/null || need+=(wine wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
if ((${#need[@]})); then
	sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	WINEPREFIX=$tmp/wine wineserver -k 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

display=:$((200 + RANDOM % 50))
Xvfb "$display" -screen 0 1366x768x24 -noreset >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=$display
sleep 1

# window TIMEOUT: the id of the app's window once it shows
window() { timeout "$1" xdotool search --sync --onlyvisible --name '科技帮扶台账' | head -n 1; }
shot() {
	local id=$1 file=$2 X Y WIDTH HEIGHT SCREEN WINDOW
	eval "$(xdotool getwindowgeometry --shell "$id")"
	sleep 3 # let it draw
	import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$file"
	echo "smoke: $file (${WIDTH}x${HEIGHT})"
}
wantVersion() { # wantVersion NAME OUTPUT
	[[ $2 == "$1 $version" ]] || fail "$1 --version said '$2', want '$1 $version'"
}

# Linux: unpack the package as a clerk would (no install needed), start it on a fresh data directory.
mkdir -p "$tmp/linux" && tar -xJf "$out/techaid-$version-linux-amd64.tar.xz" -C "$tmp/linux"
exe=$(find "$tmp/linux" -type f -name techaid -perm -u+x | head -1)
[[ -n $exe ]] || fail "no techaid executable in the Linux package"
wantVersion techaid "$("$exe" --version)"
for cmd in techaid-cli techaid-city; do
	wantVersion "$cmd" "$("$out/$cmd-$version-linux-amd64" --version)"
done
XDG_DATA_HOME=$tmp/linux-data LANG=zh_CN.UTF-8 "$exe" >"$tmp/linux.log" 2>&1 &
pids+=($!)
id=$(window 60) || fail "the Linux build showed no window in 60 s: $(tail -3 "$tmp/linux.log")"
shot "$id" "$out/smoke-linux.png"
# A second copy on the same data is refused in words, and the first keeps the store.
XDG_DATA_HOME=$tmp/linux-data LANG=zh_CN.UTF-8 "$exe" >"$tmp/linux2.log" 2>&1 &
pids+=($!)
for _ in $(seq 40); do grep -q "in use by another techaid program" "$tmp/linux2.log" && break; sleep 0.5; done
grep -q "in use by another techaid program" "$tmp/linux2.log" || fail "a second copy was not refused: $(tail -3 "$tmp/linux2.log")"
sleep 2
import -window root -crop 480x180+443+294 +repage "$out/smoke-linux-second.png" # centred on the 1366×768 screen
echo "smoke: $out/smoke-linux-second.png (the second copy's message)"
kill "${pids[-1]}" "${pids[-2]}"
wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
# No window of ours may be left, or the Windows check below could find the Linux one.
for _ in $(seq 20); do xdotool search --name '科技帮扶台账' >/dev/null 2>&1 || break; sleep 0.5; done
! xdotool search --name '科技帮扶台账' >/dev/null 2>&1 || fail "the Linux window did not go away"

# Windows, under wine: a fresh prefix with the shim in its system32 (Go loads the DLL from there only),
# and wine's own bcryptprimitives off.
export WINEPREFIX=$tmp/wine WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n;mscoree,mshtml="
wineboot -i >/dev/null 2>&1 || true
mkdir -p "$tmp/win"
cp "$out/techaid-$version-windows-amd64.exe" "$tmp/win/techaid.exe"
for cmd in techaid-cli techaid-city; do cp "$out/$cmd-$version-windows-amd64.exe" "$tmp/win/$cmd.exe"; done
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	"$root/scripts/wine/bcryptprimitives.c" -ladvapi32
for cmd in techaid-cli techaid-city; do
	wantVersion "$cmd" "$(cd "$tmp/win" && wine "$cmd.exe" --version 2>/dev/null | tr -d '\r')"
done
(cd "$tmp/win" && exec wine techaid.exe) >"$tmp/windows.log" 2>&1 &
pids+=($!)
# By its class, which wine names after the .exe: the window is the Windows build's, not a Linux one.
id=$(timeout 120 xdotool search --sync --onlyvisible --classname 'techaid.exe' | head -n 1) ||
	fail "the Windows build showed no window in 120 s under wine: $(tail -3 "$tmp/windows.log")"
shot "$id" "$out/smoke-windows.png"
# The per-user data directory on Windows: %LOCALAPPDATA%\techaid\data.
ls "$WINEPREFIX"/drive_c/users/*/AppData/Local/techaid/data/*.vlog >/dev/null 2>&1 ||
	fail "no store in %LOCALAPPDATA%\\techaid\\data"
echo "smoke: the Windows build keeps its data in %LOCALAPPDATA%\\techaid\\data"
echo "smoke: ok"
