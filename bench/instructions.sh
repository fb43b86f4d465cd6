#!/usr/bin/env bash
# The server's own work per request, counted in instructions: each build runs under valgrind's
# callgrind against a fresh copy of one seeded database (migrated by that build), signs in a
# township worker, sends each read 20 times unmeasured and then N times measured, one at a time.
# Instruction counts repeat to the instruction for the same binary and input whatever else the
# machine is doing, so this tells whether a change made the server's part of a request dearer
# when wrk's requests/s on a shared machine cannot (their spread is 5-10 %). It counts user-space
# instructions of the server only: not the kernel's socket work, not PostgreSQL's.
#
#   bench/instructions.sh <binary A> <binary B>
#   N=200 SCALE=10000 bench/instructions.sh old/shegong target/release/shegong
#
# The database (shegong_compare_<scale>, as bench/compare.sh uses) is seeded by build A when
# missing. Needs valgrind (callgrind_annotate), psql, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
A="$(realpath "$1")"; B="$(realpath "$2")"
N="${N:-100}"; SCALE="${SCALE:-10000}"; PORT="${PORT:-18082}"; BASE="http://127.0.0.1:${PORT}"
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"; PGUSER="${PGUSER:-postgres}"; PGSSLMODE=disable
export PGHOST PGPORT PGUSER PGSSLMODE
DB="shegong_compare_${SCALE}"; RUN_DB="${DB}_instructions"
WORK="$(mktemp -d)"; SERVER_PID=0
drop_run() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$RUN_DB\" WITH (FORCE)" 2>/dev/null; }
cleanup() { [ "$SERVER_PID" != 0 ] && kill "$SERVER_PID" 2>/dev/null || true; drop_run || true; rm -rf "$WORK"; }
trap cleanup EXIT
for tool in valgrind callgrind_annotate callgrind_control psql curl python3; do
  command -v "$tool" >/dev/null || { echo "instructions: $tool is required (apt-get install valgrind)" >&2; exit 1; }
done
if ! psql -X -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  echo "==> seeding $DB with $SCALE clients (build A)"
  DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}" SHEGONG_LOG_LEVEL=warn "$A" seed --scale "$SCALE"
fi
PATHS=(/api/v1/cases "/api/v1/clients?q=%E7%8E%8B" /api/v1/clients)

# Sends $2 GET requests of path $3 with token $1 over one kept-alive connection.
send() {
  python3 - "$PORT" "$1" "$3" "$2" <<'PY'
import http.client, sys
port, token, path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", int(port))
for _ in range(n):
    c.request("GET", path, headers={"authorization": "Bearer " + token})
    r = c.getresponse(); r.read()
    assert r.status == 200, (path, r.status)
PY
}

# Prints "<path>\t<instructions per request>" for each path, for binary $1.
count() {
  local bin="$1" label="$2"
  drop_run
  psql -X -q -d postgres -c "CREATE DATABASE \"$RUN_DB\" TEMPLATE \"$DB\""
  local url="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${RUN_DB}"
  DATABASE_URL="$url" SHEGONG_LOG_LEVEL=warn "$bin" migrate >/dev/null
  local user
  user="$(psql -X -Atq -d "$RUN_DB" -c "SELECT u.username FROM users u JOIN org_units o ON o.id = u.org_unit_id
    WHERE u.role = 'worker' AND o.tier = 'township' AND u.username LIKE 'tw\_%\_1' ORDER BY md5(u.username) LIMIT 1")"
  for path in "${PATHS[@]}"; do
    local out="$WORK/$label.$(echo "$path" | md5sum | cut -c1-8).out"
    DATABASE_URL="$url" SHEGONG_BIND="127.0.0.1:${PORT}" SHEGONG_LOG_LEVEL=warn SHEGONG_WORKERS=1 SHEGONG_AUTO_MIGRATE=false \
      valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "$bin" serve > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 240); do curl -fs "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
    local token
    token="$(curl -fs -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"username\":\"$user\",\"password\":\"Bench-Pass-2026\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
    send "$token" 20 "$path"
    callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
    send "$token" "$N" "$path"
    callgrind_control -i off "$SERVER_PID" >/dev/null 2>&1
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=0
    local total
    total="$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen {gsub(",", "", $1); print $1; seen = 1}')"
    printf '%s\t%s\n' "$path" "$(( total / N ))"
  done
}

count "$A" A > "$WORK/a.tsv"
count "$B" B > "$WORK/b.tsv"
echo "A = $A"
echo "B = $B"
echo "$N requests per endpoint, one at a time, after 20 unmeasured; the server's user-space instructions per request"
echo
echo "| endpoint | A instructions/request | B instructions/request | B/A |"
echo "|---|---|---|---|"
paste "$WORK/a.tsv" "$WORK/b.tsv" | awk -F'\t' '{printf "| GET %s | %d | %d | %.1f %% |\n", $1, $2, $4, 100 * $4 / $2}'
