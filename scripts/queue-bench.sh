#!/usr/bin/env bash
# The review queue with 100,000 waiting changes (and as many posted) on SQLite and on Postgres,
# against the same with 100 in the same run: prints the p50 and p95 of the first page, a next
# page and a filtered page (by patient, one kind of change), through Services::exception_page,
# and one SUMMARY line per backend with the ratio of the p95s (flat cost: near 1).
# Postgres: INTAKE_TEST_POSTGRES_URL (default local, trust). INTAKE_BENCH_CHANGES changes the
# large count; INTAKE_BENCH_KEEP=1 keeps the databases for EXPLAIN.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench queue "$@"
