//! The clinician's pre-visit summary: flags the answers raised, urgent first, and the list that
//! says which patients have one.

use crate::helpers::{TestApp, answer_and_submit, answering, csrf, location, page};

/// The clinic's date a day from now, the day of the visits these tests book (the worklist
/// shows the clinic's days, which are not UTC's for some hours of every day).
fn tomorrow(app: &TestApp) -> time::Date {
    let now = intake::clock::Clock::now(app.clock.as_ref());
    app.services
        .clinic
        .zone
        .today(now + time::Duration::days(1))
}

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
    // The appointment is tomorrow's: the worklist shows a day at a time, the clinic's.
    let home = page(&staff, &app.url(&format!("/staff?day={}", tomorrow(&app)))).await;
    assert!(
        home.contains("Home reading at or above 180 systolic"),
        "{home}"
    );
    assert!(
        !home.contains("Missed blood pressure medicine"),
        "a clinician's flag: {home}"
    );
}

/// Hannah (27) answers the adult form: a call before the visit, a negative PHQ-2 with one
/// positive item, moderate anxiety. Returns the submission's id.
pub(crate) async fn hannah_submits_the_adult_form(app: &TestApp) -> uuid::Uuid {
    let (browser, token) = answering(app, "MRN-1003", "1999-01-23", "adult-previsit").await;
    let first = page(&browser, &app.url("/intake/page/0")).await;
    let pages: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("a.details_correct", "yes"),
            ("a.call_before_visit", "yes"),
            ("a.interpreter_wanted", "no"),
        ],
        vec![("a.meds_taking_all", "yes"), ("a.meds_new_any", "no")],
        vec![("a.allergies_new_any", "no")],
        vec![("a.phq9_1", "LA6569-3"), ("a.phq9_2", "LA6568-5")],
        vec![
            ("a.gad7_1", "LA6571-9"),
            ("a.gad7_2", "LA6571-9"),
            ("a.gad7_3", "LA6570-1"),
            ("a.gad7_4", "LA6570-1"),
            ("a.gad7_5", "LA6568-5"),
            ("a.gad7_6", "LA6568-5"),
            ("a.gad7_7", "LA6568-5"),
        ],
        vec![("a.auditc_1", "LA6270-8")],
        vec![("a.tobacco", "266919005")],
        vec![],
        vec![("a.hvs_1", "LA28398-8"), ("a.hvs_2", "LA28398-8")],
    ];
    assert!(first.contains("call you before your visit"), "{first}");
    let pages: Vec<&[(&str, &str)]> = pages.iter().map(Vec::as_slice).collect();
    answer_and_submit(app, &browser, &token, &pages).await;
    app.services.submissions().await.unwrap().remove(0).id
}

#[tokio::test]
async fn the_adult_summary_reads_header_scores_differences_and_positive_answers_in_order() {
    let app = TestApp::spawn().await;
    let id = hannah_submits_the_adult_form(&app).await;
    let clinician = app.signed_in("clinician").await;
    let summary = page(
        &clinician,
        &app.url(&format!("/clinician/submissions/{id}")),
    )
    .await;
    assert!(summary.contains("Answered in English"), "{summary}");
    assert!(summary.contains("No interpreter wanted"), "{summary}");
    assert!(summary.contains(" y · "), "the age: {summary}");
    let at = |needle: &str| {
        summary
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {summary}"))
    };
    // The GAD-7 of 10 with its band and meaning, in the scores before everything else.
    assert!(
        summary.contains(
            "<th scope=\"row\">GAD-7 score</th><td>10 <span class=\"muted\">/ 21</span></td>"
        ),
        "{summary}"
    );
    assert!(at("Moderate anxiety symptoms") > at("id=\"scores-title\""));
    assert!(at("id=\"scores-title\"") < at("id=\"differences-title\""));
    assert!(at("id=\"differences-title\"") < at("id=\"positive-title\""));
    // A positive answer is shown; a negative one waits in the closed disclosure.
    let collapsed = at("<details class=\"collapsed\">");
    assert!(at("id=\"positive-title\"") < at("Little interest or pleasure"));
    assert!(at("Little interest or pleasure") < collapsed);
    assert!(at("Feeling down, depressed, or hopeless") > collapsed);
    assert!(at("Do you smoke or use tobacco?") > collapsed);

    let print = page(
        &clinician,
        &app.url(&format!("/clinician/submissions/{id}?print=1")),
    )
    .await;
    assert!(
        print.contains("<details class=\"collapsed\" open>"),
        "{print}"
    );
    assert!(!print.contains("Mark as reviewed"), "{print}");
}

#[tokio::test]
async fn a_clinician_marks_a_summary_reviewed_once_and_the_front_desk_cannot() {
    let app = TestApp::spawn().await;
    let id = hannah_submits_the_adult_form(&app).await;
    let url = app.url(&format!("/clinician/submissions/{id}"));
    let clinician = app.signed_in("clinician").await;
    let before = page(&clinician, &url).await;
    assert!(before.contains("Mark as reviewed"), "{before}");
    assert!(!before.contains("Reviewed by"), "{before}");

    let desk = app.signed_in("frontdesk").await;
    let desk_page = desk.get(&url).send().await.unwrap();
    assert_eq!(
        desk_page.status(),
        403,
        "the front desk does not read the summary"
    );
    let desk_home = page(&desk, &app.url("/staff")).await;
    let refused = desk
        .post(app.url(&format!("/clinician/submissions/{id}/reviewed")))
        .form(&[("csrf", csrf(&desk_home))])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "nor marks it reviewed");

    for _ in 0..2 {
        let marked = clinician
            .post(app.url(&format!("/clinician/submissions/{id}/reviewed")))
            .form(&[("csrf", csrf(&before))])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&marked), format!("/clinician/submissions/{id}"));
    }
    let forged = clinician
        .post(app.url(&format!("/clinician/submissions/{id}/reviewed")))
        .form(&[("csrf", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "a forged form is refused");

    let after = page(&clinician, &url).await;
    assert!(after.contains("✓ Reviewed by"), "{after}");
    assert!(
        !after.contains("Mark as reviewed"),
        "once is enough: {after}"
    );
    let list = page(&clinician, &app.url("/clinician")).await;
    assert!(list.contains("<td>Reviewed by "), "{list}");
    let audited = app
        .services
        .store
        .audit_page(&intake::store::AuditQuery {
            action: Some("submission.reviewed".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1, "the mark is audited once");
    assert_eq!(audited[0].subject_id, id);
    // The audit names the patient by the keyed hash of the record number, not the number.
    assert_eq!(
        audited[0].patient.as_deref(),
        Some(app.services.store.record_lookup("MRN-1003").as_str())
    );
}

#[tokio::test]
async fn the_front_desk_sees_the_markers_a_form_sets_for_staff_and_no_clinical_answer() {
    let app = TestApp::spawn().await;
    hannah_submits_the_adult_form(&app).await;
    let desk = app.signed_in("frontdesk").await;
    // Hannah's row, wherever the day's page breaks fall (her visit is a day from now, so late
    // in the day it sorts after the demo clinic's visits).
    let home = page(
        &desk,
        &app.url(&format!("/staff?day={}&q=MRN-1003", tomorrow(&app))),
    )
    .await;
    assert!(
        home.contains("<li>Call me before the visit</li>"),
        "the marker on the row: {home}"
    );
    for clinical in ["GAD-7", "Little interest", "Nearly every day", "Moderate"] {
        assert!(
            !home.contains(clinical),
            "{clinical} on the worklist: {home}"
        );
    }
    let appointment = home
        .split("href=\"/staff/appointments/")
        .filter_map(|rest| rest.split('"').next())
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect("the appointment's link")
        .to_owned();
    let detail = page(
        &desk,
        &app.url(&format!("/staff/appointments/{appointment}")),
    )
    .await;
    assert!(detail.contains("For the front desk"), "{detail}");
    assert!(
        detail
            .contains("Would you like someone from the clinic to call you before your visit?: Yes"),
        "{detail}"
    );
    for clinical in ["GAD-7", "Little interest", "Nearly every day"] {
        assert!(
            !detail.contains(clinical),
            "{clinical} on the appointment: {detail}"
        );
    }
}
