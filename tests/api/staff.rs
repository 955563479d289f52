//! Staff sign-in, sessions and roles; the exception queue (filters, edit, retry, bulk) and the
//! trail of a submission, each driven as a browser without JavaScript would: plain GETs and
//! form POSTs.

use std::time::Duration;

use intake::{
    mapping::HoldReason,
    store::ChangeState,
    writeback::{SendOutcome, send_next},
};
use uuid::Uuid;

use crate::helpers::{
    Options, TestApp, accept_first_exception, complete_intake, csrf, eventually, in_english,
    location, page, posted,
};

const FRONT_DESK_PAGES: [&str; 1] = ["/staff"];
const CLINICIAN_PAGES: [&str; 2] = [
    "/clinician",
    "/clinician/submissions/00000000-0000-0000-0000-000000000000",
];
/// Each role's exception queue holds what it decides on.
const SHARED_PAGES: [&str; 3] = [
    "/staff/exceptions",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000",
    "/staff/submissions/00000000-0000-0000-0000-000000000000/trail",
];
const STAFF_ACTIONS: [&str; 6] = [
    "/staff/logout",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000/approve",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000/reject",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000/retry",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000/edit",
    "/staff/exceptions/bulk",
];

#[tokio::test]
async fn no_staff_page_or_action_is_reachable_without_a_session() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    for path in FRONT_DESK_PAGES
        .iter()
        .chain(&CLINICIAN_PAGES)
        .chain(&SHARED_PAGES)
    {
        let response = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            (response.status().as_u16(), location(&response)),
            (303, "/staff/login".into()),
            "GET {path}"
        );
    }
    for path in STAFF_ACTIONS {
        let response = anonymous
            .post(app.url(path))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "POST {path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn each_role_sees_only_its_own_pages() {
    let app = TestApp::spawn().await;
    let clinician = app.signed_in("clinician").await;
    let home = clinician.get(app.url("/staff")).send().await.unwrap();
    assert_ne!(
        home.status(),
        200,
        "the front desk's appointments are not the clinician's"
    );
    assert_eq!(
        clinician
            .get(app.url("/staff/exceptions"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "the clinician's own review queue"
    );
    let front_desk = app.signed_in("frontdesk").await;
    for path in CLINICIAN_PAGES {
        assert_eq!(
            front_desk.get(app.url(path)).send().await.unwrap().status(),
            403,
            "front desk GET {path}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.signed_in("frontdesk").await;
    let mut bodies = Vec::new();
    for username in ["frontdesk", "nobody"] {
        let browser = app.browser();
        let page = crate::helpers::page(&browser, &app.url("/staff/login")).await;
        let response = browser
            .post(app.url("/staff/login"))
            .form(&[
                ("csrf", csrf(&page).as_str()),
                ("username", username),
                ("password", "wrong password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        bodies.push(
            response
                .text()
                .await
                .unwrap()
                .replace(username, "USER")
                .replace(&csrf(&page), "TOKEN"),
        );
    }
    assert_eq!(bodies[0], bodies[1]);
    app.stop().await;
}

#[tokio::test]
async fn a_sign_in_without_the_form_token_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .browser()
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", "forged"),
            ("username", "frontdesk"),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_useless() {
    use reqwest::cookie::CookieStore;
    let app = TestApp::spawn().await;
    let (staff, jar) = app.signed_in_with_jar("frontdesk").await;
    let stolen = jar
        .cookies(&app.url("/staff").parse().unwrap())
        .expect("a session cookie");
    let replay = || {
        app.browser()
            .get(app.url("/staff"))
            .header("cookie", stolen.clone())
            .send()
    };
    assert_eq!(
        replay().await.unwrap().status(),
        200,
        "the copied cookie works while the session lives"
    );
    let page = crate::helpers::page(&staff, &app.url("/staff")).await;
    let signed_out = staff
        .post(app.url("/staff/logout"))
        .form(&[("csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&signed_out), "/staff/login");
    assert_eq!(
        location(&replay().await.unwrap()),
        "/staff/login",
        "and not after sign-out"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_ends_after_fifteen_idle_minutes() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("frontdesk").await;
    app.clock.advance(std::time::Duration::from_secs(14 * 60));
    assert_eq!(
        staff.get(app.url("/staff")).send().await.unwrap().status(),
        200
    );
    app.clock
        .advance(std::time::Duration::from_secs(15 * 60 + 1));
    assert_eq!(
        location(&staff.get(app.url("/staff")).send().await.unwrap()),
        "/staff/login"
    );
    app.stop().await;
}

#[tokio::test]
async fn staff_session_cookies_are_http_only_and_strict() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let page = browser.get(app.url("/staff/login")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_clinician_sees_the_pre_visit_summary_of_a_submission() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1001").await;
    complete_intake(&app, &link, "1958-04-12", "Latex").await;
    let clinician = app.signed_in("clinician").await;
    let list = crate::helpers::page(&clinician, &app.url("/clinician")).await;
    assert!(list.contains("Rosa Maria Delgado"), "{list}");
    let summary_path = list
        .split("href=\"/clinician/submissions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let summary = clinician
        .get(app.url(&format!("/clinician/submissions/{summary_path}")))
        .send()
        .await
        .unwrap();
    assert_eq!(summary.status(), 200);
    let summary = summary.text().await.unwrap();
    for expected in [
        "Cough for two weeks",
        "Never",
        "Allergy: Latex",
        "not yet confirmed",
    ] {
        assert!(summary.contains(expected), "the summary shows {expected}");
    }
    app.stop().await;
}

/// The ids of the exception queue's changes, oldest first, with their summaries.
async fn exceptions(app: &TestApp) -> Vec<(Uuid, String)> {
    app.services
        .exception_queue()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.change.identifier.0, in_english(&e.change.summary)))
        .collect()
}

/// Which of `texts` the page shows, in the order it shows them.
fn in_order<'a>(html: &str, texts: &[&'a str]) -> Vec<&'a str> {
    let mut found: Vec<(usize, &str)> = texts
        .iter()
        .filter_map(|t| html.find(t).map(|at| (at, *t)))
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, t)| t).collect()
}

/// The staff member's audit actor.
async fn actor(app: &TestApp, username: &str) -> String {
    let user = app.services.store.find_staff_user(username).await.unwrap();
    format!("staff:{}", user.unwrap().id)
}

#[tokio::test]
async fn the_queue_filters_and_sorts_through_a_plain_get_form() {
    let app = TestApp::spawn().await;
    let samuel = app.invite("MRN-1002").await;
    complete_intake(&app, &samuel, "1984-09-30", "Shellfish").await;
    // The worker drains the outbox first: the EHR writes do not race the next patient's link.
    eventually("the first submission's outbox is drained", || async {
        let counts = app.services.queue_counts().await.unwrap();
        counts
            .by_state
            .iter()
            .all(|(state, _, _)| state != "queued" && state != "sending")
    })
    .await;
    app.clock.advance(Duration::from_secs(600));
    let rosa = app.invite("MRN-1001").await;
    complete_intake(&app, &rosa, "1958-04-12", "Latex").await;
    let staff = app.signed_in("clinician").await;
    let both = ["Allergy: Shellfish", "Allergy: Latex"];
    let queue = |query: &str| {
        let url = app.url(&format!("/staff/exceptions{query}"));
        let staff = staff.clone();
        async move { page(&staff, &url).await }
    };

    let oldest = queue("").await;
    assert!(oldest.contains(r#"<form method="get" action="/staff/exceptions""#));
    assert!(oldest.contains(r#"<label for="filter-sort">Sort</label>"#));
    assert_eq!(in_order(&oldest, &both), both, "oldest first by default");
    assert!(oldest.contains("Samuel Okafor"));
    assert!(
        oldest.contains("Before your visit (previsit-basic)"),
        "the form by its title, with its id as two forms share the title"
    );
    assert!(
        oldest.contains("10 min"),
        "each item says how long it has waited"
    );

    let newest = queue("?sort=newest").await;
    assert_eq!(
        in_order(&newest, &both),
        ["Allergy: Latex", "Allergy: Shellfish"]
    );
    assert!(
        newest.contains(r#"<option value="newest" selected>"#),
        "the form keeps the choice"
    );
    // Names are sealed: "by patient" groups each patient's changes, in no alphabetical order.
    let by_patient = queue("?sort=patient").await;
    assert_eq!(
        in_order(&by_patient, &both).len(),
        2,
        "both patients' changes are listed"
    );

    let narrowed =
        queue("?reason=patient-reported&type=AllergyIntolerance&state=held&sort=oldest").await;
    assert_eq!(in_order(&narrowed, &both), both);
    for nothing in [
        "?type=Condition",
        "?state=failed",
        "?reason=identity-mismatch",
    ] {
        let empty = queue(nothing).await;
        assert!(in_order(&empty, &both).is_empty(), "{nothing}");
        assert!(
            empty.contains("Nothing waiting matches these filters."),
            "{nothing}"
        );
    }
    let unknown = queue("?sort=sideways&type=Nope&count=x").await;
    assert_eq!(
        in_order(&unknown, &both),
        both,
        "values the form never offers are ignored"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_edit_the_forms_checks_refuse_is_shown_again_and_a_valid_edit_posts_the_edited_allergy()
{
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex").await;
    let staff = app.signed_in("clinician").await;
    let (id, _) = exceptions(&app).await.remove(0);
    let detail = page(&staff, &app.url(&format!("/staff/exceptions/{id}"))).await;
    assert!(
        detail.contains(r#"<label for="edit-text">What it is</label>"#),
        "{detail}"
    );
    assert!(detail.contains(r#"name="text" value="Latex""#));
    let edit_url = app.url(&format!("/staff/exceptions/{id}/edit"));
    let token = csrf(&detail);

    // The same checks as the patient's answer: present, and no longer than any answer may be.
    let too_long = "Latex gloves ".repeat(320);
    for (typed, message) in [
        ("   ", "Enter what this is."),
        (
            too_long.as_str(),
            "This answer is too long; please shorten it.",
        ),
    ] {
        let refused = staff
            .post(&edit_url)
            .form(&[("csrf", token.as_str()), ("text", typed)])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422);
        let body = refused.text().await.unwrap();
        assert!(
            body.contains(&format!(
                r#"<p class="error" id="edit-text-error">{message}</p>"#
            )),
            "{body}"
        );
        assert!(
            body.contains(&format!(r#"name="text" value="{typed}""#)),
            "what was typed stays"
        );
        assert!(body.contains(r#"aria-invalid="true" aria-describedby="edit-text-error""#));
    }
    assert_eq!(
        app.services.proposed_change(id).await.unwrap().state,
        ChangeState::Held,
        "a refused edit changes nothing"
    );

    let accepted = staff
        .post(&edit_url)
        .form(&[("csrf", token.as_str()), ("text", "Latex gloves")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&accepted), "/staff/exceptions");
    eventually("the edited allergy is posted", || async {
        posted(&app, "AllergyIntolerance").len() == 1
    })
    .await;
    let allergy = &posted(&app, "AllergyIntolerance")[0]["entry"][0]["resource"];
    assert_eq!(
        allergy["code"],
        serde_json::json!({ "text": "Latex gloves" })
    );
    assert_eq!(
        allergy["verificationStatus"]["coding"][0]["code"],
        "unconfirmed"
    );
    let change = app.services.proposed_change(id).await.unwrap();
    assert_eq!(in_english(&change.summary), "Allergy: Latex gloves");
    assert_eq!(change.original_resource.unwrap()["code"]["text"], "Latex");
    let edited = app
        .services
        .store
        .audit_events(id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "change.edited")
        .expect("the edit is audited");
    assert_eq!(edited.actor, actor(&app, "clinician").await);
    assert_eq!(
        edited.detail,
        serde_json::json!({ "fields": ["code.text"] })
    );
    app.stop().await;
}

/// The EHR fails change `id` once for `reason`: every due change is claimed, `id` fails with
/// `words`, the others are acknowledged (the worker is off, so nothing else sends).
async fn refuse(app: &TestApp, id: Uuid, reason: HoldReason, words: &str) {
    let store = &app.services.store;
    let now = app.services.clock.now_millis();
    while let Some(claim) = store.claim_next_change(now, 60_000).await.unwrap() {
        if claim.identifier.0 == id {
            store.mark_failed(&claim, reason, words, now).await.unwrap();
        } else {
            store.mark_posted(&claim, "elsewhere", now).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_change_the_ehr_refused_is_retried_now_and_posts() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex").await;
    let staff = app.signed_in("clinician").await;
    let (id, _) = exceptions(&app).await.remove(0);
    accept_first_exception(&app, &staff).await;
    refuse(
        &app,
        id,
        HoldReason::EhrUnavailable,
        "HTTP 503: the EHR is down for maintenance",
    )
    .await;

    let queue = page(&staff, &app.url("/staff/exceptions?state=failed")).await;
    assert!(
        queue.contains(&format!(r#"action="/staff/exceptions/{id}/retry""#)),
        "{queue}"
    );
    let detail = page(&staff, &app.url(&format!("/staff/exceptions/{id}"))).await;
    for shown in [
        "the EHR is down for maintenance",
        "Failed: the EHR refused it",
        "Refused",
        "Retry now",
    ] {
        assert!(detail.contains(shown), "the detail shows {shown}: {detail}");
    }

    let retried = staff
        .post(app.url(&format!("/staff/exceptions/{id}/retry")))
        .form(&[("csrf", csrf(&detail))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&retried), "/staff/exceptions");
    assert_eq!(
        app.services.proposed_change(id).await.unwrap().state,
        ChangeState::Queued
    );
    let settings = intake::writeback::WorkerSettings {
        poll: std::time::Duration::from_millis(25),
        backoff_base: std::time::Duration::from_secs(2),
        ehr_timeout: std::time::Duration::from_secs(10),
    };
    while send_next(&app.services, &settings).await.unwrap() != SendOutcome::Idle {}
    let allergy = posted(&app, "AllergyIntolerance");
    assert_eq!(allergy.len(), 1, "the retried change reached the EHR");
    assert_eq!(allergy[0]["entry"][0]["resource"]["code"]["text"], "Latex");

    let detail = page(&staff, &app.url(&format!("/staff/exceptions/{id}"))).await;
    let (_, lifecycle) = detail.split_once("<h2>Lifecycle</h2>").unwrap();
    let (lifecycle, attempts) = lifecycle.split_once("<h2>Send attempts</h2>").unwrap();
    let steps = [
        "Held for review",
        "Accepted",
        "Sent to the EHR",
        "Failed: the EHR refused it",
        "Retried",
        "Posted: the EHR acknowledged it",
    ];
    assert_eq!(in_order(lifecycle, &steps), steps, "{lifecycle}");
    assert!(lifecycle.contains("clinician"), "who retried it");
    let rows = ["<td>1</td>", "Refused", "<td>2</td>", "Posted"];
    assert_eq!(in_order(attempts, &rows), rows, "{attempts}");
    let events = app.services.store.audit_events(id).await.unwrap();
    let retry = events
        .iter()
        .find(|e| e.action == "change.retried")
        .unwrap();
    assert_eq!(retry.actor, actor(&app, "clinician").await);
    let again = staff
        .post(app.url(&format!("/staff/exceptions/{id}/retry")))
        .form(&[("csrf", csrf(&detail))])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a posted change is not retried");
    app.stop().await;
}

#[tokio::test]
async fn bulk_accept_sends_every_checked_change_in_one_post_and_audits_each() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex\nShellfish\nDust").await;
    let staff = app.signed_in("clinician").await;
    let waiting = exceptions(&app).await;
    assert_eq!(waiting.len(), 3);
    let queue = page(&staff, &app.url("/staff/exceptions?sort=newest")).await;
    for (id, _) in &waiting {
        assert!(queue.contains(&format!(
            r#"<input type="checkbox" form="bulk" name="id" value="{id}" id="check-{id}">"#
        )));
        assert!(queue.contains(&format!(
            r#"<label for="check-{id}" class="visually-hidden">"#
        )));
    }
    let (first, second, left) = (waiting[0].0, waiting[1].0, waiting[2].0);
    let unknown = Uuid::new_v4();
    let refused = staff
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", "forged"),
            ("action", "accept"),
            ("id", &first.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        403,
        "no bulk action without the session's token"
    );

    let token = csrf(&queue);
    let (first_id, second_id, unknown_id) =
        (first.to_string(), second.to_string(), unknown.to_string());
    let done = staff
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("sort", "newest"),
            ("action", "accept"),
            ("id", first_id.as_str()),
            ("id", second_id.as_str()),
            ("id", unknown_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let back = location(&done);
    assert_eq!(
        back,
        "/staff/exceptions?sort=newest&done=accepted&count=2&skipped=1"
    );
    let after = page(&staff, &app.url(&back)).await;
    assert!(
        after.contains("2 changes accepted and sent to the outbox."),
        "{after}"
    );
    assert!(after.contains("1 left as they were"));

    eventually("both checked allergies are posted", || async {
        posted(&app, "AllergyIntolerance").len() == 2
    })
    .await;
    let staff_actor = actor(&app, "clinician").await;
    for id in [first, second] {
        let events = app.services.store.audit_events(id).await.unwrap();
        let approved: Vec<_> = events
            .iter()
            .filter(|e| e.action == "change.approved")
            .collect();
        assert_eq!(approved.len(), 1, "each change has its own audit event");
        assert_eq!(approved[0].actor, staff_actor);
        assert_eq!(approved[0].detail, serde_json::json!({ "bulk": true }));
    }
    assert_eq!(
        app.services.proposed_change(left).await.unwrap().state,
        ChangeState::Held,
        "the unchecked change still waits"
    );
    app.stop().await;
}

#[tokio::test]
async fn bulk_retry_sends_only_the_failed_changes_again() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex\nShellfish").await;
    let staff = app.signed_in("clinician").await;
    let waiting = exceptions(&app).await;
    let (failed, held) = (waiting[0].0, waiting[1].0);
    app.services
        .store
        .approve_change(failed, "staff:test", app.services.clock.now_millis())
        .await
        .unwrap();
    refuse(&app, failed, HoldReason::EhrUnavailable, "HTTP 503").await;
    let queue = page(&staff, &app.url("/staff/exceptions")).await;
    let (failed_id, held_id) = (failed.to_string(), held.to_string());
    let done = staff
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[
            ("csrf", csrf(&queue).as_str()),
            ("action", "retry"),
            ("id", failed_id.as_str()),
            ("id", held_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&done),
        "/staff/exceptions?done=retried&count=1&skipped=1"
    );
    assert_eq!(
        app.services.proposed_change(failed).await.unwrap().state,
        ChangeState::Queued
    );
    assert_eq!(
        app.services.proposed_change(held).await.unwrap().state,
        ChangeState::Held
    );
    app.stop().await;
}

#[tokio::test]
async fn the_trail_of_a_submission_reads_in_time_order_as_a_page_and_as_json() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex\nShellfish").await;
    let staff = app.signed_in("clinician").await;
    let waiting = exceptions(&app).await;
    let (latex, shellfish) = (waiting[0].0, waiting[1].0);
    app.clock.advance(Duration::from_secs(60));
    let queue = page(&staff, &app.url("/staff/exceptions")).await;
    let accepted = staff
        .post(app.url(&format!("/staff/exceptions/{latex}/approve")))
        .form(&[("csrf", csrf(&queue))])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303);
    let rejected = staff
        .post(app.url(&format!("/staff/exceptions/{shellfish}/reject")))
        .form(&[
            ("csrf", csrf(&queue).as_str()),
            ("reason", "Already on the chart"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 303);
    eventually("the accepted allergy is posted", || async {
        posted(&app, "AllergyIntolerance").len() == 1
    })
    .await;
    let submission = app
        .services
        .proposed_change(latex)
        .await
        .unwrap()
        .submission_id;
    let trail_url = app.url(&format!("/staff/submissions/{submission}/trail"));

    let json: serde_json::Value = staff
        .get(format!("{trail_url}?format=json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = json["entries"].as_array().unwrap();
    let stages: Vec<&str> = entries
        .iter()
        .map(|e| e["stage"].as_str().unwrap())
        .collect();
    assert_eq!(&stages[..2], ["chart-read", "submitted"], "{stages:?}");
    assert!(
        entries
            .windows(2)
            .all(|w| w[0]["at"].as_i64() <= w[1]["at"].as_i64()),
        "in time order"
    );
    let latex_id = latex.to_string();
    let of_latex: Vec<&str> = entries
        .iter()
        .filter(|e| e["change"] == latex_id.as_str())
        .map(|e| e["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        of_latex,
        ["extracted", "held", "accepted", "sent", "posted"]
    );
    let find = |stage: &str| entries.iter().find(|e| e["stage"] == stage).unwrap();
    assert_eq!(find("accepted")["actor_name"], "clinician");
    assert_eq!(find("accepted")["category"], "resolution");
    assert_eq!(find("rejected")["detail"], "Already on the chart");
    assert_eq!(find("held")["category"], "exception");
    assert_eq!(find("chart-read")["category"], "read");
    assert!(
        find("posted")["detail"]
            .as_str()
            .unwrap()
            .starts_with("EHR id ")
    );
    assert!(
        entries
            .iter()
            .any(|e| e["stage"] == "posted" && e["resource_type"] == "QuestionnaireResponse"),
        "the answers posted on their own"
    );
    let text = json.to_string();
    assert!(
        !text.contains("Okafor") && !text.contains("Latex"),
        "no patient data in the JSON"
    );

    let by_accept = staff
        .get(&trail_url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(
        by_accept.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let html = page(&staff, &trail_url).await;
    let steps = [
        "Chart read from the EHR",
        "Answers submitted",
        "Held for review",
        "Accepted",
        "Rejected",
    ];
    assert_eq!(in_order(&html, &steps), steps, "{html}");
    assert!(html.contains(r#"<th scope="col">When</th>"#));
    assert!(
        html.contains("form Before your visit (previsit-basic)"),
        "the form by its title: {html}"
    );
    assert_eq!(json["form"], "previsit-basic", "machines get the id");
    let front_desk = app.signed_in("frontdesk").await;
    assert_eq!(
        front_desk.get(&trail_url).send().await.unwrap().status(),
        200
    );
    let missing = app.url(&format!("/staff/submissions/{}/trail", Uuid::new_v4()));
    assert_eq!(staff.get(missing).send().await.unwrap().status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn allergies_wait_for_a_clinician_and_the_front_desk_can_neither_see_nor_decide_them() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex").await;
    let (id, _) = exceptions(&app).await.remove(0);

    let front_desk = app.signed_in("frontdesk").await;
    let queue = page(&front_desk, &app.url("/staff/exceptions")).await;
    assert!(
        !queue.contains(&id.to_string()),
        "not in the front desk's queue"
    );
    let detail = page(&front_desk, &app.url(&format!("/staff/exceptions/{id}"))).await;
    assert!(
        detail.contains("This change waits for a clinician to decide."),
        "{detail}"
    );
    assert!(!detail.contains("Accept and post to the chart"), "{detail}");
    for action in ["approve", "reject", "edit"] {
        let refused = front_desk
            .post(app.url(&format!("/staff/exceptions/{id}/{action}")))
            .form(&[
                ("csrf", csrf(&detail).as_str()),
                ("reason", "no"),
                ("text", "Latex"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403, "a clerk cannot {action} an allergy");
    }
    assert_eq!(
        app.services.proposed_change(id).await.unwrap().state,
        ChangeState::Held
    );

    let clinician = app.signed_in("clinician").await;
    let queue = page(&clinician, &app.url("/staff/exceptions")).await;
    assert!(queue.contains(&id.to_string()), "in the clinician's queue");
    let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    let accepted = clinician
        .post(app.url(&format!("/staff/exceptions/{id}/approve")))
        .form(&[("csrf", csrf(&detail))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&accepted), "/staff/exceptions");
    assert_eq!(
        app.services.proposed_change(id).await.unwrap().state,
        ChangeState::Queued
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refusal_a_retry_cannot_fix_offers_no_retry_and_refuses_one() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex").await;
    let staff = app.signed_in("clinician").await;
    let (id, _) = exceptions(&app).await.remove(0);
    accept_first_exception(&app, &staff).await;
    refuse(
        &app,
        id,
        HoldReason::InvalidForEhr,
        "HTTP 422: AllergyIntolerance.code: a coded substance is required",
    )
    .await;
    let queue = page(&staff, &app.url("/staff/exceptions?state=failed")).await;
    assert!(queue.contains(&id.to_string()), "{queue}");
    assert!(
        !queue.contains(&format!("/staff/exceptions/{id}/retry")),
        "{queue}"
    );
    let detail = page(&staff, &app.url(&format!("/staff/exceptions/{id}"))).await;
    assert!(detail.contains("a coded substance is required"), "{detail}");
    assert!(!detail.contains("Retry now"), "{detail}");
    let retried = staff
        .post(app.url(&format!("/staff/exceptions/{id}/retry")))
        .form(&[("csrf", csrf(&detail))])
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), 409);
    assert_eq!(
        app.services.proposed_change(id).await.unwrap().state,
        ChangeState::Failed
    );
    app.stop().await;
}

#[tokio::test]
async fn a_clinician_accepts_and_rejects_from_the_summary_which_then_says_who_did_what() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Options::default()
    })
    .await;
    let link = app.invite("MRN-1002").await;
    complete_intake(&app, &link, "1984-09-30", "Latex\nShellfish").await;
    let clinician = app.signed_in("clinician").await;
    let submission = app.services.submissions().await.unwrap()[0].id;
    let summary_url = app.url(&format!("/clinician/submissions/{submission}"));
    let summary = page(&clinician, &summary_url).await;
    assert_eq!(
        summary.matches("Waiting for review by a clinician").count(),
        2,
        "{summary}"
    );
    let waiting = exceptions(&app).await;
    let (latex, shellfish) = (waiting[0].0, waiting[1].0);
    let accepted = clinician
        .post(app.url(&format!("/staff/exceptions/{latex}/approve")))
        .form(&[("csrf", csrf(&summary).as_str()), ("back", "summary")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&accepted),
        format!("/clinician/submissions/{submission}")
    );
    let rejected = clinician
        .post(app.url(&format!("/staff/exceptions/{shellfish}/reject")))
        .form(&[
            ("csrf", csrf(&summary).as_str()),
            ("reason", "reported in error"),
            ("back", "summary"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&rejected),
        format!("/clinician/submissions/{submission}")
    );

    let summary = page(&clinician, &summary_url).await;
    assert!(
        summary.contains("Being sent to the chart (accepted by clinician)"),
        "{summary}"
    );
    assert!(
        summary.contains("Rejected by clinician: reported in error"),
        "{summary}"
    );
    assert!(!summary.contains("Waiting for review"), "{summary}");
    app.stop().await;
}

/// A change's summary as an earlier version stored it (English text) or as a later one might
/// (a message this version lacks) shows on the queue, the change's page and the clinician's
/// summary: as its text, or as the words it carries, never as an error.
#[tokio::test]
async fn a_summary_stored_by_an_earlier_or_a_later_version_shows_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let database =
        crate::helpers::fresh_database(crate::helpers::Backend::Sqlite, dir.path()).await;
    let app = TestApp::spawn_with(Options {
        database: Some(database.clone()),
        ..Options::default()
    })
    .await;
    let rosa = app.invite("MRN-1001").await;
    complete_intake(&app, &rosa, "1958-04-12", "Latex").await;
    let [(id, summary)] = exceptions(&app).await.try_into().unwrap();
    assert_eq!(summary, "Allergy: Latex");
    let submission = app
        .services
        .proposed_change(id)
        .await
        .unwrap()
        .submission_id;
    let staff = app.signed_in("clinician").await;
    let pages = [
        "/staff/exceptions".to_owned(),
        format!("/staff/exceptions/{id}"),
        format!("/clinician/submissions/{submission}"),
    ];
    let pool = sqlx::SqlitePool::connect(&database).await.unwrap();
    for (stored, shown) in [
        (
            "Allergy: Latex (stored as text)",
            "Allergy: Latex (stored as text)",
        ),
        (
            r#"{"composed":{"id":"change-summary-from-later","parts":[["value",{"verbatim":"Latex (later)"}]]}}"#,
            "Latex (later)",
        ),
    ] {
        let aad = intake::crypt::aad("proposed_changes.summary", id);
        let sealed = app.services.store.sealer().seal_text(stored, &aad).unwrap();
        sqlx::query("UPDATE proposed_changes SET summary = $2 WHERE id = $1")
            .bind(id)
            .bind(sealed)
            .execute(&pool)
            .await
            .unwrap();
        for path in &pages {
            let response = staff.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let body = response.text().await.unwrap();
            assert!(body.contains(shown), "{path} shows {shown}");
        }
    }
    app.stop().await;
}
