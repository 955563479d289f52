//! Repeating groups on the patient pages (a new medicine, another blood-pressure reading), the
//! entries on file the patient confirms, changes or retires, and messages next to the field.

use crate::helpers::{
    TestApp, accept_first_exception, answering, eventually, location, page, posted,
};

/// Posts page `index` with `fields` (and the CSRF token); the response, redirects not followed.
async fn save(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    index: usize,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("csrf", token)];
    form.extend_from_slice(fields);
    browser
        .post(app.url(&format!("/intake/page/{index}")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_patient_adds_new_medicines_one_by_one_removes_one_and_the_review_lists_the_other() {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "adult-previsit").await;
    let medicines = [("a.meds_taking_all", "yes"), ("a.meds_new_any", "yes")];

    // Saying yes opens the group with one empty medicine to fill in: going on waits for it
    // (required answers are asked for on leaving the page).
    assert_eq!(
        save(&app, &browser, &token, 1, &medicines).await.status(),
        422
    );
    let opened = page(&browser, &app.url("/intake/page/1")).await;
    assert!(
        opened.contains(r#"<legend>New medicine 1</legend>"#),
        "{opened}"
    );
    assert!(opened.contains(r#"name="a.new_medications.0.med_name""#));
    assert!(opened.contains(r#"value="add:new_medications""#));

    let mut first = medicines.to_vec();
    first.extend([
        ("g.new_medications", "0"),
        ("a.new_medications.0.med_name", "ibuprofen"),
        ("a.new_medications.0.med_dose", "200 mg"),
        ("nav", "add:new_medications"),
    ]);
    let added = save(&app, &browser, &token, 1, &first).await;
    assert_eq!(location(&added), "/intake/page/1?add=new_medications");
    let two = page(&browser, &app.url(&location(&added))).await;
    assert!(
        two.contains(r#"value="ibuprofen""#),
        "the first is saved: {two}"
    );
    assert!(two.contains(r#"name="a.new_medications.1.med_name" value="""#));

    let mut both = medicines.to_vec();
    both.extend([
        ("g.new_medications", "0"),
        ("a.new_medications.0.med_name", "ibuprofen"),
        ("g.new_medications", "1"),
        ("a.new_medications.1.med_name", "vitamin D"),
        ("a.new_medications.1.med_frequency", "once-daily"),
        ("nav", "remove:new_medications:0"),
    ]);
    let removed = save(&app, &browser, &token, 1, &both).await;
    assert_eq!(
        location(&removed),
        "/intake/page/1?focus=f-new_medications-0"
    );
    let one = page(&browser, &app.url("/intake/page/1")).await;
    assert!(!one.contains("ibuprofen"), "{one}");
    assert!(one.contains(r#"name="a.new_medications.0.med_name" value="vitamin D""#));
    assert!(one.contains(r#"id="f-new_medications-0-med_frequency-once-daily" name="a.new_medications.0.med_frequency" value="once-daily" checked"#), "{one}");

    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains("New medicine 1: Name of the medicine"),
        "{review}"
    );
    assert!(review.contains("vitamin D") && review.contains("Once a day"));
    assert!(!review.contains("ibuprofen"));
}

#[tokio::test]
async fn a_wrong_answer_inside_a_group_shows_next_to_its_field_and_everything_typed_stays() {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1002", "1984-09-30", "hypertension-followup").await;
    let sent = save(
        &app,
        &browser,
        &token,
        0,
        &[
            ("g.bp_readings", "0"),
            ("a.bp_readings.0.reading_date", "2026-11-30"),
            ("a.bp_readings.0.systolic", "one forty"),
            ("a.bp_readings.0.diastolic", "90"),
        ],
    )
    .await;
    assert_eq!(sent.status(), 422);
    let shown = sent.text().await.unwrap();
    assert!(
        shown.contains(r#"<p class="error" id="f-bp_readings-0-systolic-error">Enter a whole number, like 3.</p>"#),
        "{shown}"
    );
    assert!(shown.contains(r#"value="one forty""#) && shown.contains(r#"value="90""#));
    assert!(
        shown.contains(r##"<a href="#f-bp_readings-0-systolic">"##),
        "the summary links to the field"
    );

    // A reading that parses but breaks the form's own rule: the rule's words, next to it.
    let sent = save(
        &app,
        &browser,
        &token,
        0,
        &[
            ("g.bp_readings", "0"),
            ("a.bp_readings.0.reading_date", "2026-11-30"),
            ("a.bp_readings.0.systolic", "80"),
            ("a.bp_readings.0.diastolic", "90"),
        ],
    )
    .await;
    assert_eq!(sent.status(), 422, "next waits until the reading is right");
    let shown = sent.text().await.unwrap();
    assert!(
        shown.contains(
            r#"id="f-bp_readings-0-diastolic-error">The top number (systolic) must be higher"#
        ),
        "{shown}"
    );
}

#[tokio::test]
async fn a_phone_number_that_breaks_its_pattern_is_saved_shown_with_its_message_and_holds_next_only()
 {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "adult-previsit").await;
    let sent = save(&app, &browser, &token, 0, &[("a.phone", "call me")]).await;
    assert_eq!(sent.status(), 422);
    let shown = sent.text().await.unwrap();
    assert!(
        shown.contains(
            r#"<p class="error" id="f-phone-error">Please enter a phone number using digits"#
        ),
        "{shown}"
    );
    assert!(shown.contains(r#"aria-describedby="f-phone-error""#));
    let again = page(&browser, &app.url("/intake/page/0")).await;
    assert!(again.contains(r#"value="call me""#), "saved, not lost");

    // In Spanish, the form's own Spanish message.
    let spanish = browser
        .get(app.url("/intake/page/0"))
        .header("Accept-Language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        spanish.contains("Escriba un número de teléfono con dígitos"),
        "{spanish}"
    );
}

#[tokio::test]
async fn rosa_stops_a_medicine_on_file_and_the_chart_gets_an_update_of_that_entry_once_accepted() {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1001", "1958-04-12", "previsit-basic").await;
    let history = page(&browser, &app.url("/intake/page/1")).await;
    assert!(history.contains("<legend>Penicillin</legend>"), "{history}");
    assert!(history.contains("Are you still taking it?"));
    assert!(
        !history.contains("add:medications_on_file")
            && !history.contains("remove:medications_on_file"),
        "entries on file are the chart's: nothing to add or remove"
    );

    // Left unanswered, the review asks about each entry.
    let saved = save(&app, &browser, &token, 0, &[("a.reason", "Check-up")]).await;
    assert_eq!(saved.status(), 303);
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains("Penicillin: Is this still true?"),
        "{review}"
    );

    // "Changed" needs the patient's words: going on asks for them at once, and so does the review.
    let changed = save(
        &app,
        &browser,
        &token,
        1,
        &[(
            "a.medications_on_file.0.medications_on_file_status",
            "changed",
        )],
    )
    .await;
    assert_eq!(changed.status(), 422);
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(review.contains("How do you take it now?"), "{review}");

    let stopped = save(
        &app,
        &browser,
        &token,
        1,
        &[
            ("a.allergies_on_file.0.allergies_on_file_status", "still"),
            (
                "a.medications_on_file.0.medications_on_file_status",
                "stopped",
            ),
        ],
    )
    .await;
    assert_eq!(stopped.status(), 303);
    let saved = save(&app, &browser, &token, 2, &[("a.tobacco", "266919005")]).await;
    assert_eq!(saved.status(), 303);
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done");

    let staff = app.signed_in("clinician").await;
    let queue = page(&staff, &app.url("/staff/exceptions")).await;
    assert!(
        queue.contains("Lisinopril 10 mg tablet, once daily: the patient stopped taking it"),
        "{queue}"
    );
    assert!(
        !queue.contains("Penicillin"),
        "a confirmed allergy changes nothing: {queue}"
    );
    accept_first_exception(&app, &staff).await;
    eventually("the update is sent", || async {
        !posted(&app, "MedicationStatement").is_empty()
    })
    .await;
    let entry = &posted(&app, "MedicationStatement")[0]["entry"][0];
    assert_eq!(entry["request"]["method"], "PUT");
    assert_eq!(
        entry["request"]["url"],
        "MedicationStatement/rosa-delgado-med-1"
    );
    assert_eq!(
        entry["resource"]["medicationCodeableConcept"]["text"],
        "Lisinopril 10 mg tablet, once daily",
        "the entry as on file"
    );
    assert_eq!(entry["resource"]["status"], "stopped");
    assert!(posted(&app, "AllergyIntolerance").is_empty());
}

#[tokio::test]
async fn without_javascript_an_answer_that_turns_on_a_question_brings_the_page_back_with_it() {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "adult-previsit").await;
    let first = page(&browser, &app.url("/intake/page/0")).await;
    let shown = crate::helpers::attribute_after(&first, r#"name="shown" value=""#);
    assert!(shown.contains("a.details_correct") && !shown.contains("a.details_changes"));

    let saved = save(
        &app,
        &browser,
        &token,
        0,
        &[
            ("shown", &shown),
            ("a.details_correct", "no"),
            ("nav", "next"),
        ],
    )
    .await;
    assert_eq!(
        location(&saved),
        "/intake/page/0",
        "back, with the new question"
    );
    let again = page(&browser, &app.url("/intake/page/0")).await;
    assert!(again.contains("What has changed?"));
    let now = crate::helpers::attribute_after(&again, r#"name="shown" value=""#);

    let saved = save(
        &app,
        &browser,
        &token,
        0,
        &[
            ("shown", &now),
            ("a.details_correct", "no"),
            ("a.details_changes", "New address"),
            ("nav", "next"),
        ],
    )
    .await;
    assert_eq!(
        location(&saved),
        "/intake/page/1",
        "and on once it was shown"
    );
}

#[tokio::test]
async fn on_the_adult_form_the_medicines_on_file_replace_the_general_question_when_there_are_any() {
    let app = TestApp::spawn().await;
    let (rosa, _) = answering(&app, "MRN-1001", "1958-04-12", "adult-previsit").await;
    let medicines = page(&rosa, &app.url("/intake/page/1")).await;
    assert!(medicines.contains("<legend>Lisinopril 10 mg tablet, once daily</legend>"));
    assert!(!medicines.contains("Are you still taking all the medicines on your list"));

    let (hannah, _) = answering(&app, "MRN-1003", "1999-01-23", "adult-previsit").await;
    let medicines = page(&hannah, &app.url("/intake/page/1")).await;
    assert!(medicines.contains("We have nothing of this kind on file for you."));
    assert!(medicines.contains("Are you still taking all the medicines on your list"));
}

/// The page of a change to an entry on file: a heading of what changes, short enough for a
/// phone, and under it what the patient wrote with when, on the clinic's clocks (the chart's
/// note keeps the instant Intake writes).
#[tokio::test]
async fn an_allergy_no_longer_true_shows_a_short_heading_and_the_patients_words_with_the_clinics_time()
 {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1001", "1958-04-12", "previsit-basic").await;
    let saved = save(&app, &browser, &token, 0, &[("a.reason", "Check-up")]).await;
    assert_eq!(saved.status(), 303);
    let on_file = save(
        &app,
        &browser,
        &token,
        1,
        &[
            (
                "a.allergies_on_file.0.allergies_on_file_status",
                "no-longer",
            ),
            (
                "a.allergies_on_file.0.allergies_on_file_details",
                "Stopped reacting in 2019",
            ),
            (
                "a.medications_on_file.0.medications_on_file_status",
                "taking",
            ),
        ],
    )
    .await;
    assert_eq!(on_file.status(), 303);
    let saved = save(&app, &browser, &token, 2, &[("a.tobacco", "266919005")]).await;
    assert_eq!(saved.status(), 303);
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done");

    let staff = app.signed_in("clinician").await;
    let queue = page(&staff, &app.url("/staff/exceptions")).await;
    let open = crate::helpers::attribute_after(&queue, r#"<td><a href=""#);
    let detail = page(&staff, &app.url(&open)).await;
    let heading = detail
        .split("<h1>")
        .nth(1)
        .and_then(|rest| rest.split("</h1>").next())
        .unwrap();
    assert!(heading.contains("active → resolved"), "{heading}");
    assert!(
        !heading.contains("Stopped reacting") && !heading.contains("2026-"),
        "no words and no raw time in the heading: {heading}"
    );
    let said = detail
        .split(r#"<p class="patient-says">"#)
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap();
    let (when, words) = said
        .strip_prefix("Patient says (")
        .and_then(|rest| rest.split_once("): "))
        .unwrap_or_else(|| panic!("{said}"));
    assert_eq!(words, "Stopped reacting in 2019");
    assert!(
        !when.contains('T') && !when.contains('Z') && when.contains(", "),
        "a day and a time as the other pages show them: {when}"
    );
    let change = app
        .services
        .exception_queue()
        .await
        .unwrap()
        .remove(0)
        .change;
    let note = change.resource["note"][0]["text"].as_str().unwrap();
    assert!(
        note.starts_with("Patient reports (") && note.ends_with("): Stopped reacting in 2019"),
        "the chart's note is as written: {note}"
    );
}
