#!/usr/bin/env bash
# Builds everything an office PC and the city's server need into dist/, version-stamped:
#
#   scripts/package.sh [VERSION]        (default: FyneApp.toml's Version, plus the git commit)
#
#   dist/techaid-VERSION-linux-amd64.tar.xz    the desktop app, packaged by `fyne package` (icon, .desktop
#                                              entry, `make install` for /usr/local or ~/.local)
#   dist/techaid-setup-VERSION-windows-amd64.exe   the Windows installer (NSIS, scripts/windows/): per
#                                              user, no administrator rights, Start-menu and desktop
#                                              shortcuts 科技帮扶台账, an uninstaller that keeps the data;
#                                              /S /RUN upgrades an installed copy silently
#   dist/techaid-VERSION-windows-amd64.exe     the desktop app it installs, also usable on its own:
#                                              cross-compiled with mingw, -H=windowsgui, icon and version
#                                              info embedded
#   dist/techaid-cli-VERSION-{linux,windows}-amd64[.exe]    the headless replica   } static, cgo-free
#   dist/techaid-city-VERSION-{linux,windows}-amd64[.exe]   the city server        }
#   dist/SHA256SUMS
#
# Every binary answers --version. With a code-signing certificate in the environment (TECHAID_SIGN_PKCS12
# or TECHAID_SIGN_CERT and TECHAID_SIGN_KEY, TECHAID_SIGN_PASSWORD: scripts/windows/sign.sh), the Windows
# programs, the installer and its uninstaller are signed with osslsigncode; without one they are not, and
# Windows' SmartScreen warns whoever runs them.
#
# Needs the packages of scripts/setup.sh plus gcc-mingw-w64-x86-64, ImageMagick and nsis (installed here
# if missing); the fyne tool is fyne.io/tools/cmd/fyne@v1.7.4. A cold build takes several minutes
# (Fyne's cgo, twice: Linux and Windows).
set -euo pipefail
export PATH=/usr/local/go/bin:$PATH LANG=en_US.UTF-8
cd "$(dirname "$0")/.."
root=$PWD

appver=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
version=${1:-$appver+$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
ldflags="-s -w -X main.version=$version"

need=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
[[ -x /usr/bin/convert ]] || need+=(imagemagick)
command -v makensis >/dev/null || need+=(nsis)
[[ -z ${TECHAID_SIGN_PKCS12:-}${TECHAID_SIGN_CERT:-} ]] || command -v osslsigncode >/dev/null || need+=(osslsigncode)
if ((${#need[@]})); then
	echo "package: installing ${need[*]}" >&2
	sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
gobin=$root/dist/.tools
mkdir -p "$gobin"
[[ -x $gobin/fyne ]] || GOBIN=$gobin go install fyne.io/tools/cmd/fyne@v1.7.4
[[ -x $gobin/goversioninfo ]] || GOBIN=$gobin go install github.com/josephspurrier/goversioninfo/cmd/goversioninfo@v1.7.0

out=$root/dist
rm -f "$out"/techaid* "$out"/SHA256SUMS
tmp=$(mktemp -d)
syso=$root/zz_resource_windows_amd64.syso
trap 'rm -rf "$tmp" "$syso"' EXIT

echo "package: techaid $version (build $build)"

# The cgo-free commands: static binaries for both systems.
for os in linux windows; do
	ext=; [[ $os == windows ]] && ext=.exe
	for cmd in techaid-cli techaid-city; do
		CGO_ENABLED=0 GOOS=$os GOARCH=amd64 go build -trimpath -ldflags "$ldflags" \
			-o "$out/$cmd-$version-$os-amd64$ext" "./cmd/$cmd"
	done
done

# Linux desktop app: our own build (so the version is stamped), then fyne packages the executable. fyne
# rewrites FyneApp.toml (it bumps Build even when told the build): put it back.
go build -tags no_emoji -trimpath -ldflags "$ldflags" -o "$tmp/techaid" .
(cd "$tmp" && "$gobin/fyne" package --os linux --src "$root" --exe "$tmp/techaid" --name techaid --icon "$root/assets/icon.png" \
	--app-id cn.gov.zibo.kjj.techaid --app-version "$appver" --app-build "$build" --release >/dev/null)
git -C "$root" show HEAD:FyneApp.toml >/dev/null 2>&1 && git -C "$root" checkout -q -- FyneApp.toml
# The menu entry in Chinese (fyne names it after the executable), with an English name beside it.
mkdir "$tmp/pkg" && tar -xJf "$tmp/techaid.tar.xz" -C "$tmp/pkg"
desktop=$(find "$tmp/pkg" -name '*.desktop')
sed -i 's/^Name=.*/Name=科技帮扶台账\nName[en]=Tech Aid Ledger\nComment=科技帮扶工作台账：村庄、科技指导人员、培训与服务记录/; s/^Keywords=.*/Keywords=科技帮扶;台账;techaid;/' "$desktop"
tar -cJf "$out/techaid-$version-linux-amd64.tar.xz" -C "$tmp/pkg" techaid

# Windows desktop app: the icon and version info as a resource object the linker picks up (a .syso
# beside main.go, removed afterwards), then a mingw cross-build without a console window.
/usr/bin/convert "$root/assets/icon.png" -define icon:auto-resize=256,64,48,32,16 "$tmp/icon.ico"
IFS=. read -r major minor patch <<<"$appver"
"$gobin/goversioninfo" -64 -o "$syso" -icon "$tmp/icon.ico" \
	-product-name "科技帮扶台账" -description "科技帮扶台账" -company "淄博市科学技术局" \
	-copyright "淄博市科学技术局" -original-name "techaid.exe" -internal-name techaid \
	-ver-major "${major:-0}" -ver-minor "${minor:-0}" -ver-patch "${patch:-0}" -ver-build "$build" \
	-product-ver-major "${major:-0}" -product-ver-minor "${minor:-0}" -product-ver-patch "${patch:-0}" \
	-product-ver-build "$build" -product-version "$version" -file-version "$version" \
	"$root/scripts/versioninfo.json"
winexe=$out/techaid-$version-windows-amd64.exe
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
	go build -tags no_emoji -trimpath -ldflags "$ldflags -H=windowsgui" -o "$winexe" .
rm -f "$syso"

# Signed (when a certificate is given) before the installer packs it; then the installer.
bash "$root/scripts/windows/sign.sh" "$winexe" "$out"/techaid-c*-windows-amd64.exe
bash "$root/scripts/windows/installer.sh" "$winexe" "$version" "$build" "$out/techaid-setup-$version-windows-amd64.exe"

(cd "$out" && sha256sum techaid* >SHA256SUMS)
ls -l "$out" | sed 1d | grep -v '\.tools'
