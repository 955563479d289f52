//! The patient's copy of what they sent: every answer as the review page read it, in their
//! language, laid out for printing or saving as PDF (the browser's own print, with the print
//! styles of `app.css`). Only for the session that submitted, and never cached.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    Patient,
    pages::{ReviewSection, review_page},
};
use crate::{
    store::InvitationStatus,
    web::{
        AppState, Error,
        i18n::{Language, Texts},
        paths,
    },
};

/// The copy.
#[derive(Template, WebTemplate)]
#[template(path = "patient/copy.html")]
struct CopyPage {
    m: Texts,
    back: &'static str,
    form_title: String,
    sections: Vec<ReviewSection>,
}

/// `GET /intake/copy`.
pub async fn show(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
) -> Result<Response, Error> {
    if patient.session.status != InvitationStatus::Submitted {
        return Ok(Redirect::to(paths::INTAKE).into_response());
    }
    let view = state.services.draft(&patient.session).await?;
    let review = review_page(&patient, &view, &[], language);
    let page = CopyPage {
        m: review.m,
        back: paths::COPY,
        form_title: review.form_title,
        sections: review.sections,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}
