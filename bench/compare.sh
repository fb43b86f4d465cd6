#!/usr/bin/env bash
# Two builds of the server, measured against one database in alternating rounds: the way to tell
# whether a change made an endpoint slower, when the spread between two runs of one build on a
# shared machine (often 5-10 %) is as large as the difference sought. Each round measures both
# builds, A first in odd rounds and B first in even ones; each run starts its server on a fresh
# copy of the seeded database (POST /sessions adds rows, and a build that always ran second would
# always read a larger database), warmed into shared buffers. The table gives per endpoint the
# median requests/s and p99 of each build over the rounds, and B's median as a share of A's.
#
#   bench/compare.sh <binary A> <binary B>
#   ROUNDS=5 DURATION=10 SCALE=10000 bench/compare.sh old/shegong target/release/shegong
#
# The database (shegong_compare_<scale>) is seeded by build A; each run reads a copy of it
# (shegong_compare_<scale>_run, dropped at the end) migrated by the build that runs, so that each
# build reads its own schema (B's migrations, and what they cost, are part of B). Needs what bench/run.sh needs: psql, wrk,
# curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
A="$(realpath "$1")"; B="$(realpath "$2")"
ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-10}"; CONNECTIONS="${CONNECTIONS:-32}"; SCALE="${SCALE:-10000}"
PORT="${PORT:-18081}"; BASE="http://127.0.0.1:${PORT}"
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"; PGUSER="${PGUSER:-postgres}"; PGSSLMODE=disable
export PGHOST PGPORT PGUSER PGSSLMODE
DB="shegong_compare_${SCALE}"; RUN_DB="${DB}_run"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
RUN_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${RUN_DB}"
WORK="$(mktemp -d)"; SERVER_PID=0
drop_run() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$RUN_DB\" WITH (FORCE)" 2>/dev/null; }
cleanup() { [ "$SERVER_PID" != 0 ] && kill "$SERVER_PID" 2>/dev/null || true; drop_run || true; rm -rf "$WORK"; }
trap cleanup EXIT
q() { psql -X -Atq -d "$DB" -c "$1"; }

if ! psql -X -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  echo "==> seeding $DB with $SCALE clients (build A)"
  SHEGONG_LOG_LEVEL=warn "$A" seed --scale "$SCALE"
fi
SHEGONG_LOG_LEVEL=warn "$A" migrate
psql -X -q -d "$DB" -c "VACUUM ANALYZE"

psql -X -q -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm"

start() { # binary; on a fresh copy of the seeded database, read into shared buffers
  drop_run
  psql -X -q -d postgres -c "CREATE DATABASE \"$RUN_DB\" TEMPLATE \"$DB\""
  DATABASE_URL="$RUN_URL" SHEGONG_LOG_LEVEL=warn "$1" migrate >/dev/null
  psql -X -q -d "$RUN_DB" -c "VACUUM ANALYZE"
  psql -X -Atq -d "$RUN_DB" -c "SELECT pg_prewarm(c.oid) FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')" >/dev/null
  DATABASE_URL="$RUN_URL" SHEGONG_BIND="127.0.0.1:${PORT}" SHEGONG_LOG_LEVEL=warn "$1" serve > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do curl -fs "$BASE/readyz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "compare: $1 did not become ready" >&2; tail -20 "$WORK/server.log" >&2; exit 1
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=0; }
login() {
  curl -fs -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Bench-Pass-2026\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

# The actors of bench/run.sh: township workers with cases in intervention, county supervisors.
q "SELECT u.username, string_agg(k.id::text, ',') FROM users u JOIN org_units o ON o.id = u.org_unit_id
   JOIN LATERAL (SELECT id FROM cases k WHERE k.worker_id = u.id AND k.status = 'intervention' ORDER BY id DESC LIMIT 5) k ON true
   WHERE u.role = 'worker' AND o.tier = 'township' AND u.username LIKE 'tw\_%\_1'
   GROUP BY u.username ORDER BY md5(u.username) LIMIT 40" > "$WORK/workers"
q "SELECT u.username FROM users u JOIN org_units o ON o.id = u.org_unit_id
   WHERE u.role = 'supervisor' AND o.tier = 'county' AND u.username LIKE 'co\_%' ORDER BY md5(u.username) LIMIT 10" > "$WORK/supervisors"
YEAR_START="$(TZ=Asia/Shanghai date +%Y)-01-01"; TODAY="$(TZ=Asia/Shanghai date +%F)"
AT="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
ENDPOINTS=(cases clients_q clients caseload stats sessions_county sessions_post)

# Request files for the server now running (tokens are signed by its database's secret, so they
# hold for both builds, but sign-in is part of each start anyway).
requests() {
  for e in "${ENDPOINTS[@]}"; do : > "$WORK/$e"; done
  while IFS='|' read -r user cases; do
    t="$(login "$user")"
    printf '%s\tGET\t/api/v1/cases\t\n' "$t" >> "$WORK/cases"
    printf '%s\tGET\t/api/v1/clients?q=%%E7%%8E%%8B\t\n' "$t" >> "$WORK/clients_q"
    printf '%s\tGET\t/api/v1/clients\t\n' "$t" >> "$WORK/clients"
    for c in ${cases//,/ }; do
      printf '%s\tPOST\t/api/v1/sessions\t{"id":"__UUID__","method":"individual","case_id":"%s","occurred_at":"%s","duration_minutes":45,"mode":"home_visit","service_types":["visit_care"],"summary":"入户走访，了解近况。"}\n' \
        "$t" "$c" "$AT" >> "$WORK/sessions_post"
    done
  done < "$WORK/workers"
  while read -r user; do
    t="$(login "$user")"
    printf '%s\tGET\t/api/v1/caseload\t\n' "$t" >> "$WORK/caseload"
    printf '%s\tGET\t/api/v1/stats?from=%s&to=%s\t\n' "$t" "$YEAR_START" "$TODAY" >> "$WORK/stats"
    printf '%s\tGET\t/api/v1/sessions\t\n' "$t" >> "$WORK/sessions_county"
  done < "$WORK/supervisors"
}

: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  order="A B"; [ $(( round % 2 )) = 0 ] && order="B A"
  for build in $order; do
    bin="$A"; [ "$build" = B ] && bin="$B"
    echo "==> round $round, build $build"
    start "$bin"
    requests
    for e in "${ENDPOINTS[@]}"; do
      wrk -t2 -c"$CONNECTIONS" -d3s -s bench/rotate.lua "$BASE" -- "$WORK/$e" >/dev/null 2>&1
      r="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/rotate.lua "$BASE" -- "$WORK/$e" 2>&1 | grep '^RESULT' | tail -1)"
      printf '%s\t%s\t%s\t%s\t%s\n' "$build" "$e" "$(field "$r" rps)" "$(field "$r" p99_ms)" "$(( $(field "$r" errors) + $(field "$r" non2xx) ))" >> "$WORK/results"
    done
    stop
  done
done

python3 - "$WORK/results" "$A" "$B" "$ROUNDS" "$DURATION" "$CONNECTIONS" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
a, b, rounds, duration, conns = sys.argv[2:7]
print(f"A = {a}\nB = {b}\n{rounds} alternating rounds, {duration} s per endpoint at {conns} connections\n")
print("| endpoint | A req/s (median) | B req/s (median) | B/A | A p99 ms | B p99 ms | errors |")
print("|---|---|---|---|---|---|---|")
for e in dict.fromkeys(r[1] for r in rows):
    def med(build, col):
        return statistics.median(float(r[col]) for r in rows if r[0] == build and r[1] == e)
    errors = sum(int(r[4]) for r in rows if r[1] == e)
    print(f"| {e} | {med('A', 2):.1f} | {med('B', 2):.1f} | {med('B', 2) / med('A', 2) * 100:.1f} % "
          f"| {med('A', 3):.2f} | {med('B', 3):.2f} | {errors} |")
PY
