//! A long answer list on a phone, with JavaScript (the matches follow the typing, Enter in the
//! box stays on the page) and without (the Search button, or Enter, brings the page back with
//! the matches), each state checked by axe-core; every other answer stays as given.

use super::Phone;
use crate::{
    answer_search::FORM,
    helpers::{Options, TestApp},
};

async fn a_long_list_on_a_phone(javascript: bool) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lists.yaml"), FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        worker: false,
        ..Options::default()
    })
    .await;
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1003".into(),
            },
            "lists",
        )
        .await;
    let mut phone = Phone::open(&app, javascript).await;
    phone.goto(&link).await;
    phone.type_birth_date("birth_date", "1999-01-23").await;
    phone.click("form button[type=submit]").await;
    assert_eq!(phone.path().await, "/intake/page/0");
    phone.type_into("#f-reason", "Cough").await;
    phone.tap("#f-smoker-never").await;
    assert_eq!(
        phone
            .js("return document.querySelector('label[for=f-language-q]').textContent")
            .await,
        "Search the list",
        "the search box has its label"
    );
    phone.check("long list").await;
    let bottom = phone
        .bottom_on_desk("#f-language-q", (1280, 900), "long-list")
        .await;
    assert!(
        bottom < 900.0,
        "the search box is on a desk's first screen: {bottom}"
    );

    phone.type_into("#f-language-q", "span").await;
    if javascript {
        phone
            .wait_until(
                "the matches to follow the typing",
                "return !!document.querySelector('#f-language-es-AR')",
            )
            .await;
        // Enter in the box searches in place; it does not go on to the next page.
        phone.keys("#f-language-q", "\u{E007}").await;
        phone.settled().await;
        assert_eq!(phone.path().await, "/intake/page/0");
    } else {
        phone
            .click("button[name=nav][value='search:language']")
            .await;
        assert_eq!(phone.path().await, "/intake/page/0");
        assert!(
            phone.has("#f-language-es-AR").await,
            "the Search button lists the matches"
        );
    }
    assert_eq!(phone.value("#f-language-q").await, "span", "the words stay");
    assert_eq!(
        phone.value("#f-reason").await,
        "Cough",
        "the other answers stay"
    );
    assert_eq!(
        phone
            .js("return document.getElementById('f-smoker-never').checked")
            .await,
        true
    );
    assert!(
        phone
            .text("#f-language-q-status")
            .await
            .contains("4 answers match “span”")
    );
    phone.check("long list, matches").await;
    phone
        .bottom_on_desk("#f-language-matches", (1280, 900), "long-list-matches")
        .await;

    phone.tap("#f-language-es-AR").await;
    phone.settled().await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/page/1");
    phone.goto("/intake/page/0").await;
    assert_eq!(
        phone
            .js("return document.getElementById('f-language-es-AR').checked")
            .await,
        true,
        "the answer is kept and shown before any search"
    );
    assert!(
        phone
            .text("#f-language")
            .await
            .contains("Spanish (Argentina)")
    );
    phone.check("long list, answered").await;
    phone
        .bottom_on_desk("#f-language", (1280, 900), "long-list-answered")
        .await;

    // In Spanish: the search's own words too.
    phone.goto("/language/es?back=/intake/page/0").await;
    assert_eq!(
        phone
            .js("return document.querySelector('label[for=f-language-q]').textContent")
            .await,
        "Buscar otra respuesta"
    );
    phone.type_into("#f-language-q", "germ").await;
    if javascript {
        phone
            .wait_until(
                "the matches to follow the typing",
                "return !!document.querySelector('#f-language-de')",
            )
            .await;
    } else {
        phone
            .click("button[name=nav][value='search:language']")
            .await;
    }
    assert!(
        phone
            .text("#f-language-q-status")
            .await
            .contains("respuestas coinciden con «germ»")
    );
    phone.check("long list, matches, Spanish").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_long_list_is_searched_as_the_patient_types() {
    a_long_list_on_a_phone(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_a_long_list_is_searched_with_its_button() {
    a_long_list_on_a_phone(false).await;
}
