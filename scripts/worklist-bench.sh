#!/usr/bin/env bash
# The front desk's worklist with 100,000 appointments (invitations, messages, drafts,
# submissions and changes in a clinic's proportions) on SQLite and on Postgres: prints the p50
# and p95 of a day's first page, its next page and a search, through Services::worklist.
# Target: p95 under 50 ms on both. Postgres: INTAKE_TEST_POSTGRES_URL (default local, trust).
# INTAKE_BENCH_APPOINTMENTS=100 compares a small table; INTAKE_BENCH_KEEP=1 keeps the databases.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench worklist "$@"
