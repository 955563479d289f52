//! Exactly-once write-back, proved against a real FHIR server (HFS) on a real Postgres:
//! - `faults`: 2,000 submissions through a proxy that injects HTTP faults on a seeded schedule;
//! - `crash`: `kill -9` of the server and worker processes during 500 patient submissions;
//! - `scale_out`: two server and two worker processes on one database.
//!
//! Each prints its counts (also when it passes) and fails, saying why, without HFS or Postgres.
//! The three run one at a time: each loads both cores, and their timing checks should not pay
//! for each other's load.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests, a panic is how a failed precondition fails the test"
)]

mod crash;
mod faults;
mod patient;
mod processes;
mod proxy;
mod scale_out;
mod support;
