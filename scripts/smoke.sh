#!/usr/bin/env bash
# Smoke test of the packages in dist/ (scripts/package.sh), as an office PC meets them: each desktop
# build starts on a fresh data directory and shows its first-run window under Xvfb; each command answers
# --version with the packaged version; the Windows installer installs, upgrades and uninstalls under wine.
#
#   scripts/smoke.sh [VERSION]     (default: the one version found in dist/)
#
#   dist/smoke-linux.png     the Linux package, unpacked and started as a clerk would
#   dist/smoke-windows.png   the Windows app under wine, started from the desktop shortcut the installer
#                            made (a fresh prefix; the data directory is %LOCALAPPDATA%\techaid\data in it)
#
# The installer, under wine (a fresh prefix, its own HOME, no menu entries on this machine):
#   - an older version (the same code stamped OLD, one minor version below, and its installer, built
#     here) installs silently (/S) for the user: program, uninstaller, Start-menu and desktop shortcuts
#     named 科技帮扶台账 pointing at the program, an Uninstall entry with the version;
#   - the app starts from the desktop shortcut; techaid-cli.exe then writes a village into its data;
#   - signing: a throwaway CA and code-signing certificate (openssl) sign a copy of techaid.exe and an
#     installer built from it (scripts/windows/installer.sh, which signs the uninstaller too); osslsigncode
#     verifies them against the CA, and a changed byte fails verification;
#   - the upgrade from the city: a real techaid-city (dist's Linux build) on 127.0.0.1 publishes that
#     signed installer (release add marks it signed); the installed old app, started from the Start
#     menu, syncs, downloads it on its own, checks size, SHA-256 and signature (WinVerifyTrust, wine's)
#     and shows 有新版本 in its status line (dist/smoke-windows-offer.png); one click on it (found by its
#     colour) closes the app, the installer runs /S /RUN, the new version is installed (the signed
#     program and uninstaller) and starts by itself (dist/smoke-windows-upgraded.png), the city sees the
#     PC at the new version, the data is untouched;
#   - the installer run again over the open app (/S /RUN, dist's unsigned one): it waits for the app to
#     close, replaces the program, starts it again; the data is untouched;
#   - uninstalls silently: program, shortcuts and entry gone, the data still there and the village in it;
#   - installed again and uninstalled with /REMOVEDATA (the box on the uninstaller's page): the data goes.
#
# Needs Xvfb, xdotool, ImageMagick (scripts/setup.sh); wine, mingw (for the bcryptprimitives.dll that
# Go ≥ 1.22 programs need under Debian's wine 8: scripts/wine/), nsis, osslsigncode and python3 are
# installed here if missing. About 4 minutes once dist/ is built (a relink of the Windows app for the
# old version, its installer, the download and install under wine).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/dist
version=${1:-$(cd "$out" && ls techaid-*-linux-amd64.tar.xz 2>/dev/null | sed 's/^techaid-\(.*\)-linux-amd64.tar.xz$/\1/' | head -1)}
[[ -n $version ]] || { echo "smoke: nothing in dist/: run scripts/package.sh first" >&2; exit 1; }
echo "smoke: techaid $version"
# The older version the Windows part upgrades from: the same code, stamped one minor version lower.
IFS=. read -r major minor patch <<<"${version%%[+-]*}"
if ((patch > 0)); then old=$major.$minor.$((patch - 1)); elif ((minor > 0)); then old=$major.$((minor - 1)).0; else old=$((major - 1)).0.0; fi
((major > 0 || minor > 0 || patch > 0)) || { echo "smoke: no version below $version" >&2; exit 1; }

need=()
command -v wine >/dev/null || need+=(wine wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v makensis >/dev/null || need+=(nsis)
command -v osslsigncode >/dev/null || need+=(osslsigncode)
command -v python3 >/dev/null || need+=(python3)
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

# Windows, under wine: a fresh prefix with its own HOME (wine links the prefix's Desktop to HOME's),
# no menu entries written for this machine's desktop, the shim in its system32 (Go loads the DLL from
# there only) and wine's own bcryptprimitives off.
export FYNE_THEME=light FYNE_SCALE=1 # the offer's colour and place as the README's screenshots show them
export WINEPREFIX=$tmp/wine WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n;mscoree,mshtml=;winemenubuilder.exe=d"
mkdir -p "$tmp/home" "$tmp/win" "$tmp/old"
w() { HOME=$tmp/home wine "$@"; }
HOME=$tmp/home wineboot -i >/dev/null 2>&1 || true
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	"$root/scripts/wine/bcryptprimitives.c" -ladvapi32
for cmd in techaid-cli techaid-city; do
	cp "$out/$cmd-$version-windows-amd64.exe" "$tmp/win/$cmd.exe"
	wantVersion "$cmd" "$(cd "$tmp/win" && w "$cmd.exe" --version 2>/dev/null | tr -d '\r')"
done
user=$(ls "$WINEPREFIX/drive_c/users" | grep -v -x -e Public | head -1)
profile=$WINEPREFIX/drive_c/users/$user
local=$profile/AppData/Local
programs=$local/Programs/techaid
data=$local/techaid/data
startmenu="$profile/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/科技帮扶台账.lnk"
desktop="$profile/Desktop/科技帮扶台账.lnk"
key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\techaid'
cli() { (cd "$tmp/win" && w techaid-cli.exe "$@" 2>&1 | tr -d '\r'); }
# lnkTarget FILE: the program a shortcut starts (MS-SHLLINK: the LinkInfo's local base path).
lnkTarget() {
	python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
flags = struct.unpack_from("<I", b, 0x14)[0]
pos = 0x4C
if flags & 1:  # HasLinkTargetIDList
    pos += 2 + struct.unpack_from("<H", b, pos)[0]
if not flags & 2:  # HasLinkInfo
    sys.exit("no LinkInfo")
base = pos + struct.unpack_from("<I", b, pos + 16)[0]
print(b[base:b.index(b"\0", base)].decode("latin-1"))
PY
}
# closeApp: the app's window closes as a clerk's click would (WM_CLOSE: the store is closed cleanly).
# (wine 8's tasklist lists nothing: the app's process is found among this prefix's Linux processes.)
appPids() {
	local p
	for p in $(pgrep -f 'techaid\.exe' || true); do
		grep -qzx "WINEPREFIX=$WINEPREFIX" "/proc/$p/environ" 2>/dev/null && echo "$p"
	done
	return 0
}
appRunning() { [[ -n $(appPids) ]]; }
closeApp() {
	w taskkill /IM techaid.exe >/dev/null 2>&1 || true
	for _ in $(seq 60); do
		appRunning || return 0
		sleep 0.5
	done
	fail "the Windows app did not close"
}
winWindow() { timeout "$1" xdotool search --sync --onlyvisible --classname 'techaid.exe' | head -n 1; }

setup=$out/techaid-setup-$version-windows-amd64.exe
[[ -f $setup ]] || fail "no installer in dist/"
# The old version's app and installer, as package.sh makes them (the Go build cache has its packages:
# a relink with the old version stamped).
echo "smoke: building the old version $old (Windows app and installer)"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc PATH=/usr/local/go/bin:$PATH \
	go build -tags no_emoji -trimpath -ldflags "-s -w -X main.version=$old -H=windowsgui" -o "$tmp/old/techaid.exe" .
oldsetup=$tmp/old/techaid-setup-$old-windows-amd64.exe
bash "$root/scripts/windows/installer.sh" "$tmp/old/techaid.exe" "$old" 0 "$oldsetup" >/dev/null

# installedVersion: the version in the Uninstall entry
installedVersion() { w reg query "$key" /v DisplayVersion 2>/dev/null | tr -d '\r' | sed -n 's/.*DisplayVersion *REG_SZ *//p'; }
w "$oldsetup" /S || fail "the silent install exited $?"
for f in "$programs/techaid.exe" "$programs/uninstall.exe" "$startmenu" "$desktop"; do
	[[ -f $f ]] || fail "not installed: ${f#"$WINEPREFIX/"}"
done
[[ $(installedVersion) == "$old" ]] || fail "the Uninstall entry says '$(installedVersion)', want $old"
want="C:\\users\\$user\\AppData\\Local\\Programs\\techaid\\techaid.exe"
for lnk in "$desktop" "$startmenu"; do
	[[ $(lnkTarget "$lnk") == "$want" ]] || fail "$(basename "$lnk") starts '$(lnkTarget "$lnk")', want $want"
done
echo "smoke: installed $old silently: $want, shortcuts on the desktop and in the Start menu, Uninstall entry $old"

# From the desktop shortcut, as a clerk would.
w start /unix "$desktop" >"$tmp/windows.log" 2>&1
# By its class, which wine names after the .exe: the window is the Windows build's, not a Linux one.
id=$(winWindow 120) || fail "the installed app showed no window in 120 s under wine: $(tail -3 "$tmp/windows.log")"
shot "$id" "$out/smoke-windows.png"
ls "$data"/*.vlog >/dev/null 2>&1 || fail "no store in %LOCALAPPDATA%\\techaid\\data"
closeApp
cli init --scope 370323102 --clerk 王芳 >/dev/null || fail "techaid-cli init: $(cli stats)"
cli village add 370323102201 --name 鲁村一村 >/dev/null || fail "techaid-cli village add failed"
before=$(cli show 370323102201 --json)
grep -q 鲁村一村 <<<"$before" || fail "the village was not written: $before"
echo "smoke: the app started from its shortcut and keeps its data in %LOCALAPPDATA%\\techaid\\data"

# Signing, with a throwaway CA and certificate made here.
mkdir "$tmp/cert"
(
	cd "$tmp/cert"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=techaid smoke CA (throwaway)" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout sign.key -out sign.csr -subj "/CN=techaid smoke signer (throwaway)" 2>/dev/null
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >leaf.cnf
	openssl x509 -req -in sign.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out sign.pem -days 2 -extfile leaf.cnf 2>/dev/null
	openssl pkcs12 -export -inkey sign.key -in sign.pem -certfile ca.pem -out sign.pfx -passout pass:throwaway
)
verify() { osslsigncode verify -CAfile "$tmp/cert/ca.pem" -in "$1" >"$tmp/verify.log" 2>&1; }
cp "$out/techaid-$version-windows-amd64.exe" "$tmp/cert/techaid.exe"
signed=$tmp/cert/$(basename "$setup") # named as package.sh names it, for release add
TECHAID_SIGN_PKCS12=$tmp/cert/sign.pfx TECHAID_SIGN_PASSWORD=throwaway \
	bash -c 'bash "$1/scripts/windows/sign.sh" "$2" && bash "$1/scripts/windows/installer.sh" "$2" "$3" 0 "$4"' _ \
	"$root" "$tmp/cert/techaid.exe" "$version" "$signed" >/dev/null
verify "$signed" || fail "the signed installer does not verify: $(tail -3 "$tmp/verify.log")"
! verify "$setup" || fail "the unsigned installer verifies"
cp "$signed" "$tmp/cert/tampered.exe"
printf 'X' | dd of="$tmp/cert/tampered.exe" bs=1 seek=4096 conv=notrunc 2>/dev/null
! verify "$tmp/cert/tampered.exe" || fail "a changed byte in a signed installer still verifies"
echo "smoke: signed with a throwaway certificate: the installer verifies, a changed byte does not"

# The upgrade from the city: a real techaid-city publishes the signed installer; the old app fetches it,
# checks its size, SHA-256 and (Windows' WinVerifyTrust, under wine) its signature, offers it; one click
# installs it.
city() { "$out/techaid-city-$version-linux-amd64" --data "$tmp/city" "$@"; }
(umask 077; city office add --scope 370323102 --name 沂源县鲁村镇 >"$tmp/win/town.token" 2>>"$tmp/city.log")
city release add "$signed" >>"$tmp/city.log" || fail "release add: $(tail -3 "$tmp/city.log")"
city release list --json | grep -q '"signed": *true' || fail "the city does not mark the release signed: $(city release list --json)"
"$out/techaid-city-$version-linux-amd64" --data "$tmp/city" serve --listen 127.0.0.1:0 >>"$tmp/city.log" 2>&1 & # not through city(): $! is the server's
pids+=($!)
for _ in $(seq 100); do [[ -s $tmp/city/serve.json ]] && break; sleep 0.1; done
cityURL=$(sed 's/.*"url":"\([^"]*\)".*/\1/' "$tmp/city/serve.json" | sed 's/^http/ws/')
[[ $cityURL == ws://127.0.0.1:* ]] || fail "the city did not start: $(tail -3 "$tmp/city.log")"
cli sync --city "$cityURL" --token-file town.token --once >/dev/null || fail "techaid-cli.exe could not sync with the city"
# appVersionAtCity: the app version the city's status names for the office's PC (its last hello)
appVersionAtCity() {
	city status --json 2>/dev/null | python3 -c 'import json, sys
print(" ".join(r.get("app", "") for o in json.load(sys.stdin)["offices"] for r in o.get("replicas") or []))'
}
echo "smoke: the city at $cityURL publishes $(basename "$signed") (signed); the office's store remembers it"
upgradeStart=$SECONDS
w start /unix "$startmenu" >>"$tmp/windows.log" 2>&1
id=$(winWindow 120) || fail "the old app showed no window from the Start-menu shortcut"
downloaded=$local/techaid/updates/$(basename "$signed")
for _ in $(seq 600); do [[ -f $downloaded ]] && break; sleep 0.5; done
[[ -f $downloaded ]] || fail "the old app did not download the release in 5 min: $(ls "$local/techaid/updates" 2>&1)"
cmp -s "$downloaded" "$signed" || fail "the download differs from the release"
for _ in $(seq 60); do [[ $(appVersionAtCity) == "$old" ]] && break; sleep 0.5; done # techaid-cli.exe said $version
[[ $(appVersionAtCity) == "$old" ]] || fail "the city sees the PC at '$(appVersionAtCity)', want $old"
sleep 3 # the status line redraws
eval "$(xdotool getwindowgeometry --shell "$id")"
import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$out/smoke-windows-offer.png"
echo "smoke: $out/smoke-windows-offer.png: the old app downloaded and verified $version while open ($((SECONDS - upgradeStart)) s)"
# The offer is the green (primary colour) button in the status line: the largest green area in the
# window's bottom 50 pixels.
box=$(convert "$out/smoke-windows-offer.png" -crop "${WIDTH}x50+0+$((HEIGHT - 50))" +repage -fuzz 12% \
	-fill black +opaque '#1B7F4B' -fill white -opaque '#1B7F4B' \
	-define connected-components:verbose=true -connected-components 8 null: |
	awk '/srgb\(255,255,255\)/ {print $4, $2}' | sort -n | tail -1 | cut -d' ' -f2)
[[ $box =~ ^([0-9]+)x([0-9]+)\+([0-9]+)\+([0-9]+)$ ]] || fail "no offer (green button) in the status line: see $out/smoke-windows-offer.png"
((BASH_REMATCH[1] > 100)) || fail "the green in the status line ($box) is no button: see $out/smoke-windows-offer.png"
oldPids=$(appPids)
xdotool mousemove $((X + BASH_REMATCH[3] + BASH_REMATCH[1] / 2)) $((Y + HEIGHT - 50 + BASH_REMATCH[4] + BASH_REMATCH[2] / 2)) click 1
# The old app quits (the new one the installer starts is another process).
oldRunning() { local p; for p in $oldPids; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
for _ in $(seq 240); do oldRunning || break; sleep 0.5; done
! oldRunning || fail "the old app still runs 2 min after the click on 有新版本"
for _ in $(seq 240); do [[ $(installedVersion) == "$version" ]] && break; sleep 0.5; done
[[ $(installedVersion) == "$version" ]] || fail "after the click the Uninstall entry says '$(installedVersion)', want $version"
cmp -s "$programs/techaid.exe" "$tmp/cert/techaid.exe" || fail "the installed program is not $version's"
verify "$programs/techaid.exe" || fail "the upgraded program is not the signed one"
verify "$programs/uninstall.exe" || fail "the upgraded uninstaller is not signed"
id=$(winWindow 120) || fail "the new version did not start by itself after the upgrade"
# (the new version's first open and sync: seconds here, but over a minute on a machine at load 38)
for _ in $(seq 180); do [[ $(appVersionAtCity) == "$version" ]] && break; sleep 1; done
[[ $(appVersionAtCity) == "$version" ]] || fail "the city sees the PC at '$(appVersionAtCity)' after the upgrade, want $version"
shot "$id" "$out/smoke-windows-upgraded.png"
closeApp
[[ $(cli show 370323102201 --json) == "$before" ]] || fail "the upgrade from the city changed the data"
echo "smoke: upgraded $old → $version from the city with one click ($((SECONDS - upgradeStart)) s): the signed program and uninstaller installed, started by itself, the city sees it at $version, the data untouched"

# The installer run by hand over the open app (/S /RUN, as the app runs it): it waits for the app to
# close, replaces the program (now dist's unsigned one) and starts it again.
w start /unix "$startmenu" >>"$tmp/windows.log" 2>&1
winWindow 120 >/dev/null || fail "the app showed no window from the Start-menu shortcut"
w "$setup" /S /RUN >"$tmp/upgrade.log" 2>&1 &
upgrade=$!
sleep 5
kill -0 "$upgrade" 2>/dev/null || fail "the installer did not wait for the open app"
verify "$programs/techaid.exe" || fail "the program was replaced while it ran"
closeApp
wait "$upgrade" || fail "the reinstall exited $?: $(cat "$tmp/upgrade.log")"
cmp -s "$programs/techaid.exe" "$out/techaid-$version-windows-amd64.exe" || fail "the reinstall did not replace the program"
winWindow 60 >/dev/null || fail "/RUN did not start the app again"
closeApp
[[ $(cli show 370323102201 --json) == "$before" ]] || fail "the reinstall changed the data"
echo "smoke: reinstalled in place while open: waited for the app, replaced the program, started it again, data untouched"

# Uninstall: the data stays unless asked. The uninstaller runs from a copy in %TEMP%: wait for wine.
w "$programs/uninstall.exe" /S
HOME=$tmp/home wineserver -w
for f in "$programs/techaid.exe" "$programs/uninstall.exe" "$startmenu" "$desktop"; do
	[[ ! -e $f ]] || fail "left after uninstalling: ${f#"$WINEPREFIX/"}"
done
[[ ! -d $programs ]] || fail "the program folder is left"
! w reg query "$key" >/dev/null 2>&1 || fail "the Uninstall entry is left"
[[ $(cli show 370323102201 --json) == "$before" ]] || fail "the data did not survive the uninstall"
echo "smoke: uninstalled: program, shortcuts and entry gone; the data and its village are still there"
w "$setup" /S || fail "installing again exited $?"
w "$programs/uninstall.exe" /S /REMOVEDATA
HOME=$tmp/home wineserver -w
[[ ! -e $local/techaid ]] || fail "/REMOVEDATA left the data folder"
echo "smoke: installed again and uninstalled with /REMOVEDATA: the data folder is gone"
echo "smoke: ok"
