//! Intake: patient intake forms, FHIR prefill and exactly-once write-back to the chart.
//!
//! The pure core (`domain`, `forms`, `engine`, `mapping`, `summary`) does no I/O; the adapters
//! (`store`, `ehr`) and entry points (`web`, `cli`, `writeback`) sit around it.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypt;
pub mod domain;
pub mod ehr;
pub mod engine;
pub mod fhirpath;
pub mod forms;
pub mod i18n;
pub mod intake;
pub mod mapping;
pub mod media;
pub mod notify;
pub mod populate;
pub mod schedule;
pub mod store;
pub mod summary;
pub mod telemetry;
pub mod terminology;
pub mod web;
pub mod writeback;
