#!/usr/bin/env bash
# Remakes docs/screenshots/view.png: the `iptq view` page of the bundled sample, as headless
# Chromium (Debian's chromium) draws it. Usage: docs/screenshots/make.sh [SEGMENT]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
segment="${1:-10}"
browser="$(command -v chromium || true)"
[ -n "$browser" ] || { echo "make.sh: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/iptq" demo -o "$work/sample.duckdb" >/dev/null
"$root/iptq" view "$work/sample.duckdb" -o "$work/sample.html"
# A new empty profile, no background traffic; no host name resolves, so nothing leaves the
# machine even if the browser tried (the page itself fetches nothing: its CSP forbids it).
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$work/profile" \
  --hide-scrollbars --window-size=1400,1500 --virtual-time-budget=15000 \
  --screenshot="$here/view.png" "file://$work/sample.html#segment=$segment" 2>/dev/null
echo "wrote $here/view.png"
