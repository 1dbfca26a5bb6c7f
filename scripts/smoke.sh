#!/usr/bin/env bash
# The README's first command on a fresh clone, minus the install CI already did: `npm start` with
# no configuration must print a working demo feed URL, serve it, and stop cleanly on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
log="$work/start.log"
DATABASE_PATH="$work/smoke.db" PORT=3917 npm start >"$log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 60); do
  url=$(grep -o 'http://127.0.0.1:3917/feeds/[0-9a-f]*\.ics' "$log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.5
done
if [ -z "$url" ]; then echo "smoke: no demo feed URL printed"; cat "$log"; kill "$pid" || true; exit 1; fi
status=$(node -e "fetch(process.argv[1]).then(async r => { const t = await r.text(); console.log(r.status, t.startsWith('BEGIN:VCALENDAR') ? 'calendar' : 'not-a-calendar'); })" "$url")
echo "smoke: GET demo feed -> $status"
kill -TERM "$pid"
for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "smoke: still running 10 s after SIGTERM"; kill -9 "$pid"; exit 1; fi
[ "$status" = "200 calendar" ] || { cat "$log"; exit 1; }
rm -rf "$work"
echo "smoke: ok (demo feed served, clean stop)"
