#!/usr/bin/env bash
# Memory with many patients in the middle of a form: starts the release server on a fresh
# database with MEMORY_PATIENTS demo appointments, and with MEMORY_CLIENTS concurrent clients
# opens every link, proves the date of birth and saves the first page (a draft open, a live
# session, a chart read kept), then prints the server's resident memory (VmRSS now, VmHWM at
# its peak) against the same server's right after start in the same run. Exits 1 if any
# patient's step failed.
#
# Settings (environment): MEMORY_PATIENTS (10000), MEMORY_CLIENTS (16), MEMORY_BACKENDS
# ("sqlite"; add "postgres" for a scratch database on MEMORY_POSTGRES_URL, default
# postgres://postgres@127.0.0.1:5432/postgres), MEMORY_BASELINE_BIN (another build of intake,
# e.g. main's, measured the same way in the same run), INTAKE_LOG (warn; the log goes to a file).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/intake-target}"
patients="${MEMORY_PATIENTS:-10000}"
clients="${MEMORY_CLIENTS:-16}"
backends="${MEMORY_BACKENDS:-sqlite}"
pg_admin="${MEMORY_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export INTAKE_LOG="${INTAKE_LOG:-warn}"

run_dir=$(mktemp -d)
server_pid=""
pg_db=""

say() { printf '\n== %s\n' "$*" >&2; }

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

cleanup() {
  stop_server
  if [ -n "$pg_db" ]; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$run_dir"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # URL
  for _ in $(seq 1 6000); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "memory: nothing answered at $1" >&2
  return 1
}

kib() { # PID FIELD: a /proc status field in KiB
  awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"
}

say "build (release)"
# The same targets as scripts/load.sh, so the two share one build (an example brings in the
# dev-dependencies, whose features would otherwise make a second build of the library).
cargo build --release --locked --quiet --bin intake --example hello
intake_bin="$CARGO_TARGET_DIR/release/intake"

declare -A result
rows=()

# Starts a server on DATABASE_URL with $patients appointments, records its memory, brings every
# patient to the middle of the form, and records its memory again.
run_server() { # NAME DATABASE_URL BINARY
  local name=$1 database=$2 bin=$3 port data out
  port=$(free_port)
  data="$run_dir/$name"
  mkdir -p "$data"
  out="$data/serve.out"
  INTAKE_DATA_DIR="$data" INTAKE_PUBLIC_URL="http://127.0.0.1:$port" INTAKE_RATE_LIMIT=1000000 \
    INTAKE_SCHEDULE_SYNC_DAYS=366 \
    "$bin" serve --demo --demo-appointments "$patients" \
    --addr "127.0.0.1:$port" --database "$database" >"$out" 2>"$data/serve.log" &
  server_pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  for _ in $(seq 1 3000); do
    [ "$(grep -c '/i/' "$out" || true)" -ge "$patients" ] && break
    sleep 0.1
  done
  local idle
  idle=$(kib "$server_pid" VmRSS)
  local started=$SECONDS
  local failed
  failed=$(python3 - "$out" "$clients" <<'EOF'
import concurrent.futures, http.client, re, sys, urllib.parse

text = open(sys.argv[1]).read()
pairs = re.findall(r"\(born (\d{4}-\d{2}-\d{2})\).*\n\s+(http://[^\s]+/i/[^\s]+)", text)
if not pairs:
    sys.exit("memory: the demo printed no links")

def call(conn, method, path, cookie=None, form=None):
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body, headers)
    response = conn.getresponse()
    return response.status, response.headers, response.read().decode()

def patient(pair):
    born, link = pair
    url = urllib.parse.urlsplit(link)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        status, headers, _ = call(conn, "GET", url.path)
        if status != 303:
            return f"opening a link answered {status}"
        cookie = headers["Set-Cookie"].split(";")[0]
        status, _, page = call(conn, "GET", "/intake", cookie)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        if status != 200 or not csrf:
            return f"the start page answered {status}"
        csrf = csrf.group(1)
        status, headers, _ = call(conn, "POST", "/intake/verify", cookie, {"csrf": csrf, "birth_date": born})
        if status != 303:
            return f"verifying answered {status}"
        # A session that proved who it is gets a new id (session fixation).
        if headers.get("Set-Cookie"):
            cookie = headers["Set-Cookie"].split(";")[0]
        status, _, _ = call(conn, "POST", "/intake/page/0", cookie, {
            "csrf": csrf, "a.reason": "Cough for two weeks", "a.pain_level": "3", "a.symptom_start": "2026-11-01"})
        if status != 303:
            return f"a save answered {status}"
        return None
    except Exception as error:  # a refused or dropped connection counts as a failure
        return f"{type(error).__name__}"
    finally:
        conn.close()

failures = {}
with concurrent.futures.ThreadPoolExecutor(int(sys.argv[2])) as pool:
    for problem in pool.map(patient, pairs):
        if problem:
            failures[problem] = failures.get(problem, 0) + 1
for problem, count in sorted(failures.items()):
    print(f"memory: {count} patients failed: {problem}", file=sys.stderr)
print(f"{len(pairs)} patients, {sum(failures.values())} failed", file=sys.stderr)
print(sum(failures.values()))
EOF
)
  local took=$((SECONDS - started))
  result[$name]="$idle $(kib "$server_pid" VmRSS) $(kib "$server_pid" VmHWM) $failed $took"
  stop_server
}

run_backend() { # BACKEND NAME BINARY
  case $1 in
    sqlite)
      say "$patients patients on SQLite ($3)"
      run_server "$2" "sqlite:$run_dir/$2/intake.db" "$3"
      ;;
    postgres)
      say "$patients patients on Postgres ($3)"
      pg_db="intake_memory_$$"
      psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
      run_server "$2" "${pg_admin%/*}/$pg_db" "$3"
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
      pg_db=""
      ;;
  esac
}

for backend in $backends; do
  if [ -n "${MEMORY_BASELINE_BIN:-}" ]; then
    run_backend "$backend" "$backend-baseline" "$MEMORY_BASELINE_BIN"
    rows+=("$backend-baseline $backend (baseline)")
  fi
  run_backend "$backend" "$backend" "$intake_bin"
  rows+=("$backend $backend")
done

printf '\n%s patients, %s concurrent clients, each: open the link, prove the date of birth, save page 1\n\n' \
  "$patients" "$clients"
printf '| %-20s | %13s | %14s | %13s | %9s | %6s | %8s |\n' server "RSS idle (MB)" "RSS after (MB)" "peak RSS (MB)" "after/idle" failed seconds
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- --------------- ---------------- --------------- ----------- -------- ----------
status=0
for row in "${rows[@]}"; do
  key=${row%% *} label=${row#* }
  read -r idle after peak failed took <<<"${result[$key]}"
  printf '| %-20s | %13.1f | %14.1f | %13.1f | %9.2f | %6s | %8s |\n' "$label" \
    "$(awk "BEGIN { print $idle / 1024 }")" "$(awk "BEGIN { print $after / 1024 }")" \
    "$(awk "BEGIN { print $peak / 1024 }")" "$(awk "BEGIN { print $after / $idle }")" "$failed" "$took"
  if [ "$failed" != 0 ]; then status=1; fi
done
exit "$status"
