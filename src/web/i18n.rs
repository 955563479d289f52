//! The patient pages' language: English or Spanish, chosen from the browser's `Accept-Language`
//! and switchable on every page (a plain link that sets a cookie, so it works without
//! JavaScript), and every sentence of those pages in both.

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

impl Language {
    /// The language of a request: the patient's choice (cookie) if any, else the browser's.
    pub fn of_request(headers: &HeaderMap, cookies: CookiePolicy) -> Self {
        cookies
            .read(headers, Cookie::Language)
            .and_then(|code| Self::parse(&code))
            .unwrap_or_else(|| Self::from_accept_language(headers))
    }
}

/// The language of a request: the patient's choice (cookie) if any, else the browser's.
impl FromRequestParts<AppState> for Language {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of_request(&parts.headers, state.cookies))
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

/// Every sentence of the patient pages, in one language. Both languages fill every field, so
/// a page cannot show a sentence in one language only.
#[derive(Debug)]
pub struct Messages {
    language: Language,
    /// The skip link.
    pub skip_to_content: &'static str,
    /// The language switch's label for screen readers.
    pub switch_label: &'static str,
    /// A link whose visit the clinic cancelled: the heading.
    pub cancelled_title: &'static str,
    /// Why the form is closed.
    pub cancelled_why: &'static str,
    /// What to do.
    pub cancelled_what_now: &'static str,
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
    /// Why, when one-time codes are on.
    pub locked_why_code: &'static str,
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
    /// The sign-out button on the patient's pages.
    pub sign_out: &'static str,
    /// After signing out: the heading.
    pub signed_out_title: &'static str,
    /// After signing out: how to come back.
    pub signed_out_body: &'static str,
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
    /// The one-time code page.
    pub code_title: &'static str,
    /// The field.
    pub code_label: &'static str,
    /// Above the button for a new code.
    pub code_not_received: &'static str,
    /// The button for a new code.
    pub code_resend: &'static str,
    /// A new code went out.
    pub code_resent: &'static str,
    /// A code could not be sent.
    pub code_not_sent: &'static str,
    /// The link has had all its codes.
    pub code_no_more: &'static str,
    /// Not six digits.
    pub bad_code: &'static str,
    /// No code works now.
    pub code_expired: &'static str,
    /// No code can be sent: the heading.
    pub call_clinic_title: &'static str,
    /// Why.
    pub call_clinic_why: &'static str,
    /// What to do.
    pub call_clinic_what_now: &'static str,
    /// A code cannot be sent just now: the heading.
    pub try_later_title: &'static str,
    /// Why, and what to do.
    pub try_later_why: &'static str,
    /// On an error page, before its reference (the request id).
    pub error_reference: &'static str,
    // issue 17: flow
    /// A date's day box.
    pub date_day: &'static str,
    /// A date's month box.
    pub date_month: &'static str,
    /// A date's year box.
    pub date_year: &'static str,
    /// Whether the language writes the day before the month (the boxes' order).
    pub date_day_first: bool,
    /// Under a date of birth: an example in the boxes' order.
    pub date_hint: &'static str,
    /// A minute before an idle session ends.
    pub idle_warning: &'static str,
    /// The button that keeps the session.
    pub idle_stay: &'static str,
    /// Beside a button while its page is on its way (a slow network).
    pub busy: &'static str,
    // issue 17: media
    /// Under a photo question, once a photo was sent.
    pub photo_sent: &'static str,
    /// The box that removes the photo sent.
    pub photo_remove: &'static str,
    /// While a photo is scaled down and sent (with JavaScript).
    pub photo_sending: &'static str,
    /// On the confirmation: the link to the patient's copy.
    pub copy_link: &'static str,
    /// The copy's heading.
    pub copy_title: &'static str,
    /// Under the heading: when it was sent.
    pub copy_sent_at: &'static str,
    /// The copy's print button.
    pub copy_print: &'static str,
    // issue 17: signatures
    /// Under a drawn signature's question, once a drawing was sent.
    pub signature_sent: &'static str,
    /// The box that removes the drawing sent.
    pub signature_remove: &'static str,
    /// The drawing pad's accessible name.
    pub signature_pad: &'static str,
    /// Above the pad: a keyboard or screen-reader user need not draw.
    pub signature_keyboard: &'static str,
    /// The button that clears the pad.
    pub signature_clear: &'static str,
    /// Announced when the pad is cleared.
    pub signature_cleared: &'static str,
    /// Announced when a stroke is drawn.
    pub signature_drawn: &'static str,
    /// On the review and the copy, under a consent signed by drawing.
    pub signed_drawn: &'static str,
    /// On the review and the copy, under a consent signed by the typed name alone.
    pub signed_typed: &'static str,
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

    /// Where the code went (masked) and how long it works.
    pub fn code_sent_to(&self, sent_to: &str) -> String {
        let minutes = crate::intake::CODE_LIFETIME.as_secs() / 60;
        match self.language {
            Language::En => format!(
                "We sent a {digits}-digit code to {sent_to}. Enter it here; it works for {minutes} minutes.",
                digits = crate::domain::CODE_DIGITS
            ),
            Language::Es => format!(
                "Enviamos un código de {digits} dígitos a {sent_to}. Escríbalo aquí; sirve durante {minutes} minutos.",
                digits = crate::domain::CODE_DIGITS
            ),
        }
    }

    /// A wrong one-time code, with the tries left.
    pub fn wrong_code(&self, remaining: i64) -> String {
        match (self.language, remaining) {
            (Language::En, 1) => "That code is not right. You have 1 try left before this link \
                                  locks."
                .to_owned(),
            (Language::En, n) => format!("That code is not right. You have {n} tries left."),
            (Language::Es, 1) => "Ese código no es correcto. Le queda 1 intento antes de que \
                                  este enlace se bloquee."
                .to_owned(),
            (Language::Es, n) => format!("Ese código no es correcto. Le quedan {n} intentos."),
        }
    }

    /// How long until a new code may be asked for.
    pub fn code_wait(&self, wait: std::time::Duration) -> String {
        // Rounded up, so a patient who waits that long is never refused again.
        let seconds = u64::try_from(wait.as_millis().div_ceil(1000))
            .unwrap_or(u64::MAX)
            .max(1);
        match self.language {
            Language::En => format!(
                "The code we sent still works. You can ask for a new one in {seconds} seconds."
            ),
            Language::Es => format!(
                "El código que enviamos todavía sirve. Puede pedir uno nuevo en {seconds} segundos."
            ),
        }
    }

    /// An error page's heading and sentence.
    pub fn error_page(&self, kind: ErrorKind) -> (&'static str, &'static str) {
        use ErrorKind as K;
        match (self.language, kind) {
            (Language::En, K::NotFound) => ("Page not found", "We could not find that page."),
            (Language::En, K::Forbidden) => (
                "Not allowed",
                "Your account does not give access to this page.",
            ),
            (Language::En, K::NoPatientSession) => (
                "Please open your link again",
                "For your privacy this page needs the link from your message. Open it again to \
                 continue; your answers are saved.",
            ),
            (Language::En, K::Forgery) => (
                "This form has expired",
                "Go back, reload the page and try again. Nothing was changed.",
            ),
            (Language::En, K::Conflict) => (
                "Already done",
                "Someone already acted on this, or it no longer applies. Reload to see where it \
                 stands.",
            ),
            (Language::En, K::BadInput) => (
                "This could not be read",
                "Something in what was sent cannot be used, such as a control character. Go \
                 back, check what you typed and try again.",
            ),
            (Language::En, K::TooLarge) => (
                "Too much to send at once",
                "What was sent is larger than this page takes. Go back, shorten it and try again.",
            ),
            (Language::En, K::Internal) => (
                "Something went wrong",
                "Something went wrong on our side. Anything you saved is kept; please try again \
                 in a moment.",
            ),
            (Language::Es, K::NotFound) => {
                ("Página no encontrada", "No pudimos encontrar esa página.")
            }
            (Language::Es, K::Forbidden) => {
                ("No permitido", "Su cuenta no da acceso a esta página.")
            }
            (Language::Es, K::NoPatientSession) => (
                "Abra su enlace de nuevo, por favor",
                "Para proteger su privacidad, esta página necesita el enlace de su mensaje. Ábralo \
                 de nuevo para continuar; sus respuestas están guardadas.",
            ),
            (Language::Es, K::Forgery) => (
                "Este formulario caducó",
                "Vuelva atrás, recargue la página e inténtelo de nuevo. No se cambió nada.",
            ),
            (Language::Es, K::Conflict) => (
                "Ya está hecho",
                "Alguien ya se ocupó de esto, o ya no corresponde. Recargue la página para ver \
                 cómo está.",
            ),
            (Language::Es, K::BadInput) => (
                "No se pudo leer",
                "Algo de lo enviado no se puede usar, como un carácter de control. Vuelva atrás, \
                 revise lo que escribió e inténtelo de nuevo.",
            ),
            (Language::Es, K::TooLarge) => (
                "Demasiado para enviar de una vez",
                "Lo enviado es más grande de lo que esta página admite. Vuelva atrás, acórtelo e \
                 inténtelo de nuevo.",
            ),
            (Language::Es, K::Internal) => (
                "Algo salió mal",
                "Algo salió mal de nuestro lado. Lo que guardó se conserva; inténtelo de nuevo en \
                 un momento.",
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
    cancelled_title: "This visit was cancelled",
    cancelled_why: "The clinic cancelled the visit this link was for, so its form is closed.",
    cancelled_what_now: "If you think this is a mistake, or to book a new visit, please contact the clinic.",
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
    locked_why_code: "The date of birth or the code was entered wrongly too many times, so we \
                      locked this link to protect your information.",
    locked_what_now: "Please contact the clinic; they can send you a new link.",
    too_many_title: "Too many tries",
    done_title: "Thank you — your answers were sent",
    done_next: "The clinic has your answers and will review them before your visit.",
    done_closed: "You can close this page. This link no longer opens the form.",
    sign_out: "Sign out",
    signed_out_title: "You are signed out",
    signed_out_body: "Your answers are saved. To continue, open the link in your message again.",
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
    saved_as_you_go: "Your answers are saved as you go.",
    check_title: "Check your answers",
    change: "Change",
    not_answered: "Not answered",
    send: "Send my answers",
    code_title: "Enter your code",
    code_label: "Code",
    code_not_received: "Did not get it?",
    code_resend: "Send a new code",
    code_resent: "We sent a new code. The one before it no longer works.",
    code_not_sent: "We could not send the code just now. Please ask for a new code in a minute.",
    code_no_more: "No more codes can be sent for this link. Enter the last code we sent, or call \
                   the clinic.",
    bad_code: "Enter the 6 digits of the code.",
    code_expired: "That code no longer works: it expired or was already used. Ask for a new code \
                   below.",
    call_clinic_title: "Please call the clinic",
    call_clinic_why: "We cannot send you a code to finish confirming it is you.",
    call_clinic_what_now: "Please call the clinic; they can help you get started.",
    try_later_title: "Please try again soon",
    try_later_why: "We could not send you a code just now. Please open your link again in a few \
                    minutes.",
    error_reference: "If you contact the clinic about this, mention reference",
    // issue 17: flow
    date_day: "Day",
    date_month: "Month",
    date_year: "Year",
    date_day_first: false,
    date_hint: "For example, 3 27 1958",
    idle_warning: "For your privacy, this page will close in one minute unless you stay. Your \
                   answers are saved.",
    idle_stay: "Stay on this page",
    busy: "Please wait…",
    // issue 17: media
    photo_sent: "A photo was sent. To replace it, choose another.",
    photo_remove: "Remove this photo",
    photo_sending: "Sending the photo…",
    copy_link: "Download or print a copy of your answers",
    copy_title: "A copy of your answers",
    copy_sent_at: "Sent",
    copy_print: "Print or save as PDF",
    signature_sent: "Your drawn signature was saved. To replace it, draw again.",
    signature_remove: "Remove the drawn signature",
    signature_pad: "Signature box: draw with your finger or a mouse",
    signature_keyboard: "Using a keyboard or a screen reader? You need not draw: the full name you \
                         typed is your signature.",
    signature_clear: "Clear the drawing",
    signature_cleared: "The drawing was cleared.",
    signature_drawn: "Signature drawn. It is sent when you go on.",
    signed_drawn: "Signed with your drawn signature and your typed full name.",
    signed_typed: "Signed by typing your full name.",
};

static ES: Messages = Messages {
    language: Language::Es,
    skip_to_content: "Saltar al contenido",
    switch_label: "Idioma",
    cancelled_title: "Esta consulta fue cancelada",
    cancelled_why: "La clínica canceló la consulta de este enlace, así que su formulario está cerrado.",
    cancelled_what_now: "Si cree que es un error, o para hacer una nueva cita, por favor comuníquese con la clínica.",
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
    locked_why_code: "La fecha de nacimiento o el código se escribieron mal demasiadas veces, así \
                      que bloqueamos este enlace para proteger su información.",
    locked_what_now: "Comuníquese con la clínica; le pueden enviar un enlace nuevo.",
    too_many_title: "Demasiados intentos",
    done_title: "Gracias: sus respuestas se enviaron",
    done_next: "La clínica tiene sus respuestas y las revisará antes de su consulta.",
    done_closed: "Puede cerrar esta página. Este enlace ya no abre el formulario.",
    sign_out: "Cerrar sesión",
    signed_out_title: "Cerró la sesión",
    signed_out_body: "Sus respuestas están guardadas. Para continuar, abra de nuevo el enlace de su mensaje.",
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
    saved_as_you_go: "Sus respuestas se guardan a medida que avanza.",
    check_title: "Revise sus respuestas",
    change: "Cambiar",
    not_answered: "Sin respuesta",
    send: "Enviar mis respuestas",
    code_title: "Escriba su código",
    code_label: "Código",
    code_not_received: "¿No le llegó?",
    code_resend: "Enviar un código nuevo",
    code_resent: "Enviamos un código nuevo. El anterior ya no sirve.",
    code_not_sent: "No pudimos enviar el código en este momento. Pida un código nuevo en un minuto.",
    code_no_more: "No se pueden enviar más códigos para este enlace. Escriba el último código que \
                   enviamos o llame a la clínica.",
    bad_code: "Escriba los 6 dígitos del código.",
    code_expired: "Ese código ya no sirve: caducó o ya se usó. Pida un código nuevo abajo.",
    call_clinic_title: "Llame a la clínica, por favor",
    call_clinic_why: "No podemos enviarle un código para terminar de confirmar que es usted.",
    call_clinic_what_now: "Llame a la clínica; le pueden ayudar a empezar.",
    try_later_title: "Inténtelo de nuevo pronto",
    try_later_why: "No pudimos enviarle un código en este momento. Abra su enlace de nuevo en unos \
                    minutos.",
    error_reference: "Si se comunica con la clínica por esto, mencione la referencia",
    // issue 17: flow
    date_day: "Día",
    date_month: "Mes",
    date_year: "Año",
    date_day_first: true,
    date_hint: "Por ejemplo, 27 3 1958",
    idle_warning: "Para proteger su privacidad, esta página se cerrará en un minuto si no se \
                   queda. Sus respuestas están guardadas.",
    idle_stay: "Quedarme en esta página",
    busy: "Espere, por favor…",
    // issue 17: media
    photo_sent: "Se envió una foto. Para reemplazarla, elija otra.",
    photo_remove: "Quitar esta foto",
    photo_sending: "Enviando la foto…",
    copy_link: "Descargar o imprimir una copia de sus respuestas",
    copy_title: "Una copia de sus respuestas",
    copy_sent_at: "Enviadas",
    copy_print: "Imprimir o guardar como PDF",
    signature_sent: "Se guardó su firma dibujada. Para reemplazarla, vuelva a dibujar.",
    signature_remove: "Quitar la firma dibujada",
    signature_pad: "Recuadro de firma: dibuje con el dedo o el ratón",
    signature_keyboard: "¿Usa un teclado o un lector de pantalla? No necesita dibujar: el nombre \
                         completo que escribió es su firma.",
    signature_clear: "Borrar el dibujo",
    signature_cleared: "Se borró el dibujo.",
    signature_drawn: "Firma dibujada. Se envía al continuar.",
    signed_drawn: "Firmado con su firma dibujada y su nombre completo escrito.",
    signed_typed: "Firmado al escribir su nombre completo.",
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
