#!/usr/bin/env bash
# Installs what building, testing and running techaid needs on a Debian 12 machine.
#
#   scripts/setup.sh [test|run]
#
# Idempotent: when everything is already there it only asks dpkg and returns at
# once, without touching apt. Both modes install the same set today; the argument
# exists so that callers need not change if the sets ever differ.
set -euo pipefail

# One line per group, with why it is there. Debian 12 (bookworm) package names.
PACKAGES=(
	# cgo toolchain: Fyne's GLFW/OpenGL driver and `go test -race` both need it; make runs the Makefile.
	gcc pkg-config make
	# headers Fyne's cgo build (go-gl/glfw) compiles against.
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
	# screenshots of the desktop app: a virtual X server, a way to drive it, a way to capture it.
	xvfb xdotool imagemagick
	# pyftsubset, to cut the embedded CJK font down to the characters the UI uses.
	fonttools
	# soffice --headless: the exported workbooks are read back by LibreOffice in the tests (~25 s to
	# install, ~6 s a test run).
	libreoffice-calc-nogui
	# systemd-analyze verify: the README's unit for the city server is checked as written.
	systemd
	# headless Chromium: the city's status page is loaded in a real browser by the tests (its script
	# draws, sorts and refreshes the table).
	chromium
)

usage() {
	echo "usage: $0 [test|run]" >&2
	exit 2
}

mode=${1:-test}
case $mode in
test | run) ;;
*) usage ;;
esac
[[ $# -le 1 ]] || usage

# Go comes from the machine (/usr/local/go), never from apt: Debian 12's golang is far too old.
if ! command -v go >/dev/null 2>&1 && [[ ! -x /usr/local/go/bin/go ]]; then
	echo "setup: Go not found: neither 'go' on PATH nor /usr/local/go/bin/go." >&2
	echo "setup: install the Go version named in go.mod to /usr/local/go (https://go.dev/doc/install) and retry." >&2
	exit 1
fi

# One dpkg-query for the whole list keeps the warm path fast. Only state "ii"
# (installed, no errors) counts: "rc" means removed with its config left behind.
# Packages dpkg has never seen are left out of its output (and make it exit 1).
declare -A state=()
while read -r name abbrev; do
	state[$name]=$abbrev
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for pkg in "${PACKAGES[@]}"; do
	[[ ${state[$pkg]:-} == ii ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
	# Without a terminal (CI) sudo must not wait for a password nobody can type.
	[[ -t 0 ]] || as_root=(sudo -n)
else
	echo "setup: missing packages: ${missing[*]}" >&2
	echo "setup: not root and no sudo; install them with: apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "setup ($mode): installing ${missing[*]}" >&2
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
