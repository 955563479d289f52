//! The invitation link and the date-of-birth check. Nothing about the patient is shown before
//! the check passes.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};

use super::{Patient, csrf_field};
use crate::{
    intake::VerifyOutcome,
    store::InvitationStatus,
    web::{AppState, Error, cookies::Cookie, paths},
};

/// The date-of-birth page.
#[derive(Template, WebTemplate)]
#[template(path = "patient/verify.html")]
pub struct VerifyPage {
    csrf: String,
    typed: String,
    error: Option<String>,
}

/// A page with a heading and a few sentences (bad link, locked link, confirmation).
#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    /// The heading.
    pub title: &'static str,
    /// The paragraphs.
    pub paragraphs: Vec<&'static str>,
}

impl MessagePage {
    fn unusable_link() -> Self {
        Self {
            title: "This link cannot be used",
            paragraphs: vec![
                "It may have expired, been replaced by a newer link, or already been used to send your answers.",
                "Please contact the clinic and ask for a new link.",
            ],
        }
    }

    fn locked() -> Self {
        Self {
            title: "This link is locked",
            paragraphs: vec![
                "The date of birth was entered wrongly too many times, so we locked this link to protect your information.",
                "Please contact the clinic; they can send you a new link.",
            ],
        }
    }
}

/// `GET /i/{token}`: trades the link's token for a session cookie and moves to a URL without
/// the token, so it does not linger in history, logs or `Referer` headers.
pub async fn open(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    let Some(session) = state.services.open_invitation(&token).await? else {
        return Ok((StatusCode::NOT_FOUND, MessagePage::unusable_link()).into_response());
    };
    let cookie = state.cookies.set(Cookie::Patient, session.expose());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(paths::INTAKE)).into_response())
}

/// `GET /intake`: the date-of-birth check, or where the patient left off.
pub async fn start(patient: Patient) -> Response {
    match patient.session.status {
        InvitationStatus::Submitted => Redirect::to(paths::DONE).into_response(),
        InvitationStatus::Locked => (StatusCode::FORBIDDEN, MessagePage::locked()).into_response(),
        InvitationStatus::Revoked => {
            (StatusCode::NOT_FOUND, MessagePage::unusable_link()).into_response()
        }
        InvitationStatus::Open if patient.session.verified => {
            Redirect::to(&paths::page(0)).into_response()
        }
        InvitationStatus::Open => VerifyPage {
            csrf: patient.session.csrf_token,
            typed: String::new(),
            error: None,
        }
        .into_response(),
    }
}

/// `POST /intake/verify`.
pub async fn verify(
    State(state): State<AppState>,
    patient: Patient,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    patient.check_csrf(csrf_field(&fields))?;
    let typed = fields
        .iter()
        .find(|(n, _)| n == "birth_date")
        .map_or("", |(_, v)| v.as_str())
        .to_owned();
    let outcome = state
        .services
        .verify_birth_date(&patient.token, &patient.session, &typed)
        .await?;
    let error = match outcome {
        VerifyOutcome::Verified => return Ok(Redirect::to(&paths::page(0)).into_response()),
        VerifyOutcome::Locked => return Ok((StatusCode::FORBIDDEN, MessagePage::locked()).into_response()),
        VerifyOutcome::NotOpen => {
            return Ok((StatusCode::NOT_FOUND, MessagePage::unusable_link()).into_response());
        }
        VerifyOutcome::Invalid(problem) => problem.to_string(),
        VerifyOutcome::Wrong { remaining: 1 } => {
            "That date of birth does not match our records. You have 1 try left before this link locks.".to_owned()
        }
        VerifyOutcome::Wrong { remaining } => {
            format!("That date of birth does not match our records. You have {remaining} tries left.")
        }
    };
    let page = VerifyPage {
        csrf: patient.session.csrf_token,
        typed,
        error: Some(error),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
