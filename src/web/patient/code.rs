//! The one-time code after the date of birth, where `INTAKE_VERIFY_CODE` turns it on: the page
//! to enter it, and the button for a new one.

use crate::web::form::TypedForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use super::{Patient, csrf_field, link::MessagePage, posted_field};
use crate::{
    intake::{CodeNews, CodeOutcome, CodeStep},
    web::{
        AppState, Error,
        i18n::{Language, Texts},
        paths,
        rate_limit::{ClientAddress, Door},
    },
};

/// The page to enter the code. It never holds the code, and shows the contact only masked.
#[derive(Template, WebTemplate)]
#[template(path = "patient/code.html")]
pub struct CodePage {
    m: Texts,
    back: &'static str,
    csrf: String,
    sent_to: String,
    notice: Option<String>,
    error: Option<String>,
}

/// Renders a code step: the code page (with `error` next to the field), or the page saying to
/// call the clinic or to try again later.
pub fn step_page(
    language: Language,
    csrf: String,
    step: CodeStep,
    error: Option<String>,
) -> Response {
    let m = Texts::new(language);
    match step {
        CodeStep::Enter { sent_to, news } => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let notice = news.map(|news| match news {
                CodeNews::Resent => m.code_resent(),
                CodeNews::NotSent => m.code_not_sent(),
                CodeNews::TooSoon { wait } => m.code_wait(wait),
                CodeNews::NoMoreCodes => m.code_no_more(),
            });
            let page = CodePage {
                m,
                back: paths::INTAKE,
                csrf,
                sent_to,
                notice,
                error,
            };
            (status, page).into_response()
        }
        CodeStep::CallClinic => {
            let (title, paragraphs) = (
                m.call_clinic_title(),
                vec![m.call_clinic_why(), m.call_clinic_what_now()],
            );
            MessagePage::new(m, paths::INTAKE, title, paragraphs).into_response()
        }
        CodeStep::Unavailable => {
            let (title, paragraphs) = (m.try_later_title(), vec![m.try_later_why()]);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                MessagePage::new(m, paths::INTAKE, title, paragraphs),
            )
                .into_response()
        }
    }
}

/// `POST /intake/code`.
pub async fn enter(
    State(state): State<AppState>,
    language: Language,
    client: ClientAddress,
    patient: Patient,
    TypedForm(fields): TypedForm<Vec<(String, String)>>,
) -> Result<Response, Error> {
    patient.check_csrf(csrf_field(&fields))?;
    if let Some(page) =
        MessagePage::over_limit(&state, Door::VerifyBirthDate, &client, language).await?
    {
        return Ok(page);
    }
    let typed = posted_field(&fields, "code").unwrap_or("");
    let outcome = state
        .services
        .verify_code(&patient.token, &patient.session, typed)
        .await?;
    let m = Texts::new(language);
    let error = match outcome {
        CodeOutcome::Verified => {
            let cookie = patient.renewed_cookie(&state).await?;
            let next = super::flow::resume(&state, &patient.session).await?;
            return Ok(([(axum::http::header::SET_COOKIE, cookie)], next).into_response());
        }
        CodeOutcome::Invalid => m.bad_code(),
        CodeOutcome::Wrong { remaining } => {
            MessagePage::count_failure(&state, Door::VerifyBirthDate, &client).await?;
            m.wrong_code(remaining)
        }
        CodeOutcome::Expired => m.code_expired(),
        other => {
            if other == CodeOutcome::Locked {
                MessagePage::count_failure(&state, Door::VerifyBirthDate, &client).await?;
            }
            return Ok(refused(language, &other));
        }
    };
    let step = state.services.code_step(&patient.session).await?;
    Ok(step_page(
        language,
        patient.session.csrf_token,
        step,
        Some(error),
    ))
}

/// `POST /intake/code/resend`: a new code in place of the old one.
pub async fn resend(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    TypedForm(fields): TypedForm<Vec<(String, String)>>,
) -> Result<Response, Error> {
    patient.check_csrf(csrf_field(&fields))?;
    match state
        .services
        .resend_code(&patient.session, language.code())
        .await?
    {
        Ok(step) => Ok(step_page(language, patient.session.csrf_token, step, None)),
        Err(outcome) => Ok(refused(language, &outcome)),
    }
}

/// Where a session that may not enter a code goes instead.
fn refused(language: Language, outcome: &CodeOutcome) -> Response {
    match outcome {
        CodeOutcome::Locked => {
            (StatusCode::FORBIDDEN, MessagePage::locked(language, true)).into_response()
        }
        CodeOutcome::NotOpen => {
            (StatusCode::NOT_FOUND, MessagePage::unusable_link(language)).into_response()
        }
        _ => Redirect::to(paths::INTAKE).into_response(),
    }
}
