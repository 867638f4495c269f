#!/usr/bin/env bash
# Builds the files in assets/ that are made rather than written by hand:
#
#   assets/NotoSansSC-Regular.otf   the UI font, regular weight
#   assets/NotoSansSC-Bold.otf      the UI font, bold weight
#   assets/icon.png                 the 512x512 application icon
#   assets/OFL.txt                  the fonts' licence, which must ship with them
#
#   scripts/make-font.sh            (from anywhere; re-run after adding UI strings)
#
# Why a bundled font at all: Fyne's built-in font has no CJK glyphs, and a township
# office PC cannot be trusted to have a Chinese font Fyne will find. So we embed one.
#
# Why a subset: "Noto Sans CJK SC" in full is ~16 MB per weight (65,535 glyphs for
# Chinese, Japanese and Korean). We keep what a Chinese office UI can show:
#   - all of GB2312 (6,763 hanzi + 682 symbols), ASCII, Latin-1, general punctuation,
#     CJK symbols and punctuation, full-width forms, arrows, box drawing, geometric
#     shapes and a few dingbats/misc symbols (check marks, stars);
#   - every character of the reference data in ../shared/data (the real village names
#     of 淄博市 use characters outside GB2312, e.g. 堐 溡 耇 窎);
#   - every non-ASCII character in any *.go, *.json or *.md file of this repository,
#     so re-running this script picks up new UI strings and translations.
# Hinting is dropped (Fyne renders unhinted anyway), and so are the vertical-writing
# tables and all OpenType layout features except the few Fyne's shaper applies by
# default to horizontal text. Above all 'locl' goes: in the SC face it only maps to
# the Japanese, Korean and Traditional glyph forms, and keeping it nearly doubles the
# glyph count. A character outside the subset is not lost where the system has a font
# with it: Fyne falls back to the system's fonts for any rune the theme font lacks.
#
# Why OpenType/CFF (.otf), Noto's own outlines, and not TrueType: Fyne 2.7.1 shapes
# and draws text with go-text/typesetting and go-text/render, which read CFF outlines
# correctly (assets/assets_test.go renders through Fyne's painter to prove it). The
# .otf is ~24% smaller than a TrueType conversion (1.7 MB against 2.2 MB per face),
# and go-text parses it ~7x faster (2 ms and 2.8 MB allocated, against 15 ms and 8 MB).
# FORMAT=ttf converts the outlines to TrueType quadratics instead (cu2qu), should a
# future Fyne stop drawing CFF; then change the //go:embed lines in assets/assets.go.
#
# Licence: Noto Sans CJK is © 2014-2021 Adobe, under the SIL Open Font License 1.1
# (Debian: /usr/share/doc/fonts-noto-cjk/copyright). The subsets are a "Modified
# Version" under that licence: they may be bundled with the app, must ship with the
# licence text and copyright notice (assets/OFL.txt, written below from Debian's copy)
# and must stay under the OFL. They keep the family name "Noto Sans CJK SC": the only
# Reserved Font Name upstream declares is "Source", which we do not use.
#
# Needs Debian's fonts-noto-cjk, fonttools (pyftsubset + the python3 module) and
# imagemagick; installs whichever is missing with apt-get (we run as root).
# The output is deterministic for the same inputs: the font timestamps are not touched.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ASSETS=$ROOT/assets
# shared/ lies beside the work tree, in CI as on a developer machine.
DATA=${TECHAID_SHARED_DATA:-$ROOT/../shared/data}
# Debian's python, which has fontTools; the first python3 on PATH may be another one.
PY=/usr/bin/python3
# ImageMagick's convert; the first `convert` on PATH may be a stand-in.
CONVERT=/usr/bin/convert
TTC_DIR=/usr/share/fonts/opentype/noto
FAMILY="Noto Sans CJK SC"
# otf (default) or ttf: see above.
FORMAT=${FORMAT:-otf}
case $FORMAT in otf | ttf) ;; *) echo "FORMAT must be otf or ttf" >&2; exit 2 ;; esac

need=()
[ -f "$TTC_DIR/NotoSansCJK-Regular.ttc" ] && [ -f "$TTC_DIR/NotoSansCJK-Bold.ttc" ] || need+=(fonts-noto-cjk)
[ -x /usr/bin/pyftsubset ] && "$PY" -c 'import fontTools' 2>/dev/null || need+=(fonttools python3-fonttools)
[ -x "$CONVERT" ] || need+=(imagemagick)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
[ -d "$DATA" ] || { echo "no reference data at $DATA (set TECHAID_SHARED_DATA)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1. The character set, as one hex code point per line.
"$PY" - "$ROOT" "$DATA" >"$WORK/unicodes.txt" <<'PYEOF'
import os, subprocess, sys
root, data = sys.argv[1], sys.argv[2]
cs = set()
# All of GB2312: every two-byte code that decodes.
for b1 in range(0xA1, 0xF8):
    for b2 in range(0xA1, 0xFF):
        try:
            cs.add(ord(bytes([b1, b2]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
ranges = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x214F),  # letterlike symbols (℃ № ™)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x2580, 0x259F),  # block elements
    (0x25A0, 0x25FF),  # geometric shapes (● ○ ▲ ▼ ■ □ ◆)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
]
for lo, hi in ranges:
    cs.update(range(lo, hi + 1))
# A few misc symbols and dingbats that UIs use. Noto CJK has only some: ✓ ★ ☆ ♀ ♂
# are in, ✔ ✗ ✘ ✕ ✖ ☐ ☑ ☒ ❤ ➔ are not (for "no", use × U+00D7 or ✓'s absence).
cs.update(ord(c) for c in "☀☁★☆☎☐☑☒☑♀♂♠♣♥♦✓✔✕✖✗✘❤➔")
cs.update(ord(c) for c in "±×÷≈≠≤≥∞√∑∏∈∴∵∶…‰€¥")

def text_of(path):
    with open(path, encoding="utf-8", errors="ignore") as f:
        return f.read()

# Everything in the reference data (village names with rare characters).
for name in sorted(os.listdir(data)):
    p = os.path.join(data, name)
    if os.path.isfile(p):
        cs.update(ord(c) for c in text_of(p))
# Every non-ASCII character in our sources, translations and docs: the files git
# tracks or would track (not ignored scratch files), or all of them outside a work tree.
try:
    out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         check=True, capture_output=True).stdout.decode()
    files = [f for f in out.split("\0") if f]
except (OSError, subprocess.CalledProcessError):
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ("vendor", "node_modules")]
        files += [os.path.relpath(os.path.join(dirpath, fn), root) for fn in filenames]
for rel in files:
    path = os.path.join(root, rel)
    if rel.endswith((".go", ".json", ".md")) and os.path.isfile(path):
        cs.update(ord(c) for c in text_of(path) if ord(c) >= 0x80)
cs = {c for c in cs if c >= 0x20 and not 0xD800 <= c <= 0xDFFF}
for c in sorted(cs):
    print("%04X" % c)
PYEOF
echo "characters asked for: $(wc -l <"$WORK/unicodes.txt")" >&2

# 2. Subset each weight's Simplified-Chinese face out of the collection.
#    A .ttc collection crashes Fyne, so each output is a single font.
for weight in Regular Bold; do
	ttc=$TTC_DIR/NotoSansCJK-$weight.ttc
	n=$("$PY" - "$ttc" "$FAMILY" <<'PYEOF'
import sys
from fontTools.ttLib import TTCollection
ttc, family = sys.argv[1], sys.argv[2]
for i, f in enumerate(TTCollection(ttc, lazy=True).fonts):
    if f["name"].getDebugName(1) == family or f["name"].getDebugName(16) == family:
        print(i)
        break
else:
    sys.exit("no face %r in %s" % (family, ttc))
PYEOF
)
	echo "$weight: $FAMILY is face $n of $ttc" >&2
	/usr/bin/pyftsubset "$ttc" --font-number="$n" \
		--unicodes-file="$WORK/unicodes.txt" \
		--no-hinting \
		--layout-features='ccmp,calt,kern,liga,mark,mkmk' \
		--drop-tables+=vhea,vmtx,VORG,BASE,DSIG \
		--name-IDs='*' --name-languages='*' \
		--notdef-outline \
		--output-file="$WORK/$weight.otf"
	out=$ASSETS/NotoSansSC-$weight
	rm -f "$out.otf" "$out.ttf"
	if [ "$FORMAT" = ttf ]; then
		"$PY" - "$WORK/$weight.otf" "$out.ttf" <<'PYEOF'
# CFF (cubic) -> glyf (quadratic), after fontTools' Snippets/otf2ttf.py.
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

src, dst = sys.argv[1], sys.argv[2]
font = TTFont(src, recalcTimestamp=False)
order = font.getGlyphOrder()
gs = font.getGlyphSet()
glyf = {}
for name in order:
    pen = TTGlyphPen(gs)
    # 1.0 font unit (of 1000 per em) is below a pixel at any UI size.
    gs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
    glyf[name] = pen.glyph()
font["loca"] = newTable("loca")
t = font["glyf"] = newTable("glyf")
t.glyphOrder = order
t.glyphs = glyf
del font["CFF "]
if "VORG" in font:
    del font["VORG"]
t.compile(font)
maxp = font["maxp"]
maxp.tableVersion = 0x00010000
for k in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
          "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
    setattr(maxp, k, 0)
maxp.maxZones = 1
post = font["post"]
post.formatType = 3.0  # no glyph names: ~8,000 "cidNNNNN" strings are dead weight
font["head"].indexToLocFormat = 0
font["head"].glyphDataFormat = 0
font.sfntVersion = "\x00\x01\x00\x00"
font.save(dst)
PYEOF
	else
		cp "$WORK/$weight.otf" "$out.otf"
	fi
done

# 3. The licence, from Debian's machine-readable copyright file: its SIL-1.1 stanza,
#    under the fonts' copyright notice.
"$PY" - /usr/share/doc/fonts-noto-cjk/copyright "$ASSETS/OFL.txt" <<'PYEOF'
import sys
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8").read().split("\n")
start = lines.index("License: SIL-1.1", lines.index("License: SIL-1.1") + 1)
body = []
for line in lines[start + 1:]:
    if not line.startswith(" "):
        break
    body.append("" if line == " ." else line[1:])
text = "\n".join(body).strip("\n")
if "SIL OPEN FONT LICENSE Version 1.1" not in text or "DISCLAIMER" not in text:
    sys.exit("no OFL 1.1 text found in " + src)
with open(dst, "w", encoding="utf-8") as f:
    f.write("Noto Sans CJK SC (subset: NotoSansSC-Regular.otf, NotoSansSC-Bold.otf)\n")
    f.write("Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n")
    f.write("Subset for techaid by scripts/make-font.sh from Debian's fonts-noto-cjk.\n\n")
    f.write("This Font Software is licensed under the SIL Open Font License, Version 1.1.\n")
    f.write("This license is copied below, and is also available with a FAQ at:\n")
    f.write("https://openfontlicense.org\n\n")
    f.write(text + "\n")
PYEOF

# 4. The icon: a deep-green rounded square with a soft vertical gradient, a white
#    bold 帮 (帮扶, "assistance") in the subset font, centred, and a small pale leaf in
#    the lower right. Transparent outside the rounded corners.
bold=$ASSETS/NotoSansSC-Bold.$FORMAT
"$CONVERT" -size 512x512 gradient:'#23945a-#156b3d' \
	\( -size 512x512 xc:none -fill white -draw 'roundrectangle 20,20 491,491 100,100' \) \
	-compose DstIn -composite "$WORK/bg.png"
# Trim the glyph to its ink so that it is centred on what the eye sees, not on the
# font's ascent and descent.
"$CONVERT" -background none -fill white -font "$bold" -pointsize 270 label:'帮' -trim +repage "$WORK/glyph.png"
"$CONVERT" -size 512x512 xc:none -fill '#8fd9ad' \
	-draw "path 'M 372,436 C 390,392 428,374 462,378 C 456,414 420,444 372,436 Z'" \
	-stroke '#1b7f4b' -strokewidth 4 -draw "path 'M 380,430 Q 415,400 452,386'" "$WORK/leaf.png"
"$CONVERT" "$WORK/bg.png" "$WORK/glyph.png" -gravity center -geometry +0-6 -composite \
	"$WORK/leaf.png" -gravity northwest -composite \
	-strip -define png:exclude-chunks=date,time "$ASSETS/icon.png"

ls -l "$ASSETS"/NotoSansSC-* "$ASSETS/icon.png" "$ASSETS/OFL.txt" >&2
