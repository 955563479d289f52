#!/usr/bin/env bash
# Memory with many patients in the middle of a form: starts the release server on a fresh
# database with MEMORY_PATIENTS demo appointments, and with MEMORY_CLIENTS concurrent clients
# opens every link, proves the date of birth and saves the first page (a draft saved, a live
# session, a chart read kept), then prints the server's resident memory (VmRSS now, VmHWM at
# its peak while the patients came) against the same server's idle (started, every link issued,
# no patient yet) in the same run, and apart, the peak of the demo booking its visits at start.
# Exits 1 if any patient's step failed or the patients' peak passed MEMORY_LIMIT_MB.
#
# Settings (environment): MEMORY_PATIENTS (10000), MEMORY_CLIENTS (16), MEMORY_BACKENDS
# ("sqlite postgres"; Postgres on a scratch database on MEMORY_POSTGRES_URL, default
# postgres://postgres@127.0.0.1:5432/postgres), MEMORY_LIMIT_MB (100), MEMORY_BASELINE_BIN
# (another build of intake, e.g. main's, measured the same way in the same run), INTAKE_LOG
# (warn; the log goes to a file).
set -euo pipefail
cd "$(dirname "$0")/.."

tag=memory
patients="${MEMORY_PATIENTS:-10000}"
clients="${MEMORY_CLIENTS:-16}"
backends="${MEMORY_BACKENDS:-sqlite postgres}"
limit_mb="${MEMORY_LIMIT_MB:-100}"
pg_admin="${MEMORY_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export INTAKE_LOG="${INTAKE_LOG:-warn}"
# shellcheck source=scripts/lib/demo.sh
. scripts/lib/demo.sh

need_tools psql
build_release

declare -A result
rows=()

# Starts a server on a fresh BACKEND database with $patients appointments, records its memory,
# brings every patient to the middle of the form, and records its memory again.
run_backend() { # BACKEND NAME BINARY
  local database idle booking started failed
  say "$patients patients on $1 ($3)"
  scratch_database "$1" "$2"
  # The demo's appointments are 30 minutes apart: the sync must look far enough ahead.
  # Start-up issues every link first, which takes a while at 10,000.
  INTAKE_SCHEDULE_SYNC_DAYS=366 start_demo "$2" "$database" "$3" "$patients" 12000
  idle=$(kib "$server_pid" VmRSS)
  booking=$(kib "$server_pid" VmHWM)
  # The peak from here on is the patients' (the demo booking its visits peaks on its own).
  echo 5 >"/proc/$server_pid/clear_refs"
  started=$SECONDS
  failed=$(python3 scripts/lib/patients.py "$links" "$clients")
  result[$2]="$idle $(kib "$server_pid" VmRSS) $(kib "$server_pid" VmHWM) $failed $((SECONDS - started)) $booking"
  stop_server
  drop_scratch_database
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
printf '| %-20s | %13s | %14s | %13s | %9s | %6s | %8s | %16s |\n' server "RSS idle (MB)" "RSS after (MB)" "peak RSS (MB)" "after/idle" failed seconds "booking peak (MB)"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- --------------- ---------------- --------------- ----------- -------- ---------- ------------------
status=0
for row in "${rows[@]}"; do
  key=${row%% *} label=${row#* }
  read -r idle after peak failed took booking <<<"${result[$key]}"
  printf '| %-20s | %13.1f | %14.1f | %13.1f | %9.2f | %6s | %8s | %16.1f |\n' "$label" \
    "$(awk "BEGIN { print $idle / 1024 }")" "$(awk "BEGIN { print $after / 1024 }")" \
    "$(awk "BEGIN { print $peak / 1024 }")" "$(awk "BEGIN { print $after / $idle }")" "$failed" "$took" \
    "$(awk "BEGIN { print $booking / 1024 }")"
  if [ "$failed" != 0 ]; then status=1; fi
  if [ "$peak" -gt $((limit_mb * 1024)) ]; then
    echo "memory: $label peaked over ${limit_mb} MB" >&2
    status=1
  fi
done
exit "$status"
