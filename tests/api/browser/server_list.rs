//! A value set too large to list, searched on the terminology server, on a phone with
//! JavaScript (the server's matches follow the typing) and without (the Search button); the
//! pick saved as its Coding; each state checked by axe-core.

use std::sync::Arc;

use super::Phone;
use crate::{
    answer_search_server::{ALL_FORM, Stub, terminology_server},
    helpers::{Options, TestApp},
};

const PICK: &str = "#f-diagnosis-44054006";

async fn a_server_list_on_a_phone(javascript: bool) {
    let server = terminology_server(Arc::new(Stub::default())).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("diagnoses.yaml"), ALL_FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![
            ("INTAKE_FORMS_DIR", dir.path().display().to_string()),
            ("INTAKE_TERMINOLOGY_URL", server),
        ],
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
            "diagnoses",
        )
        .await;
    let mut phone = Phone::open(&app, javascript).await;
    phone.goto(&link).await;
    phone.type_birth_date("birth_date", "1999-01-23").await;
    phone.click("form button[type=submit]").await;
    assert_eq!(phone.path().await, "/intake/page/0");
    phone.check("server list").await;

    phone.type_into("#f-diagnosis-q", "sugar").await;
    if javascript {
        phone
            .wait_until(
                "the server's matches to follow the typing",
                &format!("return !!document.querySelector('{PICK}')"),
            )
            .await;
    } else {
        phone
            .click("button[name=nav][value='search:diagnosis']")
            .await;
    }
    assert!(
        phone
            .text("#f-diagnosis")
            .await
            .contains("Diabetes mellitus type 2")
    );
    phone.check("server list, matches").await;
    phone
        .bottom_on_desk("#f-diagnosis-matches", (1280, 900), "server-list-matches")
        .await;

    phone.tap(PICK).await;
    phone.settled().await;
    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/page/1");
    phone.goto("/intake/page/0").await;
    assert_eq!(
        phone
            .js(&format!("return document.querySelector('{PICK}').checked"))
            .await,
        true,
        "the Coding picked is the answer"
    );
    phone.check("server list, answered").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_server_list_is_searched_as_the_patient_types() {
    a_server_list_on_a_phone(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_a_server_list_is_searched_with_its_button() {
    a_server_list_on_a_phone(false).await;
}
