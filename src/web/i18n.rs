//! The patient pages' language: chosen from the browser's `Accept-Language` among the
//! languages the product speaks (`locales/`), switchable on every page (a plain link that sets
//! a cookie, so it works without JavaScript) among those the form declares, and every sentence
//! of those pages, by message id, through [`Texts`].

use axum::{
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    AppState,
    cookies::{Cookie, CookiePolicy},
    error::ErrorKind,
};
use crate::domain::Arg;
pub use crate::i18n::Language;

/// The language of a request: the patient's choice (cookie) if the product speaks it, else
/// the browser's first by weight, else English. A page with a form then keeps to the form's
/// languages ([`Texts::for_form`]).
pub fn of_request(headers: &HeaderMap, cookies: CookiePolicy) -> Language {
    cookies
        .read(headers, Cookie::Language)
        .and_then(|code| Language::parse(&code))
        .unwrap_or_else(|| from_accept_language(headers))
}

/// The browser's preference: the first language of `Accept-Language` (by weight) that the
/// product speaks; English otherwise.
pub fn from_accept_language(headers: &HeaderMap) -> Language {
    let english = *Language::english();
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return english;
    };
    let mut ranked: Vec<(f32, usize, Language)> = value
        .split(',')
        .enumerate()
        .filter_map(|(order, part)| {
            let mut pieces = part.split(';');
            let language = Language::parse(pieces.next()?)?;
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (weight > 0.0).then_some((weight, order, language))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map_or(english, |(_, _, language)| *language)
}

/// The language a patient asked for (cookie, else browser).
impl FromRequestParts<AppState> for Language {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(of_request(&parts.headers, state.cookies))
    }
}

/// Where to go back to after switching.
#[derive(Debug, Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `GET /language/{code}?back=/path`: remembers the choice and returns to the page (only ever
/// a path on this site, so the link cannot send anyone elsewhere).
pub async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(back): Query<Back>,
) -> Response {
    let back = back
        .back
        .and_then(|b| super::paths::internal(&b, &[super::paths::INTAKE, "/preview"]))
        .unwrap_or_else(|| super::paths::INTAKE.to_owned());
    let Some(language) = Language::parse(&code) else {
        return Redirect::to(&back).into_response();
    };
    let cookie = state.cookies.set(Cookie::Language, language.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// The sentences of a patient page in one language, and the languages its switch offers.
#[derive(Debug, Clone)]
pub struct Texts {
    language: Language,
    offered: Vec<Language>,
}

impl Texts {
    /// A page without a form: in the language asked for, offering every language the product
    /// speaks.
    pub fn new(asked: Language) -> Self {
        Self {
            language: asked,
            offered: Language::all().to_vec(),
        }
    }

    /// A page of a form declared in `languages` (its fallback first): in the language asked for
    /// if the form has it, else in the form's first language, so a page never mixes
    /// languages; the switch offers the form's languages only.
    pub fn for_form(asked: Language, languages: &[String]) -> Self {
        let offered: Vec<Language> = languages
            .iter()
            .filter_map(|code| Language::parse(code))
            .collect();
        let language = if offered.contains(&asked) {
            asked
        } else {
            offered.first().copied().unwrap_or(*Language::english())
        };
        Self { language, offered }
    }

    /// The page's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The other languages the switch offers: `(code, own name)`.
    pub fn switch_to(&self) -> Vec<(&'static str, String)> {
        self.offered
            .iter()
            .filter(|l| **l != self.language)
            .map(|l| (l.code(), l.name()))
            .collect()
    }

    /// The message `id` with `args`, in the page's language.
    fn say(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.language.format(id, args)
    }

    /// Whether the language writes the day before the month (the date boxes' order).
    pub fn date_day_first(&self) -> bool {
        self.language.day_first()
    }

    /// Where the code went (masked) and how long it works.
    pub fn code_sent_to(&self, sent_to: &str) -> String {
        let minutes = crate::intake::CODE_LIFETIME.as_secs() / 60;
        self.say(
            "code-sent-to",
            &[
                ("digits", Arg::from(crate::domain::CODE_DIGITS)),
                ("sent_to", Arg::from(sent_to)),
                ("minutes", Arg::from(minutes)),
            ],
        )
    }

    /// How long until a new code may be asked for.
    pub fn code_wait(&self, wait: std::time::Duration) -> String {
        // Rounded up, so a patient who waits that long is never refused again.
        let seconds = u64::try_from(wait.as_millis().div_ceil(1000))
            .unwrap_or(u64::MAX)
            .max(1);
        self.say("code-wait", &[("seconds", Arg::from(seconds))])
    }

    /// An error page's heading and sentence.
    pub fn error_page(&self, kind: ErrorKind) -> (String, String) {
        use ErrorKind as K;
        let id = match kind {
            K::NotFound => "error-not-found",
            K::Forbidden => "error-forbidden",
            K::NoPatientSession => "error-no-session",
            K::Forgery => "error-forgery",
            K::Conflict => "error-conflict",
            K::BadInput => "error-bad-input",
            K::TooLarge => "error-too-large",
            K::Internal => "error-internal",
        };
        (
            self.language.text(&format!("{id}-title")),
            self.language.text(id),
        )
    }

    /// A date of birth that is not a usable date.
    pub fn bad_birth_date(&self, problem: &crate::domain::BirthDateError) -> String {
        use crate::domain::BirthDateError as E;
        self.language.text(match problem {
            E::NotADate => "birth-date-not-a-date",
            E::InTheFuture => "birth-date-in-the-future",
            E::TooLongAgo => "birth-date-too-long-ago",
        })
    }

    /// What to do about a locked link: call the clinic, at its number when it gave one.
    pub fn locked_call(&self, phone: Option<&str>) -> String {
        match phone {
            Some(phone) => self.say("locked-call", &[("phone", Arg::from(phone))]),
            None => self.locked_what_now(),
        }
    }

    /// The visit's date and time, on the clinic's clocks.
    pub fn visit_at(&self, millis: i64, zone: &crate::domain::ClinicZone) -> String {
        let at = zone.local_millis(millis);
        self.say(
            "visit-at",
            &[
                ("day", Arg::from(at.day())),
                ("month", Arg::from(u8::from(at.month()))),
                ("year", Arg::from(at.year())),
                (
                    "time",
                    Arg::Text(format!("{:02}:{:02}", at.hour(), at.minute())),
                ),
            ],
        )
    }
}

/// Every message id a page asks for by name, as a method of [`Texts`] (so a template that
/// names one missing here does not compile), and the list the tests hold against every
/// locale. Arguments are named as in the `.ftl` files.
macro_rules! messages {
    ($($name:ident $(($($arg:ident),*))? = $id:literal;)*) => {
        impl Texts {
            $(
                #[doc = concat!("`", $id, "`")]
                pub fn $name(&self $($(, $arg: impl Into<Arg>)*)?) -> String {
                    self.say($id, &[$($((stringify!($arg), $arg.into())),*)?])
                }
            )*
        }

        /// Every message id the patient pages use, besides those of the engine and of messages.
        pub const PAGE_IDS: &[&str] = &[$($id,)* "code-sent-to", "code-wait", "locked-call",
            "visit-at", "language-name", "language-english-name", "date-order", "birth-date-not-a-date",
            "birth-date-in-the-future", "birth-date-too-long-ago",
            "error-not-found", "error-not-found-title", "error-forbidden", "error-forbidden-title",
            "error-no-session", "error-no-session-title", "error-forgery", "error-forgery-title",
            "error-conflict", "error-conflict-title", "error-bad-input", "error-bad-input-title",
            "error-too-large", "error-too-large-title", "error-internal", "error-internal-title"];
    };
}

messages! {
    skip_to_content = "skip-to-content";
    switch_label = "switch-label";
    clinic_phone_label = "clinic-phone-label";
    cancelled_title = "cancelled-title";
    cancelled_why = "cancelled-why";
    cancelled_what_now = "cancelled-what-now";
    verify_title = "verify-title";
    verify_intro = "verify-intro";
    date_of_birth = "date-of-birth";
    continue_button = "continue-button";
    unusable_title = "unusable-title";
    unusable_why = "unusable-why";
    unusable_what_now = "unusable-what-now";
    locked_title = "locked-title";
    locked_why = "locked-why";
    locked_why_code = "locked-why-code";
    locked_what_now = "locked-what-now";
    too_many_title = "too-many-title";
    wait_minutes(minutes) = "wait-minutes";
    already_sent_title = "already-sent-title";
    already_sent_body = "already-sent-body";
    done_title = "done-title";
    done_next = "done-next";
    done_closed = "done-closed";
    sign_out = "sign-out";
    signed_out_title = "signed-out-title";
    signed_out_body = "signed-out-body";
    wrong_birth_date(remaining) = "wrong-birth-date";
    form_updated = "form-updated";
    form_updated_check = "form-updated-check";
    step_of(step, steps) = "step-of";
    check_answers(count) = "check-answers";
    optional = "optional";
    one_per_line = "one-per-line";
    search_label = "search-label";
    search_label_change = "search-label-change";
    search_chosen(count) = "search-chosen";
    search_hint_change = "search-hint-change";
    search_button = "search-button";
    search_hint = "search-hint";
    search_none(query) = "search-none";
    search_found(count, query) = "search-found";
    search_more(count, query) = "search-more";
    search_unavailable = "search-unavailable";
    search_server_down = "search-server-down";
    search_pick = "search-pick";
    asked_at_visit = "asked-at-visit";
    add_another = "add-another";
    remove = "remove";
    nothing_on_file = "nothing-on-file";
    review_answers = "review-answers";
    next = "next";
    back = "back";
    saved_as_you_go = "saved-as-you-go";
    date_day = "date-day";
    date_month = "date-month";
    date_year = "date-year";
    date_hint = "date-hint";
    idle_warning = "idle-warning";
    idle_stay = "idle-stay";
    busy = "busy";
    photo_sent = "photo-sent";
    photo_remove = "photo-remove";
    photo_sending = "photo-sending";
    check_title = "check-title";
    questions_need_answers(count) = "questions-need-answers";
    change = "change";
    not_answered = "not-answered";
    signature_sent = "signature-sent";
    signature_remove = "signature-remove";
    signature_pad = "signature-pad";
    signature_keyboard = "signature-keyboard";
    signature_clear = "signature-clear";
    signature_cleared = "signature-cleared";
    signature_drawn = "signature-drawn";
    signed_drawn = "signed-drawn";
    signed_typed = "signed-typed";
    send = "send";
    copy_link = "copy-link";
    copy_title = "copy-title";
    copy_print = "copy-print";
    code_title = "code-title";
    code_label = "code-label";
    code_not_received = "code-not-received";
    code_resend = "code-resend";
    code_resent = "code-resent";
    code_not_sent = "code-not-sent";
    code_no_more = "code-no-more";
    bad_code = "bad-code";
    wrong_code(remaining) = "wrong-code";
    code_expired = "code-expired";
    call_clinic_title = "call-clinic-title";
    call_clinic_why = "call-clinic-why";
    call_clinic_what_now = "call-clinic-what-now";
    try_later_title = "try-later-title";
    try_later_why = "try-later-why";
    error_reference = "error-reference";
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accepting(value: &str) -> &'static str {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        from_accept_language(&headers).code()
    }

    #[test]
    fn the_browsers_first_spoken_language_by_weight_wins() {
        assert_eq!(accepting("es-MX,es;q=0.9,en;q=0.8"), "es");
        assert_eq!(accepting("fr-CA, en;q=0.5, es;q=0.7"), "es");
        assert_eq!(accepting("fr-CA, vi;q=0.5, es;q=0.4"), "vi");
        assert_eq!(accepting("de, fr"), "en");
        assert_eq!(accepting("es;q=0, en"), "en");
        assert_eq!(from_accept_language(&HeaderMap::new()).code(), "en");
    }

    #[test]
    fn a_form_page_keeps_to_the_forms_languages_and_offers_only_those() {
        let vi = Language::parse("vi").unwrap();
        let both = ["en".to_owned(), "es".to_owned()];
        let page = Texts::for_form(vi, &both);
        assert_eq!(page.language().code(), "en", "a form without Vietnamese");
        assert_eq!(page.switch_to(), [("es", "Español".to_owned())]);
        let three = ["en".to_owned(), "es".to_owned(), "vi".to_owned()];
        let page = Texts::for_form(vi, &three);
        assert_eq!(page.language().code(), "vi");
        let codes: Vec<&str> = page.switch_to().iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ["en", "es"]);
        assert_eq!(page.next(), "Tiếp theo");
    }

    #[test]
    fn the_visit_time_and_the_clinics_number_read_naturally_in_every_language() {
        let at = crate::clock::millis(time::macros::datetime!(2026-12-04 09:30 UTC));
        let texts = |code: &str| Texts::new(Language::parse(code).unwrap());
        assert_eq!(
            texts("en").visit_at(at, &crate::domain::ClinicZone::utc()),
            "Your visit: 4 December 2026, 09:30"
        );
        assert_eq!(
            texts("es").visit_at(at, &crate::domain::ClinicZone::utc()),
            "Su visita: 4 de diciembre de 2026, 09:30"
        );
        assert_eq!(
            texts("vi").visit_at(at, &crate::domain::ClinicZone::utc()),
            "Buổi hẹn của quý vị: ngày 4 tháng 12 năm 2026, lúc 09:30"
        );
        let new_york = crate::domain::ClinicZone::parse("America/New_York").unwrap();
        assert_eq!(
            texts("en").visit_at(at, &new_york),
            "Your visit: 4 December 2026, 04:30"
        );
        assert!(
            texts("es")
                .locked_call(Some("(555) 010-2000"))
                .contains("al (555) 010-2000")
        );
        assert_eq!(texts("en").locked_call(None), texts("en").locked_what_now());
    }
}
