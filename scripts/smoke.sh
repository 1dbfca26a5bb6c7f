#!/usr/bin/env bash
# The README's first command on a fresh clone, minus the install CI already did: `npm start` with
# no configuration must print a working demo feed URL, serve it, and stop cleanly on a SIGTERM sent to
# npm's own pid (what `kill $!` or a pidfile does), leaving no process behind.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
log="$work/start.log"
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
# Its own process group (setsid execs npm: $! is npm's pid and the group id), so that the check can
# see every process it started and nothing outlives it.
DATABASE_PATH="$work/smoke.db" PORT="$port" setsid npm start >"$log" 2>&1 &
group=$!
url=""
for _ in $(seq 1 60); do
  url=$(grep -o "http://127.0.0.1:$port/feeds/[0-9a-f]*\.ics" "$log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.5
done
if [ -z "$url" ]; then
  echo "smoke: no demo feed URL printed"; cat "$log"; kill -KILL -- "-$group" 2>/dev/null || true; exit 1
fi
status=$(node -e "fetch(process.argv[1]).then(async r => { const t = await r.text(); console.log(r.status, t.startsWith('BEGIN:VCALENDAR') ? 'calendar' : 'not-a-calendar'); })" "$url")
echo "smoke: GET demo feed -> $status"
kill -TERM "$group"
stopped=no
for _ in $(seq 1 20); do
  if ! pgrep -g "$group" >/dev/null 2>&1; then stopped=yes; break; fi
  sleep 0.5
done
if [ "$stopped" != yes ]; then
  echo "smoke: still running 10 s after SIGTERM"; cat "$log"; kill -KILL -- "-$group" 2>/dev/null || true; exit 1
fi
grep -q '"msg":"stopped"' "$log" || { echo "smoke: no clean stop logged"; cat "$log"; exit 1; }
[ "$status" = "200 calendar" ] || { cat "$log"; exit 1; }
rm -rf "$work"
echo "smoke: ok (demo feed served; SIGTERM to npm stopped every process of the group within 10 s)"
