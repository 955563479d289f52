//! The designer's live preview (`intake forms preview`): an index of the forms being edited with
//! their problems, a patient session on any of them, and on every page a script that reloads it
//! when the YAML changes and shows compile and lint problems.

use std::sync::{
    Arc, RwLock,
    atomic::{AtomicU64, Ordering},
};

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};

use super::{AppState, Error, cookies::Cookie, paths};
use crate::forms::FormId;

/// What the preview knows of the files being edited; the watcher publishes, pages poll.
#[derive(Debug, Default)]
pub struct PreviewStatus {
    version: AtomicU64,
    problems: RwLock<Vec<String>>,
    forms: RwLock<Vec<(String, String)>>,
}

impl PreviewStatus {
    /// Publishes a new compile: its problems (compiler-style lines) and its forms (id, title).
    pub fn publish(&self, problems: Vec<String>, forms: Vec<(String, String)>) {
        *self
            .problems
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = problems;
        *self
            .forms
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = forms;
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    fn problems(&self) -> Vec<String> {
        self.problems
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn forms(&self) -> Vec<(String, String)> {
        self.forms
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[derive(Debug, Clone)]
struct PreviewState {
    app: AppState,
    status: Arc<PreviewStatus>,
}

#[derive(Template, WebTemplate)]
#[template(path = "preview.html")]
struct PreviewPage {
    forms: Vec<(String, String)>,
    problems: Vec<String>,
}

/// The preview's own routes.
pub fn router(app: AppState, status: Arc<PreviewStatus>) -> Router {
    Router::new()
        .route("/preview", get(index))
        .route("/preview/status", get(state))
        .route("/preview/form/{id}", get(open))
        .with_state(PreviewState { app, status })
}

async fn index(State(state): State<PreviewState>) -> PreviewPage {
    PreviewPage {
        forms: state.status.forms(),
        problems: state.status.problems(),
    }
}

async fn state(State(state): State<PreviewState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "version": state.status.version.load(Ordering::SeqCst),
        "problems": state.status.problems(),
    }))
}

/// Opens the form as a patient would see it, past the date-of-birth check.
async fn open(
    State(state): State<PreviewState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let form_id = FormId::parse(&id).ok_or(Error::NotFound)?;
    let session = state.app.services.start_preview(form_id).await?;
    let cookie = state.app.cookies.set(Cookie::Patient, session.expose());
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&paths::page(0)),
    )
        .into_response())
}

/// Adds the preview script to every HTML page.
pub async fn inject_script(response: Response) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 4 * 1024 * 1024).await else {
        return Error::Internal("a preview page was too large".into()).into_response();
    };
    let script = format!(
        "<script src=\"{}\" defer></script></body>",
        super::assets::preview_js()
    );
    let html = String::from_utf8_lossy(&bytes).replacen("</body>", &script, 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
