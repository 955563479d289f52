//! The staff pages' words against `locales/`: every id listed is in English, none carries
//! markup, and a sentence reads in a page byte for byte as the template's own text did.

use askama::Template;

use super::{StaffTexts, ids};
use crate::i18n::LOCALES_DIR;

/// The `(id, text)` of every message of `locales/<language>/*.ftl`.
fn messages(language: &str) -> Vec<(String, String)> {
    let mut messages = Vec::new();
    for file in std::fs::read_dir(format!("{LOCALES_DIR}/{language}")).unwrap() {
        let source = std::fs::read_to_string(file.unwrap().path()).unwrap();
        let resource = fluent_syntax::parser::parse(source.as_str()).unwrap();
        for entry in resource.body {
            if let fluent_syntax::ast::Entry::Message(message) = entry {
                let text = format!("{:?}", message.value);
                messages.push((message.id.name.to_owned(), text));
            }
        }
    }
    messages
}

#[test]
fn every_id_the_staff_pages_use_is_in_english_once() {
    let english: Vec<String> = messages("en").into_iter().map(|(id, _)| id).collect();
    let ids = ids();
    let missing: Vec<&&str> = ids
        .iter()
        .filter(|id| !english.iter().any(|e| e == *id))
        .collect();
    assert!(missing.is_empty(), "locales/en lacks {missing:?}");
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "an id listed twice");
    assert!(ids.len() > 200, "{}", ids.len());
}

#[test]
fn no_staff_text_carries_markup_in_any_language() {
    // The words are written into pages as the template's own text was: markup stays there.
    let ids = ids();
    for folder in std::fs::read_dir(LOCALES_DIR).unwrap() {
        let language = folder.unwrap().file_name().to_string_lossy().into_owned();
        for (id, text) in messages(&language) {
            if ids.contains(&id.as_str()) {
                assert!(
                    !text.contains(['<', '>', '&']),
                    "{language} {id}: markup belongs in the template"
                );
            }
        }
    }
}

#[test]
fn values_are_escaped_and_the_words_are_not() {
    assert_eq!(
        StaffTexts.markers_label().to_string(),
        "From the patient's answers"
    );
    assert_eq!(
        StaffTexts.mrn("<b>O'Brien & \"co\"</b>").to_string(),
        "MRN &#60;b&#62;O&#39;Brien &#38; &#34;co&#34;&#60;/b&#62;"
    );
    assert_eq!(
        StaffTexts.exception_check_fields(1).to_string(),
        "Please check one field"
    );
    assert_eq!(
        StaffTexts.exception_check_fields(3).to_string(),
        "Please check 3 fields"
    );
}

#[derive(Template)]
#[template(
    source = "<p>{{ StaffTexts.markers_label() }} {{ StaffTexts.worklist_for_patient(name) }}</p>",
    ext = "html"
)]
struct Sample {
    name: String,
}

#[test]
fn a_template_writes_the_words_as_they_are_and_escapes_the_values_once() {
    let page = Sample {
        name: "Ana O'Neil".to_owned(),
    };
    assert_eq!(
        page.render().unwrap(),
        "<p>From the patient's answers for Ana O&#39;Neil</p>"
    );
}
