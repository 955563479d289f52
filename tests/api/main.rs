//! The one integration-test binary: the whole app driven over HTTP, the store contract on both
//! backends, and the FHIR connector against a real FHIR server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests, a panic is how a failed precondition fails the test"
)]

mod accounts;
mod answer_search;
mod answer_search_server;
mod assets;
mod at_rest;
mod audit_chain;
mod browser;
mod cli;
mod clinic_time;
mod coding;
mod consent;
mod definition_extract;
mod draft_saves;
mod fhir_server;
mod flat_cost;
mod flow;
mod forms;
mod front_door;
mod group_photos;
mod groups;
mod health;
mod helpers;
mod languages;
mod media;
mod message_store;
mod messages;
mod one_time_code;
mod operations_cli;
mod patient_flow;
mod populate;
mod prefill;
mod queue_pages;
mod response_shape;
mod retention;
mod schedule;
mod schedule_cli;
mod schedule_desk;
mod sdc;
mod sdc_flow;
mod sdc_offered;
mod security;
mod security_hostile;
mod signature;
mod smart;
mod staff;
mod staff_cli;
mod store_accounts;
mod store_contract;
mod store_upgrade;
mod summary;
mod urgent_flags;
mod validate;
mod worklist;
mod worklist_store;
