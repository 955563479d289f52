//! The clinician's edit form with its code picker on a phone, with JavaScript (the list follows
//! the typing) and without (the Search button), each state checked by axe-core.

use super::{phone::Phone, sign_in};
use crate::{
    coding::{medicine_change, submit_medicine},
    helpers::{Options, TestApp},
};

const METFORMIN: &str =
    "input[name=code][value^='http://www.nlm.nih.gov/research/umls/rxnorm|6809|']";

async fn the_code_picker_passes_axe(javascript: bool) {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    submit_medicine(&app, &link, "1984-09-30", "Metformin").await;
    let id = medicine_change(&app).await;
    let mut phone = Phone::open(&app, javascript).await;
    let password = app.staff_account("clinician").await;
    phone.goto("/staff/login").await;
    sign_in(&phone, "clinician", &password).await;
    phone.goto(&format!("/staff/exceptions/{id}")).await;
    // The edit form is below the change and its chart comparison: look at it.
    phone
        .js("document.getElementById('edit-heading').scrollIntoView()")
        .await;
    phone.check("edit with a code list").await;

    phone.type_into("#edit-code", "metf").await;
    if javascript {
        phone
            .wait_until(
                "the code list to follow the typing",
                &format!("return !!document.querySelector(\"{METFORMIN}\")"),
            )
            .await;
        assert_eq!(
            phone.path().await,
            format!("/staff/exceptions/{id}"),
            "the list came in place"
        );
    } else {
        phone.click("button[name=action][value=search]").await;
        assert!(
            phone.has(METFORMIN).await,
            "the Search button lists the codes"
        );
    }
    assert_eq!(phone.value("#edit-code").await, "metf", "the words stay");
    if javascript {
        phone
            .js("document.getElementById('code-picker').scrollIntoView()")
            .await;
    }
    phone.check("edit, codes found").await;

    // A refused edit keeps the chosen code and says what to fix beside the field.
    phone.tap(METFORMIN).await;
    phone.type_into("#edit-text", " ").await;
    phone
        .click("form[action$='/edit#edit-heading'] button.primary")
        .await;
    assert!(
        phone
            .text("#edit-text-error")
            .await
            .contains("Enter what this is.")
    );
    assert_eq!(
        phone
            .js(&format!(
                "return document.querySelector(\"{METFORMIN}\").checked"
            ))
            .await,
        true,
        "the chosen code stays chosen"
    );
    if javascript {
        assert_eq!(
            phone.js("return document.activeElement.className").await,
            "error-summary",
            "the error summary takes the focus"
        );
    }
    let summary_top = phone
        .js("return document.querySelector('.error-summary').getBoundingClientRect().top")
        .await;
    assert!(
        summary_top
            .as_f64()
            .is_some_and(|top| (0.0..400.0).contains(&top)),
        "the refused edit's error summary is on screen, not the top of the page: {summary_top}"
    );
    phone.check("edit, refused").await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_the_code_picker_passes_axe() {
    the_code_picker_passes_axe(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_the_code_picker_passes_axe() {
    the_code_picker_passes_axe(false).await;
}
