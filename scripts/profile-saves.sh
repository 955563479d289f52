#!/usr/bin/env bash
# Where an answer save's time goes, in counts that hold still on a busy machine (wall-clock
# figures do not with other work on the cores): PROFILE_SAVES saves of the first page, by
# PROFILE_CLIENTS clients at once over PROFILE_SESSIONS patients mid-form, against the release
# server on SQLite and on Postgres. Per save it prints:
#   - instructions the server ran (valgrind's callgrind, user space only; the top functions by
#     inclusive count go to a file named in the output),
#   - and, from a run without valgrind: the server's CPU time, its threads' context switches
#     (sqlx-sqlite's worker threads apart: each wake-up is a hand-off of one command to a
#     connection's thread), and on Postgres the transactions committed and the context
#     switches of the Postgres backends serving it (about one per round trip).
#
# Settings (environment): PROFILE_SAVES (2000), PROFILE_CLIENTS (16), PROFILE_SESSIONS (64),
# PROFILE_BACKENDS ("sqlite postgres"), PROFILE_CALLGRIND (1; 0 skips the valgrind run),
# PROFILE_BASELINE_BIN (another build of intake, e.g. main's, profiled the same way in the same
# run), PROFILE_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres), PROFILE_OUT (where
# the callgrind files go; /tmp/intake-profile-saves), INTAKE_LOG (info).
set -euo pipefail
cd "$(dirname "$0")/.."

tag=profile
saves="${PROFILE_SAVES:-2000}"
clients="${PROFILE_CLIENTS:-16}"
sessions="${PROFILE_SESSIONS:-64}"
backends="${PROFILE_BACKENDS:-sqlite postgres}"
use_callgrind="${PROFILE_CALLGRIND:-1}"
pg_admin="${PROFILE_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export INTAKE_LOG="${INTAKE_LOG:-info}"
# shellcheck source=scripts/lib/demo.sh
. scripts/lib/demo.sh

need_tools psql
[ "$use_callgrind" = 0 ] || need_tools valgrind
build_release
out_dir="${PROFILE_OUT:-${TMPDIR:-/tmp}/intake-profile-saves}"
mkdir -p "$out_dir"

# "utime+stime ticks, voluntary+involuntary switches of sqlx-sqlite's workers, of the others"
counters() { # PID
  local ticks workers=0 others=0 task n
  ticks=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
  for task in /proc/"$1"/task/*; do
    n=$(awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s }' "$task/status" 2>/dev/null || echo 0)
    case $(cat "$task/comm" 2>/dev/null) in
      sqlx-sqlite-wor*) workers=$((workers + n)) ;;
      *) others=$((others + n)) ;;
    esac
  done
  echo "$ticks $workers $others"
}

# "transactions committed, context switches of its backends" for the scratch database.
pg_counters() {
  local commits switches=0 pid
  commits=$(psql "$pg_admin" -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = '$pg_db'")
  for pid in $(psql "$pg_admin" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$pg_db'"); do
    switches=$((switches + $(awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$commits $switches"
}

per_save() { awk -v d="$1" -v n="$saves" 'BEGIN { printf "%.2f", d / n }'; }

declare -A result
rows=()

profile() { # BACKEND NAME BINARY
  local backend=$1 name=$2 bin=$3 database failed before after pg_before pg_after hz ir=""
  hz=$(getconf CLK_TCK)
  say "$saves saves on $backend ($bin)"
  scratch_database "$backend" "$name"
  start_demo "$name" "$database" "$bin" "$sessions"
  failed=$(python3 scripts/lib/patients.py "$links" 8 "$run_dir/$name/sessions.json")
  [ "$failed" = 0 ] || { echo "profile: $failed patients could not save" >&2; exit 1; }
  # A first pass warms the caches (drafts kept, statements prepared, pool filled).
  python3 scripts/lib/saves.py "$port" "$run_dir/$name/sessions.json" "$sessions" "$clients" >/dev/null
  [ "$backend" = postgres ] && { sleep 1.5; pg_before=$(pg_counters); }
  before=$(counters "$server_pid")
  failed=$(python3 scripts/lib/saves.py "$port" "$run_dir/$name/sessions.json" "$saves" "$clients")
  after=$(counters "$server_pid")
  # Postgres publishes its counters within a second.
  [ "$backend" = postgres ] && { sleep 1.5; pg_after=$(pg_counters); }
  [ "$failed" = 0 ] || { echo "profile: $failed saves did not answer 303" >&2; exit 1; }
  stop_server
  drop_scratch_database

  if [ "$use_callgrind" != 0 ]; then
    say "the same under callgrind"
    local out="$out_dir/$name.callgrind"
    scratch_database "$backend" "$name-cg"
    launcher=(valgrind --tool=callgrind --instr-atstart=no "--callgrind-out-file=$out")
    start_demo "$name-cg" "$database" "$bin" "$sessions" 12000
    launcher=()
    failed=$(python3 scripts/lib/patients.py "$links" 8 "$run_dir/$name-cg/sessions.json")
    [ "$failed" = 0 ] || { echo "profile: $failed patients could not save" >&2; exit 1; }
    python3 scripts/lib/saves.py "$port" "$run_dir/$name-cg/sessions.json" "$sessions" "$clients" >/dev/null
    callgrind_control -i on "$server_pid" >/dev/null
    python3 scripts/lib/saves.py "$port" "$run_dir/$name-cg/sessions.json" "$saves" "$clients" >/dev/null
    callgrind_control -i off "$server_pid" >/dev/null
    stop_server
    drop_scratch_database
    ir=$(awk '/^totals:/ { print $2; exit }' "$out")
    callgrind_annotate --inclusive=yes "$out" 2>/dev/null | head -80 >"$out_dir/$name.top.txt" || true
  fi

  read -r t0 w0 o0 <<<"$before"
  read -r t1 w1 o1 <<<"$after"
  local row
  row="${ir:+$(per_save "$ir")} $(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$saves" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') $(per_save $((w1 - w0))) $(per_save $((o1 - o0)))"
  if [ "$backend" = postgres ]; then
    read -r c0 s0 <<<"$pg_before"
    read -r c1 s1 <<<"$pg_after"
    row="$row $(per_save $((c1 - c0))) $(per_save $((s1 - s0)))"
  else
    row="$row - -"
  fi
  [ -n "$ir" ] || row="- $row"
  result[$name]=$row
}

baseline_bin="${PROFILE_BASELINE_BIN:-}"
for backend in $backends; do
  if [ -n "$baseline_bin" ]; then
    profile "$backend" "$backend-baseline" "$baseline_bin"
    rows+=("$backend-baseline $backend (baseline)")
  fi
  profile "$backend" "$backend" "$intake_bin"
  rows+=("$backend $backend")
done

printf '\n%s saves, %s clients at once over %s sessions; per save:\n\n' "$saves" "$clients" "$sessions"
printf '| %-20s | %14s | %12s | %14s | %14s | %11s | %13s |\n' server "instructions" "CPU (µs)" "sqlx-sqlite hand-offs" "other switches" "PG commits" "PG switches"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- ---------------- -------------- ------------------------ ---------------- ------------- ---------------
for row in "${rows[@]}"; do
  key=${row%% *} label=${row#* }
  read -r ir cpu workers others commits switches <<<"${result[$key]}"
  printf '| %-20s | %14s | %12s | %22s | %14s | %11s | %13s |\n' "$label" "$ir" "$cpu" "$workers" "$others" "$commits" "$switches"
done
[ "$use_callgrind" = 0 ] || printf '\nTop functions by inclusive instructions: %s/*.top.txt\n' "$out_dir"
