//! The review queue at scale: pages by key with previous/next links that neither repeat nor
//! skip a row while changes arrive, check-all, bulk reject with a reason by role, and a
//! submission that would flood it (over `max_occurs` or the form's `max_changes`) refused with
//! the patient's answers kept.

use intake::{clock::Clock, store::ChangeState};
use uuid::Uuid;

use crate::{
    helpers::{TestApp, csrf, location, page, verified},
    store_contract::{invitation_for, submission_at},
};

/// `count` submissions of two held allergies each, a minute apart from `days_ago` days ago, for
/// patients named in turn.
pub(crate) async fn waiting(app: &TestApp, count: usize, days_ago: i64) -> Vec<Uuid> {
    let start = app.clock.now_millis() - days_ago * 86_400_000;
    let mut ids = Vec::new();
    for n in 0..count {
        let invitation = invitation_for(&app.services.store, &format!("Patient {n:03}")).await;
        let at = start + i64::try_from(n).unwrap() * 60_000;
        let new = submission_at(invitation, &["Dust", "Pollen"], at);
        app.services.store.submit(&new).await.unwrap();
        ids.extend(
            new.changes
                .iter()
                .filter(|c| c.change.resource_type.as_str() == "AllergyIntolerance")
                .map(|c| c.change.identifier.0),
        );
    }
    ids
}

/// The ids of a queue page's rows, in order.
fn row_ids(html: &str) -> Vec<Uuid> {
    let row = regex_lite::Regex::new(r#"form="bulk" name="id" value="([0-9a-f-]{36})""#).unwrap();
    row.captures_iter(html)
        .map(|c| Uuid::parse_str(&c[1]).unwrap())
        .collect()
}

/// The ids of the checked rows.
fn checked_ids(html: &str) -> Vec<Uuid> {
    let row = regex_lite::Regex::new(
        r#"form="bulk" name="id" value="([0-9a-f-]{36})" id="check-[0-9a-f-]{36}" checked>"#,
    )
    .unwrap();
    row.captures_iter(html)
        .map(|c| Uuid::parse_str(&c[1]).unwrap())
        .collect()
}

/// The `href` of the link whose text is `text`, unescaped.
fn link(html: &str, text: &str) -> Option<String> {
    let (before, _) = html.split_once(&format!(">{text}</a>"))?;
    let href = before.rsplit_once("href=\"")?.1.split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn the_queue_pages_fifty_at_a_time_and_its_links_neither_repeat_nor_skip_a_row_as_changes_arrive()
 {
    let app = TestApp::spawn_with(crate::helpers::Options {
        worker: false,
        ..crate::helpers::Options::default()
    })
    .await;
    let all = waiting(&app, 40, 2).await;
    let staff = app.signed_in("clinician").await;
    let first = page(&staff, &app.url("/staff/exceptions")).await;
    assert!(
        first.contains("<strong>80 waiting</strong>: this page shows 50."),
        "{first}"
    );
    let first_rows = row_ids(&first);
    assert_eq!(first_rows, all[..50], "oldest first, fifty to a page");
    assert!(link(&first, "Previous page").is_none());

    // Two more arrive, the newest of all, while the clinician reads the first page.
    let arrived = waiting(&app, 1, 0).await;
    let next = link(&first, "Next page").expect("a next page");
    assert!(
        next.starts_with("/staff/exceptions?sort=oldest&after="),
        "{next}"
    );
    let second = page(&staff, &app.url(&next)).await;
    let second_rows = row_ids(&second);
    let mut expected = all[50..].to_vec();
    expected.extend(&arrived);
    assert_eq!(second_rows, expected, "the rest, none again, none missed");
    assert!(link(&second, "Next page").is_none());
    let back = link(&second, "Previous page").expect("a previous page");
    assert_eq!(row_ids(&page(&staff, &app.url(&back)).await), first_rows);

    // Newest first and by patient page the same way.
    for sort in ["newest", "patient"] {
        let first = page(&staff, &app.url(&format!("/staff/exceptions?sort={sort}"))).await;
        let next = link(&first, "Next page").expect("a next page");
        let second = page(&staff, &app.url(&next)).await;
        let mut seen = row_ids(&first);
        seen.extend(row_ids(&second));
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 82, "{sort}: every row once");
        assert_eq!(seen.len(), 82, "{sort}: every row once");
    }
    // A cursor the page did not make is ignored: the first page.
    let forged = page(&staff, &app.url("/staff/exceptions?after=not-an-id")).await;
    assert_eq!(row_ids(&forged), first_rows);
    app.stop().await;
}

#[tokio::test]
async fn check_all_and_bulk_reject_need_a_reason_and_each_role_rejects_only_its_own() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        worker: false,
        ..crate::helpers::Options::default()
    })
    .await;
    let ids = waiting(&app, 3, 1).await;
    let clinician = app.signed_in("clinician").await;
    let queue = page(&clinician, &app.url("/staff/exceptions")).await;
    assert!(checked_ids(&queue).is_empty());
    let check_all = link(&queue, "Check every row on this page").expect("check-all link");
    let all_checked = page(&clinician, &app.url(&check_all)).await;
    assert_eq!(
        checked_ids(&all_checked),
        ids,
        "every row of the page checked"
    );
    assert!(
        all_checked.contains("data-check-all=\"bulk\""),
        "the box JavaScript wires"
    );

    // Without a reason: back to the page with the message next to the field, boxes still checked.
    let token = csrf(&queue);
    let (first, second) = (ids[0].to_string(), ids[1].to_string());
    let refused = clinician
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("sort", "oldest"),
            ("action", "reject"),
            ("why", "  "),
            ("id", first.as_str()),
            ("id", second.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let shown = refused.text().await.unwrap();
    assert!(
        shown
            .contains(r#"<p class="error" id="bulk-why-error">Say why these changes are rejected"#),
        "{shown}"
    );
    assert_eq!(checked_ids(&shown), ids[..2], "nothing lost");
    for id in &ids {
        let state = app.services.proposed_change(*id).await.unwrap().state;
        assert_eq!(state, ChangeState::Held);
    }

    // The front desk cannot reject a clinical change, even by naming its id.
    let desk = app.signed_in("desk").await;
    let desk_queue = page(&desk, &app.url("/staff/exceptions")).await;
    assert!(
        row_ids(&desk_queue).is_empty(),
        "allergies are not the front desk's"
    );
    let tried = desk
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", csrf(&desk_queue).as_str()),
            ("action", "reject"),
            ("why", "Duplicate"),
            ("id", first.as_str()),
            ("id", second.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&tried),
        "/staff/exceptions?done=rejected&count=0&skipped=2"
    );
    assert_eq!(
        app.services.proposed_change(ids[0]).await.unwrap().state,
        ChangeState::Held
    );

    // The clinician can, and the reason is in each change's audit event and trail.
    let done = clinician
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("action", "reject"),
            ("why", "Already on the chart"),
            ("id", first.as_str()),
            ("id", second.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let back = location(&done);
    assert_eq!(back, "/staff/exceptions?done=rejected&count=2&skipped=0");
    assert!(
        page(&clinician, &app.url(&back))
            .await
            .contains("2 changes rejected")
    );
    for id in &ids[..2] {
        assert_eq!(
            app.services.proposed_change(*id).await.unwrap().state,
            ChangeState::Rejected
        );
        let events = app.services.store.audit_events(*id).await.unwrap();
        let rejected = events
            .iter()
            .find(|e| e.action == "change.rejected")
            .unwrap();
        assert_eq!(
            rejected.detail,
            serde_json::json!({ "bulk": true, "reason": "Already on the chart" })
        );
        let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
        assert!(
            detail.contains("Already on the chart"),
            "the trail says why"
        );
    }

    // Everything the filter matches, without checking a box: the rest of the queue.
    let everything = clinician
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("type", "AllergyIntolerance"),
            ("action", "accept"),
            ("scope", "filter"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&everything),
        "/staff/exceptions?type=AllergyIntolerance&done=accepted&count=4&skipped=0"
    );
    app.stop().await;
}

/// A patient of previsit-basic at the review page with `allergies` (one per line) typed.
async fn previsit_with_allergies(app: &TestApp, allergies: &str) -> (reqwest::Client, String) {
    let link = app.invite("MRN-1002").await;
    let (browser, token) = verified(app, &link, "1984-09-30").await;
    let pages: [&[(&str, &str)]; 3] = [
        &[
            ("a.reason", "Cough for two weeks"),
            ("a.pain_level", "3"),
            ("a.symptom_start", "2026-11-01"),
        ],
        &[("a.new_allergies", allergies), ("a.new_medications", "")],
        &[("a.tobacco", "266919005"), ("a.wants_callback", "no")],
    ];
    for (index, answers) in pages.iter().enumerate() {
        crate::helpers::save_page_confirming(app, &browser, &token, index, answers).await;
    }
    (browser, token)
}

#[tokio::test]
async fn a_submission_over_the_forms_change_limit_is_refused_in_the_patients_language_with_every_answer_kept()
 {
    let app = TestApp::spawn().await;
    let many: Vec<String> = (1..=55).map(|n| format!("Allergen {n}")).collect();
    let (browser, token) = previsit_with_allergies(&app, &many.join("\n")).await;
    let submit = || {
        browser
            .post(app.url("/intake/submit"))
            .form(&[("csrf", token.as_str())])
            .send()
    };
    let refused = submit().await.unwrap();
    assert_eq!(refused.status(), 422);
    let shown = refused.text().await.unwrap();
    let message = "This form can add at most 50 entries to your record at once. Remove some \
                   here and bring the rest to your visit.";
    let (_, row) = shown
        .split_once("Any allergies we may not know about?")
        .expect("the allergies row");
    assert!(row.contains(message), "beside the allergies: {shown}");
    assert!(app.services.exception_queue().await.unwrap().is_empty());

    // In Spanish for a patient reading Spanish.
    let switched = browser
        .get(app.url("/language/es?back=%2Fintake%2Freview"))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), 303);
    let spanish = submit().await.unwrap();
    assert_eq!(spanish.status(), 422);
    assert!(
        spanish
            .text()
            .await
            .unwrap()
            .contains("Este formulario puede añadir como máximo 50 datos a su expediente")
    );

    // Nothing lost: every allergy is still on its page; ten of them submit.
    let allergies = page(&browser, &app.url("/intake/page/1")).await;
    assert!(allergies.contains("Allergen 54") && allergies.contains("Allergen 55"));
    let fewer = many[..10].join("\n");
    let mut form = vec![
        ("csrf", token.as_str()),
        ("a.new_allergies", fewer.as_str()),
        ("a.new_medications", ""),
    ];
    let confirmed = crate::helpers::confirm_on_file(&allergies);
    form.extend(confirmed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let saved = browser
        .post(app.url("/intake/page/1"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&submit().await.unwrap()), "/intake/done");
    let allergies_waiting = app
        .services
        .exception_queue()
        .await
        .unwrap()
        .into_iter()
        .filter(|item| item.change.resource_type.as_str() == "AllergyIntolerance")
        .count();
    assert_eq!(allergies_waiting, 10);
    app.stop().await;
}

#[tokio::test]
async fn more_instances_of_a_group_than_its_max_occurs_are_refused_by_the_server_and_kept() {
    let app = TestApp::spawn().await;
    let (browser, token) =
        crate::helpers::answering(&app, "MRN-1002", "1984-09-30", "hypertension-followup").await;
    // Fifteen readings (the form allows 14), posted as a page the server never offered.
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), token.clone())];
    for n in 0..15 {
        fields.push(("g.bp_readings".into(), n.to_string()));
        fields.push((
            format!("a.bp_readings.{n}.reading_date"),
            "2026-11-30".into(),
        ));
        fields.push((format!("a.bp_readings.{n}.systolic"), (120 + n).to_string()));
        fields.push((format!("a.bp_readings.{n}.diastolic"), "80".into()));
    }
    let saved = browser
        .post(app.url("/intake/page/0"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = saved.status();
    let shown = saved.text().await.unwrap();
    assert!(
        shown.contains("Give at most 14 answers."),
        "the page says so ({status}): {shown}"
    );
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 422, "the server refuses the submission");
    let review = submitted.text().await.unwrap();
    assert!(review.contains("Give at most 14 answers."), "{review}");
    assert!(
        review.contains("134"),
        "the fifteenth reading is kept: {review}"
    );
    app.stop().await;
}

/// The submission ids a clinician's list page links to, in order.
fn summary_ids(html: &str) -> Vec<String> {
    let row = regex_lite::Regex::new(r#"href="/clinician/submissions/([0-9a-f-]{36})""#).unwrap();
    row.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

#[tokio::test]
async fn the_clinicians_list_pages_by_key_even_when_every_visit_starts_at_once() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        worker: false,
        ..crate::helpers::Options::default()
    })
    .await;
    // Every synthetic appointment starts at the same minute: only the key's tie-break orders them.
    waiting(&app, 55, 3).await;
    let clinician = app.signed_in("clinician").await;
    let first = page(&clinician, &app.url("/clinician")).await;
    let first_ids = summary_ids(&first);
    assert_eq!(first_ids.len(), 50);
    assert!(link(&first, "Earlier visits").is_none());
    let later = page(
        &clinician,
        &app.url(&link(&first, "Later visits").expect("a later page")),
    )
    .await;
    let later_ids = summary_ids(&later);
    assert_eq!(later_ids.len(), 5);
    assert!(later_ids.iter().all(|id| !first_ids.contains(id)));
    assert!(link(&later, "Later visits").is_none());
    let back = page(
        &clinician,
        &app.url(&link(&later, "Earlier visits").expect("an earlier page")),
    )
    .await;
    assert_eq!(summary_ids(&back), first_ids);
    app.stop().await;
}
