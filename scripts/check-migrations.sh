#!/usr/bin/env bash
# Fails when src/db/schema.ts has changes that drizzle/ has no migration for.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(find drizzle -type f -exec sha1sum {} + | sort)
npx drizzle-kit generate --name schema_check >/dev/null
after=$(find drizzle -type f -exec sha1sum {} + | sort)
if [ "$before" != "$after" ]; then
  echo "drizzle/ migrations do not match src/db/schema.ts: run 'npm run db:generate' and commit the result" >&2
  git checkout -- drizzle 2>/dev/null || true
  git clean -fdq drizzle 2>/dev/null || true
  exit 1
fi
echo "migrations match the schema"
