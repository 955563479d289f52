//! A language the product speaks: one of the folders of `locales/`, found at compile time.

use std::{fmt, sync::LazyLock};

use fluent_templates::{LanguageIdentifier, Loader as _};

use super::LOCALES;

/// A language with a folder in `locales/`: English (the fallback, which has every text) and
/// any other. Cheap to copy; compared by code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Language(&'static Locale);

#[derive(PartialEq, Eq)]
struct Locale {
    code: String,
    identifier: LanguageIdentifier,
}

/// The languages present, English first, then by code.
static LANGUAGES: LazyLock<Vec<Language>> = LazyLock::new(|| {
    let mut locales: Vec<Locale> = LOCALES
        .locales()
        .map(|identifier| Locale {
            code: identifier.to_string(),
            identifier: identifier.clone(),
        })
        .collect();
    locales.sort_by(|a, b| (a.code != "en", &a.code).cmp(&(b.code != "en", &b.code)));
    locales
        .into_iter()
        .map(|locale| Language(Box::leak(Box::new(locale))))
        .collect()
});

impl Language {
    /// Every language the product speaks, English first.
    pub fn all() -> &'static [Language] {
        &LANGUAGES
    }

    /// English: the fallback, and the language of staff pages and the chart.
    pub fn english() -> &'static Language {
        // `locales/en` is required by the loader at compile time, so it is always first.
        &LANGUAGES[0]
    }

    /// Reads a code (`es`, `es-MX`, `VI`): the language by its primary subtag, if the product
    /// speaks it.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Self::all().iter().copied().find(|l| l.code() == primary)
    }

    /// The BCP 47 code (`en`, `es`, `vi`), as forms key their translations.
    pub fn code(self) -> &'static str {
        &self.0.code
    }

    pub(super) fn identifier(&self) -> &'static LanguageIdentifier {
        &self.0.identifier
    }

    /// The language's own name (`Español`), as the language switch shows it.
    pub fn name(self) -> String {
        self.text("language-name")
    }

    /// Whether dates are written day first (the order of the day, month and year boxes).
    pub fn day_first(self) -> bool {
        self.text("date-order") == "dmy"
    }

    /// The first of `codes` the product speaks (a form's languages, its fallback first).
    pub fn first_of<'a>(codes: impl IntoIterator<Item = &'a String>) -> Option<Self> {
        codes.into_iter().find_map(|code| Self::parse(code))
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Language({})", self.code())
    }
}
