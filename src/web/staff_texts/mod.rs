//! The words of the staff, clinician and admin pages, by message id from `locales/en/*.ftl`
//! (`staff.ftl`, `clinician.ftl`, `changes.ftl`, `admin.ftl`): one method of [`StaffTexts`] per
//! id, so a template or handler naming an id that is not listed here does not compile, and
//! [`ids`] for the tests that hold the list against the files.
//!
//! Staff pages speak English, the fallback: a clinic adding `locales/<language>/staff.ftl` and
//! the others adds data only; choosing that language for staff is the one line in
//! [`StaffTexts::language`].

use std::fmt;

use askama::filters::{Escaper as _, Html, HtmlSafe};

use crate::{
    domain::{Arg, Message, Phrase},
    i18n::Language,
    mapping::ChangeSummary,
};

/// The staff pages' words. Templates call it by name (`{{ StaffTexts.sign_out() }}`); Rust
/// code uses the methods that return a plain `String`.
#[derive(Debug, Clone, Copy)]
pub struct StaffTexts;

impl StaffTexts {
    /// The language of the staff pages: English, which has every message.
    pub fn language(self) -> Language {
        *Language::english()
    }

    /// The message `id` with `args`, as plain text (escaped later, where a template shows it).
    fn say(self, id: &str, args: &[(&str, Arg)]) -> String {
        self.language().format(id, args)
    }

    /// A message the core handed over (a hold reason, a stage, a state), in this language.
    pub fn message(self, message: &Message) -> String {
        self.say(message.id, &message.args)
    }

    /// Words the core put together (a proposed change's headline, a fact and its value), in
    /// this language.
    pub fn phrase(self, phrase: &Phrase) -> String {
        self.language().phrase(phrase)
    }

    /// A proposed change in one line ("Allergy: penicillin"), as stored with it, in this
    /// language.
    pub fn change_summary(self, summary: &ChangeSummary) -> String {
        self.phrase(summary.phrase())
    }

    /// The message `id` for a template: its arguments escaped as askama escapes `{{ }}`, the
    /// words of the file as written, as the template's own text was before.
    fn page(self, id: &str, args: Vec<(&str, Arg)>) -> Text {
        let args: Vec<(&str, Arg)> = args
            .into_iter()
            .map(|(name, arg)| match arg {
                Arg::Text(text) => (name, Arg::Text(escape(&text))),
                other => (name, other),
            })
            .collect();
        Text(self.say(id, &args))
    }
}

/// A text without arguments, as tables of codes and their words name it.
pub type Words = fn(StaffTexts) -> String;

/// `text` escaped for HTML, exactly as askama escapes `{{ value }}`.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    // Writing to a String cannot fail.
    let _ = Html.write_escaped_str(&mut escaped, text);
    escaped
}

/// A sentence of a staff page, ready for HTML: the `.ftl` words as the template's own text
/// (trusted, compiled in, and held free of markup by a test), the values in it escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(String);

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Its values were escaped when it was rendered; escaping again would show `&amp;#39;`.
impl HtmlSafe for Text {}

/// A value a staff message speaks of, however deeply a template borrows it.
pub trait StaffArg {
    /// The value as a message argument.
    fn arg(&self) -> Arg;
}

impl<T: StaffArg + ?Sized> StaffArg for &T {
    fn arg(&self) -> Arg {
        (**self).arg()
    }
}

impl StaffArg for str {
    fn arg(&self) -> Arg {
        Arg::from(self)
    }
}

impl StaffArg for String {
    fn arg(&self) -> Arg {
        Arg::from(self.as_str())
    }
}

macro_rules! number_args {
    ($($ty:ty),*) => {$(
        impl StaffArg for $ty {
            fn arg(&self) -> Arg {
                Arg::from(*self)
            }
        }
    )*};
}

number_args!(usize, u64, u32, i64, i32, u8);

/// One method per message id, in two kinds: `page` ones return a [`Text`] for templates,
/// `words` ones a plain `String` for Rust code that builds a value a template shows (escaped
/// there). Each area file lists its ids in `IDS`. Arguments are named as in the `.ftl` files.
macro_rules! staff_texts {
    (
        page { $($page:ident $(($($parg:ident),*))? = $page_id:literal;)* }
        words { $($word:ident $(($($warg:ident),*))? = $word_id:literal;)* }
    ) => {
        impl super::StaffTexts {
            $(
                #[doc = concat!("`", $page_id, "`, for a template.")]
                pub fn $page(self $($(, $parg: impl super::StaffArg)*)?) -> super::Text {
                    self.page($page_id, vec![$($((stringify!($parg), super::StaffArg::arg(&$parg))),*)?])
                }
            )*
            $(
                #[doc = concat!("`", $word_id, "`.")]
                pub fn $word(self $($(, $warg: impl super::StaffArg)*)?) -> String {
                    self.say($word_id, &[$($((stringify!($warg), super::StaffArg::arg(&$warg))),*)?])
                }
            )*
        }

        /// Every message id of this area.
        #[cfg(test)]
        pub(super) const IDS: &[&str] = &[$($page_id,)* $($word_id,)*];
    };
}

// After the macro, which the area files use.
mod admin;
mod changes;
mod clinician;
mod staff;

/// Every message id the staff, clinician and admin pages use, for the tests that hold them
/// against `locales/`.
#[cfg(test)]
pub fn ids() -> Vec<&'static str> {
    let mut ids = [staff::IDS, clinician::IDS, changes::IDS, admin::IDS].concat();
    // Handed over by the core as messages, rendered by `StaffTexts::message`.
    ids.extend(crate::mapping::HoldReason::MESSAGE_IDS);
    ids.extend(crate::mapping::Reviewer::MESSAGE_IDS);
    ids.extend(crate::writeback::Stage::MESSAGE_IDS);
    ids.extend(crate::domain::IntakeState::MESSAGE_IDS);
    ids.extend(crate::domain::StaffRole::MESSAGE_IDS);
    ids.extend(crate::summary::ChartFacts::SEX_IDS);
    ids.extend(crate::mapping::describe_message_ids());
    ids.extend(crate::i18n::JOINER_IDS);
    ids.extend(crate::mapping::edit_message_ids());
    ids.extend(crate::mapping::SUMMARY_MESSAGE_IDS);
    ids.extend(crate::writeback::TRAIL_DETAIL_IDS);
    ids.extend(crate::writeback::ACTOR_MESSAGE_IDS);
    ids.extend(crate::auth::PasswordRuleError::MESSAGE_IDS);
    ids.extend(crate::intake::PasswordChangeError::MESSAGE_IDS);
    ids.extend(crate::intake::AccountError::MESSAGE_IDS);
    ids.extend(crate::schedule::REASON_MESSAGE_IDS);
    ids
}

#[cfg(test)]
mod tests;
