//! The clinician's pre-visit summary: flags the answers raised, urgent first, and the list that
//! says which patients have one.

use crate::helpers::{TestApp, answer_and_submit, answering, page};

#[tokio::test]
async fn an_urgent_flag_leads_the_summary_marks_the_patient_in_the_list_and_reaches_the_front_desk()
{
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1002", "1984-09-30", "hypertension-followup").await;
    let yesterday = (time::OffsetDateTime::now_utc().date() - time::Duration::days(1)).to_string();
    let pages: [&[(&str, &str)]; 4] = [
        &[
            ("g.bp_readings", "0"),
            ("a.bp_readings.0.reading_date", &yesterday),
            ("a.bp_readings.0.systolic", "184"),
            ("a.bp_readings.0.diastolic", "95"),
        ],
        &[("a.missed_doses", "two-three")],
        &[("a.side_effects", "none")],
        &[("a.dizzy", "no"), ("a.danger_symptoms", "no")],
    ];
    answer_and_submit(&app, &browser, &token, &pages).await;

    let clinician = app.signed_in("clinician").await;
    let list = page(&clinician, &app.url("/clinician")).await;
    assert!(
        list.contains(r#"<span class="badge urgent">1 urgent</span>"#),
        "{list}"
    );
    let submission = app.services.submissions().await.unwrap().remove(0);
    let summary = page(
        &clinician,
        &app.url(&format!("/clinician/submissions/{}", submission.id)),
    )
    .await;
    let urgent = summary
        .find("Home reading at or above 180 systolic")
        .expect("the urgent flag");
    let warning = summary
        .find("Missed blood pressure medicine on 2 or more")
        .expect("the adherence warning");
    let answers = summary.find("Home readings").expect("the answers");
    assert!(
        urgent < warning && warning < answers,
        "urgent first, then the rest, then the answers"
    );
    assert!(
        summary.contains("Reading 1"),
        "each reading under its heading: {summary}"
    );

    // The front desk sees the flags meant for staff beside the appointment, and only those.
    let staff = app.signed_in("frontdesk").await;
    // The appointment is tomorrow's: the worklist shows a day at a time.
    let day = (intake::clock::Clock::now(app.clock.as_ref()) + time::Duration::days(1)).date();
    let home = page(&staff, &app.url(&format!("/staff?day={day}"))).await;
    assert!(
        home.contains("Home reading at or above 180 systolic"),
        "{home}"
    );
    assert!(
        !home.contains("Missed blood pressure medicine"),
        "a clinician's flag: {home}"
    );
}
