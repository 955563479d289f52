//! Intake: patient intake forms, FHIR prefill and exactly-once write-back to the chart.
//!
//! The pure core (`fhirpath`, `domain`, `forms`, `terminology`, `engine`, `populate`,
//! `mapping`, `summary`, `scenario`, and the time conversions of `clock`) is its own crate,
//! `crates/intake-core`, which does no I/O; it is re-exported here so that `crate::forms::…`
//! and `intake::forms::…` name it as before (`terminology` and `clock` add their I/O here).
//! The adapters (`store`, `ehr`, which gathers what prefill reads) and entry points (`web`,
//! `cli`, `writeback`) sit around it, and `i18n` renders the core's messages in the reader's
//! language.

pub use intake_core::{domain, engine, fhirpath, mapping, populate, scenario, summary};

/// Forms, as the edge has always named them: the core's `forms`, with the scenario runner
/// (`intake_core::scenario`, which sits above the engine) and answers written as literals
/// (`intake_core::engine`), which the form tools and tests take from here.
pub mod forms {
    pub use intake_core::engine::{answer_from_literal, answers_from_yaml};
    pub use intake_core::forms::*;
    pub use intake_core::scenario::{
        Case, CaseResult, ScenarioFile, load_scenarios, run_scenarios,
    };
}

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypt;
pub mod ehr;
pub mod i18n;
pub mod intake;
pub mod media;
pub mod notify;
pub mod schedule;
pub mod store;
pub mod telemetry;
pub mod terminology;
pub mod web;
pub mod writeback;
