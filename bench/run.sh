#!/usr/bin/env bash
# The county-scale benchmark. For each scale it seeds a database of its own, captures the SQL
# every read endpoint sends, starts the release server, signs in township workers and county
# supervisors, and measures:
#   - wrk (bench/rotate.lua rotates their tokens) against township GET /cases, GET /clients?q=,
#     GET /clients, a worker's visits due within a week (GET /roster-entries?responsible=me&
#     due_before=), county GET /caseload, county-year GET /stats, county GET /sessions, and
#     POST /sessions of an individual session and of a visit, at $CONNECTIONS connections; for
#     the reads, pgbench runs the captured SQL at the same concurrency and the table shows the
#     ratio;
#   - each read again with one connection, for latency without queueing (compared across scales);
#   - offline sync: township workers' first downloads (records per second through the API), an
#     incremental pull that finds 50 changes (wrk at $CONNECTIONS connections and at one), a batch
#     of 100 offline visits (POST /sync/batch, at one connection and at four), and POST /sessions
#     with the change-log triggers off and on, in alternating rounds (what the change log costs
#     a write);
#   - GET /cases while a login storm runs (sign-ins through the same script);
#   - the server's peak RSS.
# It prints one table and writes it to bench/results/ with the date, the machine and the commit.
#
#   bench/run.sh                              # scales 10000 and 1000000
#   SCALES=10000 DURATION=10 bench/run.sh     # a quick run
#   ONLY="sync" bench/run.sh                  # some parts only: reads, writes, sync, storm
#
# Needs a local PostgreSQL (PGHOST/PGPORT, default 127.0.0.1:5432, user postgres) whose server
# log this user can read (PGLOG; found with pg_lsclusters), psql, pgbench, wrk (apt-get install
# wrk), curl and python3. FRESH=1 reseeds the bench databases; BUILD=0 uses the release binary as
# it is; KEEP_SQL=<dir> keeps the captured pgbench scripts there.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALES="${SCALES:-10000 1000000}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
STORM_CONNECTIONS="${STORM_CONNECTIONS:-8}"
STORM_ROUNDS="${STORM_ROUNDS:-5}"
PORT="${PORT:-18080}"
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"; PGUSER="${PGUSER:-postgres}"
# The server talks to PostgreSQL without TLS; pgbench and psql must too, or the comparison is off.
PGSSLMODE="${PGSSLMODE:-disable}"
export PGHOST PGPORT PGUSER PGSSLMODE
BASE="http://127.0.0.1:${PORT}"
WORK="$(mktemp -d)"
SERVER_PID=0
CAPTURE_DB=""
cleanup() {
  [ "$SERVER_PID" != 0 ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$CAPTURE_DB" ] && psql -X -q -d postgres -c "ALTER DATABASE \"$CAPTURE_DB\" RESET log_statement" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in psql pgbench wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (wrk: apt-get install wrk)" >&2; exit 1; }
done
PGLOG="${PGLOG:-$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PGPORT" '$3 == p {print $7}' | head -1)}"
if [ -z "$PGLOG" ] || [ ! -r "$PGLOG" ]; then
  echo "bench: cannot read the PostgreSQL server log (set PGLOG); the SQL of each endpoint is captured from it" >&2
  exit 1
fi

if [ "${BUILD:-1}" = 1 ]; then
  echo "==> building the release binary"
  cargo build --release --locked --quiet
fi
BIN=target/release/shegong

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then COMMIT="$COMMIT+changes"; fi
DATE="$(date -u +%Y-%m-%dT%H:%MZ)"
CPU="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
MACHINE="$(nproc) cores ($CPU), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sm)"
mkdir -p bench/results
OUT="bench/results/$(date -u +%Y%m%d-%H%M)-${COMMIT%+changes}.md"
TABLE="$WORK/table.md"
# The server's connections to PostgreSQL: POOL, or its default of two per CPU.
POOL_SIZE="${POOL:-$(( 2 * $(nproc) ))}"
printf '| scale | endpoint | API req/s | API p50 ms | API p99 ms | errors | server CPU µs/req | PostgreSQL CPU µs/req | pgbench tps | pgbench PostgreSQL CPU µs/tx | API/pgbench | pgbench tps, %s connections | API/that |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n' "$POOL_SIZE" > "$TABLE"
SINGLE="$WORK/single.tsv"; : > "$SINGLE"
NOTES="$WORK/notes.md"; : > "$NOTES"

q() { psql -X -Atq -d "$DB" -c "$1"; }
wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
median() { python3 -c "import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
SYNC_ROUNDS="${SYNC_ROUNDS:-3}"

# CPU time, in clock ticks: of the server process, and of the whole PostgreSQL cluster (the
# postmaster, its live backends, and the backends it has already reaped, such as pgbench's).
TICKS_PER_S="$(getconf CLK_TCK)"
POSTMASTER="$(head -1 "$(psql -X -Atq -d postgres -c 'SHOW data_directory')/postmaster.pid" 2>/dev/null || pgrep -o -x postgres)"
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
pg_ticks() {
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$POSTMASTER/stat"
    for p in $(pgrep -P "$POSTMASTER"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done
  } | awk '{s += $1} END {print s}'
}
per_request() { python3 -c "print(f'{($2) * 1e6 / $TICKS_PER_S / max($1, 1):.0f}')"; } # requests ticks
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

start_server() { # pool-size log-file
  if curl -fs "$BASE/readyz" >/dev/null 2>&1; then
    echo "bench: something already answers on $BASE; stop it or set PORT" >&2; exit 1
  fi
  # An empty pool size is the server's default.
  SHEGONG_BIND="127.0.0.1:${PORT}" SHEGONG_DB_POOL_SIZE="$1" "$BIN" serve > "$2" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    curl -fs "$BASE/readyz" >/dev/null && return 0
    sleep 0.5
  done
  echo "bench: the server did not become ready; its log:" >&2; tail -20 "$2" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=0; }

login() {
  curl -fs -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Bench-Pass-2026\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

wrk_run() { # connections seconds requests-file [script]
  local threads=2; [ "$1" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$1" -d"$2s" --latency -s "${4:-bench/rotate.lua}" "$BASE" -- "$3" 2>&1 | grep '^RESULT' | tail -1
}

pgbench_run() { # connections sql-files... -> "tps PostgreSQL-µs-per-transaction"
  local args=() out tx p0 clients="$1"
  shift
  for f in "$@"; do args+=(-f "$f"); done
  p0="$(pg_ticks)"
  out="$(pgbench -n -M prepared -c"$clients" -j2 -T"$DURATION" "${args[@]}" "$DB" 2>&1)"
  sleep 1 # pgbench's backends end after it does; their time counts once the postmaster reaps them
  tx="$(echo "$out" | awk '/number of transactions actually processed/ {print $NF; exit}')"
  echo "$(echo "$out" | awk '/^tps = / {print $3; exit}') $(per_request "$tx" "$(pg_ticks) - $p0")"
}

# wrk with CPU accounting -> "<wrk result> server_us=… pg_us=…"
wrk_measured() { # connections seconds requests-file [script]
  local s0 p0 r n
  s0="$(server_ticks)"; p0="$(pg_ticks)"
  r="$(wrk_run "$@")"
  n="$(python3 -c "print(round($(field "$r" rps) * $2))")"
  echo "$r server_us=$(per_request "$n" "$(server_ticks) - $s0") pg_us=$(per_request "$n" "$(pg_ticks) - $p0")"
}

row() { # scale endpoint wrk-result [pgbench-result [pgbench-result at the pool's connections]]
  local rps p50 p99 err tps pgcpu ratio tps2="-" ratio2="-" _cpu
  rps="$(field "$3" rps)"; p50="$(field "$3" p50_ms)"; p99="$(field "$3" p99_ms)"
  err="$(( $(field "$3" errors) + $(field "$3" non2xx) ))"
  tps="-"; pgcpu="-"; ratio="-"
  if [ -n "${4:-}" ]; then
    read -r tps pgcpu <<< "$4"
    ratio="$(python3 -c "print(f'{$rps / $tps * 100:.0f} %')")"
    tps="$(python3 -c "print(f'{$tps:.1f}')")"
  fi
  if [ -n "${5:-}" ]; then
    read -r tps2 _cpu <<< "$5"
    ratio2="$(python3 -c "print(f'{$rps / $tps2 * 100:.0f} %')")"
    tps2="$(python3 -c "print(f'{$tps2:.1f}')")"
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$rps" "$p50" "$p99" "$err" \
    "$(field "$3" server_us)" "$(field "$3" pg_us)" "$tps" "$pgcpu" "$ratio" "$tps2" "$ratio2" | tee -a "$TABLE"
}

# The same requests for pages of ten (lists only), so that the scales compare full pages: a
# township of the small set has only a few dozen clients and cases.
pages_of_ten() { # requests-file
  awk -F'\t' 'BEGIN {OFS = "\t"} { if ($3 ~ /\/(cases|clients|sessions|roster-entries)(\?|$)/) $3 = $3 ($3 ~ /\?/ ? "&" : "?") "limit=10"; print }' "$1"
}

# How many items the requests of a file answer with, on average (`-` for non-lists).
mean_items() { # requests-file
  python3 - "$1" "$BASE" <<'PY'
import json, sys, urllib.request
counts = []
for line in open(sys.argv[1]):
    token, method, path = line.rstrip("\n").split("\t")[:3]
    req = urllib.request.Request(sys.argv[2] + path, headers={"Authorization": "Bearer " + token})
    body = json.load(urllib.request.urlopen(req))
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        counts.append(len(body["items"]))
print(f"{sum(counts) / len(counts):.1f}" if counts else "-")
PY
}

# A read endpoint: a short warm-up, wrk at full concurrency, pgbench with the captured SQL, and
# wrk with one connection (latency without queueing), on pages of ten.
measure_read() { # name label requests-file pgbench-glob
  local r t t2 s
  wrk_run "$CONNECTIONS" 3 "$3" >/dev/null
  r="$(wrk_measured "$CONNECTIONS" "$DURATION" "$3")"
  # shellcheck disable=SC2086 # the glob names the captured scripts
  t="$(pgbench_run "$CONNECTIONS" $4)"
  # The same SQL with only as many connections as the server keeps: PostgreSQL's best on this
  # machine, since 32 backends on a few cores mostly take turns.
  # shellcheck disable=SC2086
  t2="$(pgbench_run "$POOL_SIZE" $4)"
  row "$SCALE" "$2" "$r" "$t" "$t2"
  pages_of_ten "$3" > "$3.ten"
  s="$(wrk_run 1 5 "$3.ten")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$SCALE" "$2" "$(field "$s" p50_ms)" "$(field "$s" p99_ms)" "$(mean_items "$3.ten")" >> "$SINGLE"
  eval "P99_$1=$(field "$r" p99_ms)"
}

NAMES=(王 李 张 芳 秀英 建国 小明 文军 海燕 春梅)
YEAR_START="$(TZ=Asia/Shanghai date +%Y)-01-01"; TODAY="$(TZ=Asia/Shanghai date +%F)"
# A worker's week: the visits due within seven days, overdue ones first.
WEEK_AHEAD="$(TZ=Asia/Shanghai date -d '+7 days' +%F)"

# The change-log triggers on or off (ALTER TABLE, while the server is idle).
sync_triggers() { # ENABLE|DISABLE
  q "DO \$\$ DECLARE t record; BEGIN
       FOR t IN SELECT tgrelid::regclass AS tbl, tgname FROM pg_trigger WHERE NOT tgisinternal
         AND tgfoid IN ('sync_rows_written'::regproc, 'sync_rows_deleted'::regproc,
                        'sync_parent_touched'::regproc, 'sync_units_moved'::regproc)
       LOOP EXECUTE format('ALTER TABLE %s $1 TRIGGER %I', t.tbl, t.tgname); END LOOP;
     END \$\$"
}

# Offline sync: first downloads, an incremental pull, a batch of offline visits, and what the
# change log costs POST /sessions. Uses the first $SYNC_WORKERS township workers (a township each).
sync_scenarios() {
  local user clients token out cursor n r r_off r_on mark slow="" p99s="" line
  : > "$WORK/sync_pull"; : > "$WORK/sync_batch"; : > "$WORK/sync_tokens"
  echo "==> sync: first downloads (a township worker's device, pages of 1,000)"
  while IFS='|' read -r user _unit _cases clients; do
    token="$(login "$user")"
    out="$(python3 bench/sync.py download "$BASE" "$token")"
    cursor="$(field "$out" cursor)"
    printf '%s\t%s\n' "$token" "$cursor" >> "$WORK/sync_tokens"
    echo "- $SCALE: first download of $user (a township): $(field "$out" records) records in $(field "$out" pages) pages, $(field "$out" seconds) s through the API, **$(python3 -c "print(round($(field "$out" records) / $(field "$out" seconds)))") records/s**" | tee -a "$NOTES"
    printf '%s\tGET\t/api/v1/sync/changes?since=%s\t\n' "$token" "$cursor" >> "$WORK/sync_pull"
    # A day's offline visits: 100 mutations, each a visit to one of the worker's roster clients.
    line="$(python3 - "$token" "$clients" "$AT" <<'PY'
import json, sys
token, clients, at = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
mutations = [{"mutation_id": "__UUID__", "entity": "session", "op": "create", "id": "__UUID__",
              "changes": {"method": "visit", "client_ids": [clients[i % len(clients)]], "occurred_at": at,
                          "duration_minutes": 30, "mode": "home_visit", "service_types": ["visit_care"],
                          "findings": "生活基本稳定，居家安全无隐患。"}} for i in range(100)]
print(f"{token}\tPOST\t/api/v1/sync/batch\t" + json.dumps({"mutations": mutations}, ensure_ascii=False))
PY
)"
    echo "$line" >> "$WORK/sync_batch"
  done < <(head -n "${SYNC_WORKERS:-3}" "$WORK/workers")

  echo "==> sync: an incremental pull that finds 50 changes"
  while IFS=$'\t' read -r token cursor; do
    python3 bench/sync.py touch "$BASE" "$token" 50
    n="$(python3 bench/sync.py count "$BASE" "$token" "$cursor")"
    echo "- $SCALE: the incremental pull measured finds $n changes (50 clients changed since the download)" >> "$NOTES"
  done < "$WORK/sync_tokens"
  wrk_run "$CONNECTIONS" 3 "$WORK/sync_pull" >/dev/null
  r="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/sync_pull")"
  row "$SCALE" "GET /sync/changes (50 changes)" "$r"
  r="$(wrk_run 1 5 "$WORK/sync_pull")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$SCALE" "GET /sync/changes (50 changes)" "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" 50 >> "$SINGLE"

  echo "==> sync: POST /sync/batch of 100 offline visits"
  python3 bench/sync.py push "$BASE" "$WORK/sync_batch"
  n="$(q "SELECT count(*) FROM visits")"
  r="$(wrk_measured 1 "$DURATION" "$WORK/sync_batch")"
  row "$SCALE" "POST /sync/batch (100 visits, 1 connection)" "$r"
  r="$(wrk_measured 4 "$DURATION" "$WORK/sync_batch")"
  row "$SCALE" "POST /sync/batch (100 visits, 4 connections)" "$r"
  echo "- $SCALE: the batches wrote $(( $(q "SELECT count(*) FROM visits") - n )) visits" >> "$NOTES"

  echo "==> POST /sessions with the change log off and on, $SYNC_ROUNDS rounds"
  mark="$(q "SELECT now()")"
  for round in $(seq 1 "$SYNC_ROUNDS"); do
    sync_triggers DISABLE
    r_off="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/sessions")"
    row "$SCALE" "POST /sessions, change log off ($round)" "$r_off"
    sync_triggers ENABLE
    r_on="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/sessions")"
    row "$SCALE" "POST /sessions, change log on ($round)" "$r_on"
    slow="$slow $(python3 -c "print(f'{(1 - $(field "$r_on" rps) / $(field "$r_off" rps)) * 100:.1f}')")"
    p99s="$p99s $(field "$r_off" p99_ms)/$(field "$r_on" p99_ms)"
  done
  # The sessions written with the log off, and their cases, logged now as written.
  q "UPDATE service_sessions SET id = id WHERE updated_at >= '$mark'; UPDATE cases SET id = id WHERE updated_at >= '$mark'" >/dev/null
  # shellcheck disable=SC2086 # one figure per word
  echo "- $SCALE: **the change log costs POST /sessions $(median $slow) % of its throughput** (median of the rounds, off vs on:$slow %; p99 ms off/on:$p99s)" >> "$NOTES"
}

for SCALE in $SCALES; do
  DB="shegong_bench_${SCALE}"
  export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
  if [ "${FRESH:-0}" = 1 ] || ! psql -X -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "==> seeding $DB with $SCALE clients"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
    start=$(date +%s)
    SHEGONG_LOG_LEVEL=warn "$BIN" seed --scale "$SCALE"
    echo "- $SCALE: seeded in $(( $(date +%s) - start )) s (\`shegong seed --scale $SCALE\`)" >> "$NOTES"
  fi
  SHEGONG_LOG_LEVEL=warn "$BIN" migrate
  # A live database has autovacuum keep its statistics and visibility maps, and its working set
  # in memory from the day's traffic; this one may have neither.
  psql -X -q -d "$DB" -c "VACUUM ANALYZE"
  if psql -X -q -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" 2>/dev/null; then
    # Largest first: when the data set is larger than shared buffers, what stays is the smaller
    # tables and indexes that every request touches, not the oldest of the session history.
    psql -X -Atq -d "$DB" -c "SELECT pg_prewarm(c.oid) FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i') ORDER BY pg_relation_size(c.oid) DESC" >/dev/null
  fi
  [ "$(q "SELECT count(*) > 0 FROM roster_entries")" = t ] || { echo "bench: $DB has no rosters (reseed with FRESH=1)" >&2; exit 1; }
  echo "- $SCALE: $(q "SELECT count(*) FROM clients") clients, $(q "SELECT count(*) FROM cases") cases, $(q "SELECT count(*) FROM service_sessions") sessions ($(q "SELECT count(*) FROM visits") of them visits), $(q "SELECT count(*) FROM roster_entries") roster entries ($(q "SELECT count(*) FROM roster_entries WHERE next_visit_due < (now() AT TIME ZONE 'Asia/Shanghai')::date") overdue), $(q "SELECT count(*) FROM org_units") units, $(q "SELECT count(*) FROM users") users; database $(q "SELECT pg_size_pretty(pg_database_size(current_database()))")" >> "$NOTES"

  # Township workers with cases in intervention (up to five each, for the sessions they record)
  # and clients on their rosters (up to five each, for the visits they record), and county
  # supervisors.
  q "SELECT u.username, o.id, string_agg(k.id::text, ','),
            (SELECT string_agg(r.client_id::text, ',') FROM (SELECT DISTINCT e.client_id FROM roster_entries e
              WHERE e.responsible_worker_id = u.id AND e.left_on IS NULL ORDER BY e.client_id LIMIT 5) r)
     FROM users u JOIN org_units o ON o.id = u.org_unit_id
     JOIN LATERAL (SELECT id FROM cases k WHERE k.worker_id = u.id AND k.status = 'intervention' ORDER BY id DESC LIMIT 5) k ON true
     WHERE u.role = 'worker' AND o.tier = 'township' AND u.username LIKE 'tw\_%\_1'
       AND EXISTS (SELECT 1 FROM roster_entries e WHERE e.responsible_worker_id = u.id AND e.left_on IS NULL)
     GROUP BY u.username, u.id, o.id ORDER BY md5(u.username) LIMIT 40" > "$WORK/workers"
  q "SELECT u.username, o.id FROM users u JOIN org_units o ON o.id = u.org_unit_id
     WHERE u.role = 'supervisor' AND o.tier = 'county' AND u.username LIKE 'co\_%' ORDER BY md5(u.username) LIMIT 10" > "$WORK/supervisors"
  [ -s "$WORK/workers" ] && [ -s "$WORK/supervisors" ] || { echo "bench: $DB has no bench staff (reseed with FRESH=1)" >&2; exit 1; }

  name_of() { local n="${NAMES[$(( $1 % ${#NAMES[@]} ))]}"; python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$n"; }
  worker_paths() {
    echo "cases /api/v1/cases"; echo "clients_q /api/v1/clients?q=$(name_of "$1")"; echo "clients /api/v1/clients"
    echo "roster_due /api/v1/roster-entries?responsible=me&due_before=${WEEK_AHEAD}"
  }
  supervisor_paths() { echo "caseload /api/v1/caseload"; echo "stats /api/v1/stats?from=${YEAR_START}&to=${TODAY}"; echo "sessions_county /api/v1/sessions"; }

  if wanted reads; then
  echo "==> capturing the SQL of each read endpoint"
  CAPTURE_DB="$DB"
  psql -X -q -d postgres -c "ALTER DATABASE \"$DB\" SET log_statement = 'all'"
  rm -f "$WORK"/pg_*.sql
  start_server 1 "$WORK/capture.log"
  capture() { # token name path n
    # The request once to warm the connection, then once for the record.
    curl -fs -o /dev/null -H "Authorization: Bearer $1" "$BASE$3"
    local from to
    from=$(stat -c %s "$PGLOG")
    curl -fs -o /dev/null -H "Authorization: Bearer $1" "$BASE$3"
    to=$(stat -c %s "$PGLOG")
    python3 bench/sqlcapture.py "$PGLOG" "$from" "$to" "$DB" > "$WORK/pg_$2_$4.sql"
  }
  i=0
  while IFS='|' read -r user _unit _cases _clients; do
    token="$(login "$user")"; i=$((i + 1))
    while read -r name path; do capture "$token" "$name" "$path" "$i"; done < <(worker_paths "$i")
  done < "$WORK/workers"
  while IFS='|' read -r user _unit; do
    token="$(login "$user")"; i=$((i + 1))
    while read -r name path; do capture "$token" "$name" "$path" "$i"; done < <(supervisor_paths "$i")
  done < "$WORK/supervisors"
  stop_server
  psql -X -q -d postgres -c "ALTER DATABASE \"$DB\" RESET log_statement"
  CAPTURE_DB=""
  if [ -n "${KEEP_SQL:-}" ]; then mkdir -p "$KEEP_SQL/$SCALE" && cp "$WORK"/pg_*.sql "$KEEP_SQL/$SCALE/"; fi
  # The plans: EXPLAIN ANALYZE of every statement of the first actor's request, per endpoint.
  EXPLAINS="${OUT%.md}-explain-$SCALE.txt"
  : > "$EXPLAINS"
  sup=$(( $(wc -l < "$WORK/workers") + 1 ))
  for f in cases_1 clients_q_1 clients_1 roster_due_1 "caseload_$sup" "stats_$sup" "sessions_county_$sup"; do
    echo "######## ${f%_*}: the statements of one request, each with EXPLAIN (ANALYZE, BUFFERS)" >> "$EXPLAINS"
    { echo "BEGIN READ ONLY;"
      grep -v -E '^(BEGIN|COMMIT|ROLLBACK)' "$WORK/pg_$f.sql" | sed 's/^/EXPLAIN (ANALYZE, BUFFERS) /'
      echo "ROLLBACK;"
    } | psql -X -q -d "$DB" -e >> "$EXPLAINS" 2>&1
  done
  fi

  echo "==> starting the server on $BASE"
  start_server "${POOL:-}" "$WORK/server.log"
  : > "$WORK/cases"; : > "$WORK/clients_q"; : > "$WORK/clients"; : > "$WORK/roster_due"; : > "$WORK/caseload"; : > "$WORK/stats"
  : > "$WORK/sessions_county"; : > "$WORK/sessions"; : > "$WORK/visits"; : > "$WORK/logins"
  AT="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
  i=0
  while IFS='|' read -r user _unit cases clients; do
    token="$(login "$user")"; i=$((i + 1))
    while read -r name path; do printf '%s\tGET\t%s\t\n' "$token" "$path" >> "$WORK/$name"; done < <(worker_paths "$i")
    for case_id in ${cases//,/ }; do
      printf '%s\tPOST\t/api/v1/sessions\t{"id":"__UUID__","method":"individual","case_id":"%s","occurred_at":"%s","duration_minutes":45,"mode":"home_visit","service_types":["visit_care"],"summary":"入户走访，了解近况。"}\n' \
        "$token" "$case_id" "$AT" >> "$WORK/sessions"
    done
    # A home visit to a client on the worker's roster: it satisfies the client's entries (their
    # last visit moves) in the same transaction.
    for client_id in ${clients//,/ }; do
      printf '%s\tPOST\t/api/v1/sessions\t{"id":"__UUID__","method":"visit","client_ids":["%s"],"occurred_at":"%s","duration_minutes":40,"mode":"home_visit","service_types":["visit_care"],"findings":"生活基本稳定，居家安全无隐患。"}\n' \
        "$token" "$client_id" "$AT" >> "$WORK/visits"
    done
    printf '\tPOST\t/api/v1/auth/login\t{"username":"%s","password":"Bench-Pass-2026"}\n' "$user" >> "$WORK/logins"
  done < "$WORK/workers"
  while IFS='|' read -r user _unit; do
    token="$(login "$user")"; i=$((i + 1))
    while read -r name path; do printf '%s\tGET\t%s\t\n' "$token" "$path" >> "$WORK/$name"; done < <(supervisor_paths "$i")
  done < "$WORK/supervisors"

  if wanted reads; then
  echo "==> GET /cases (township, newest 50)"
  measure_read cases "GET /cases" "$WORK/cases" "$WORK/pg_cases_*.sql"
  echo "==> GET /clients?q= (township, name part)"
  measure_read clients_q "GET /clients?q=" "$WORK/clients_q" "$WORK/pg_clients_q_*.sql"
  echo "==> GET /clients (township, newest 50)"
  measure_read clients "GET /clients" "$WORK/clients" "$WORK/pg_clients_[0-9]*.sql"
  echo "==> GET /roster-entries?responsible=me&due_before= (a worker's visits due within a week)"
  measure_read roster_due "GET /roster-entries (due this week)" "$WORK/roster_due" "$WORK/pg_roster_due_*.sql"
  echo "==> GET /caseload (county)"
  measure_read caseload "GET /caseload (county)" "$WORK/caseload" "$WORK/pg_caseload_*.sql"
  echo "==> GET /stats (county, this year)"
  measure_read stats "GET /stats (county-year)" "$WORK/stats" "$WORK/pg_stats_*.sql"
  echo "==> GET /sessions (county, newest 50)"
  measure_read sessions_county "GET /sessions (county)" "$WORK/sessions_county" "$WORK/pg_sessions_county_*.sql"
  fi
  if wanted writes; then
  echo "==> POST /sessions (individual, on the worker's cases)"
  before="$(q "SELECT count(*) FROM service_sessions")"
  r="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/sessions")"
  row "$SCALE" "POST /sessions" "$r"
  echo "- $SCALE: POST /sessions wrote $(( $(q "SELECT count(*) FROM service_sessions") - before )) sessions" >> "$NOTES"
  echo "==> POST /sessions (visit, to clients on the worker's roster)"
  before="$(q "SELECT count(*) FROM visits")"
  r="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/visits")"
  row "$SCALE" "POST /sessions (visit)" "$r"
  echo "- $SCALE: POST /sessions (visit) wrote $(( $(q "SELECT count(*) FROM visits") - before )) visits" >> "$NOTES"
  fi
  if wanted sync; then sync_scenarios; fi

  if wanted storm; then

  echo "==> GET /cases during a login storm (and just before it, for comparison), $STORM_ROUNDS rounds"
  # p99 at full load moves by tens of percent from one run to the next on a shared machine, so
  # the comparison is made in several rounds and the median ratio is the figure.
  ratios=""
  for round in $(seq 1 "$STORM_ROUNDS"); do
    r="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/cases")"
    row "$SCALE" "GET /cases before the login storm ($round)" "$r"
    P99_cases="$(field "$r" p99_ms)"
    wrk -t1 -c"$STORM_CONNECTIONS" -d"$((DURATION + 2))s" -s bench/rotate.lua "$BASE" -- "$WORK/logins" > "$WORK/storm.log" 2>&1 &
    STORM=$!
    sleep 1
    r="$(wrk_measured "$CONNECTIONS" "$DURATION" "$WORK/cases")"
    wait "$STORM" || true
    row "$SCALE" "GET /cases during a login storm ($round)" "$r"
    ratios="$ratios $(python3 -c "print(f'{$(field "$r" p99_ms) / $P99_cases:.2f}')")"
    echo "- $SCALE: login storm round $round ($STORM_CONNECTIONS connections signing in): p99 of GET /cases $P99_cases ms before, $(field "$r" p99_ms) ms during; the storm: $(grep -o 'RESULT.*' "$WORK/storm.log" || echo n/a)" >> "$NOTES"
  done
  # shellcheck disable=SC2086 # one ratio per word
  echo "- $SCALE: **p99 of GET /cases during a login storm is $(median $ratios)x its p99 without** (median of the rounds:$ratios)" >> "$NOTES"
  fi

  RSS_KB="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"
  echo "- $SCALE: server peak RSS $(( RSS_KB / 1024 )) MiB" >> "$NOTES"
  stop_server
done

{
  echo "# Benchmark $DATE"
  echo
  echo "- commit $COMMIT; machine: $MACHINE"
  echo "- PostgreSQL $(psql -X -Atq -d postgres -c 'SHOW server_version'): shared_buffers $(psql -X -Atq -d postgres -c 'SHOW shared_buffers'), work_mem $(psql -X -Atq -d postgres -c 'SHOW work_mem'), max_connections $(psql -X -Atq -d postgres -c 'SHOW max_connections'), jit $(psql -X -Atq -d postgres -c 'SHOW jit'), autovacuum $(psql -X -Atq -d postgres -c 'SHOW autovacuum'); each bench database is vacuumed, analyzed and read into shared buffers (pg_prewarm, largest relations first) first"
  echo "- wrk and pgbench: $CONNECTIONS connections, ${DURATION} s each (after a 3 s warm-up); the server (default settings${POOL:+, pool $POOL}), PostgreSQL and the load generators share the machine"
  echo "- CPU µs per request: the server process's, and the whole PostgreSQL cluster's, over each run divided by its requests (pgbench: its transactions)"
  echo "- pgbench runs, per request, the statements the endpoint sent (captured from the server log), with -M prepared; their plans: \`$(basename "${OUT%.md}")-explain-<scale>.txt\`"
  cat "$NOTES"
  echo
  cat "$TABLE"
  echo
  echo "Latency with one connection (no queueing), p50 / p99 ms, lists in pages of ten (items per page in brackets):"
  echo
  python3 - "$SINGLE" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
scales = sorted({int(r[0]) for r in rows})
names = list(dict.fromkeys(r[1] for r in rows))
val = {(int(r[0]), r[1]): (float(r[2]), float(r[3]), r[4]) for r in rows}
head = "| endpoint | " + " | ".join(f"{s:,}" for s in scales)
if len(scales) > 1:
    head += f" | p50 {scales[-1]:,} / {scales[0]:,}"
print(head + " |")
print("|---" * (len(scales) + 1 + (len(scales) > 1)) + "|")
for n in names:
    def cell(v):
        return f"{v[0]:.2f} / {v[1]:.2f}" + (f" ({v[2]})" if v[2] != "-" else "")
    cells = [cell(val[(s, n)]) if (s, n) in val else "-" for s in scales]
    line = f"| {n} | " + " | ".join(cells)
    if len(scales) > 1 and (scales[0], n) in val and (scales[-1], n) in val:
        line += f" | {val[(scales[-1], n)][0] / val[(scales[0], n)][0]:.2f}x"
    print(line + " |")
PY
} > "$OUT"
echo
cat "$OUT"
echo
echo "written to $OUT"
