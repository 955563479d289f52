//! Staff sign-in, sessions and roles.

use crate::helpers::{TestApp, complete_intake, csrf, location};

const FRONT_DESK_PAGES: [&str; 3] = [
    "/staff",
    "/staff/exceptions",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000",
];
const CLINICIAN_PAGES: [&str; 2] = [
    "/clinician",
    "/clinician/submissions/00000000-0000-0000-0000-000000000000",
];
const STAFF_ACTIONS: [&str; 3] = [
    "/staff/logout",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000/approve",
    "/staff/exceptions/00000000-0000-0000-0000-000000000000/reject",
];

#[tokio::test]
async fn no_staff_page_or_action_is_reachable_without_a_session() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    for path in FRONT_DESK_PAGES.iter().chain(&CLINICIAN_PAGES) {
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
    for path in &FRONT_DESK_PAGES[1..] {
        assert_eq!(
            clinician.get(app.url(path)).send().await.unwrap().status(),
            403,
            "clinician GET {path}"
        );
    }
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
