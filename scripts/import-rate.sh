#!/usr/bin/env bash
# How many HL7 SDC Questionnaires in a folder import and run for patients (issue 14, point 5).
# Usage: scripts/import-rate.sh DIR [DIR...]
# Builds the `intake` binary and runs `intake forms import-check` (README, "Command line"):
# one line per file (ok, or the refusal naming item and feature), the rate, and the refusals
# by feature. Offline unless INTAKE_TERMINOLOGY_URL is set.
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 DIR [DIR...]" >&2
  exit 2
fi
paths=()
for path in "$@"; do paths+=("$(realpath "$path")"); done
cd "$(dirname "$0")/.."
cargo build --quiet --bin intake
exec "${CARGO_TARGET_DIR:-$PWD/target}/debug/intake" forms import-check "${paths[@]}"
