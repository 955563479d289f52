# shellcheck shell=bash
# Shared by scripts/load.sh and scripts/memory.sh (sourced, not run): a scratch directory
# removed on exit, the release build, `intake serve --demo` started on SQLite or on a scratch
# Postgres database and stopped again, and bringing its patients to the middle of the form
# (scripts/lib/patients.py).
#
# The sourcing script sets `tag` (its name, for messages) and `pg_admin` (a Postgres URL on
# which scratch databases are made and dropped) before calling these.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/intake-target}"

run_dir=$(mktemp -d)
server_pid=""
# A command the server runs under (e.g. valgrind), if any.
launcher=()
pg_db=""

say() { printf '\n== %s\n' "$*" >&2; }

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

drop_scratch_database() {
  if [ -n "$pg_db" ]; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
    pg_db=""
  fi
}

cleanup() {
  stop_server
  drop_scratch_database
  rm -rf "$run_dir"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # URL [TRIES of 50 ms]
  for _ in $(seq 1 "${2:-200}"); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "$tag: nothing answered at $1" >&2
  return 1
}

kib() { # PID FIELD: a /proc status field (VmRSS, VmHWM) in KiB
  awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"
}

need_tools() { # TOOL...: installs wrk and psql (postgresql-client) when missing
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null && continue
    case $tool in
      psql) tool=postgresql-client ;;
    esac
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  done
}

# Builds the release server and the hello-world example (one build for both scripts: the
# example brings in the dev-dependencies, whose features would otherwise make a second build of
# the library), and sets `intake_bin` and `hello_bin`.
build_release() {
  say "build (release)"
  cargo build --release --locked --quiet --bin intake --example hello
  local target
  # Where cargo put them (a wrapper may choose the directory).
  target=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  intake_bin="$target/release/intake"
  hello_bin="$target/release/examples/hello"
}

# Sets `database` to a fresh database of BACKEND (sqlite or postgres) for the scratch directory
# NAME: a file in it, or a scratch database on $pg_admin (dropped by drop_scratch_database or on
# exit). Not in a subshell: it records the database to drop.
scratch_database() { # BACKEND NAME
  case $1 in
    sqlite)
      mkdir -p "$run_dir/$2"
      database="sqlite:$run_dir/$2/intake.db"
      ;;
    postgres)
      pg_db="intake_${tag}_$$"
      psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
      database="${pg_admin%/*}/$pg_db"
      ;;
    *)
      echo "$tag: unknown backend $1 (sqlite or postgres)" >&2
      return 1
      ;;
  esac
}

# Starts BINARY with `serve --demo` on DATABASE with PATIENTS demo appointments (a link printed
# for each) in the scratch directory NAME, and waits until it answers and printed every link.
# Sets `server_pid`, `port`, `links` (the file the demo printed its links into) and
# `server_log`. Extra environment for the server can prefix the call.
start_demo() { # NAME DATABASE BINARY PATIENTS [TRIES of 50 ms for start-up, 600]
  local name=$1 database=$2 bin=$3 patients=$4 data
  port=$(free_port)
  data="$run_dir/$name"
  mkdir -p "$data"
  links="$data/serve.out"
  server_log="$data/serve.log"
  # Postgres needs the data key from a file (SQLite keeps one beside its database).
  local key_file=
  case $database in postgres*)
    key_file="$data/data.key"
    head -c 32 /dev/urandom | base64 >"$key_file" ;;
  esac
  env INTAKE_DATA_DIR="$data" INTAKE_PUBLIC_URL="http://127.0.0.1:$port" INTAKE_RATE_LIMIT=1000000 \
    ${key_file:+INTAKE_DATA_KEY_FILE="$key_file"} "${launcher[@]}" "$bin" serve --demo --demo-appointments "$patients" \
    --addr "127.0.0.1:$port" --database "$database" >"$links" 2>"$server_log" &
  server_pid=$!
  wait_for "http://127.0.0.1:$port/readyz" "${5:-600}" || { tail -n 20 "$server_log" >&2; return 1; }
  for _ in $(seq 1 "${5:-600}"); do
    [ "$(grep -c '/i/' "$links" || true)" -ge "$patients" ] && return 0
    sleep 0.05
  done
  echo "$tag: the demo printed $(grep -c '/i/' "$links" || true) of $patients links" >&2
  return 1
}
