#!/usr/bin/env bash
# Load test on loopback: answer saves (POST /intake/page/0 with its CSRF token, spread over many
# verified patient sessions) on SQLite, then on Postgres, against an axum hello-world measured in
# the same run, with wrk. Prints requests/s and p99 latency for each and the ratios to
# hello-world; exits 1 if any save was not answered 2xx/3xx (a save answers 303).
#
# Settings (environment): LOAD_DURATION (20s), LOAD_CONNECTIONS (64), LOAD_THREADS (2),
# LOAD_SESSIONS (256), LOAD_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres; a scratch
# database is made on it and dropped afterwards), INTAKE_LOG (info, as in production; the
# server's log goes to a file), LOAD_BASELINE_BIN (another build of intake, e.g. main's, to
# measure in the same run as a "before" on both backends), LOAD_BACKENDS ("sqlite postgres").
#
# wrk is closed-loop: it sends a request only when the last one on that connection answered,
# so its p99 understates the tail under overload (coordinated omission). These figures compare
# Intake with the baseline; they are not a latency guarantee.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/intake-target}"
duration="${LOAD_DURATION:-20s}"
connections="${LOAD_CONNECTIONS:-64}"
threads="${LOAD_THREADS:-2}"
sessions="${LOAD_SESSIONS:-256}"
pg_admin="${LOAD_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export INTAKE_LOG="${INTAKE_LOG:-info}"

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
  for _ in $(seq 1 200); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "load: nothing answered at $1" >&2
  return 1
}

# Runs wrk with scripts/load.lua and prints its RESULT line's fields.
measure() { # URL [SESSIONS_FILE]
  local out="$run_dir/wrk.out"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s scripts/load.lua "$1" ${2:+-- "$2"} >"$out"
  grep -q '^RESULT ' "$out" || { cat "$out" >&2; return 1; }
  sed -n 's/^RESULT //p' "$out"
}

say "tools"
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }

say "build (release)"
cargo build --release --locked --quiet --bin intake --example hello
intake_bin="$CARGO_TARGET_DIR/release/intake"
hello_bin="$CARGO_TARGET_DIR/release/examples/hello"
baseline_bin="${LOAD_BASELINE_BIN:-}"
backends="${LOAD_BACKENDS:-sqlite postgres}"

declare -A result

say "hello-world baseline"
port=$(free_port)
"$hello_bin" "127.0.0.1:$port" &
server_pid=$!
wait_for "http://127.0.0.1:$port/"
result[hello]=$(measure "http://127.0.0.1:$port/")
stop_server

# Starts Intake on a fresh database with $sessions demo appointments, verifies a session for
# each link, saves once through each (checking the 303), and measures saves.
run_intake() { # NAME DATABASE_URL [BINARY]
  local name=$1 database=$2 bin=${3:-$intake_bin} port data out
  port=$(free_port)
  data="$run_dir/$name"
  mkdir -p "$data"
  out="$data/serve.out"
  INTAKE_DATA_DIR="$data" INTAKE_PUBLIC_URL="http://127.0.0.1:$port" INTAKE_RATE_LIMIT=1000000 \
    "$bin" serve --demo --demo-appointments "$sessions" \
    --addr "127.0.0.1:$port" --database "$database" >"$out" 2>"$data/serve.log" &
  server_pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  for _ in $(seq 1 200); do
    [ "$(grep -c '/i/' "$out" || true)" -ge "$sessions" ] && break
    sleep 0.05
  done
  python3 - "$out" "$data/sessions.lua" <<'EOF'
import http.client, re, sys, urllib.parse

# The demo prints "  Name (born YYYY-MM-DD), Visit" and then the link on the next line.
text = open(sys.argv[1]).read()
pairs = re.findall(r"\(born (\d{4}-\d{2}-\d{2})\).*\n\s+(http://[^\s]+/i/[^\s]+)", text)
if not pairs:
    sys.exit("load: the demo printed no links")

def call(url, method, path, cookie=None, form=None):
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body, headers)
    response = conn.getresponse()
    return response.status, response.headers, response.read().decode()

out = ["return {"]
for born, link in pairs:
    url = urllib.parse.urlsplit(link)
    status, headers, _ = call(url, "GET", url.path)
    assert status == 303, f"opening a link answered {status}"
    cookie = headers["Set-Cookie"].split(";")[0]
    _, _, page = call(url, "GET", "/intake", cookie)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    status, headers, _ = call(url, "POST", "/intake/verify", cookie, {"csrf": csrf, "birth_date": born})
    assert status == 303 and headers["Location"] == "/intake/page/0", f"verifying answered {status}"
    # A session that proved who it is gets a new id (session fixation).
    if headers.get("Set-Cookie"):
        cookie = headers["Set-Cookie"].split(";")[0]
    status, _, _ = call(url, "POST", "/intake/page/0", cookie, {
        "csrf": csrf, "a.reason": "Cough for two weeks", "a.pain_level": "3", "a.symptom_start": "2026-11-01"})
    assert status == 303, f"a save answered {status}"
    out.append(f'  {{"{cookie}", "{csrf}"}},')
out.append("}")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(f"{len(pairs)} verified sessions, one save each answered 303", file=sys.stderr)
EOF
  result[$name]=$(measure "http://127.0.0.1:$port" "$data/sessions.lua")
  stop_server
}

run_backend() { # BACKEND NAME [BINARY]
  case $1 in
    sqlite)
      say "saves on SQLite${3:+ ($3)}"
      run_intake "$2" "sqlite:$run_dir/$2/intake.db" "${3:-}"
      ;;
    postgres)
      say "saves on Postgres${3:+ ($3)}"
      pg_db="intake_load_$$"
      psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
      run_intake "$2" "${pg_admin%/*}/$pg_db" "${3:-}"
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
      pg_db=""
      ;;
  esac
}

rows=("hello hello-world (GET /)")
for backend in $backends; do
  if [ -n "$baseline_bin" ]; then
    run_backend "$backend" "$backend-baseline" "$baseline_bin"
    rows+=("$backend-baseline saves on $backend (baseline)")
  fi
  run_backend "$backend" "$backend"
  rows+=("$backend saves on $backend")
done

# The table; the ratios are each row's against hello-world.
read -r hello_rps hello_p99 _ _ <<<"${result[hello]}"
printf '\nwrk -t%s -c%s -d%s, loopback, %s cores shared by wrk and the server; %s sessions\n\n' \
  "$threads" "$connections" "$duration" "$(nproc)" "$sessions"
printf '| %-28s | %10s | %8s | %14s | %12s | %11s |\n' target "requests/s" "p99 (ms)" "req/s vs hello" "p99 vs hello" "non-2xx/3xx"
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------------------ ------------ ---------- ---------------- -------------- -------------
failed=0
for row in "${rows[@]}"; do
  key=${row%% *} label=${row#* }
  read -r rps p99 bad socket <<<"${result[$key]}"
  printf '| %-28s | %10.0f | %8.2f | %14.3f | %12.1f | %11s |\n' "$label" "$rps" "$p99" \
    "$(awk "BEGIN { print $rps / $hello_rps }")" "$(awk "BEGIN { print $p99 / $hello_p99 }")" "$bad"
  if [ "$bad" != 0 ] || [ "$socket" != 0 ]; then failed=1; fi
done
if [ "$failed" != 0 ]; then
  echo "load: some requests failed (non-2xx/3xx responses or socket errors)" >&2
  exit 1
fi
