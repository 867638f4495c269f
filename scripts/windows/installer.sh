#!/usr/bin/env bash
# Builds the Windows installer around a built techaid.exe with NSIS's makensis (installer.nsi beside
# this file says what the installer does and which options it takes).
#
#   scripts/windows/installer.sh TECHAID.EXE VERSION BUILD OUT.exe
#
# VERSION is the version shown (0.4.0+f47b31f), BUILD the release count of FyneApp.toml. With a
# certificate in the environment (sign.sh) the uninstaller it carries is signed as makensis makes it,
# and the installer afterwards; TECHAID.EXE is packed as it is (package.sh signs it first).
# Needs nsis and ImageMagick (installed here if missing).
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: $0 TECHAID.EXE VERSION BUILD OUT.exe" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exe=$(realpath "$1") version=$2 build=$3 out=$(realpath -m "$4")

need=()
command -v makensis >/dev/null || need+=(nsis)
[[ -x /usr/bin/convert ]] || need+=(imagemagick)
if ((${#need[@]})); then
	echo "installer: installing ${need[*]}" >&2
	sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/convert "$root/assets/icon.png" -define icon:auto-resize=256,64,48,32,16 "$tmp/icon.ico"
# The file version resource wants four numbers: the release's three and the build count.
IFS=. read -r major minor patch <<<"${version%%[+-]*}"
version4=${major:-0}.${minor:-0}.${patch:-0}.${build:-0}
[[ $version4 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || version4=0.0.0.$build

defs=(-DVERSION="$version" -DVERSION4="$version4" -DEXE="$exe" -DICON="$tmp/icon.ico" -DOUTFILE="$out")
if [[ -n ${TECHAID_SIGN_PKCS12:-}${TECHAID_SIGN_CERT:-} ]]; then
	defs+=(-DSIGN="$here/sign.sh")
fi
# -INPUTCHARSET UTF8: the script's Chinese texts (makensis on Linux would read the file as Latin-1).
if ! makensis -V2 -INPUTCHARSET UTF8 "${defs[@]}" "$here/installer.nsi" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	exit 1
fi
bash "$here/sign.sh" "$out"
echo "installer: $(basename "$out")"
