#!/usr/bin/env bash
# Every list staff see (worklist, review queue, clinician's list, audit log, an appointment's
# page, a submission's trail, staff accounts) and one write-back claim, with 100,000
# appointments, 100,000 submissions and 50,000 waiting changes, against the same clinic at
# 1,000, on SQLite and on Postgres: prints p50 and p95 of each at both sizes and the ratio of
# the p95s, and a SUMMARY line per backend. Target: p95 under 50 ms, ratio at most 2.
# Postgres: INTAKE_TEST_POSTGRES_URL (default local, trust). INTAKE_SCALE_SIZE changes the large
# size; INTAKE_BENCH_KEEP=1 keeps the databases for EXPLAIN.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench scale "$@"
