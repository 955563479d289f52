//! The patient pages' language: English or Spanish, chosen from the browser's `Accept-Language`
//! and switchable on every page (a plain link that sets a cookie, so it works without
//! JavaScript), and every sentence of those pages in both.

use axum::{
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{AppState, cookies::Cookie};

/// A language the patient pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// Spanish.
    Es,
}

impl Language {
    /// The BCP 47 code (`en`, `es`), as forms key their translations.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }

    /// Reads a code (`es`, `es-MX`, `EN`).
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "es" => Some(Self::Es),
            _ => None,
        }
    }

    /// The browser's preference: the first language of `Accept-Language` (by weight) that the
    /// pages speak; English otherwise.
    pub fn from_accept_language(headers: &HeaderMap) -> Self {
        let Some(value) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Self::En;
        };
        let mut ranked: Vec<(f32, usize, Self)> = value
            .split(',')
            .enumerate()
            .filter_map(|(order, part)| {
                let mut pieces = part.split(';');
                let language = Self::parse(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (weight > 0.0).then_some((weight, order, language))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
            .first()
            .map_or(Self::En, |(_, _, language)| *language)
    }

    /// The other language, which the switch on every page offers.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Es,
            Self::Es => Self::En,
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Es => "Español",
        }
    }

    /// The sentences of the patient pages.
    pub fn messages(self) -> &'static Messages {
        match self {
            Self::En => &EN,
            Self::Es => &ES,
        }
    }
}

/// The language of a request: the patient's choice (cookie) if any, else the browser's.
impl FromRequestParts<AppState> for Language {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(state
            .cookies
            .read(&parts.headers, Cookie::Language)
            .and_then(|code| Self::parse(&code))
            .unwrap_or_else(|| Self::from_accept_language(&parts.headers)))
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
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| super::paths::INTAKE.to_owned());
    let Some(language) = Language::parse(&code) else {
        return Redirect::to(&back).into_response();
    };
    let cookie = state.cookies.set(Cookie::Language, language.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// Every sentence of the patient pages, in one language. Both languages fill every field, so
/// a page cannot show a sentence in one language only.
#[derive(Debug)]
pub struct Messages {
    language: Language,
    /// The skip link.
    pub skip_to_content: &'static str,
    /// The language switch's label for screen readers.
    pub switch_label: &'static str,
    /// The date-of-birth page.
    pub verify_title: &'static str,
    /// Why it asks.
    pub verify_intro: &'static str,
    /// The field.
    pub date_of_birth: &'static str,
    /// The button.
    pub continue_button: &'static str,
    /// A link that cannot be used.
    pub unusable_title: &'static str,
    /// Why.
    pub unusable_why: &'static str,
    /// What to do.
    pub unusable_what_now: &'static str,
    /// A locked link.
    pub locked_title: &'static str,
    /// Why.
    pub locked_why: &'static str,
    /// What to do.
    pub locked_what_now: &'static str,
    /// Too many tries from one address.
    pub too_many_title: &'static str,
    /// The confirmation.
    pub done_title: &'static str,
    /// What happens next.
    pub done_next: &'static str,
    /// The link is closed.
    pub done_closed: &'static str,
    /// The form changed under the draft.
    pub form_updated: &'static str,
    /// What to do about it.
    pub form_updated_check: &'static str,
    /// Optional questions.
    pub optional: &'static str,
    /// Several answers in one box.
    pub one_per_line: &'static str,
    /// Items the pages cannot ask.
    pub asked_at_visit: &'static str,
    /// Adds an instance of a repeating group ("Add another: New medicine").
    pub add_another: &'static str,
    /// Removes an instance.
    pub remove: &'static str,
    /// A group about what is on file, when the chart holds nothing of its kind.
    pub nothing_on_file: &'static str,
    /// To the review page.
    pub review_answers: &'static str,
    /// Next page.
    pub next: &'static str,
    /// Previous page.
    pub back: &'static str,
    /// Saving.
    pub saved_as_you_go: &'static str,
    /// The review page.
    pub check_title: &'static str,
    /// Edit a section.
    pub change: &'static str,
    /// No answer.
    pub not_answered: &'static str,
    /// Submit.
    pub send: &'static str,
}

impl Messages {
    /// The language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// "Step 2 of 3".
    pub fn step_of(&self, step: &usize, steps: &usize) -> String {
        match self.language {
            Language::En => format!("Step {step} of {steps}"),
            Language::Es => format!("Paso {step} de {steps}"),
        }
    }

    /// The heading of a page's error summary.
    pub fn check_answers(&self, count: &usize) -> String {
        match (self.language, count) {
            (Language::En, 1) => "Please check one answer".to_owned(),
            (Language::En, n) => format!("Please check {n} answers"),
            (Language::Es, 1) => "Revise una respuesta, por favor".to_owned(),
            (Language::Es, n) => format!("Revise {n} respuestas, por favor"),
        }
    }

    /// The heading of the review page's summary of what is missing.
    pub fn questions_need_answers(&self, count: &usize) -> String {
        match (self.language, count) {
            (Language::En, 1) => "One question needs an answer before you can send".to_owned(),
            (Language::En, n) => format!("{n} questions need an answer before you can send"),
            (Language::Es, 1) => "Una pregunta necesita respuesta antes de enviar".to_owned(),
            (Language::Es, n) => format!("{n} preguntas necesitan respuesta antes de enviar"),
        }
    }

    /// A wrong date of birth, with the tries left.
    pub fn wrong_birth_date(&self, remaining: i64) -> String {
        match (self.language, remaining) {
            (Language::En, 1) => "That date of birth does not match our records. You have 1 try \
                                  left before this link locks."
                .to_owned(),
            (Language::En, n) => {
                format!("That date of birth does not match our records. You have {n} tries left.")
            }
            (Language::Es, 1) => "Esa fecha de nacimiento no coincide con nuestros registros. Le \
                                  queda 1 intento antes de que este enlace se bloquee."
                .to_owned(),
            (Language::Es, n) => format!(
                "Esa fecha de nacimiento no coincide con nuestros registros. Le quedan {n} intentos."
            ),
        }
    }

    /// How long to wait after too many tries from one address.
    pub fn wait_minutes(&self, minutes: u64) -> String {
        match (self.language, minutes) {
            (Language::En, 1) => "There were too many tries from this network. Please wait a \
                                  minute and try again."
                .to_owned(),
            (Language::En, n) => format!(
                "There were too many tries from this network. Please wait {n} minutes and try again."
            ),
            (Language::Es, 1) => "Hubo demasiados intentos desde esta red. Espere un minuto e \
                                  inténtelo de nuevo."
                .to_owned(),
            (Language::Es, n) => format!(
                "Hubo demasiados intentos desde esta red. Espere {n} minutos e inténtelo de nuevo."
            ),
        }
    }

    /// A date of birth that is not a usable date.
    pub fn bad_birth_date(&self, problem: &crate::domain::BirthDateError) -> &'static str {
        use crate::domain::BirthDateError as E;
        match (self.language, problem) {
            (Language::En, E::NotADate) => "Enter the date as day, month and year.",
            (Language::En, E::InTheFuture) => "A date of birth cannot be in the future.",
            (Language::En, E::TooLongAgo) => "That date is more than 130 years ago.",
            (Language::Es, E::NotADate) => "Escriba la fecha con día, mes y año.",
            (Language::Es, E::InTheFuture) => {
                "Una fecha de nacimiento no puede estar en el futuro."
            }
            (Language::Es, E::TooLongAgo) => "Esa fecha es de hace más de 130 años.",
        }
    }
}

static EN: Messages = Messages {
    language: Language::En,
    skip_to_content: "Skip to content",
    switch_label: "Language",
    verify_title: "Confirm it is you",
    verify_intro: "To keep your health information private, please enter your date of birth.",
    date_of_birth: "Date of birth",
    continue_button: "Continue",
    unusable_title: "This link cannot be used",
    unusable_why: "It may have expired, been replaced by a newer link, or already been used to \
                   send your answers.",
    unusable_what_now: "Please contact the clinic and ask for a new link.",
    locked_title: "This link is locked",
    locked_why: "The date of birth was entered wrongly too many times, so we locked this link to \
                 protect your information.",
    locked_what_now: "Please contact the clinic; they can send you a new link.",
    too_many_title: "Too many tries",
    done_title: "Thank you — your answers were sent",
    done_next: "The clinic has your answers and will review them before your visit.",
    done_closed: "You can close this page. This link no longer opens the form.",
    form_updated: "This form was updated after you started. Your answers were kept.",
    form_updated_check: "Please check these pages again:",
    optional: "(optional)",
    one_per_line: "One per line.",
    asked_at_visit: "The clinic will ask you about this at your visit.",
    add_another: "Add another",
    remove: "Remove",
    nothing_on_file: "We have nothing of this kind on file for you.",
    review_answers: "Review answers",
    next: "Next",
    back: "Back",
    saved_as_you_go: "Your answers are saved each time you move to another page.",
    check_title: "Check your answers",
    change: "Change",
    not_answered: "Not answered",
    send: "Send my answers",
};

static ES: Messages = Messages {
    language: Language::Es,
    skip_to_content: "Saltar al contenido",
    switch_label: "Idioma",
    verify_title: "Confirme que es usted",
    verify_intro: "Para proteger su información de salud, escriba su fecha de nacimiento.",
    date_of_birth: "Fecha de nacimiento",
    continue_button: "Continuar",
    unusable_title: "Este enlace no se puede usar",
    unusable_why: "Puede haber caducado, haber sido reemplazado por un enlace más nuevo o ya se \
                   usó para enviar sus respuestas.",
    unusable_what_now: "Comuníquese con la clínica y pida un enlace nuevo.",
    locked_title: "Este enlace está bloqueado",
    locked_why: "La fecha de nacimiento se escribió mal demasiadas veces, así que bloqueamos este \
                 enlace para proteger su información.",
    locked_what_now: "Comuníquese con la clínica; le pueden enviar un enlace nuevo.",
    too_many_title: "Demasiados intentos",
    done_title: "Gracias: sus respuestas se enviaron",
    done_next: "La clínica tiene sus respuestas y las revisará antes de su consulta.",
    done_closed: "Puede cerrar esta página. Este enlace ya no abre el formulario.",
    form_updated: "Este formulario se actualizó después de que empezó. Sus respuestas se conservaron.",
    form_updated_check: "Revise de nuevo estas páginas:",
    optional: "(opcional)",
    one_per_line: "Una por línea.",
    asked_at_visit: "La clínica le preguntará sobre esto en su consulta.",
    add_another: "Añadir más",
    remove: "Quitar",
    nothing_on_file: "No tenemos nada de este tipo en su expediente.",
    review_answers: "Revisar respuestas",
    next: "Siguiente",
    back: "Atrás",
    saved_as_you_go: "Sus respuestas se guardan cada vez que pasa a otra página.",
    check_title: "Revise sus respuestas",
    change: "Cambiar",
    not_answered: "Sin respuesta",
    send: "Enviar mis respuestas",
};

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accepting(value: &str) -> Language {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        Language::from_accept_language(&headers)
    }

    #[test]
    fn the_browsers_first_spoken_language_by_weight_wins() {
        assert_eq!(accepting("es-MX,es;q=0.9,en;q=0.8"), Language::Es);
        assert_eq!(accepting("fr-CA, en;q=0.5, es;q=0.7"), Language::Es);
        assert_eq!(accepting("de, fr"), Language::En);
        assert_eq!(accepting("es;q=0, en"), Language::En);
        assert_eq!(
            Language::from_accept_language(&HeaderMap::new()),
            Language::En
        );
    }
}
