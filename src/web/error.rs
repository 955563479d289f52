//! The web layer's one error type, mapped to HTTP here and nowhere else. Users see a plain
//! message and the request id; the log gets the cause, once.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    AppState, CookiePolicy,
    i18n::{Language, Texts},
    paths,
};
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
    /// A request no page of ours sends: a malformed form, a control character in a field
    /// that takes none, text the database cannot hold.
    #[error("bad input")]
    BadInput,
    /// A body over the size limit.
    #[error("request too large")]
    TooLarge,
    /// A save made with a patient session kept in memory found it no longer holds; the
    /// handler reads the session and saves again ([`super::patient`]), so a patient never
    /// sees it (if one did, it reads as a session that ended).
    #[error("the patient session changed")]
    SessionChanged,
    /// Something failed on our side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ServiceError> for Error {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Conflict(what) => Self::Conflict(what),
            ServiceError::NotYourDecision(_) => Self::Forbidden,
            ServiceError::SessionChanged => Self::SessionChanged,
            ServiceError::Unreachable(why) => Self::Conflict(why.as_str()),
            ServiceError::Store(store) if store.is_bad_text() => Self::BadInput,
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Which error page to show; attached to the response and rendered by
/// [`render_error_pages`], which knows the request id and the patient's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No such page.
    NotFound,
    /// The role does not allow it.
    Forbidden,
    /// A patient page without a patient session.
    NoPatientSession,
    /// A stale or forged form.
    Forgery,
    /// Already done.
    Conflict,
    /// A request our pages do not send.
    BadInput,
    /// Too large.
    TooLarge,
    /// Our fault.
    Internal,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            Self::SignInRequired => return Redirect::to(paths::STAFF_LOGIN).into_response(),
            Self::NotFound => (StatusCode::NOT_FOUND, ErrorKind::NotFound),
            Self::Forbidden => (StatusCode::FORBIDDEN, ErrorKind::Forbidden),
            Self::NoPatientSession | Self::SessionChanged => {
                (StatusCode::UNAUTHORIZED, ErrorKind::NoPatientSession)
            }
            Self::Forgery => (StatusCode::FORBIDDEN, ErrorKind::Forgery),
            Self::Conflict(_) => (StatusCode::CONFLICT, ErrorKind::Conflict),
            Self::BadInput => (StatusCode::BAD_REQUEST, ErrorKind::BadInput),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorKind::Internal),
        };
        match &self {
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            other => tracing::info!(error = %other, "request refused"),
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(kind);
        response
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    m: Texts,
    title: String,
    message: String,
    request_id: String,
}

/// Staff, clinician and form-designer pages, which stay in English whatever the browser asks.
const STAFF_AREAS: [&str; 3] = [paths::STAFF_HOME, paths::CLINICIAN_HOME, "/preview"];

/// The language an error page speaks: English on staff pages, else the patient's.
fn page_language(request: &Request, cookies: CookiePolicy) -> Language {
    let path = request.uri().path();
    let staff = STAFF_AREAS.iter().any(|area| {
        path.strip_prefix(area)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if staff {
        *Language::english()
    } else {
        super::i18n::of_request(request.headers(), cookies)
    }
}

/// Renders the page for any response that carries an [`ErrorKind`], with the request id, in
/// the patient's language (the cookie, else `Accept-Language`) outside the staff pages.
pub async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let language = page_language(&request, state.cookies);
    let response = next.run(request).await;
    let Some(kind) = response.extensions().get::<ErrorKind>().copied() else {
        return response;
    };
    let status = response.status();
    let m = Texts::new(language);
    let (title, message) = m.error_page(kind);
    (
        status,
        ErrorPage {
            m,
            title,
            message,
            request_id,
        },
    )
        .into_response()
}
