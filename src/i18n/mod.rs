//! Translations as data: every text people read lives in `locales/<language>/*.ftl` (Fluent),
//! compiled into the binary, keyed by message id. A language is a folder there: adding one
//! touches no Rust code. The core hands over [`Message`]s (an id and its arguments); this edge
//! module renders them.

#[cfg(test)]
mod core_english;
mod language;
mod phrase;
#[cfg(test)]
mod tests;

use std::{borrow::Cow, collections::HashMap};

use fluent_templates::{fluent_bundle::FluentValue, static_loader};

pub use language::Language;
pub use phrase::JOINER_IDS;

use crate::domain::{Arg, Message};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around placeables: every text here is left to right,
        // and the marks would show in text messages and break exact comparisons.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The folder of the translations, for tests that read the files themselves.
pub const LOCALES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");

/// `id` with `args` in `language`, else in English (the fallback, which has every id); the id
/// itself if neither has it, which the tests make sure never happens.
fn render(language: &Language, id: &str, args: &[(&str, Arg)]) -> String {
    let values: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(name, arg)| (Cow::Owned((*name).to_owned()), value(language, arg)))
        .collect();
    let args = (!values.is_empty()).then_some(&values);
    LOCALES
        .lookup_single_language(language.identifier(), id, args)
        .or_else(|_| LOCALES.lookup_single_language(Language::english().identifier(), id, args))
        .unwrap_or_else(|_| {
            tracing::warn!(id, language = language.code(), "no such message");
            id.to_owned()
        })
}

/// An argument as Fluent takes it: numbers as numbers (for plural forms), dates and decimals
/// already written the language's way.
fn value(language: &Language, arg: &Arg) -> FluentValue<'static> {
    match arg {
        Arg::Number(n) => FluentValue::from(*n),
        Arg::Text(text) => FluentValue::from(text.clone()),
        Arg::Decimal(text) => {
            let separator = render(language, "decimal-separator", &[]);
            FluentValue::from(text.replace('.', &separator))
        }
        Arg::Date(date) => FluentValue::from(render(
            language,
            "date-numeric",
            &[
                ("dd", Arg::Text(format!("{:02}", date.day()))),
                ("mm", Arg::Text(format!("{:02}", u8::from(date.month())))),
                ("yyyy", Arg::Text(format!("{:04}", date.year()))),
            ],
        )),
    }
}

impl crate::domain::Translate for Language {
    fn language(&self) -> &str {
        self.code()
    }

    fn say(&self, message: &Message) -> String {
        render(self, message.id, &message.args)
    }
}

impl Language {
    /// The message `id` without arguments.
    pub fn text(&self, id: &str) -> String {
        render(self, id, &[])
    }

    /// The message `id` with `args`.
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        render(self, id, args)
    }
}
