#!/usr/bin/env bash
# Screenshots of the Windows installer's pages and of the app's file dialog under wine, as a clerk on a
# Chinese Windows sees them, for the README and for looking at:
#
#   scripts/windows/screenshots.sh [OUTDIR]     (default docs/screenshots; needs dist/ from package.sh)
#
#   installer-welcome.png  installer-folder.png  installer-progress.png  installer-finish.png
#   installer-upgrade.png (the installer run again over an installed copy)
#   uninstaller.png (the box ticked)  uninstaller-confirm.png  dialog-save-windows.png
#
# Runs on its own X display (SHOTS_DISPLAY, default :98) and a fresh wine prefix in Chinese. Wine has
# no Chinese font of its own: the WenQuanYi font's Debian package is unpacked into a temporary folder
# and shown to wine alone (FONTCONFIG_FILE), never installed on this machine. The pages are driven with
# the mouse at their buttons' places (NSIS's pages are 579×389 and centred; no window manager).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
shots=$(realpath -m "${1:-docs/screenshots}")
mkdir -p "$shots"
setup=$(ls dist/techaid-setup-*-windows-amd64.exe 2>/dev/null | head -1)
[[ -n $setup ]] || { echo "screenshots: no installer in dist/: run scripts/package.sh" >&2; exit 1; }
cli=$(ls dist/techaid-cli-*-windows-amd64.exe | head -1)

tmp=$(mktemp -d)
xvfb=
cleanup() {
	WINEPREFIX=$tmp/wine wineserver -k 2>/dev/null || true
	[[ -z $xvfb ]] || kill "$xvfb" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
export DISPLAY=${SHOTS_DISPLAY:-:98}
Xvfb "$DISPLAY" -screen 0 1366x768x24 -noreset >/dev/null 2>&1 &
xvfb=$!
sleep 1

(cd "$tmp" && apt-get download fonts-wqy-microhei >/dev/null 2>&1) || { echo "screenshots: cannot download fonts-wqy-microhei" >&2; exit 1; }
dpkg-deb -x "$tmp"/fonts-wqy-microhei_*.deb "$tmp/fonts"
cat >"$tmp/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$tmp/fonts/usr/share/fonts</dir>
  <cachedir>$tmp/fccache</cachedir>
</fontconfig>
EOF
# A Chinese Windows: wine takes its language and code page from the Linux locale, which this machine
# need not have generated; one is built for these programs alone (LOCPATH).
mkdir -p "$tmp/locale"
localedef -i zh_CN -f UTF-8 "$tmp/locale/zh_CN.UTF-8" 2>/dev/null || [[ -d $tmp/locale/zh_CN.UTF-8 ]]
export LOCPATH=$tmp/locale
export FONTCONFIG_FILE=$tmp/fonts.conf LANG=zh_CN.UTF-8 HOME=$tmp/home WINEPREFIX=$tmp/wine WINEDEBUG=-all \
	WINEDLLOVERRIDES="bcryptprimitives=n;mscoree,mshtml=;winemenubuilder.exe=d"
mkdir -p "$HOME"
wineboot -i >/dev/null 2>&1 || true
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	"$root/scripts/wine/bcryptprimitives.c" -ladvapi32
# Windows' Chinese UI fonts, which wine's dialogs ask for, are the WenQuanYi font here.
printf 'REGEDIT4\n\n[HKEY_CURRENT_USER\\Software\\Wine\\Fonts\\Replacements]\n"SimSun"="WenQuanYi Micro Hei"\n"NSimSun"="WenQuanYi Micro Hei"\n"Microsoft YaHei"="WenQuanYi Micro Hei"\n"Microsoft YaHei UI"="WenQuanYi Micro Hei"\n' >"$tmp/fonts.reg"
wine regedit "$tmp/fonts.reg" >/dev/null 2>&1
wineserver -w

# page CLASS: waits for a visible window of the program CLASS (wine names the class after the .exe;
# xdotool's --name cannot match Chinese titles), then x, y, w, h: where it is.
page() {
	local id X Y WIDTH HEIGHT SCREEN WINDOW
	id=$(timeout 30 xdotool search --sync --onlyvisible --classname "$1" | head -1) || {
		echo "screenshots: no window of $1; there are:" >&2
		xdotool search --onlyvisible --classname . | while read -r i; do xprop -id "$i" WM_CLASS; done >&2
		exit 1
	}
	eval "$(xdotool getwindowgeometry --shell "$id")"
	x=$X y=$Y w=$WIDTH h=$HEIGHT
	sleep 1.5 # let it draw
}
shot() { import -window root -crop "${w}x${h}+${x}+${y}" +repage "$shots/$1"; echo "screenshots: $shots/$1"; }
click() { xdotool mousemove $((x + $1)) $((y + $2)) click 1; sleep 1.5; }
next=(421 363) back=(326 363) cancel=(521 363)

user=$(ls "$WINEPREFIX/drive_c/users" | grep -v -x Public | head -1)
programs=$WINEPREFIX/drive_c/users/$user/AppData/Local/Programs/techaid
wine "$setup" >/dev/null 2>&1 &
page techaid-setup && shot installer-welcome.png
click "${next[@]}" && shot installer-folder.png
click "${next[@]}"
shot installer-progress.png
for _ in $(seq 120); do [[ -f $programs/uninstall.exe ]] && break; sleep 0.5; done
sleep 3
shot installer-finish.png
click 216 167 # 现在打开: not now
click "${next[@]}"
wineserver -k || true

# The page an upgrade from an older version shows: the installed copy says it is 0.3.0.
wine reg add 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\techaid' /v DisplayVersion /d 0.3.0 /f >/dev/null 2>&1
wine "$setup" >/dev/null 2>&1 &
page techaid-setup && shot installer-upgrade.png
wineserver -k || true

wine "C:\\users\\$user\\AppData\\Local\\Programs\\techaid\\uninstall.exe" >/dev/null 2>&1 &
page '^(un|Un_A|Au_)\.exe$' # the uninstaller runs as a copy of itself in %TEMP%
click 31 212 # the box: delete the data too
shot uninstaller.png
click "${next[@]}"
sleep 1
import -window root -crop 579x389+$x+$y +repage "$shots/uninstaller-confirm.png"
echo "screenshots: $shots/uninstaller-confirm.png"
wineserver -k || true

# The app's save dialog: Windows' own, in Chinese. An office set up with techaid-cli, the app on 设置.
wine "$setup" /S >/dev/null 2>&1
cp "$cli" "$tmp/cli.exe"
(cd "$tmp" && wine cli.exe init --scope 370323102 --clerk 王芳 >/dev/null 2>&1)
wine "C:\\users\\$user\\AppData\\Local\\Programs\\techaid\\techaid.exe" --screen 设置 >/dev/null 2>&1 &
id=$(timeout 120 xdotool search --sync --onlyvisible --classname techaid.exe | head -1)
sleep 4
eval "$(xdotool getwindowgeometry --shell "$id")"
x=$X y=$Y w=$WIDTH h=$HEIGHT
# 备份到文件… on 设置 (where this build's layout puts it in the 1280×720 window).
click "${BACKUP_AT_X:-176}" "${BACKUP_AT_Y:-436}"
sleep 3
# The system's dialog is a window of its own: the newest visible one of the app.
dlg=$(xdotool search --onlyvisible --classname techaid.exe | grep -v -x "$id" | tail -1)
[[ -n $dlg ]] || { echo "screenshots: no file dialog opened" >&2; import -window root "$shots/no-dialog.png"; exit 1; }
eval "$(xdotool getwindowgeometry --shell "$dlg")"
# The dialog with the app around it, as the clerk sees the screen.
import -window root "$shots/dialog-save-windows.png"
echo "screenshots: $shots/dialog-save-windows.png (the dialog at ${WIDTH}x${HEIGHT}+${X}+${Y})"
