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
    // A form rule's reason ("age 7 < 18") reaches a page only rendered to plain text and then
    // escaped as the value of `booking-suggested-by`, as it was before it had ids.
    let ids: Vec<&str> = ids()
        .into_iter()
        .filter(|id| !crate::schedule::REASON_MESSAGE_IDS.contains(id))
        .collect();
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

/// A proposed change as a clerk reads it on the exception page: the headline, then each fact,
/// chart first, marked `*` where it differs.
fn english(example: &crate::mapping::DescribeExample) -> String {
    let compared = crate::mapping::compare_in_words(&example.proposed, example.on_file.as_ref());
    let mut out = format!("{}\n", StaffTexts.phrase(&compared.headline));
    for row in &compared.rows {
        let side = |value: &Option<crate::domain::Phrase>| {
            value
                .as_ref()
                .map_or_else(|| "—".to_owned(), |v| StaffTexts.phrase(v))
        };
        out.push_str(&format!(
            "{} {}: {} | {}\n",
            if row.differs { "*" } else { " " },
            StaffTexts.phrase(&row.label),
            side(&row.on_file),
            side(&row.proposed),
        ));
    }
    out
}

#[test]
fn proposed_changes_read_in_english_word_for_word_as_before_they_were_ids() {
    // The snapshots were the core's own English before its words became message ids.
    for example in crate::mapping::describe_examples() {
        insta::assert_snapshot!(format!("english_{}", example.name), english(&example));
    }
}

#[test]
fn a_headline_reads_in_english() {
    let headline = |name: &str| {
        let example = crate::mapping::describe_examples()
            .into_iter()
            .find(|e| e.name == name)
            .unwrap();
        let compared =
            crate::mapping::compare_in_words(&example.proposed, example.on_file.as_ref());
        StaffTexts.phrase(&compared.headline)
    };
    assert_eq!(
        headline(
            "an_allergy_the_patient_no_longer_has_reads_as_active_to_resolved_with_their_words"
        ),
        "Penicillin allergy — active → resolved; patient says: Stopped reacting in 2019"
    );
    assert_eq!(
        headline(
            "a_stopped_medicine_shows_the_status_change_and_keeps_the_charts_notes_out_of_the_headline"
        ),
        "Lisinopril 10 MG Oral Tablet — active → stopped; patient says: Stopped in October: cough"
    );
    assert_eq!(
        headline("nothing_unchanged_is_marked_and_the_headline_says_so"),
        "Penicillin allergy — no change"
    );
    assert_eq!(
        headline("a_new_medicine_reads_as_new_and_says_when_it_is_not_coded"),
        "Metformin 500 mg — new, as the patient reported it"
    );
}

#[test]
fn every_fact_code_and_month_has_its_in_sentence_form_in_english() {
    let language = StaffTexts.language();
    for id in crate::mapping::describe_in_sentence_ids() {
        let alone = language.text(id);
        let in_sentence = language.text(&format!("{id}.in-sentence"));
        assert_ne!(in_sentence, format!("{id}.in-sentence"), "{id}");
        assert_eq!(in_sentence, alone.to_lowercase(), "{id}");
    }
}

#[test]
fn who_did_a_step_reads_in_english_as_before_it_was_an_id() {
    let staff = std::collections::HashMap::from([(uuid::Uuid::from_u128(5), "Dana Desk".into())]);
    let who = |actor: &str| StaffTexts.phrase(&crate::writeback::actor_name(actor, &staff));
    assert_eq!(
        who(&format!("staff:{}", uuid::Uuid::from_u128(5))),
        "Dana Desk"
    );
    assert_eq!(
        who(&format!("staff:{}", uuid::Uuid::from_u128(6))),
        "A former staff account"
    );
    assert_eq!(who("patient:abc"), "The patient");
    assert_eq!(who("worker"), "Write-back worker");
    assert_eq!(who("system"), "Intake");
}

#[test]
fn account_and_password_refusals_read_in_english_as_their_display_did() {
    use crate::{
        auth::PasswordRuleError,
        intake::{AccountError, PasswordChangeError},
    };
    let rules = [
        PasswordRuleError::TooShort,
        PasswordRuleError::TooLong,
        PasswordRuleError::Common,
    ];
    let accounts = rules.map(AccountError::Password).into_iter().chain([
        AccountError::Username(crate::domain::UsernameError),
        AccountError::Role("superuser".into()),
        AccountError::NoPassword,
        AccountError::DisplayName,
        AccountError::Taken("bo".into()),
        AccountError::NoSuchAccount("bo".into()),
        AccountError::OwnAccount,
    ]);
    for error in accounts {
        // The admin page showed the Display as a sentence.
        let display = error.to_string();
        let sentence = display[..1].to_uppercase() + &display[1..] + ".";
        assert_eq!(StaffTexts.message(&error.message().unwrap()), sentence);
    }
    let changes = rules.map(PasswordChangeError::Rule).into_iter().chain([
        PasswordChangeError::Mismatch,
        PasswordChangeError::Unchanged,
    ]);
    for error in changes {
        // The password page put the Display inside its sentence.
        let in_sentence = crate::domain::Phrase::Said(error.message()).in_sentence();
        assert_eq!(StaffTexts.phrase(&in_sentence), error.to_string());
    }
}

#[test]
fn a_rejection_without_a_reason_reads_as_before_whether_stored_empty_or_in_english() {
    let reason = |stored: &str| StaffTexts.phrase(&crate::writeback::rejection_reason(stored));
    assert_eq!(reason(""), "no reason given");
    // Rows stored before the words moved to display time.
    assert_eq!(reason("no reason given"), "no reason given");
    assert_eq!(reason("duplicate"), "duplicate");
}
