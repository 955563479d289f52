//! `/metrics` (Prometheus, OpenMetrics text), and the layer that counts and times every request
//! by its route template. Counts only, never patient data.

use std::time::Instant;

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};

use super::{AppState, Error};
use crate::telemetry::Scraped;

/// `GET /metrics`.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, Error> {
    let services = &state.services;
    let counts = services.queue_counts().await?;
    let messages = services.message_counts().await?;
    let invitations = services.invitation_counts().await?;
    let (open_flags, oldest_flag) = services.unacknowledged_flags().await?;
    let now = services.clock.now_millis();
    let age = |since: Option<i64>| since.map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0);
    let mut scraped = Scraped::default();
    scraped.proposed_changes(&counts.by_state);
    scraped.oldest(age(counts.oldest_exception), age(counts.oldest_queued));
    scraped.messages(&messages);
    scraped.invitations(&invitations);
    scraped.unacknowledged_flags(open_flags, age(oldest_flag));
    scraped.pool(services.store.pool_use());
    let text = services
        .metrics
        .encode(&scraped)
        .map_err(|_| Error::Internal("encoding the metrics failed".into()))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    ))
}

/// Counts and times a request by route template (never the path: paths carry link tokens),
/// method and status class.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        // Any other method is one label value, so a client cannot grow the series.
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(request).await;
    state.services.metrics.http_request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
