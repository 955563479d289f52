//! The urgent flag's acknowledge control on a phone, with JavaScript and without: the list
//! leading with the unacknowledged flag, the summary's form, and the acknowledgement shown
//! after a plain form POST, each checked by axe-core.

use super::{phone::Phone, sign_in};
use crate::{helpers::TestApp, urgent_flags::submit_item_9_positive};

async fn acknowledge_control_passes_axe(javascript: bool) {
    let app = TestApp::spawn().await;
    let (_, submission_id) = submit_item_9_positive(&app).await;
    let password = app.staff_account("clinician").await;
    let mut phone = Phone::open(&app, javascript).await;
    phone.goto("/staff/login").await;
    sign_in(&phone, "clinician", &password).await;
    assert_eq!(phone.path().await, "/clinician");
    assert!(
        phone
            .text(".urgent-flags")
            .await
            .contains("Urgent flags nobody has acknowledged: 1")
    );
    phone
        .check("pre-visit summaries, urgent flag to acknowledge")
        .await;

    phone
        .goto(&format!("/clinician/submissions/{submission_id}"))
        .await;
    phone
        .check("pre-visit summary, urgent flag to acknowledge")
        .await;
    phone
        .type_into(".urgent-flags input[name='note']", "Called; safe at home")
        .await;
    phone.click(".urgent-flags form button").await;
    assert_eq!(
        phone.path().await,
        format!("/clinician/submissions/{submission_id}")
    );
    let acknowledged = phone.text(".urgent-flags .acknowledged").await;
    assert!(
        acknowledged.starts_with("Acknowledged by clinician at ")
            && acknowledged.ends_with(": Called; safe at home"),
        "{acknowledged}"
    );
    phone
        .check("pre-visit summary, urgent flag acknowledged")
        .await;
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn with_javascript_the_urgent_flag_acknowledge_control_passes_axe() {
    acknowledge_control_passes_axe(true).await;
}

#[tokio::test]
async fn without_javascript_the_urgent_flag_acknowledge_control_passes_axe() {
    acknowledge_control_passes_axe(false).await;
}
