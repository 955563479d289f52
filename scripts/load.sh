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

tag=load
duration="${LOAD_DURATION:-20s}"
connections="${LOAD_CONNECTIONS:-64}"
threads="${LOAD_THREADS:-2}"
sessions="${LOAD_SESSIONS:-256}"
pg_admin="${LOAD_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export INTAKE_LOG="${INTAKE_LOG:-info}"
# shellcheck source=scripts/lib/demo.sh
. scripts/lib/demo.sh

# Runs wrk with scripts/load.lua and prints its RESULT line's fields.
measure() { # URL [SESSIONS_FILE]
  local out="$run_dir/wrk.out"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s scripts/load.lua "$1" ${2:+-- "$2"} >"$out"
  grep -q '^RESULT ' "$out" || { cat "$out" >&2; return 1; }
  sed -n 's/^RESULT //p' "$out"
}

say "tools"
need_tools wrk psql
build_release
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

# Starts Intake on a fresh database of BACKEND with $sessions demo appointments, verifies a
# session for each link, saves once through each (checking the 303), and measures saves.
run_backend() { # BACKEND NAME [BINARY]
  local database failed
  say "saves on $1${3:+ ($3)}"
  scratch_database "$1" "$2"
  start_demo "$2" "$database" "${3:-$intake_bin}" "$sessions"
  failed=$(python3 scripts/lib/patients.py "$links" 8 "$run_dir/$2/sessions.lua")
  [ "$failed" = 0 ] || { echo "load: $failed patients could not save" >&2; exit 1; }
  result[$2]=$(measure "http://127.0.0.1:$port" "$run_dir/$2/sessions.lua")
  stop_server
  drop_scratch_database
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
