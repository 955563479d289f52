//! The form page by page, the review, submission and the confirmation.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    Patient, csrf_field,
    link::MessagePage,
    views::{FieldView, fields},
};
use crate::{
    engine::{FieldError, Issue, PageInput, page_fields},
    intake::{DraftView, PageSaved, SubmitOutcome},
    store::InvitationStatus,
    web::{
        AppState, Error,
        i18n::{Language, Messages},
        paths,
    },
};

/// One page of the form.
#[derive(Template, WebTemplate)]
#[template(path = "patient/page.html")]
struct FormPage {
    m: &'static Messages,
    back: String,
    live_url: String,
    recheck: Vec<(String, String)>,
    form_title: String,
    section_title: String,
    step: usize,
    steps: usize,
    fields: Vec<FieldView>,
    csrf: String,
    action: String,
    has_back: bool,
    error_count: usize,
}

/// The review page.
#[derive(Template, WebTemplate)]
#[template(path = "patient/review.html")]
struct ReviewPage {
    m: &'static Messages,
    back: &'static str,
    recheck: Vec<(String, String)>,
    form_title: String,
    sections: Vec<ReviewSection>,
    csrf: String,
    issue_count: usize,
}

struct ReviewSection {
    title: String,
    edit_url: String,
    rows: Vec<ReviewRow>,
}

struct ReviewRow {
    question: String,
    answer: String,
    issue: Option<String>,
}

fn form_page(
    patient: &Patient,
    view: &DraftView,
    index: usize,
    typed: Option<&PageInput>,
    errors: &[FieldError],
    language: Language,
) -> Result<FormPage, Error> {
    let section = view.form.sections.get(index).ok_or(Error::NotFound)?;
    let code = language.code();
    Ok(FormPage {
        m: language.messages(),
        back: paths::page(index),
        live_url: paths::live_page(index),
        recheck: recheck_links(view, code),
        form_title: view.form.title.in_language(code).to_owned(),
        section_title: section.title.in_language(code).to_owned(),
        step: index + 1,
        steps: view.form.sections.len(),
        // The evaluated answers: calculated values written in (shown read-only).
        fields: fields(
            section,
            &view.evaluation.answers,
            &view.evaluation.enabled,
            typed,
            errors,
            code,
        ),
        csrf: patient.session.csrf_token.clone(),
        action: paths::page(index),
        has_back: index > 0,
        error_count: errors.len(),
    })
}

/// The title and address of each page to check again after the form changed.
fn recheck_links(view: &DraftView, language: &str) -> Vec<(String, String)> {
    view.form
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| view.recheck.contains(&s.id) && view.evaluation.enabled.contains(&s.id))
        .map(|(index, s)| (s.title.in_language(language).to_owned(), paths::page(index)))
        .collect()
}

/// `GET /intake/page/{index}`.
pub async fn show(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    Path(index): Path<usize>,
) -> Result<Response, Error> {
    if let Some(redirect) = patient.redirect_unless_answering() {
        return Ok(redirect);
    }
    let view = state.services.draft(&patient.session).await?;
    Ok(form_page(&patient, &view, index, None, &[], language)?.into_response())
}

/// `POST /intake/page/{index}/live` (htmx, as answers change): saves what parses and answers
/// with the page as it stands now, so questions the answers turned on or off, calculated values
/// and messages update in place. Nothing typed is lost: fields that do not parse come back as
/// typed, with their message.
pub async fn live(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    Path(index): Path<usize>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let saved = match save_posted(&state, &patient, index, &posted).await? {
        Ok(saved) => saved,
        Err(redirect) => return Ok(redirect),
    };
    let (view, errors) = match saved {
        PageSaved::Saved(view) => (view, Vec::new()),
        PageSaved::Invalid { view, errors } => (view, errors),
    };
    let typed = PageInput::from_fields(&posted);
    let typed = (!errors.is_empty()).then_some(&typed);
    Ok(form_page(&patient, &view, index, typed, &errors, language)?.into_response())
}

/// Saves a posted page for a patient who may answer now; otherwise where to send them.
async fn save_posted(
    state: &AppState,
    patient: &Patient,
    index: usize,
    posted: &[(String, String)],
) -> Result<Result<PageSaved, Response>, Error> {
    patient.check_csrf(csrf_field(posted))?;
    if let Some(redirect) = patient.redirect_unless_answering() {
        return Ok(Err(redirect));
    }
    Ok(Ok(state
        .services
        .save_page(&patient.session, index, posted)
        .await?))
}

/// `POST /intake/page/{index}`: saves the page, then goes back, on, or to the review.
pub async fn save(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    Path(index): Path<usize>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let saved = match save_posted(&state, &patient, index, &posted).await? {
        Ok(saved) => saved,
        Err(redirect) => return Ok(redirect),
    };
    let going_back = posted
        .iter()
        .any(|(name, value)| name == "nav" && value == "back");
    match saved {
        PageSaved::Invalid { view, errors } => {
            let typed = PageInput::from_fields(&posted);
            let page = form_page(&patient, &view, index, Some(&typed), &errors, language)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        PageSaved::Saved(view) => {
            // Pages whose section the answers disabled are skipped both ways.
            let enabled = |i: &usize| view.evaluation.enabled.contains(&view.form.sections[*i].id);
            let next = if going_back {
                (0..index)
                    .rev()
                    .find(enabled)
                    .map_or_else(|| paths::page(0), paths::page)
            } else {
                (index + 1..view.form.sections.len())
                    .find(enabled)
                    .map_or_else(|| paths::REVIEW.to_owned(), paths::page)
            };
            Ok(Redirect::to(&next).into_response())
        }
    }
}

fn review_page(
    patient: &Patient,
    view: &DraftView,
    issues: &[Issue],
    language: Language,
) -> ReviewPage {
    let code = language.code();
    let sections = view
        .form
        .sections
        .iter()
        .enumerate()
        .filter(|(_, section)| view.evaluation.enabled.contains(&section.id))
        .map(|(index, section)| ReviewSection {
            title: section.title.in_language(code).to_owned(),
            edit_url: paths::page(index),
            rows: page_fields(&section.items)
                .into_iter()
                .chain(
                    section
                        .items
                        .iter()
                        .flat_map(|i| i.walk())
                        .filter(|i| i.calculated.is_some() && !i.hidden),
                )
                .filter(|item| view.evaluation.enabled.contains(&item.id))
                .map(|item| ReviewRow {
                    question: item.text.in_language(code).to_owned(),
                    answer: view
                        .evaluation
                        .answers
                        .get(&item.id)
                        .iter()
                        .map(|a| a.display(item, code))
                        .collect::<Vec<_>>()
                        .join(", "),
                    issue: issues
                        .iter()
                        .find(|i| i.item_id == item.id)
                        .map(|i| i.kind.message(code)),
                })
                .collect(),
        })
        .collect();
    ReviewPage {
        m: language.messages(),
        back: paths::REVIEW,
        recheck: recheck_links(view, code),
        form_title: view.form.title.in_language(code).to_owned(),
        sections,
        csrf: patient.session.csrf_token.clone(),
        issue_count: issues.len(),
    }
}

/// `GET /intake/review`.
pub async fn review(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
) -> Result<Response, Error> {
    if let Some(redirect) = patient.redirect_unless_answering() {
        return Ok(redirect);
    }
    let view = state.services.draft(&patient.session).await?;
    let issues = view.evaluation.blocking_issues();
    Ok(review_page(&patient, &view, &issues, language).into_response())
}

/// `POST /intake/submit`. A second submit (double click, another tab) lands on the confirmation.
pub async fn submit(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    patient.check_csrf(csrf_field(&posted))?;
    match state.services.submit(&patient.session).await? {
        SubmitOutcome::Submitted(_) | SubmitOutcome::AlreadySubmitted => {
            Ok(Redirect::to(paths::DONE).into_response())
        }
        // Locked, replaced or not verified: the start page says which.
        SubmitOutcome::NotAllowed => Ok(Redirect::to(paths::INTAKE).into_response()),
        SubmitOutcome::Incomplete { view, issues } => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            review_page(&patient, &view, &issues, language),
        )
            .into_response()),
    }
}

/// `GET /intake/done`.
pub async fn done(language: Language, patient: Patient) -> Response {
    if patient.session.status != InvitationStatus::Submitted {
        return Redirect::to(paths::INTAKE).into_response();
    }
    let m = language.messages();
    MessagePage::new(
        m,
        paths::DONE,
        m.done_title,
        vec![m.done_next, m.done_closed],
    )
    .into_response()
}
