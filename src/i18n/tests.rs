//! The translation files against the code: every message the code asks for is in every
//! language, and every message of the files is one the code asks for.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::Entry;

use super::Language;
use crate::domain::{Message, Translate};

/// Every message id the code uses.
fn used() -> BTreeSet<&'static str> {
    let mut ids: BTreeSet<&'static str> = crate::web::i18n::PAGE_IDS.iter().copied().collect();
    ids.extend(crate::engine::InputProblem::ALL.map(|p| p.message().id));
    ids.extend(crate::engine::IssueKind::MESSAGE_IDS);
    ids.extend(crate::engine::Answer::MESSAGE_IDS);
    ids.extend(crate::notify::texts::MESSAGE_IDS);
    ids.extend(crate::forms::on_file::TEXT_IDS);
    // How arguments are written: dates in figures, and the decimal separator.
    ids.extend(["date-numeric", "decimal-separator"]);
    ids
}

/// The message ids of each language's files, read as text.
fn in_files() -> BTreeMap<String, BTreeSet<String>> {
    let mut languages = BTreeMap::new();
    for folder in std::fs::read_dir(super::LOCALES_DIR).unwrap() {
        let folder = folder.unwrap().path();
        let language = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut ids = BTreeSet::new();
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            let source = std::fs::read_to_string(&file).unwrap();
            let resource = fluent_syntax::parser::parse(source.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
            for entry in resource.body {
                if let Entry::Message(message) = entry {
                    let id = message.id.name.to_owned();
                    assert!(
                        ids.insert(id.clone()),
                        "{}: `{id}` twice in {language}",
                        file.display()
                    );
                }
            }
        }
        languages.insert(language, ids);
    }
    languages
}

/// Every message id the staff, clinician and admin pages use: English only (their language),
/// others when a clinic adds them.
fn used_by_staff() -> BTreeSet<&'static str> {
    crate::web::staff_texts::ids().into_iter().collect()
}

#[test]
fn every_message_the_code_uses_is_in_every_language_and_every_message_is_used() {
    let used = used();
    let staff = used_by_staff();
    let files = in_files();
    assert!(files.len() >= 3, "{:?}", files.keys());
    for (language, ids) in &files {
        let missing: Vec<&&str> = used.iter().filter(|id| !ids.contains(**id)).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        let unused: Vec<&String> = ids
            .iter()
            .filter(|id| !used.contains(id.as_str()) && !staff.contains(id.as_str()))
            .collect();
        assert!(unused.is_empty(), "{language} has unused {unused:?}");
    }
    let english = &files["en"];
    let missing: Vec<&&str> = staff.iter().filter(|id| !english.contains(**id)).collect();
    assert!(missing.is_empty(), "en lacks staff texts {missing:?}");
    let codes: Vec<&str> = Language::all().iter().map(|l| l.code()).collect();
    assert_eq!(codes, files.keys().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn a_language_is_a_folder_and_english_comes_first() {
    assert_eq!(Language::english().code(), "en");
    assert_eq!(Language::all()[0], *Language::english());
    let vi = Language::parse("vi-VN").unwrap();
    assert_eq!(vi.code(), "vi");
    assert_eq!(vi.name(), "Tiếng Việt");
    assert_eq!(Language::parse("fr"), None);
}

#[test]
fn bounds_are_stated_in_each_language_with_its_own_date_order_and_decimal_separator() {
    let bound = |code: &str, message: &Message| Language::parse(code).unwrap().say(message);
    let date =
        Message::new("issue-date-after-max").with("max", time::macros::date!(2026 - 04 - 12));
    assert_eq!(bound("en", &date), "Enter a date on or before 04/12/2026.");
    assert_eq!(
        bound("es", &date),
        "Escriba una fecha igual o anterior al 12/04/2026."
    );
    assert_eq!(
        bound("vi", &date),
        "Vui lòng nhập một ngày từ 12/04/2026 trở về trước."
    );
    let number =
        Message::new("issue-above-max").with("max", crate::domain::Arg::Decimal("7.5".into()));
    assert_eq!(bound("en", &number), "The answer must be at most 7.5.");
    assert_eq!(bound("vi", &number), "Câu trả lời không được lớn hơn 7,5.");
    let plural = |code: &str, n: u32| bound(code, &Message::new("issue-too-many").with("max", n));
    assert_eq!(plural("en", 1), "Give only one answer.");
    assert_eq!(plural("es", 3), "Dé como máximo 3 respuestas.");
    assert_eq!(plural("vi", 3), "Vui lòng đưa ra tối đa 3 câu trả lời.");
}

#[test]
fn every_message_renders_in_every_language_with_the_arguments_the_code_gives() {
    // Arguments by name, as the code passes them: a message naming any other would fail.
    let args: Vec<(&str, crate::domain::Arg)> = [
        "min",
        "max",
        "count",
        "step",
        "steps",
        "remaining",
        "minutes",
        "seconds",
        "digits",
        "day",
        "month",
        "year",
        "weekday",
        "value",
        // The staff pages' numbers.
        "attempts",
        "number",
        "days",
        "hours",
        "page",
        "pages",
        "skipped",
        "years",
    ]
    .into_iter()
    .map(|name| (name, crate::domain::Arg::Number(2)))
    .chain(
        [
            "time",
            "phone",
            "sent_to",
            "clinic",
            "when",
            "link",
            "code",
            "call",
            "dd",
            "mm",
            "yyyy",
            // The staff pages' words and names.
            "age",
            "at",
            "by",
            "change",
            "consent",
            "created",
            "date",
            "display",
            "escalated",
            "form",
            "id",
            "kind",
            "label",
            "language",
            "list",
            "matching",
            "mrn",
            "name",
            "names",
            "note",
            "patient",
            "problem",
            "query",
            "raised",
            "raw",
            "reason",
            "refused",
            "reviewer",
            "signed",
            "submitted",
            "summary",
            "typed",
            "username",
            "version",
            "waiting",
            "who",
            "whose",
            "zone",
            // The parts of a proposed change's headline and facts (`mapping::describe`).
            "title",
            "what",
            "fact",
            "from",
            "to",
            "subject",
            "severity",
            // A step's detail on a change's trail (`writeback::trail`).
            "fields",
            // A proposed change in one line (`mapping::ChangeSummary`).
            "flag",
            "words",
            "resource",
            "differences",
            "chart",
            // An account refused (`intake::AccountError`).
            "role",
            // Why the rules suggest a form (`schedule::FormChoice`).
            "number",
            "because",
            "coding",
            "low",
            "high",
            "sex",
        ]
        .into_iter()
        .map(|name| (name, crate::domain::Arg::Text("x".into()))),
    )
    .collect();
    let values: std::collections::HashMap<std::borrow::Cow<'static, str>, _> = args
        .iter()
        .map(|(name, arg)| {
            (
                std::borrow::Cow::Owned((*name).to_owned()),
                super::value(Language::english(), arg),
            )
        })
        .collect();
    for language in Language::all() {
        for id in used() {
            let rendered =
                super::LOCALES.lookup_single_language(language.identifier(), id, Some(&values));
            assert!(rendered.is_ok(), "{} {id}: {rendered:?}", language.code());
        }
    }
    let english = Language::english();
    for id in used_by_staff() {
        let rendered =
            super::LOCALES.lookup_single_language(english.identifier(), id, Some(&values));
        assert!(rendered.is_ok(), "en {id}: {rendered:?}");
    }
}
