//! The steps between a correct password and the staff pages: the authenticator code (or a
//! recovery code), the new password after an initial one or a reset, and setting up the
//! authenticator app with its QR code, drawn on the server as inline SVG.

use crate::web::form::Form;
use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;

use super::{SigningIn, step_path};
use crate::{
    auth::PendingStep,
    intake::{CodeCheck, EnrolOutcome},
    web::{AppState, Error, paths},
};

/// The step routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGN_IN_CODE, get(code_form).post(check_code))
        .route(
            paths::SIGN_IN_PASSWORD,
            get(password_form).post(change_password),
        )
        .route(
            paths::SIGN_IN_AUTHENTICATOR,
            get(authenticator_form).post(confirm_authenticator),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/sign_in_code.html")]
struct CodePage {
    csrf: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/sign_in_password.html")]
struct PasswordPage {
    csrf: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/sign_in_authenticator.html")]
struct AuthenticatorPage {
    csrf: String,
    /// The QR code, an `<svg>` element made here from the `otpauth://` URI.
    qr_svg: String,
    secret: String,
    /// The secret in groups of four, for typing.
    secret_grouped: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/sign_in_recovery.html")]
struct RecoveryPage {
    codes: Vec<String>,
}

/// The code form's fields.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

/// The new-password form's fields.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    password: String,
    again: String,
}

/// The set-up form's fields.
#[derive(Debug, Deserialize)]
pub struct AuthenticatorForm {
    csrf: String,
    secret: String,
    code: String,
}

/// Sends a session that is not at `step` to where it should be.
fn elsewhere(state: &AppState, staff: &SigningIn, step: PendingStep) -> Option<Response> {
    match state.services.sign_in_step(&staff.session) {
        Some(current) if current == step => None,
        Some(other) => Some(Redirect::to(step_path(other)).into_response()),
        None => Some(Redirect::to(paths::STAFF_HOME).into_response()),
    }
}

/// `GET /staff/sign-in/code`.
async fn code_form(State(state): State<AppState>, staff: SigningIn) -> Response {
    if let Some(away) = elsewhere(&state, &staff, PendingStep::SecondFactor) {
        return away;
    }
    CodePage {
        csrf: staff.session.csrf_token.clone(),
        error: None,
    }
    .into_response()
}

/// `POST /staff/sign-in/code`: a six-digit code from the app, or a recovery code.
async fn check_code(
    State(state): State<AppState>,
    staff: SigningIn,
    Form(form): Form<CodeForm>,
) -> Result<Response, Error> {
    staff.check_csrf(&form.csrf)?;
    if let Some(away) = elsewhere(&state, &staff, PendingStep::SecondFactor) {
        return Ok(away);
    }
    let source = staff.client.0.to_string();
    let outcome = state
        .services
        .check_second_factor(&staff.session, &staff.token, &form.code, &source)
        .await?;
    let (status, error) = match outcome {
        CodeCheck::Accepted => return Ok(Redirect::to(paths::STAFF_HOME).into_response()),
        CodeCheck::Refused => (StatusCode::UNAUTHORIZED, StaffTexts.code_wrong()),
        CodeCheck::Wait(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            StaffTexts.sign_in_code_wait(seconds),
        ),
    };
    let page = CodePage {
        csrf: staff.session.csrf_token.clone(),
        error: Some(error),
    };
    Ok((status, page).into_response())
}

/// `GET /staff/sign-in/password`.
async fn password_form(State(state): State<AppState>, staff: SigningIn) -> Response {
    if let Some(away) = elsewhere(&state, &staff, PendingStep::ChangePassword) {
        return away;
    }
    PasswordPage {
        csrf: staff.session.csrf_token.clone(),
        error: None,
    }
    .into_response()
}

/// `POST /staff/sign-in/password`.
async fn change_password(
    State(state): State<AppState>,
    staff: SigningIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, Error> {
    staff.check_csrf(&form.csrf)?;
    if let Some(away) = elsewhere(&state, &staff, PendingStep::ChangePassword) {
        return Ok(away);
    }
    let source = staff.client.0.to_string();
    let changed = state
        .services
        .change_own_password(
            &staff.session,
            &staff.token,
            &form.password,
            &form.again,
            &source,
        )
        .await?;
    match changed {
        Ok(()) => Ok(Redirect::to(paths::STAFF_HOME).into_response()),
        Err(refused) => {
            let page = PasswordPage {
                csrf: staff.session.csrf_token.clone(),
                error: Some(
                    StaffTexts.new_password_refused(
                        StaffTexts
                            .phrase(&crate::domain::Phrase::Said(refused.message()).in_sentence()),
                    ),
                ),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `GET /staff/sign-in/authenticator`: a new secret on every visit, shown once.
async fn authenticator_form(
    State(state): State<AppState>,
    staff: SigningIn,
) -> Result<Response, Error> {
    if let Some(away) = elsewhere(&state, &staff, PendingStep::EnrolSecondFactor) {
        return Ok(away);
    }
    Ok(authenticator_page(&state, &staff, None)
        .await?
        .into_response())
}

/// `POST /staff/sign-in/authenticator`: the code that proves the app has the secret.
async fn confirm_authenticator(
    State(state): State<AppState>,
    staff: SigningIn,
    Form(form): Form<AuthenticatorForm>,
) -> Result<Response, Error> {
    staff.check_csrf(&form.csrf)?;
    if let Some(away) = elsewhere(&state, &staff, PendingStep::EnrolSecondFactor) {
        return Ok(away);
    }
    let source = staff.client.0.to_string();
    let outcome = state
        .services
        .confirm_enrolment(
            &staff.session,
            &staff.token,
            &form.secret,
            &form.code,
            &source,
        )
        .await;
    match outcome {
        Ok(EnrolOutcome::Enrolled(codes)) => Ok(RecoveryPage {
            codes: codes.iter().map(|c| c.expose().to_owned()).collect(),
        }
        .into_response()),
        Ok(EnrolOutcome::WrongCode) => {
            let error = StaffTexts.authenticator_wrong_code();
            let page = authenticator_page(&state, &staff, Some(error)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(crate::intake::ServiceError::Conflict(what)) => {
            let page = authenticator_page(&state, &staff, Some(format!("{what}."))).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn authenticator_page(
    state: &AppState,
    staff: &SigningIn,
    error: Option<String>,
) -> Result<AuthenticatorPage, Error> {
    let offer = state.services.offer_enrolment(&staff.session).await?;
    Ok(AuthenticatorPage {
        csrf: staff.session.csrf_token.clone(),
        qr_svg: qr_svg(&offer.uri)?,
        secret: offer.secret.to_base32(),
        secret_grouped: offer.secret.grouped(),
        error,
    })
}

/// The QR code of `text` as an `<svg>` element (without the XML declaration, to sit inline).
fn qr_svg(text: &str) -> Result<String, Error> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |start| svg[start..].to_owned()))
}
