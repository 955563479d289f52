//! A consent's drawn signature (`consent: { drawn }`): what `intake forms check` refuses, and
//! what a form that passes records.

use crate::{
    engine::{Answer, Answers, FileRef},
    forms::load_yaml,
    summary::{SignedBy, consents, photos},
};

const FORM: &str = "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
    \x20     - { id: card, type: attachment, text: Card }\n\
    \x20     - { id: agree, type: boolean, text: I agree, consent: { version: 2026-01, signature: sign, drawn: drawn } }\n\
    \x20     - { id: sign, type: string, text: Type your full name }\n\
    \x20     - { id: drawn, type: attachment, mime_types: [image/png], max_size: 262144, text: Draw your signature }\n\
    \x20 - id: other\n    title: Other\n    items:\n\
    \x20     - { id: later, type: attachment, mime_types: [image/png], max_size: 1000, text: Later }\n\
    \x20     - id: people\n        type: group\n        repeats: true\n        text: People\n        items:\n\
    \x20         - { id: each, type: attachment, mime_types: [image/png], max_size: 1000, text: Each }\n";

#[test]
fn a_drawn_signature_is_a_small_png_attachment_on_the_consents_page_never_required_nor_repeating() {
    let drawn = "id: drawn, type: attachment, mime_types: [image/png], max_size: 262144";
    let refused = [
        (
            "drawn: drawn",
            "drawn: nobody",
            "`nobody`, which is not an item",
        ),
        (
            "drawn: drawn",
            "drawn: sign",
            "a string item; a signature is drawn into an `attachment` item",
        ),
        (
            "drawn: drawn",
            "drawn: later",
            "must be on the same page (section) as `agree`",
        ),
        (
            "drawn: drawn",
            "drawn: each",
            "cannot repeat or sit in a repeating group",
        ),
        (
            drawn,
            "id: drawn, type: attachment, required: true, mime_types: [image/png], max_size: 262144",
            "cannot be `required`",
        ),
        (
            drawn,
            "id: drawn, type: attachment, max_size: 262144",
            "takes a PNG",
        ),
        (
            drawn,
            "id: drawn, type: attachment, mime_types: [image/jpeg], max_size: 262144",
            "takes a PNG",
        ),
        (
            drawn,
            "id: drawn, type: attachment, mime_types: [image/png]",
            "of at most 1048576 bytes",
        ),
        (
            drawn,
            "id: drawn, type: attachment, mime_types: [image/png], max_size: 1048577",
            "of at most 1048576 bytes",
        ),
    ];
    for (from, to, expected) in refused {
        let broken = FORM.replace(from, to);
        assert_ne!(broken, FORM, "{to}");
        let error = load_yaml("t.yaml", &broken).unwrap_err().to_string();
        assert!(error.contains(expected), "{to}: {error}");
        assert!(
            error.starts_with("t.yaml:9:"),
            "the consent's line: {error}"
        );
    }
    let twice = FORM.replace(
        "      - { id: sign,",
        "      - { id: again, type: boolean, text: Again, consent: { version: '1', signature: sign, drawn: drawn } }\n      - { id: sign,",
    );
    let error = load_yaml("t.yaml", &twice).unwrap_err().to_string();
    assert!(
        error.contains("already where the signature of `agree` is drawn"),
        "{error}"
    );
}

fn file(id: u128) -> Answer {
    Answer::Attachment(FileRef {
        id: uuid::Uuid::from_u128(id),
        content_type: "image/png".into(),
        size: 10,
        sha1: "x".into(),
    })
}

#[test]
fn the_drawing_is_kept_with_its_consent_not_among_the_photos() {
    let form = load_yaml("t.yaml", FORM).unwrap();
    let item = form.item("drawn").unwrap();
    assert_eq!(item.drawn_signature_of.as_deref(), Some("agree"));
    assert!(form.item("card").unwrap().drawn_signature_of.is_none());
    let mut answers = Answers::default();
    answers.set("agree", vec![Answer::Boolean(true)]);
    answers.set("sign", vec![Answer::String("Rosa Delgado".into())]);
    answers.set("card", vec![file(1)]);
    answers.set("drawn", vec![file(2)]);
    let [record] = consents(&form, &answers, 42).try_into().unwrap();
    assert_eq!(record.drawn.as_ref().map(|f| f.id.as_u128()), Some(2));
    assert_eq!(record.signed_by(), Some(SignedBy::Drawn));
    let shown: Vec<u128> = photos(&form, &answers)
        .into_iter()
        .map(|(_, f)| f.id.as_u128())
        .collect();
    assert_eq!(shown, [1], "the signature is not a photo");

    answers.set("drawn", Vec::new());
    let [typed] = consents(&form, &answers, 42).try_into().unwrap();
    assert_eq!(typed.signed_by(), Some(SignedBy::Typed));

    answers.set("drawn", vec![file(2)]);
    answers.set("agree", vec![Answer::Boolean(false)]);
    let [declined] = consents(&form, &answers, 42).try_into().unwrap();
    assert!(
        declined.drawn.is_none(),
        "a declined consent keeps no signature"
    );
}

#[test]
fn a_photo_in_each_instance_of_a_repeating_group_is_listed_under_the_instances_heading() {
    let form = load_yaml("t.yaml", FORM).unwrap();
    let instance = |id| {
        let mut inner = Answers::default();
        inner.set("each", vec![file(id)]);
        Answer::Group(inner)
    };
    let mut answers = Answers::default();
    answers.set("people", vec![instance(5), instance(6)]);
    let listed: Vec<(String, u128)> = photos(&form, &answers)
        .into_iter()
        .map(|(title, f)| (title, f.id.as_u128()))
        .collect();
    assert_eq!(
        listed,
        [
            ("People 1: Each".to_owned(), 5),
            ("People 2: Each".to_owned(), 6)
        ]
    );
}
