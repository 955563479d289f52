#!/usr/bin/env bash
# Installs (once, cached) and starts SEKMET, a FHIR R4 server with a real SMART Backend Services
# token endpoint, on loopback for the tests.
# Usage: scripts/sekmet.sh install | start PORT DIR CONFIG   (start prints the FHIR base URL;
# the PID is in DIR/sekmet.pid, the log in DIR/sekmet.log)
# Recipe and settings: ../shared/research/stack.md §4.2.
set -euo pipefail
CACHE="${INTAKE_CACHE:-$HOME/.cache/intake}"
SEKMET_VERSION=0.1.1
VENV="$CACHE/sekmet"

install() {
  if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('sekmet-fhir') != '$SEKMET_VERSION')" 2>/dev/null; then
    echo "sekmet: installing sekmet-fhir $SEKMET_VERSION into $VENV" >&2
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "sekmet-fhir==$SEKMET_VERSION" >&2
  fi
}

start() {
  local port="$1" dir="$2" config="$3"
  install
  mkdir -p "$dir"
  # `exec` so the PID is SEKMET's own and no shell keeps our stdout (a caller's `$(...)`) open.
  # Run inside DIR: SEKMET resolves its relative paths (data, keys) against the working directory.
  (cd "$dir" && exec "$VENV/bin/sekmet" serve --config "$config" --host 127.0.0.1 --port "$port" \
    >"$dir/sekmet.log" 2>&1 </dev/null) &
  echo $! >"$dir/sekmet.pid"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/.well-known/smart-configuration" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port/fhir"
      return 0
    fi
    sleep 0.5
  done
  echo "sekmet: did not become ready on port $port; its log:" >&2
  tail -n 30 "$dir/sekmet.log" >&2
  return 1
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" "$4" ;;
  *) echo "usage: $0 install | start PORT DIR CONFIG" >&2; exit 2 ;;
esac
