//! The web layer's one error type, mapped to HTTP here and nowhere else. Users see a plain
//! message and the request id; the log gets the cause, once.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::paths;
use crate::intake::ServiceError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such page or record (also what someone gets for a record that is not theirs).
    #[error("not found")]
    NotFound,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// A staff page without a staff session.
    #[error("sign-in required")]
    SignInRequired,
    /// A patient page without a patient session.
    #[error("no patient session")]
    NoPatientSession,
    /// A form post whose CSRF token does not match the session's, or a cross-site write.
    #[error("request forgery check failed")]
    Forgery,
    /// The action does not apply any more (e.g. an item someone else already resolved).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Something failed on our side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ServiceError> for Error {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Conflict(what) => Self::Conflict(what),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// What the error page shows; attached to the response and rendered by [`render_error_pages`],
/// which knows the request id.
#[derive(Debug, Clone)]
struct ErrorPageInfo {
    title: &'static str,
    message: &'static str,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            Self::SignInRequired => return Redirect::to(paths::STAFF_LOGIN).into_response(),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "We could not find that page.",
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your account does not give access to this page.",
            ),
            Self::NoPatientSession => (
                StatusCode::UNAUTHORIZED,
                "Please open your link again",
                "For your privacy this page needs the link from your message. Open it again to continue; your answers are saved.",
            ),
            Self::Forgery => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Go back, reload the page and try again. Nothing was changed.",
            ),
            Self::Conflict(_) => (
                StatusCode::CONFLICT,
                "Already done",
                "Someone already acted on this, or it no longer applies. Reload to see where it stands.",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong on our side. Anything you saved is kept; please try again in a moment.",
            ),
        };
        match &self {
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            other => tracing::info!(error = %other, "request refused"),
        }
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(ErrorPageInfo { title, message });
        response
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: &'static str,
    request_id: String,
}

/// Renders the page for any response that carries [`ErrorPageInfo`], with the request id.
pub async fn render_error_pages(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let response = next.run(request).await;
    let Some(info) = response.extensions().get::<ErrorPageInfo>().cloned() else {
        return response;
    };
    let status = response.status();
    (
        status,
        ErrorPage {
            title: info.title,
            message: info.message,
            request_id,
        },
    )
        .into_response()
}
