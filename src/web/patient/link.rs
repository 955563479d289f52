//! The invitation link and the date-of-birth check. Nothing about the patient is shown before
//! the date of birth is right (not even the masked contact a one-time code goes to).

use crate::web::form::{Form, TypedForm};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};

use super::{Patient, code, csrf_field, dates, flow, posted_field};
use crate::{
    intake::{ClosedLink, VerifyOutcome},
    store::InvitationStatus,
    web::{
        AppState, Error,
        cookies::Cookie,
        i18n::{Language, Texts},
        paths,
        rate_limit::{ClientAddress, Door},
    },
};

/// The date-of-birth page.
#[derive(Template, WebTemplate)]
#[template(path = "patient/verify.html")]
pub struct VerifyPage {
    m: Texts,
    back: &'static str,
    csrf: String,
    error: Option<String>,
    /// The day, month and year boxes, in the language's order, with what was typed.
    parts: Vec<dates::DatePartView>,
}

impl VerifyPage {
    fn new(language: Language, csrf: String, typed: &str, error: Option<String>) -> Self {
        let m = Texts::new(language);
        let parts = dates::parts("birth_date", "birth_date", typed, "", &m);
        Self {
            m,
            back: paths::INTAKE,
            csrf,
            error,
            parts,
        }
    }
}

/// A page with a heading and a few sentences (bad link, locked link, confirmation).
#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    m: Texts,
    back: &'static str,
    title: String,
    paragraphs: Vec<String>,
    /// A link after the paragraphs: its address and words.
    link: Option<(&'static str, String)>,
}

impl MessagePage {
    /// A page saying `title`, then `paragraphs`; the language switch comes back to `back`.
    pub fn new(m: Texts, back: &'static str, title: String, paragraphs: Vec<String>) -> Self {
        Self {
            m,
            back,
            title,
            paragraphs,
            link: None,
        }
    }

    /// Ends the page with a link to `href`.
    pub fn with_link(mut self, href: &'static str, text: String) -> Self {
        self.link = Some((href, text));
        self
    }

    /// Puts `text` first: what the patient must read before anything else.
    pub fn leading_with(mut self, text: String) -> Self {
        self.paragraphs.insert(0, text);
        self
    }

    /// The 429 page when `client` has used up its failures at `door` (asking counts nothing;
    /// see [`MessagePage::count_failure`]); `None` while it may go on.
    pub async fn over_limit(
        state: &AppState,
        door: Door,
        client: &ClientAddress,
        language: Language,
    ) -> Result<Option<Response>, Error> {
        let now = state.services.clock.now_millis();
        let wait = state
            .limits
            .check(door, client.0, now)
            .await
            .map_err(store_error)?;
        Ok(wait.map(|wait| Self::too_many_tries(language, wait)))
    }

    /// Counts a failed try at `door` against `client`'s address.
    pub async fn count_failure(
        state: &AppState,
        door: Door,
        client: &ClientAddress,
    ) -> Result<(), Error> {
        let now = state.services.clock.now_millis();
        state
            .limits
            .failed(door, client.0, now)
            .await
            .map_err(store_error)
    }

    /// Too many tries from this address: 429, with when to try again.
    pub fn too_many_tries(language: Language, wait: std::time::Duration) -> Response {
        let m = Texts::new(language);
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let (title, paragraphs) = (m.too_many_title(), vec![m.wait_minutes(minutes)]);
        let page = Self::new(m, paths::INTAKE, title, paragraphs);
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.as_secs().max(1).to_string())],
            page,
        )
            .into_response()
    }

    /// The link cannot be used (unknown, expired, replaced or used): one message for all.
    pub(super) fn unusable_link(language: Language) -> Self {
        let m = Texts::new(language);
        let (title, paragraphs) = (
            m.unusable_title(),
            vec![m.unusable_why(), m.unusable_what_now()],
        );
        Self::new(m, paths::INTAKE, title, paragraphs)
    }

    /// The visit the link was for was cancelled.
    pub(super) fn cancelled(language: Language) -> Self {
        let m = Texts::new(language);
        let (title, paragraphs) = (
            m.cancelled_title(),
            vec![m.cancelled_why(), m.cancelled_what_now()],
        );
        Self::new(m, paths::INTAKE, title, paragraphs)
    }

    /// The link is locked; `codes` says whether one-time codes were asked for too.
    pub(super) fn locked(language: Language, codes: bool) -> Self {
        let m = Texts::new(language);
        let why = if codes {
            m.locked_why_code()
        } else {
            m.locked_why()
        };
        let phone = crate::web::clinic::current().phone.clone();
        let (title, paragraphs) = (m.locked_title(), vec![why, m.locked_call(phone.as_deref())]);
        Self::new(m, paths::INTAKE, title, paragraphs)
    }

    /// The link was already used to submit.
    pub(super) fn already_sent(language: Language) -> Self {
        let m = Texts::new(language);
        let (title, paragraphs) = (m.already_sent_title(), vec![m.already_sent_body()]);
        Self::new(m, paths::INTAKE, title, paragraphs)
    }
}

/// `GET /i/{token}`: trades the link's token for a session cookie and moves to a URL without
/// the token, so it does not linger in history, logs or `Referer` headers.
pub async fn open(
    State(state): State<AppState>,
    language: Language,
    client: ClientAddress,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    if let Some(page) = MessagePage::over_limit(&state, Door::OpenLink, &client, language).await? {
        return Ok(page);
    }
    let Some(session) = state.services.open_invitation(&token).await? else {
        if state.services.link_cancelled(&token).await? {
            return Ok((StatusCode::GONE, MessagePage::cancelled(language)).into_response());
        }
        let page = match state.services.closed_link(&token).await? {
            ClosedLink::AlreadySent => (StatusCode::GONE, MessagePage::already_sent(language)),
            ClosedLink::Locked => {
                let codes = state.services.verify_code.is_some();
                (StatusCode::FORBIDDEN, MessagePage::locked(language, codes))
            }
            ClosedLink::Unusable => {
                // Only a link that does not work counts against the address.
                MessagePage::count_failure(&state, Door::OpenLink, &client).await?;
                (StatusCode::NOT_FOUND, MessagePage::unusable_link(language))
            }
        };
        return Ok(page.into_response());
    };
    let cookie = state.cookies.set(Cookie::Patient, session.expose());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(paths::INTAKE)).into_response())
}

/// `GET /intake`: the date-of-birth check, the one-time code after it, or where the patient
/// left off.
pub async fn start(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
) -> Result<Response, Error> {
    let codes = state.services.verify_code.is_some();
    Ok(match patient.session.status {
        InvitationStatus::Submitted => Redirect::to(paths::DONE).into_response(),
        InvitationStatus::Locked => {
            (StatusCode::FORBIDDEN, MessagePage::locked(language, codes)).into_response()
        }
        InvitationStatus::Revoked
            if state
                .services
                .appointment_cancelled(patient.session.appointment.id)
                .await? =>
        {
            (StatusCode::GONE, MessagePage::cancelled(language)).into_response()
        }
        InvitationStatus::Revoked => {
            (StatusCode::NOT_FOUND, MessagePage::unusable_link(language)).into_response()
        }
        InvitationStatus::Open if patient.session.verified => {
            flow::resume(&state, &patient.session)
                .await?
                .into_response()
        }
        InvitationStatus::Open if codes && patient.session.birth_date_proven => {
            let step = state.services.code_step(&patient.session).await?;
            code::step_page(language, patient.session.csrf_token, step, None)
        }
        InvitationStatus::Open => {
            VerifyPage::new(language, patient.session.csrf_token, "", None).into_response()
        }
    })
}

/// `POST /intake/verify`.
pub async fn verify(
    State(state): State<AppState>,
    language: Language,
    client: ClientAddress,
    patient: Patient,
    TypedForm(fields): TypedForm<Vec<(String, String)>>,
) -> Result<Response, Error> {
    // The day, month and year boxes (issue 17); a single `birth_date` field is read too.
    let fields = dates::join_parts(fields, "");
    patient.check_csrf(csrf_field(&fields))?;
    if let Some(page) =
        MessagePage::over_limit(&state, Door::VerifyBirthDate, &client, language).await?
    {
        return Ok(page);
    }
    let typed = posted_field(&fields, "birth_date").unwrap_or("").to_owned();
    let outcome = state
        .services
        .verify_birth_date(&patient.token, &patient.session, &typed, language.code())
        .await?;
    let m = Texts::new(language);
    let error = match outcome {
        VerifyOutcome::Verified => {
            let cookie = patient.renewed_cookie(&state).await?;
            let next = flow::resume(&state, &patient.session).await?;
            return Ok(([(header::SET_COOKIE, cookie)], next).into_response());
        }
        VerifyOutcome::Code(step) => {
            let cookie = patient.renewed_cookie(&state).await?;
            let page = code::step_page(language, patient.session.csrf_token, step, None);
            return Ok(([(header::SET_COOKIE, cookie)], page).into_response());
        }
        VerifyOutcome::Locked => {
            MessagePage::count_failure(&state, Door::VerifyBirthDate, &client).await?;
            let codes = state.services.verify_code.is_some();
            return Ok(
                (StatusCode::FORBIDDEN, MessagePage::locked(language, codes)).into_response(),
            );
        }
        VerifyOutcome::NotOpen => {
            return Ok(
                (StatusCode::NOT_FOUND, MessagePage::unusable_link(language)).into_response(),
            );
        }
        VerifyOutcome::Invalid(problem) => m.bad_birth_date(&problem),
        VerifyOutcome::Wrong { remaining } => {
            MessagePage::count_failure(&state, Door::VerifyBirthDate, &client).await?;
            m.wrong_birth_date(remaining)
        }
    };
    let page = VerifyPage::new(language, patient.session.csrf_token, &typed, Some(error));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /intake/sign-out`: ends the session on the server and clears the browser's copy of
/// this site (cookies, cache, storage); the draft stays for the link.
pub async fn sign_out(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    patient.check_csrf(csrf_field(&fields))?;
    state.services.sign_out_patient(&patient.token).await?;
    let m = Texts::new(language);
    let (title, paragraphs) = (m.signed_out_title(), vec![m.signed_out_body()]);
    let page = MessagePage::new(m, paths::INTAKE, title, paragraphs);
    Ok((
        [
            (header::SET_COOKIE, state.cookies.clear(Cookie::Patient)),
            (
                crate::web::security::CLEAR_SITE_DATA,
                crate::web::security::clear_site_data(),
            ),
        ],
        page,
    )
        .into_response())
}

/// A failure of the shared rate-limit counts.
pub(super) fn store_error(error: crate::store::StoreError) -> Error {
    Error::Internal(format!("rate limits: {error}"))
}
