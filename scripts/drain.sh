#!/usr/bin/env bash
# The write-back backlog after an EHR outage: INTAKE_DRAIN_CHANGES changes (default 50,000) due
# at once on Postgres, drained to HFS by 1 and then by 4 workers. Prints changes posted per
# second with each, and the claim's time against the rest of the send (the EHR's request and
# recording its answer), measured in the same run, and a SUMMARY line.
# Usage: scripts/drain.sh [PORT]   (HFS on PORT, default 18123, started here and stopped after;
# INTAKE_TEST_FHIR_URL instead uses a FHIR server already running). Postgres:
# INTAKE_TEST_POSTGRES_URL (default local, trust).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${INTAKE_TEST_FHIR_URL:-}" ]; then
  port="${1:-18123}"
  dir="$(mktemp -d)"
  INTAKE_TEST_FHIR_URL="$(scripts/hfs.sh start "$port" "$dir")"
  export INTAKE_TEST_FHIR_URL
  trap 'kill "$(cat "$dir/hfs.pid")" 2>/dev/null || true; rm -rf "$dir"' EXIT
fi
cargo bench --bench drain
