#!/usr/bin/env bash
# Runs the browser tests as if it were another moment, to prove they do not depend on the hour, the
# weekday or DST:   scripts/browser-at.sh 2027-03-28T00:30:00Z [vitest args…]
# vitest and Chromium see the machine clock shifted (libfaketime, Debian package `faketime`);
# workerd hangs under libfaketime, so it runs on the real clock and global-setup moves the app's
# development clock (/dev/clock) by the same shift.
set -euo pipefail
at="${1:?usage: scripts/browser-at.sh <ISO instant> [vitest args…]}"
shift
lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
[ -f "$lib" ] || { echo "libfaketime is missing: apt-get install -y faketime" >&2; exit 2; }
cd "$(dirname "$0")/.."
offset=$(( $(date -d "$at" +%s) - $(date +%s) ))
sign=$([ "$offset" -ge 0 ] && echo + || echo -)
echo "== browser tests at $at (machine clock ${sign}${offset#-}s)"
node scripts/build-client.mjs >/dev/null

# The workerd wrangler runs, started without the preload (miniflare honours MINIFLARE_WORKERD_PATH).
workerd=$(node -p "require(require.resolve('workerd', { paths: [require('path').dirname(require.resolve('wrangler/package.json'))] })).default")
wrapper=$(mktemp)
trap 'rm -f "$wrapper"' EXIT
printf '#!/bin/sh\nunset LD_PRELOAD FAKETIME\nexec "%s" "$@"\n' "$workerd" > "$wrapper"
chmod +x "$wrapper"

MINIFLARE_WORKERD_PATH="$wrapper" FAKETIME="${sign}${offset#-}s" LD_PRELOAD="$lib" \
  npx vitest run --project browser "$@"
