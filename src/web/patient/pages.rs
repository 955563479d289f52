//! The form page by page, the review, submission and the confirmation.

use crate::web::{form::Form, upload::PagePost};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    PageSession, Patient, csrf_field, dates, flow,
    link::MessagePage,
    posted_field, read_again, search, sent_at_field,
    views::{FieldView, PageState, Searches, fields, focus, focus_added},
};
use crate::{
    engine::{Answer, Answers, Evaluation, FieldError, Issue, PageInput, instance_heading},
    forms::{Item, ItemKind, Section},
    intake::{DraftView, PageSaved, SubmitOutcome, Upload},
    store::InvitationStatus,
    web::{
        AppState, Error,
        i18n::{Language, Texts},
        paths,
    },
};

/// One page of the form.
#[derive(Template, WebTemplate)]
#[template(path = "patient/page.html")]
struct FormPage {
    m: Texts,
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
    /// Every field with a message, inside groups' instances too: `(id, label, message)`.
    errors: Vec<(String, String, String)>,
    /// The questions shown, so a save can tell which ones its answers just turned on.
    shown: String,
    /// On the first page: the visit's date and time.
    visit: Option<String>,
    // issue 17: flow
    /// Opened from the review: Next goes back to it.
    from_review: bool,
    /// The page came back for missing answers: live saves keep asking for them.
    checked: bool,
    /// Where answers go as the patient types and when the page is hidden.
    keep_url: String,
    /// The idle time after which the session ends, in seconds (the warning comes a minute
    /// before).
    idle_seconds: u64,
    /// Whether a question takes a photo: the form is sent as `multipart/form-data`, and the
    /// script that scales photos down is loaded (only then).
    has_files: bool,
}

/// The review page.
#[derive(Template, WebTemplate)]
#[template(path = "patient/review.html")]
pub(super) struct ReviewPage {
    pub(super) m: Texts,
    back: &'static str,
    recheck: Vec<(String, String)>,
    pub(super) form_title: String,
    pub(super) sections: Vec<ReviewSection>,
    csrf: String,
    issue_count: usize,
    /// The idle time after which the session ends, in seconds.
    idle_seconds: u64,
}

pub(super) struct ReviewSection {
    pub(super) title: String,
    edit_url: String,
    pub(super) rows: Vec<ReviewRow>,
}

pub(super) struct ReviewRow {
    pub(super) question: String,
    pub(super) answer: String,
    /// Under the answer: how a consent was signed.
    pub(super) note: Option<String>,
    issue: Option<String>,
    /// The page opened on its field, returning to the review.
    link: String,
}

/// What a form page shows besides the saved answers.
#[derive(Debug, Clone, Copy, Default)]
struct Shown<'a> {
    /// After an error: what was typed.
    typed: Option<&'a PageInput>,
    /// Fields that did not parse.
    errors: &'a [FieldError],
    /// The group to show one more instance of.
    adding: Option<&'a str>,
    /// Leaving the page: missing answers are asked for too.
    leaving: bool,
    /// The field or group instance to open focused.
    focus: Option<&'a str>,
    /// Opened from the review.
    from_review: bool,
    /// Searches of long answer lists, with what they found.
    searches: Option<&'a Searches>,
}

fn form_page(
    patient: &Patient,
    view: &DraftView,
    index: usize,
    shown: Shown<'_>,
    language: Language,
) -> Result<FormPage, Error> {
    let section = view.form.sections.get(index).ok_or(Error::NotFound)?;
    let m = Texts::for_form(language, &view.form.languages);
    let language = m.language();
    let code = language.code();
    let issues = answer_issues(view, section, shown.leaving);
    let no_searches = Searches::new();
    let mut fields = fields(
        section,
        &PageState {
            evaluation: &view.evaluation,
            typed: shown.typed,
            errors: shown.errors,
            issues: &issues,
            adding: shown.adding,
            language,
            searches: shown.searches.unwrap_or(&no_searches),
        },
    );
    match (shown.focus, shown.adding) {
        (Some(target), _) => {
            focus(&mut fields, target);
        }
        (None, Some(group)) => focus_added(&mut fields, group),
        (None, None) => {}
    }
    let mut errors = Vec::new();
    collect_errors(&fields, &mut errors);
    let questions = questions_shown(&fields).join(" ");
    // Any photo question of the page (in a repeating group's instances too), shown yet or
    // not: one that an answer turns on arrives by an htmx swap, into a page that must already
    // send files and have their script.
    let has_files = section
        .items
        .iter()
        .flat_map(Item::walk)
        .any(|item| item.kind == ItemKind::Attachment);
    let visit = (index == 0)
        .then(|| m.visit_at(patient.session.appointment.details.starts_at, &patient.zone));
    Ok(FormPage {
        m,
        back: paths::page(index),
        live_url: paths::live_page(index),
        recheck: recheck_links(view, code),
        form_title: view.form.title.in_language(code).to_owned(),
        section_title: section.title.in_language(code).to_owned(),
        step: index + 1,
        steps: view.form.sections.len(),
        fields,
        csrf: patient.session.csrf_token.clone(),
        action: paths::page(index),
        has_back: index > 0,
        errors,
        shown: questions,
        visit,
        from_review: shown.from_review,
        checked: shown.leaving,
        keep_url: paths::keep_page(index),
        idle_seconds: patient.idle_seconds,
        has_files,
    })
}

/// What is wrong with answers given on a page (a pattern, a bound, a constraint): shown next to
/// the field as soon as it is saved. Missing answers are asked for when `leaving` the page
/// forward (Next), never while it is being answered.
fn answer_issues(view: &DraftView, section: &Section, leaving: bool) -> Vec<Issue> {
    view.evaluation
        .issues
        .iter()
        .filter(|issue| leaving || !issue.is_missing_answer())
        .filter(|issue| {
            section
                .items
                .iter()
                .flat_map(|item| item.walk())
                .any(|item| item.id == issue.item_id)
        })
        .cloned()
        .collect()
}

/// The names of the questions a page shows (and of its groups' instances).
fn questions_shown(fields: &[FieldView]) -> Vec<String> {
    let mut names = Vec::new();
    for field in fields {
        if !matches!(
            field.control,
            "display" | "heading" | "readonly" | "unsupported" | "repeat"
        ) {
            names.push(field.name.clone());
        }
        for instance in &field.instances {
            names.push(format!("{}.{}", instance.marker, instance.index));
            names.extend(questions_shown(&instance.fields));
        }
    }
    names
}

/// The fields with a message, in page order, for the summary at the top.
fn collect_errors(fields: &[FieldView], out: &mut Vec<(String, String, String)>) {
    for field in fields {
        if let Some(message) = &field.error {
            out.push((field.id.clone(), field.label.clone(), message.clone()));
        }
        for instance in &field.instances {
            collect_errors(&instance.fields, out);
        }
    }
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

/// The query of a page: `?add=<group>` shows one more instance of a repeating group;
/// `?from=review` returns to the review on Next; `?focus=<id>` opens with that field focused.
#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    add: Option<String>,
    from: Option<String>,
    focus: Option<String>,
}

/// `GET /intake/page/{index}`.
pub async fn show(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
    Path(index): Path<usize>,
    Query(query): Query<PageQuery>,
) -> Result<Response, Error> {
    if let Some(redirect) = patient.redirect_unless_answering() {
        return Ok(redirect);
    }
    let view = state.services.draft(&patient.session).await?;
    let shown = Shown {
        adding: query.add.as_deref(),
        focus: query.focus.as_deref(),
        from_review: query.from.as_deref() == Some("review"),
        ..Shown::default()
    };
    Ok(form_page(&patient, &view, index, shown, language)?.into_response())
}

/// `POST /intake/page/{index}/live` (htmx, as answers change): saves what parses and answers
/// with the page as it stands now, so questions the answers turned on or off, calculated values
/// and messages update in place. Nothing typed is lost: fields that do not parse come back as
/// typed, with their message.
pub async fn live(
    State(state): State<AppState>,
    language: Language,
    headers: axum::http::HeaderMap,
    session: PageSession,
    Path(index): Path<usize>,
    PagePost {
        fields: posted,
        uploads,
    }: PagePost,
) -> Result<Response, Error> {
    let posted = dates::join_parts(posted, "a.");
    let session = session.read_if(&state, !uploads.is_empty()).await?;
    let kept = session.kept_token();
    let saved = live_as(&state, language, &headers, session, index, &posted, uploads).await;
    match read_again(&saved, kept) {
        Some(token) => {
            let session = PageSession::read(&state, token).await?;
            live_as(
                &state,
                language,
                &headers,
                session,
                index,
                &posted,
                Vec::new(),
            )
            .await
        }
        None => saved,
    }
}

/// [`live`] with the session read or kept.
async fn live_as(
    state: &AppState,
    language: Language,
    headers: &axum::http::HeaderMap,
    session: PageSession,
    index: usize,
    posted: &[(String, String)],
    uploads: Vec<Upload>,
) -> Result<Response, Error> {
    let patient = match session {
        PageSession::Live(patient) => patient,
        PageSession::Expired(session) => {
            return flow::expired_live(state, headers, &session, index, posted).await;
        }
    };
    // Boxed: the save's future is large, and axum moves the handler's future when it starts it.
    let saved = match Box::pin(save_posted(state, &patient, index, posted, uploads)).await? {
        Ok(saved) => saved,
        Err(redirect) => return Ok(redirect),
    };
    let searches = search::run(state, saved.view(), posted, language).await;
    let shown = Shown {
        leaving: posted_field(posted, "checked") == Some("yes"),
        from_review: from_review(posted),
        searches: Some(&searches),
        ..Shown::default()
    };
    Ok(saved_page(&patient, &saved, index, shown, language)?.into_response())
}

/// Whether a posted page was opened from the review.
fn from_review(posted: &[(String, String)]) -> bool {
    posted_field(posted, "from") == Some("review")
}

/// The page as a save leaves it: the saved answers, or after an error exactly what was typed
/// with the messages.
fn saved_page(
    patient: &Patient,
    saved: &PageSaved,
    index: usize,
    shown: Shown<'_>,
    language: Language,
) -> Result<FormPage, Error> {
    match saved {
        PageSaved::Saved(view) => form_page(patient, view, index, shown, language),
        PageSaved::Invalid {
            view,
            errors,
            typed,
        } => {
            let shown = Shown {
                typed: Some(typed),
                errors,
                ..shown
            };
            form_page(patient, view, index, shown, language)
        }
    }
}

/// Saves a posted page for a patient who may answer now; otherwise where to send them.
async fn save_posted(
    state: &AppState,
    patient: &Patient,
    index: usize,
    posted: &[(String, String)],
    uploads: Vec<Upload>,
) -> Result<Result<PageSaved, Response>, Error> {
    patient.check_csrf(csrf_field(posted))?;
    if let Some(redirect) = patient.redirect_unless_answering() {
        return Ok(Err(redirect));
    }
    Ok(Ok(state
        .services
        .save_page(
            &patient.session,
            patient.kept.as_ref(),
            index,
            posted,
            uploads,
            sent_at_field(posted),
        )
        .await?))
}

/// `POST /intake/page/{index}`: saves the page, then goes back, on, or to the review; or adds
/// or removes an instance of a repeating group and shows the page again. Going on waits until
/// the page's answers are right (a wrong pattern or bound shows next to its field); going back
/// never does, and nothing that parsed is lost either way.
pub async fn save(
    State(state): State<AppState>,
    language: Language,
    session: PageSession,
    Path(index): Path<usize>,
    PagePost {
        fields: posted,
        uploads,
    }: PagePost,
) -> Result<Response, Error> {
    let posted = dates::join_parts(posted, "a.");
    let session = session.read_if(&state, !uploads.is_empty()).await?;
    let kept = session.kept_token();
    let saved = save_as(&state, language, session, index, &posted, uploads).await;
    match read_again(&saved, kept) {
        Some(token) => {
            let session = PageSession::read(&state, token).await?;
            save_as(&state, language, session, index, &posted, Vec::new()).await
        }
        None => saved,
    }
}

/// [`save`] with the session read or kept.
async fn save_as(
    state: &AppState,
    language: Language,
    session: PageSession,
    index: usize,
    posted: &[(String, String)],
    uploads: Vec<Upload>,
) -> Result<Response, Error> {
    // Saved first, before anything else is checked (issue 17); a session found expired holds
    // the page for when the patient is back.
    let patient = match session {
        PageSession::Live(patient) => patient,
        PageSession::Expired(session) => {
            return flow::expired(state, &session, index, posted).await;
        }
    };
    // Boxed: the save's future is large, and axum moves the handler's future when it starts it.
    let saved = match Box::pin(save_posted(state, &patient, index, posted, uploads)).await? {
        Ok(saved) => saved,
        Err(redirect) => return Ok(redirect),
    };
    let nav = posted_field(posted, "nav").unwrap_or("next");
    let from_review = from_review(posted);
    // A search of a long answer list: the same page, every answer kept, with the matches.
    if let Some(key) = search::asked(posted) {
        let searches = search::run(state, saved.view(), posted, language).await;
        let target = search::field_id(&key);
        let shown = Shown {
            leaving: posted_field(posted, "checked") == Some("yes"),
            from_review,
            searches: Some(&searches),
            focus: Some(&target),
            ..Shown::default()
        };
        return Ok(saved_page(&patient, &saved, index, shown, language)?.into_response());
    }
    let view = match saved {
        PageSaved::Saved(view) => view,
        invalid => {
            let shown = Shown {
                from_review,
                ..Shown::default()
            };
            let page = saved_page(&patient, &invalid, index, shown, language)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if let Some(group) = nav.strip_prefix("add:") {
        return Ok(Redirect::to(&paths::page_adding(index, group, from_review)).into_response());
    }
    if let Some(removed) = nav.strip_prefix("remove:") {
        let neighbour = neighbour_of_removed(&view, removed);
        let url = paths::page_focus(index, from_review, Some(&neighbour));
        return Ok(Redirect::to(&url).into_response());
    }
    if nav != "back"
        && let Some(again) = page_again(&patient, &view, index, posted, language)?
    {
        return Ok(again);
    }
    if nav != "back" && from_review {
        return Ok(Redirect::to(paths::REVIEW).into_response());
    }
    Ok(Redirect::to(&page_after(&view, index, nav == "back")).into_response())
}

/// The HTML id to focus after removing `<group>:<N>`: the instance now in its place, else the
/// one before it, else the group itself.
fn neighbour_of_removed(view: &DraftView, removed: &str) -> String {
    let (group, index) = removed.rsplit_once(':').unwrap_or((removed, "0"));
    // Item ids hold letters, digits and `_` only: the group's HTML id as views build it.
    let group_id = format!("f-{group}");
    let left = view.answers.get(group).len();
    match (index.parse::<usize>().unwrap_or(0), left) {
        (_, 0) => group_id,
        (index, left) => format!("{group_id}-{}", index.min(left - 1)),
    }
}

/// Whether a page saved to go on must be shown again instead: with what is wrong with its
/// answers (422), or, without JavaScript, with the questions its answers just turned on, which
/// the patient has not seen yet.
fn page_again(
    patient: &Patient,
    view: &DraftView,
    index: usize,
    posted: &[(String, String)],
    language: Language,
) -> Result<Option<Response>, Error> {
    let section = view.form.sections.get(index).ok_or(Error::NotFound)?;
    let from_review = from_review(posted);
    let page = |leaving| {
        let shown = Shown {
            leaving,
            from_review,
            ..Shown::default()
        };
        form_page(patient, view, index, shown, language)
    };
    if let Some(before) = posted_field(posted, "shown") {
        let before: Vec<&str> = before.split_whitespace().collect();
        let new = page(false)?
            .shown
            .split_whitespace()
            .any(|name| !before.contains(&name));
        if new {
            let url = paths::page_focus(index, from_review, None);
            return Ok(Some(Redirect::to(&url).into_response()));
        }
    }
    // Required answers are asked for on leaving the page, with what is wrong (issue 17).
    if answer_issues(view, section, true).iter().any(Issue::blocks) {
        return Ok(Some(
            (StatusCode::UNPROCESSABLE_ENTITY, page(true)?).into_response(),
        ));
    }
    Ok(None)
}

/// The page after `index`, or before it going back; pages whose section the answers disabled
/// are skipped both ways.
fn page_after(view: &DraftView, index: usize, back: bool) -> String {
    let enabled = |i: &usize| view.evaluation.enabled.contains(&view.form.sections[*i].id);
    if back {
        (0..index)
            .rev()
            .find(enabled)
            .map_or_else(|| paths::page(0), paths::page)
    } else {
        (index + 1..view.form.sections.len())
            .find(enabled)
            .map_or_else(|| paths::REVIEW.to_owned(), paths::page)
    }
}

pub(super) fn review_page(
    patient: &Patient,
    view: &DraftView,
    issues: &[Issue],
    language: Language,
) -> ReviewPage {
    let m = Texts::for_form(language, &view.form.languages);
    let language = m.language();
    let code = language.code();
    let sections = view
        .form
        .sections
        .iter()
        .enumerate()
        .filter(|(_, section)| view.evaluation.enabled.contains(&section.id))
        .map(|(index, section)| ReviewSection {
            title: section.title.in_language(code).to_owned(),
            edit_url: paths::page_focus(index, true, None),
            rows: review_rows(index, section, view, issues, language),
        })
        .collect();
    ReviewPage {
        m,
        back: paths::REVIEW,
        recheck: recheck_links(view, code),
        form_title: view.form.title.in_language(code).to_owned(),
        sections,
        csrf: patient.session.csrf_token.clone(),
        issue_count: issues.len(),
        idle_seconds: patient.idle_seconds,
    }
}

/// The review page's rows for a section, in the page's order: each question with its answer
/// and what is missing, calculated values, and each instance of a repeating group question by
/// question under its heading.
fn review_rows(
    page: usize,
    section: &Section,
    view: &DraftView,
    issues: &[Issue],
    language: Language,
) -> Vec<ReviewRow> {
    let review = Review {
        evaluation: &view.evaluation,
        issues,
        language,
        page,
    };
    let mut rows = Vec::new();
    review.rows(&section.items, &view.evaluation.answers, "", "", &mut rows);
    rows
}

/// What the review rows are built from.
struct Review<'a> {
    evaluation: &'a Evaluation,
    issues: &'a [Issue],
    language: Language,
    /// The page the rows' questions are on.
    page: usize,
}

impl Review<'_> {
    /// The rows of `items` whose answers are `answers`, their fields under `prefix` and their
    /// questions after `heading` (an instance's).
    fn rows(
        &self,
        items: &[Item],
        answers: &Answers,
        prefix: &str,
        heading: &str,
        out: &mut Vec<ReviewRow>,
    ) {
        for item in items.iter().filter(|i| !i.hidden) {
            let field = format!("{prefix}{}", item.id);
            if !self.evaluation.is_field_enabled(&field) {
                continue;
            }
            let text = item.text.in_language(self.language.code());
            match (item.kind, item.repeats) {
                (ItemKind::Display, _) => {}
                (ItemKind::Group, false) => self.rows(&item.items, answers, prefix, heading, out),
                // Repeating groups show on the pages at the top level only.
                (ItemKind::Group, true) if prefix.is_empty() => {
                    if let Some(issue) = self.issue(&field) {
                        out.push(ReviewRow {
                            question: text.to_owned(),
                            answer: String::new(),
                            note: None,
                            issue: Some(issue),
                            link: self.link(&field),
                        });
                    }
                    for (index, instance) in answers.get(&item.id).iter().enumerate() {
                        if let Answer::Group(inner) = instance {
                            let heading =
                                instance_heading(item, inner, index, self.language.code());
                            let prefix = format!("{}.{index}.", item.id);
                            self.rows(&item.items, inner, &prefix, &heading, out);
                        }
                    }
                }
                (ItemKind::Group, true) => {}
                // A drawn signature is told of under its consent.
                (ItemKind::Attachment, _) if item.drawn_signature_of.is_some() => {}
                _ => out.push(ReviewRow {
                    question: if heading.is_empty() {
                        text.to_owned()
                    } else {
                        format!("{heading}: {text}")
                    },
                    answer: answers
                        .get(&item.id)
                        .iter()
                        .map(|a| a.display(item, &self.language))
                        .collect::<Vec<_>>()
                        .join(", "),
                    note: self.signed(item, answers),
                    issue: self.issue(&field),
                    link: self.link(&field),
                }),
            }
        }
    }

    /// How a consent the patient agreed to is signed: with a drawing and the typed name, or
    /// the typed name alone.
    fn signed(&self, item: &Item, answers: &Answers) -> Option<String> {
        let terms = item.consent.as_ref()?;
        if answers.get(&item.id).first() != Some(&Answer::Boolean(true)) {
            return None;
        }
        let m = Texts::new(self.language);
        let drawn = terms
            .drawn
            .as_deref()
            .is_some_and(|drawn| !answers.get(drawn).is_empty());
        Some(if drawn {
            m.signed_drawn()
        } else {
            m.signed_typed()
        })
    }

    /// The page opened on `field` (its HTML id as the page builds it), returning to the review.
    fn link(&self, field: &str) -> String {
        let id = format!("f-{}", field.replace('.', "-"));
        paths::page_focus(self.page, true, Some(&id))
    }

    /// What is missing or wrong at `field`, in the page's language.
    fn issue(&self, field: &str) -> Option<String> {
        self.issues
            .iter()
            .find(|i| i.field == field)
            .map(|i| i.kind.message(&self.language))
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
    // Kept with the submission for staff: the service holds it to the form's languages.
    match state
        .services
        .submit(&patient.session, language.code())
        .await?
    {
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

/// `GET /intake/done`. When the answers raised a flag meant for the patient, the form's own
/// crisis text comes first (they are at home: what to do now, never "tell a staff member").
pub async fn done(
    State(state): State<AppState>,
    language: Language,
    patient: Patient,
) -> Result<Response, Error> {
    if patient.session.status != InvitationStatus::Submitted {
        return Ok(Redirect::to(paths::INTAKE).into_response());
    }
    let view = state.services.draft(&patient.session).await?;
    let m = Texts::for_form(language, &view.form.languages);
    let code = m.language().code();
    let (title, paragraphs, link) = (
        m.done_title(),
        vec![m.done_next(), m.done_closed()],
        m.copy_link(),
    );
    let page = MessagePage::new(m, paths::DONE, title, paragraphs).with_link(paths::COPY, link);
    let page = match state.services.crisis_text(&patient.session).await? {
        Some(crisis) => page.leading_with(crisis.in_language(code).to_owned()),
        None => page,
    };
    Ok(page.into_response())
}
