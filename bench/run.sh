#!/usr/bin/env bash
# The county-scale benchmark: seeds a separate database per scale, starts the release server,
# signs in many township workers and county supervisors, drives wrk against the main endpoints
# (and pgbench with the same SQL at the same concurrency), measures a login storm's effect on
# read latency and the server's peak RSS, and prints one table (also written to bench/results/).
#
#   bench/run.sh                   # scales 10000 and 1000000
#   SCALES=10000 DURATION=10 bench/run.sh
#
# Needs: a PostgreSQL at PGHOST/PGPORT (default 127.0.0.1:5432, user postgres), psql, pgbench,
# wrk (apt-get install wrk), curl, python3. FRESH=1 reseeds existing bench databases; BUILD=0 uses
# the release binary as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALES="${SCALES:-10000 1000000}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18080}"
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"; PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
BASE="http://127.0.0.1:${PORT}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

for tool in psql pgbench wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (wrk: apt-get install wrk)" >&2; exit 1; }
done

if [ "${BUILD:-1}" = 1 ]; then
  echo "==> building the release binary"
  cargo build --release --locked --quiet
fi
BIN=target/release/shegong

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
DATE="$(date -u +%Y-%m-%dT%H:%MZ)"
MACHINE="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -m)"
OUT="bench/results/$(date -u +%Y%m%d-%H%M)-${COMMIT}.md"
TABLE="$WORK/table.md"
printf '| scale | endpoint | API req/s | API p50 ms | API p99 ms | errors | pgbench tps | API/pgbench |\n|---|---|---|---|---|---|---|---|\n' > "$TABLE"
NOTES="$WORK/notes.md"; : > "$NOTES"

q() { psql -X -Atq -d "$DB" -c "$1"; }

wrk_run() { # name requests-file [script]
  local script="${3:-bench/rotate.lua}"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$BASE" -- "$2" 2>&1 | grep '^RESULT' | tail -1
}

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

pgbench_run() { # sql-files...
  local args=()
  for f in "$@"; do args+=(-f "$f"); done
  pgbench -n -M prepared -c"$CONNECTIONS" -j2 -T"$DURATION" "${args[@]}" "$DB" 2>&1 | awk '/^tps = / {print $3; exit}'
}

row() { # scale endpoint result pgbench-tps
  local rps p50 p99 err ratio
  rps="$(field "$3" rps)"; p50="$(field "$3" p50_ms)"; p99="$(field "$3" p99_ms)"
  err="$(( $(field "$3" errors) + $(field "$3" non2xx) ))"
  if [ -n "${4:-}" ]; then ratio="$(python3 -c "print(f'{$rps / $4 * 100:.0f} %')")"; else ratio="-"; fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$rps" "$p50" "$p99" "$err" "${4:--}" "$ratio" | tee -a "$TABLE"
}

for SCALE in $SCALES; do
  DB="shegong_bench_${SCALE}"
  export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
  if [ "${FRESH:-0}" = 1 ] || ! psql -X -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "==> seeding $DB with $SCALE clients"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
    start=$(date +%s)
    SHEGONG_LOG_LEVEL=warn "$BIN" seed --scale "$SCALE"
    echo "- $SCALE clients: seeded in $(( $(date +%s) - start )) s" >> "$NOTES"
  fi
  echo "- $SCALE: $(q "SELECT count(*) FROM clients") clients, $(q "SELECT count(*) FROM service_sessions" 2>/dev/null || echo 0) sessions, $(q "SELECT count(*) FROM org_units") units, $(q "SELECT count(*) FROM users") users" >> "$NOTES"

  echo "==> starting the server on $BASE"
  SHEGONG_BIND="127.0.0.1:${PORT}" SHEGONG_LOG_LEVEL=warn SHEGONG_DB_POOL_SIZE="${POOL:-16}" "$BIN" serve > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 60); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.5; done

  # Township workers with clients, and county supervisors.
  q "SELECT u.username, o.id, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id
     WHERE u.role = 'worker' AND o.tier = 'township' AND u.username LIKE 'tw\_%\_1'
       AND EXISTS (SELECT 1 FROM clients c WHERE c.org_unit_id = o.id) ORDER BY md5(u.username) LIMIT 40" > "$WORK/workers"
  q "SELECT u.username, o.id, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id
     WHERE u.role = 'supervisor' AND o.tier = 'county' AND u.username LIKE 'co\_%' ORDER BY md5(u.username) LIMIT 10" > "$WORK/supervisors"
  login() { curl -fs -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
              -d "{\"username\":\"$1\",\"password\":\"Bench-Pass-2026\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
  : > "$WORK/clients_q"; : > "$WORK/clients"; : > "$WORK/sessions_post"; : > "$WORK/stats"; : > "$WORK/logins"
  NAMES=(王 李 张 芳 秀英 建国 小明 文军 海燕 春梅)
  i=0
  while IFS='|' read -r user unit path; do
    token="$(login "$user")"
    name="${NAMES[$((i % ${#NAMES[@]}))]}"; i=$((i + 1))
    enc="$(python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$name")"
    printf '%s\tGET\t/api/v1/clients?q=%s\t\n' "$token" "$enc" >> "$WORK/clients_q"
    printf '%s\tGET\t/api/v1/clients\t\n' "$token" >> "$WORK/clients"
    printf '%s\tPOST\t/api/v1/sessions\t{"id":"__UUID__","method":"community","org_unit_id":"%s","occurred_at":"%s","duration_minutes":60,"title":"政策宣讲","kind":"education","participant_count":30}\n' \
      "$token" "$unit" "$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)" >> "$WORK/sessions_post"
    printf '{"username":"%s","password":"Bench-Pass-2026"}\n' "$user" >> "$WORK/logins"
    # pgbench: the same SQL the endpoint runs (actor lookup, pool check, the list), per actor.
    uid="$(q "SELECT id FROM users WHERE username = '$user'")"
    cat > "$WORK/pg_clients_q_$i.sql" <<SQL
SELECT users.id, users.username, users.role, users.org_unit_id, users.is_active, users.token_version, org_units.tier, org_units.path FROM users INNER JOIN org_units ON org_units.id = users.org_unit_id WHERE users.id = '$uid' LIMIT 1;
SELECT 1;
SELECT id, org_unit_id, name, gender, birth_date, id_type, id_number, phone, address, hukou_division_code, categories, living_arrangement, self_care, disability, guardian, emergency_contact, household_id, risk_level, consent, notes, created_by, version, created_at, updated_at, deleted_at FROM clients WHERE deleted_at IS NULL AND org_unit_id IN (SELECT id FROM org_units WHERE path LIKE '$path%') AND name_grams @> ARRAY[$(python3 -c "import sys; n=sys.argv[1]; g=[n] if len(n)==1 else [n[i:i+2] for i in range(len(n)-1)]; print(','.join(\"'\"+x+\"'\" for x in g))" "$name")] AND lower(clients.name) LIKE '%$name%' ORDER BY id DESC LIMIT 51;
SQL
    sed -e '3d' "$WORK/pg_clients_q_$i.sql" > "$WORK/pg_clients_$i.sql"
    echo "SELECT id, org_unit_id, name, gender, birth_date, id_type, id_number, phone, address, hukou_division_code, categories, living_arrangement, self_care, disability, guardian, emergency_contact, household_id, risk_level, consent, notes, created_by, version, created_at, updated_at, deleted_at FROM clients WHERE deleted_at IS NULL AND org_unit_id IN (SELECT id FROM org_units WHERE path LIKE '$path%') ORDER BY id DESC LIMIT 51;" >> "$WORK/pg_clients_$i.sql"
  done < "$WORK/workers"
  YEAR_START="$(date -u +%Y)-01-01"; TODAY="$(date -u +%F)"
  while IFS='|' read -r user unit path; do
    token="$(login "$user")"
    printf '%s\tGET\t/api/v1/stats?org_unit_id=%s&from=%s&to=%s\t\n' "$token" "$unit" "$YEAR_START" "$TODAY" >> "$WORK/stats"
  done < "$WORK/supervisors"

  echo "==> GET /clients (township, newest 50)"
  r="$(wrk_run clients "$WORK/clients")"; t="$(pgbench_run "$WORK"/pg_clients_*.sql)"; row "$SCALE" "GET /clients" "$r" "$t"
  BASELINE_P99="$(field "$r" p99_ms)"
  echo "==> GET /clients?q= (township, name part)"
  r="$(wrk_run clients_q "$WORK/clients_q")"; t="$(pgbench_run "$WORK"/pg_clients_q_*.sql)"; row "$SCALE" "GET /clients?q=" "$r" "$t"
  SPEC="$(curl -fs "$BASE/openapi.json")"
  has() { echo "$SPEC" | python3 -c "import json,sys; sys.exit(0 if sys.argv[1] in json.load(sys.stdin)['paths'] else 1)" "$1"; }
  if has /api/v1/stats; then
    echo "==> GET /stats (county, this year)"
    r="$(wrk_run stats "$WORK/stats")"; row "$SCALE" "GET /stats county-year" "$r"
  fi
  echo "==> POST /sessions (community)"
  r="$(wrk_run sessions "$WORK/sessions_post")"; row "$SCALE" "POST /sessions" "$r"

  echo "==> login storm while reading GET /clients"
  wrk -t1 -c8 -d"${DURATION}s" -s bench/login.lua "$BASE" -- "$WORK/logins" > "$WORK/storm.log" 2>&1 &
  STORM=$!
  sleep 1
  r="$(wrk_run clients_storm "$WORK/clients")"
  wait "$STORM" || true
  row "$SCALE" "GET /clients during login storm" "$r"
  STORM_P99="$(field "$r" p99_ms)"
  echo "- $SCALE: p99 of GET /clients during a login storm is $(python3 -c "print(f'{$STORM_P99 / $BASELINE_P99:.2f}')")x its p99 without; logins: $(grep -o 'RESULT.*' "$WORK/storm.log" || echo n/a)" >> "$NOTES"

  RSS_KB="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"
  echo "- $SCALE: server peak RSS $(( RSS_KB / 1024 )) MiB" >> "$NOTES"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=0
done

{
  echo "# Benchmark $DATE"
  echo
  echo "- commit $COMMIT; machine: $MACHINE; PostgreSQL $(psql -X -Atq -d postgres -c 'SHOW server_version')"
  echo "- wrk and pgbench: $CONNECTIONS connections, ${DURATION} s each, server, database and load generators on the same machine"
  cat "$NOTES"
  echo
  cat "$TABLE"
} > "$OUT"
echo
cat "$OUT"
echo
echo "written to $OUT"
