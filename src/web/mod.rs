//! The web entry point: one router per audience, and the layers every request passes through.

mod admin;
mod assets;
mod clinic;
mod clinician;
mod cookies;
mod error;
pub(crate) mod files;
mod flags;
mod form;
mod format;
mod health;
pub mod i18n;
pub mod listener;
mod metrics;
mod paths;
mod patient;
pub mod preview;
pub mod rate_limit;
mod security;
mod staff;
pub(crate) mod staff_texts;
mod upload;

use std::time::Duration;

use axum::{Router, extract::MatchedPath, http::Request, middleware};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

pub use cookies::CookiePolicy;
pub use error::Error;
pub use form::{Fields, decode_form};
pub use format::when as format_when;

use crate::intake::Services;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub services: std::sync::Arc<Services>,
    /// How session cookies are set.
    pub cookies: CookiePolicy,
    /// Tries per client address at the doors that limit them.
    pub limits: std::sync::Arc<rate_limit::RateLimits>,
    /// `INTAKE_CLIENT_IP_HEADER`: behind a reverse proxy, the header carrying the client's
    /// address (its last entry, which the proxy appended).
    pub client_ip_header: Option<String>,
}

/// The whole application, with `/metrics` unless it has a listener of its own
/// (`INTAKE_METRICS_ADDR`).
pub fn router(state: AppState, public_metrics: bool) -> Router {
    let routes = Router::new()
        .merge(health::router())
        .merge(if public_metrics {
            metrics::router()
        } else {
            Router::new()
        })
        .merge(assets::router())
        .merge(patient::router())
        .merge(staff::router())
        .merge(clinician::router())
        .merge(files::router())
        .merge(admin::router())
        .merge(clinic::router())
        .fallback(|| async { Error::NotFound })
        .layer(middleware::from_fn(security::reject_cross_site_writes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), clinic::scope))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ));
    let https = state.cookies.secure;
    let app = routes
        .layer(middleware::from_fn(upload::limit_body))
        // `limit_body` sets every limit; axum's own (2 MiB for Multipart) would refuse photos.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::map_request(set_aside_client_request_id));
    security::header_layers(https)
        .into_iter()
        .fold(app, Router::layer)
        .with_state(state)
}

/// `/metrics` alone (with `/healthz`), for the separate listener of `INTAKE_METRICS_ADDR`.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .merge(metrics::router())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .with_state(state)
}

/// A request id the client sent, kept apart from ours (logged as `client_request_id`, never
/// shown or propagated as ours): at most 64 printable ASCII characters.
#[derive(Debug, Clone)]
struct ClientRequestId(String);

/// Moves a client's `x-request-id` aside, so the id on our logs and error pages is always one
/// we made.
async fn set_aside_client_request_id(
    mut request: Request<axum::body::Body>,
) -> Request<axum::body::Body> {
    if let Some(sent) = request.headers_mut().remove("x-request-id") {
        let text: String = sent
            .as_bytes()
            .iter()
            .filter(|b| b.is_ascii_graphic())
            .take(64)
            .map(|b| char::from(*b))
            .collect();
        request.extensions_mut().insert(ClientRequestId(text));
    }
    request
}

/// The span of one request: the route template, never the path (an invitation path holds a
/// token), and the request id users see on error pages.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let client_request_id = request
        .extensions()
        .get::<ClientRequestId>()
        .map_or("-", |id| id.0.as_str());
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id,
        client_request_id
    )
}
