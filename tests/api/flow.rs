//! Issue 17, points 1 to 3 over HTTP: nothing typed is lost (the save as one types, a session
//! that expires mid-page), fewer taps (required answers on leaving a page, Change returning to
//! the review, review problems linking to their field, resume, Add another focusing the new
//! instance), and the right keyboard and autofill (types, inputmode, autocomplete, dates of
//! birth as three boxes, bounds stated).

use std::time::Duration;

use crate::helpers::{Backend, Options, TestApp, answering, location, open_link, page, verified};

/// Posts `fields` (and the CSRF token) to `path`; the response, redirects not followed.
async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("csrf", token)];
    form.extend_from_slice(fields);
    browser
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn what_is_typed_saves_without_leaving_the_page_and_answers_nothing() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    let kept = post(
        &app,
        &browser,
        &token,
        "/intake/page/0/keep",
        &[("a.reason", "Dizzy when I stand")],
    )
    .await;
    assert_eq!(kept.status(), 204);
    assert!(kept.text().await.unwrap().is_empty());
    let shown = page(&browser, &app.url("/intake/page/0")).await;
    assert!(shown.contains(">Dizzy when I stand</textarea>"), "{shown}");
    assert!(shown.contains(r#"data-keep-url="/intake/page/0/keep""#));
}

#[tokio::test]
async fn a_save_the_page_sent_before_the_one_stored_arrives_late_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    // The beacon sent as the page was hidden reaches the server first…
    let beacon = [("a.reason", "Dizzy when I stand up"), ("sent_at", "2000")];
    let kept = post(&app, &browser, &token, "/intake/page/0/keep", &beacon).await;
    assert_eq!(kept.status(), 204);
    // …then the live save the page had sent before it, with less typed.
    let live = [("a.reason", "Dizzy"), ("sent_at", "1000")];
    let late = post(&app, &browser, &token, "/intake/page/0/live", &live).await;
    assert_eq!(late.status(), 200);
    let shown = late.text().await.unwrap();
    assert!(
        shown.contains(">Dizzy when I stand up</textarea>"),
        "{shown}"
    );
    let stored = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        stored.contains(">Dizzy when I stand up</textarea>"),
        "{stored}"
    );
    // A save sent later writes, and so does a page with no stamp (no JavaScript).
    let newer = [("a.reason", "Dizzy at night"), ("sent_at", "3000")];
    post(&app, &browser, &token, "/intake/page/0/keep", &newer).await;
    let stored = page(&browser, &app.url("/intake/page/0")).await;
    assert!(stored.contains(">Dizzy at night</textarea>"), "{stored}");
    let unstamped = [("a.reason", "Dizzy in the morning")];
    post(&app, &browser, &token, "/intake/page/0/keep", &unstamped).await;
    let stored = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        stored.contains(">Dizzy in the morning</textarea>"),
        "{stored}"
    );
}

#[tokio::test]
async fn a_save_as_one_types_without_the_pages_token_is_refused_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, _) = verified(&app, &link, "1999-01-23").await;
    let forged = post(
        &app,
        &browser,
        "not-the-token",
        "/intake/page/0/keep",
        &[("a.reason", "Forged")],
    )
    .await;
    assert_eq!(forged.status(), 403);
    let shown = page(&browser, &app.url("/intake/page/0")).await;
    assert!(!shown.contains("Forged"));
}

/// A page posted with a session that had expired is held against the draft and opens again,
/// with what was sent, once the patient proves who they are; on `backend`.
async fn an_expired_session_keeps_its_page(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    let saved = post(
        &app,
        &browser,
        &token,
        "/intake/page/0",
        &[("a.reason", "Check-up")],
    )
    .await;
    assert_eq!(location(&saved), "/intake/page/1");

    // The default idle limit is 30 minutes; the patient typed on page 1 for longer.
    app.clock.advance(Duration::from_secs(31 * 60));
    let late = post(
        &app,
        &browser,
        &token,
        "/intake/page/1",
        &[("a.new_allergies", "Penicillin"), ("nav", "next")],
    )
    .await;
    assert_eq!(late.status(), 401);
    assert!(
        late.text()
            .await
            .unwrap()
            .contains("Please open your link again")
    );

    // Back through the link and the date of birth: the page they were on, with what they sent.
    let (again, token) = open_link(&app, &link).await;
    let back = post(
        &app,
        &again,
        &token,
        "/intake/verify",
        &[("birth_date", "1999-01-23")],
    )
    .await;
    assert_eq!(location(&back), "/intake/page/1");
    let shown = page(&again, &app.url("/intake/page/1")).await;
    assert!(shown.contains(">Penicillin</textarea>"), "{shown}");
    let first = page(&again, &app.url("/intake/page/0")).await;
    assert!(
        first.contains(">Check-up</textarea>"),
        "the earlier page is kept too"
    );
}

#[tokio::test]
async fn a_page_posted_after_the_session_expired_is_kept_and_opens_again_once_the_patient_is_back()
{
    an_expired_session_keeps_its_page(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_same_page_is_kept_through_an_expired_session_on_postgres() {
    an_expired_session_keeps_its_page(Backend::Postgres).await;
}

#[tokio::test]
async fn answers_posted_with_an_expired_session_and_a_wrong_token_are_not_kept() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, _) = verified(&app, &link, "1999-01-23").await;
    app.clock.advance(Duration::from_secs(31 * 60));
    let late = post(
        &app,
        &browser,
        "forged",
        "/intake/page/0",
        &[("a.reason", "Forged")],
    )
    .await;
    assert_eq!(late.status(), 401);
    let (again, token) = open_link(&app, &link).await;
    post(
        &app,
        &again,
        &token,
        "/intake/verify",
        &[("birth_date", "1999-01-23")],
    )
    .await;
    assert!(
        !page(&again, &app.url("/intake/page/0"))
            .await
            .contains("Forged")
    );
}

#[tokio::test]
async fn the_pages_carry_the_idle_warning_a_minute_before_the_limit_with_a_button_that_keeps_the_session()
 {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    let shown = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        shown.contains(r#"id="idle-warning""#) && shown.contains(r#"data-idle-seconds="1800""#)
    );
    assert!(shown.contains("Stay on this page"));
    // Staying 29 minutes in, then 29 more: still the same session.
    app.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        post(&app, &browser, &token, "/intake/stay", &[])
            .await
            .status(),
        204
    );
    app.clock.advance(Duration::from_secs(29 * 60));
    let still = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(still.status(), 200);
}

#[tokio::test]
async fn next_asks_for_a_missing_required_answer_on_leaving_the_page_and_back_never_blocks() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    let next = post(
        &app,
        &browser,
        &token,
        "/intake/page/0",
        &[("a.reason", ""), ("a.pain_level", "2"), ("nav", "next")],
    )
    .await;
    assert_eq!(next.status(), 422);
    let body = next.text().await.unwrap();
    assert!(body.contains("This question needs an answer."), "{body}");
    assert!(
        body.contains(r##"<a href="#f-reason">"##),
        "the summary links the field: {body}"
    );
    assert!(body.contains(r#"value="2""#), "what was typed stays");
    // While the page is answered (the live save), a missing answer is not nagged about...
    let live = post(
        &app,
        &browser,
        &token,
        "/intake/page/0/live",
        &[("a.reason", "")],
    )
    .await;
    assert!(
        !live
            .text()
            .await
            .unwrap()
            .contains("This question needs an answer.")
    );
    // ...unless the page already asked for it.
    let asked = post(
        &app,
        &browser,
        &token,
        "/intake/page/0/live",
        &[("a.reason", ""), ("checked", "yes")],
    )
    .await;
    assert!(
        asked
            .text()
            .await
            .unwrap()
            .contains("This question needs an answer.")
    );

    // Page 2 asks about tobacco (required): Back leaves it unanswered.
    let back = post(&app, &browser, &token, "/intake/page/2", &[("nav", "back")]).await;
    assert_eq!(location(&back), "/intake/page/1");
}

#[tokio::test]
async fn change_from_the_review_returns_to_the_review_and_its_problems_open_their_field() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    post(
        &app,
        &browser,
        &token,
        "/intake/page/0",
        &[("a.reason", "Check-up")],
    )
    .await;
    let review = page(&browser, &app.url("/intake/review")).await;
    assert!(
        review.contains(r#"href="/intake/page/0?from=review""#),
        "{review}"
    );
    // The missing tobacco answer links to its field, which the page opens focused.
    let link_to_field = "/intake/page/2?from=review&#38;focus=f-tobacco\"";
    assert!(review.contains(link_to_field), "{review}");
    let opened = page(
        &browser,
        &app.url("/intake/page/2?from=review&focus=f-tobacco"),
    )
    .await;
    assert!(
        opened.contains(r#"name="a.tobacco" value="266919005" autofocus"#),
        "{opened}"
    );
    assert!(opened.contains(r#"<input type="hidden" name="from" value="review">"#));

    let changed = post(
        &app,
        &browser,
        &token,
        "/intake/page/0",
        &[
            ("a.reason", "Check-up and flu shot"),
            ("from", "review"),
            ("nav", "next"),
        ],
    )
    .await;
    assert_eq!(
        location(&changed),
        "/intake/review",
        "not on through every page"
    );
    let changed = post(
        &app,
        &browser,
        &token,
        "/intake/page/2",
        &[
            ("a.tobacco", "266919005"),
            ("from", "review"),
            ("nav", "next"),
        ],
    )
    .await;
    assert_eq!(location(&changed), "/intake/review");
}

#[tokio::test]
async fn coming_back_opens_the_first_page_with_something_left_to_answer() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    post(
        &app,
        &browser,
        &token,
        "/intake/page/0",
        &[("a.reason", "Check-up")],
    )
    .await;
    post(
        &app,
        &browser,
        &token,
        "/intake/page/1",
        &[("a.new_allergies", "")],
    )
    .await;

    let (laptop, token) = open_link(&app, &link).await;
    let back = post(
        &app,
        &laptop,
        &token,
        "/intake/verify",
        &[("birth_date", "1999-01-23")],
    )
    .await;
    assert_eq!(location(&back), "/intake/page/2");
    assert_eq!(
        location(&laptop.get(app.url("/intake")).send().await.unwrap()),
        "/intake/page/2"
    );
    post(
        &app,
        &laptop,
        &token,
        "/intake/page/2",
        &[("a.tobacco", "266919005")],
    )
    .await;
    assert_eq!(
        location(&laptop.get(app.url("/intake")).send().await.unwrap()),
        "/intake/review",
        "nothing is left: the review"
    );
}

#[tokio::test]
async fn add_another_and_remove_land_on_the_new_or_neighbouring_instance() {
    let app = TestApp::spawn().await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "adult-previsit").await;
    let fields = [
        ("a.meds_taking_all", "yes"),
        ("a.meds_new_any", "yes"),
        ("g.new_medications", "0"),
        ("a.new_medications.0.med_name", "ibuprofen"),
    ];
    let mut adding = fields.to_vec();
    adding.push(("nav", "add:new_medications"));
    let added = post(&app, &browser, &token, "/intake/page/1", &adding).await;
    let shown = page(&browser, &app.url(&location(&added))).await;
    assert!(
        shown.contains(r#"name="a.new_medications.1.med_name" value="" autofocus"#),
        "the new medicine's first field is focused: {shown}"
    );
    assert_eq!(shown.matches(" autofocus").count(), 1);

    let mut removing = fields.to_vec();
    removing.extend([
        ("g.new_medications", "1"),
        ("a.new_medications.1.med_name", "vitamin D"),
        ("nav", "remove:new_medications:1"),
    ]);
    let removed = post(&app, &browser, &token, "/intake/page/1", &removing).await;
    assert_eq!(
        location(&removed),
        "/intake/page/1?focus=f-new_medications-0"
    );
    let shown = page(
        &browser,
        &app.url("/intake/page/1?focus=f-new_medications-0"),
    )
    .await;
    assert!(
        shown.contains(r#"id="f-new_medications-0" tabindex="-1" autofocus"#),
        "the neighbour is focused: {shown}"
    );
}

#[tokio::test]
async fn a_bound_message_states_the_bound() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = verified(&app, &link, "1999-01-23").await;
    let over = post(
        &app,
        &browser,
        &token,
        "/intake/page/0",
        &[("a.reason", "Check-up"), ("a.pain_level", "11")],
    )
    .await;
    assert_eq!(over.status(), 422);
    assert!(
        over.text()
            .await
            .unwrap()
            .contains("The answer must be at most 10.")
    );
}

#[tokio::test]
async fn the_date_of_birth_is_asked_as_three_boxes_in_the_languages_order() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1003").await;
    let (browser, token) = open_link(&app, &link).await;
    let english = page(&browser, &app.url("/intake")).await;
    assert!(!english.contains(r#"type="date""#), "no date picker");
    let order = |html: &str| {
        let at = |token: &str| html.find(&format!(r#"autocomplete="{token}""#)).unwrap();
        (
            at("bday-month") < at("bday-day"),
            at("bday-day") < at("bday-year"),
        )
    };
    assert_eq!(
        order(&english),
        (true, true),
        "month, day, year in US English"
    );
    let spanish = browser
        .get(app.url("/intake"))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(spanish.contains(">Día</label>"), "{spanish}");
    assert!(!order(&spanish).0, "día, mes, año in Spanish");

    let wrong = post(
        &app,
        &browser,
        &token,
        "/intake/verify",
        &[
            ("dd.birth_date", "23"),
            ("dm.birth_date", "13"),
            ("dy.birth_date", "1999"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await.unwrap();
    assert!(
        wrong.contains(r#"name="dm.birth_date" value="13""#),
        "what was typed stays: {wrong}"
    );
    let right = post(
        &app,
        &browser,
        &token,
        "/intake/verify",
        &[
            ("dd.birth_date", "23"),
            ("dm.birth_date", "1"),
            ("dy.birth_date", "1999"),
        ],
    )
    .await;
    assert_eq!(location(&right), "/intake/page/0");
}

#[tokio::test]
async fn contact_fields_get_their_keyboard_and_autofill_and_a_birth_date_item_three_boxes() {
    let app = TestApp::spawn().await;
    let (browser, token) =
        answering(&app, "MRN-1003", "1999-01-23", "new-patient-registration").await;
    let about = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        about.contains(r#"name="a.legal_first_name" value="" autocomplete="given-name""#),
        "{about}"
    );
    assert!(about.contains(r#"autocomplete="family-name""#));
    assert!(about.contains(r#"name="dd.dob""#) && about.contains(r#"autocomplete="bday-year""#));
    let saved = post(
        &app,
        &browser,
        &token,
        "/intake/page/0/keep",
        &[("dd.dob", "27"), ("dm.dob", "3"), ("dy.dob", "1958")],
    )
    .await;
    assert_eq!(saved.status(), 204);
    let about = page(&browser, &app.url("/intake/page/0")).await;
    assert!(about.contains(r#"name="dm.dob" value="03""#), "{about}");

    let mut contact = String::new();
    for i in 1..6 {
        contact = page(&browser, &app.url(&format!("/intake/page/{i}"))).await;
        if contact.contains(r#"name="a.phone""#) {
            break;
        }
    }
    assert!(contact.contains(r#"<input type="tel" id="f-phone" name="a.phone" value="" inputmode="tel" autocomplete="tel""#), "{contact}");
    assert!(contact.contains(r#"<input type="email" id="f-email" name="a.email" value="" inputmode="email" autocomplete="email""#));
    assert!(contact.contains(r#"inputmode="numeric" autocomplete="postal-code""#));
}
