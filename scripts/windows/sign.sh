#!/usr/bin/env bash
# Signs Windows executables in place with osslsigncode (Authenticode, SHA-256), when a certificate is
# given; without one it does nothing and says so once. scripts/package.sh signs techaid.exe and the
# installer with it; the installer's own uninstaller is signed through installer.nsi's !uninstfinalize.
#
#   scripts/windows/sign.sh FILE...
#
# The certificate comes from the environment (never from arguments, which other users can read in ps):
#   TECHAID_SIGN_PKCS12=FILE.pfx                       a PKCS#12 bundle of the key and its chain, or
#   TECHAID_SIGN_CERT=FILE.pem TECHAID_SIGN_KEY=FILE   a PEM certificate (chain) and its private key
#   TECHAID_SIGN_PASSWORD=…                            the bundle's or the key's password, if it has one
#   TECHAID_SIGN_TIMESTAMP=URL                         an RFC 3161 time-stamping server (optional: a
#                                                      time-stamped signature stays valid after the
#                                                      certificate expires; needs the network)
# Exit status 0 when every file was signed (or nothing was asked), 1 otherwise.
set -euo pipefail

if [[ -z ${TECHAID_SIGN_PKCS12:-} && -z ${TECHAID_SIGN_CERT:-} ]]; then
	exit 0
fi
command -v osslsigncode >/dev/null || {
	sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends osslsigncode >/dev/null
}

args=(-h sha256 -n "科技帮扶台账" -i "https://kjj.zibo.gov.cn")
if [[ -n ${TECHAID_SIGN_PKCS12:-} ]]; then
	args+=(-pkcs12 "$TECHAID_SIGN_PKCS12")
else
	[[ -n ${TECHAID_SIGN_KEY:-} ]] || { echo "sign: TECHAID_SIGN_CERT needs TECHAID_SIGN_KEY" >&2; exit 1; }
	args+=(-certs "$TECHAID_SIGN_CERT" -key "$TECHAID_SIGN_KEY")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -n ${TECHAID_SIGN_PASSWORD:-} ]]; then
	(umask 077 && printf '%s' "$TECHAID_SIGN_PASSWORD" >"$tmp/pass")
	args+=(-readpass "$tmp/pass")
fi
[[ -z ${TECHAID_SIGN_TIMESTAMP:-} ]] || args+=(-ts "$TECHAID_SIGN_TIMESTAMP")

for f in "$@"; do
	if ! osslsigncode sign "${args[@]}" -in "$f" -out "$tmp/signed" >"$tmp/log" 2>&1; then
		echo "sign: $f was not signed:" >&2
		sed 's/^/  /' "$tmp/log" >&2
		exit 1
	fi
	cat "$tmp/signed" >"$f" # keep the file's own mode and name
	rm -f "$tmp/signed"
	echo "sign: signed $(basename "$f")"
done
