//! How a question asks for its answer on a phone: the HTML `autocomplete` token that lets the
//! browser fill it in (WCAG 2.2 SC 1.3.5) and the `inputmode` that brings up the right keyboard.
//! A form sets them per item (`autocomplete: tel`); the input's `type` follows from them.

use serde::Serialize;

/// The `autocomplete` tokens a form may give an item: the purposes WCAG 2.2 SC 1.3.5 lists
/// that an intake form asks about.
/// <https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#autofill-field>
pub const AUTOCOMPLETE_TOKENS: &[&str] = &[
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "sex",
    "tel",
    "tel-national",
    "email",
    "street-address",
    "address-line1",
    "address-line2",
    "address-level1",
    "address-level2",
    "postal-code",
    "country-name",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "language",
    "organization",
    "off",
];

/// The `inputmode` values of HTML.
/// <https://html.spec.whatwg.org/multipage/interaction.html#input-modalities:-the-inputmode-attribute>
pub const INPUT_MODES: &[&str] = &[
    "text", "tel", "email", "url", "numeric", "decimal", "search", "none",
];

/// What a form says about how an item is typed; both unset for most items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InputHints {
    /// The `autocomplete` token (`tel`, `email`, `given-name`, `bday`..).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// The `inputmode`, where the token's own does not fit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputmode: Option<String>,
}

impl InputHints {
    /// Whether the form set nothing (left out of the form's content hash, so forms written
    /// before hints existed keep theirs).
    pub fn is_empty(&self) -> bool {
        self.autocomplete.is_none() && self.inputmode.is_none()
    }

    /// The autofill field name without its `section-*` prefix (which tells the browser the
    /// answer is about someone else: a subscriber, an emergency contact).
    pub fn field_name(&self) -> Option<&str> {
        self.autocomplete
            .as_deref()
            .map(|token| token.rsplit(' ').next().unwrap_or(token))
    }

    /// The `section-*` prefix with its space (`section-subscriber `), or empty.
    pub fn section(&self) -> &str {
        self.autocomplete
            .as_deref()
            .and_then(|token| token.rfind(' ').and_then(|at| token.get(..=at)))
            .unwrap_or("")
    }

    /// Whether `token` is a known field name, optionally after one `section-<name>` prefix.
    pub fn is_known(token: &str) -> bool {
        match token.split_once(' ') {
            Some((section, name)) => {
                section.len() > "section-".len()
                    && section.starts_with("section-")
                    && section
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && AUTOCOMPLETE_TOKENS.contains(&name)
            }
            None => AUTOCOMPLETE_TOKENS.contains(&token),
        }
    }

    /// The `type` of a one-line text input with these hints: `tel` and `email` bring their
    /// keyboards and checks; everything else is `text`.
    pub fn input_type(&self) -> &'static str {
        match self.field_name() {
            Some("tel" | "tel-national") => "tel",
            Some("email") => "email",
            _ => "text",
        }
    }

    /// The `inputmode`: the form's own, else the one its token implies (`tel`, `email`,
    /// `numeric` for a postal code), else `default` (the item type's).
    pub fn inputmode<'a>(&'a self, default: Option<&'a str>) -> Option<&'a str> {
        self.inputmode
            .as_deref()
            .or_else(|| match self.field_name() {
                Some("tel" | "tel-national") => Some("tel"),
                Some("email") => Some("email"),
                Some("postal-code" | "bday-day" | "bday-month" | "bday-year") => Some("numeric"),
                _ => default,
            })
    }

    /// Whether the item is a date of birth: asked as day, month and year.
    pub fn is_birth_date(&self) -> bool {
        self.field_name() == Some("bday")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(autocomplete: &str) -> InputHints {
        InputHints {
            autocomplete: Some(autocomplete.to_owned()),
            inputmode: None,
        }
    }

    #[test]
    fn a_phone_gets_the_phone_keyboard_and_an_email_the_email_one() {
        assert_eq!(hints("tel").input_type(), "tel");
        assert_eq!(hints("tel").inputmode(None), Some("tel"));
        assert_eq!(hints("email").input_type(), "email");
        assert_eq!(hints("email").inputmode(None), Some("email"));
        assert_eq!(hints("postal-code").input_type(), "text");
        assert_eq!(hints("postal-code").inputmode(None), Some("numeric"));
        assert_eq!(hints("given-name").inputmode(Some("text")), Some("text"));
    }

    #[test]
    fn a_section_prefix_marks_someone_elses_details_and_keeps_the_keyboard() {
        let contact = hints("section-contact tel");
        assert_eq!(contact.input_type(), "tel");
        assert_eq!(contact.section(), "section-contact ");
        assert!(hints("section-subscriber bday").is_birth_date());
        assert!(InputHints::is_known("section-subscriber bday"));
        assert!(!InputHints::is_known("section- bday"));
        assert!(!InputHints::is_known("section-x nonsense"));
        assert!(!InputHints::is_known("phone"));
    }

    #[test]
    fn a_forms_own_inputmode_wins_over_the_tokens() {
        let own = InputHints {
            autocomplete: Some("postal-code".to_owned()),
            inputmode: Some("text".to_owned()),
        };
        assert_eq!(own.inputmode(None), Some("text"));
    }
}
