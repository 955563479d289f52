//! `/metrics` in the Prometheus text format: the outbox and exception queue, and how the EHR is
//! answering. Counts only, never patient data.

use axum::{Router, extract::State, http::header, response::IntoResponse, routing::get};

use super::{AppState, Error};

/// `GET /metrics`.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, Error> {
    let counts = state.services.queue_counts().await?;
    let messages = state.services.message_counts().await?;
    let now = state.services.clock.now_millis();
    let mut text = String::new();
    let mut line = |s: String| {
        text.push_str(&s);
        text.push('\n');
    };
    line("# HELP intake_proposed_changes Proposed chart changes by state (held and failed wait for staff; queued and sending are the outbox; posted are on the chart).".into());
    line("# TYPE intake_proposed_changes gauge".into());
    for (state_name, resource_type, count) in &counts.by_state {
        line(format!(
            "intake_proposed_changes{{state=\"{state_name}\",resource_type=\"{resource_type}\"}} {count}"
        ));
    }
    line("# HELP intake_oldest_exception_age_seconds How long the oldest change waiting for staff has waited.".into());
    line("# TYPE intake_oldest_exception_age_seconds gauge".into());
    let age = counts
        .oldest_exception
        .map_or(0.0, |created| (now - created).max(0) as f64 / 1000.0);
    line(format!("intake_oldest_exception_age_seconds {age}"));
    line("# HELP intake_messages Messages to patients by purpose and state (queued and sending are the message outbox; failed ones keep the gateway's words for staff).".into());
    line("# TYPE intake_messages gauge".into());
    for (purpose, state_name, count) in &messages {
        line(format!(
            "intake_messages{{purpose=\"{purpose}\",state=\"{state_name}\"}} {count}"
        ));
    }
    let sends = state.services.ehr_timings.snapshot();
    line("# HELP intake_ehr_requests_total Sends to the EHR by the write-back worker in this process, by resource type.".into());
    line("# TYPE intake_ehr_requests_total counter".into());
    for (kind, counts) in &sends.by_type {
        line(format!(
            "intake_ehr_requests_total{{resource_type=\"{kind}\"}} {}",
            counts.requests
        ));
    }
    line(
        "# HELP intake_ehr_request_failures_total Sends that did not succeed, by resource type."
            .into(),
    );
    line("# TYPE intake_ehr_request_failures_total counter".into());
    for (kind, counts) in &sends.by_type {
        line(format!(
            "intake_ehr_request_failures_total{{resource_type=\"{kind}\"}} {}",
            counts.failures
        ));
    }
    line("# HELP intake_ehr_request_seconds How long sends to the EHR took.".into());
    line("# TYPE intake_ehr_request_seconds histogram".into());
    for (le, count) in &sends.buckets {
        line(format!(
            "intake_ehr_request_seconds_bucket{{le=\"{le}\"}} {count}"
        ));
    }
    line(format!(
        "intake_ehr_request_seconds_bucket{{le=\"+Inf\"}} {}",
        sends.count
    ));
    line(format!(
        "intake_ehr_request_seconds_sum {}",
        sends.total_seconds
    ));
    line(format!("intake_ehr_request_seconds_count {}", sends.count));
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    ))
}
