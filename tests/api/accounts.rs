//! Staff accounts without the demo: admins, the forced password change, the authenticator app
//! (TOTP) and recovery codes, the per-username sign-in delay, the admin pages and the audit of
//! sign-ins, account changes and views of patient data. Driven over HTTP as a browser without
//! JavaScript would; the clock is the app's injected one, never a sleep.

use std::time::Duration;

use intake::{
    auth::TotpSecret,
    clock::Clock,
    domain::StaffRole,
    intake::{Actor, AuditFilter},
    store::{AuditQuery, staff_actor},
};

use crate::helpers::{TestApp, attribute_after, complete_intake, csrf, location, page};

const ADMIN_PASSWORD: &str = "copper lantern meadow 7";
const NEW_PASSWORD: &str = "violet harbour engine 42";

/// Posts the sign-in form; returns the response.
async fn sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let form = page(browser, &app.url("/staff/login")).await;
    browser
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", csrf(&form).as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Where a GET of `path` redirects.
async fn redirected(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 303, "GET {path} redirects");
    location(&response)
}

/// The code the authenticator app shows now, by the app's clock.
fn app_code(app: &TestApp, secret: &str) -> String {
    TotpSecret::from_base32(secret)
        .expect("a base32 secret")
        .code_at(app.clock.now_millis() / 1000)
}

/// Adds an admin through the service (as `intake staff add` does) with a known password.
async fn add_admin(app: &TestApp, username: &str) {
    app.services
        .accounts()
        .add(
            username,
            Some("Ada Admin"),
            StaffRole::Admin,
            Some(ADMIN_PASSWORD),
            &Actor::command_line(),
        )
        .await
        .unwrap();
}

/// Walks a new admin through the first sign-in: password, new password, authenticator set-up.
/// Returns the browser (signed in), the TOTP secret and the recovery codes.
async fn first_admin_sign_in(
    app: &TestApp,
    username: &str,
) -> (reqwest::Client, String, Vec<String>) {
    add_admin(app, username).await;
    let browser = app.browser();
    let signed = sign_in(app, &browser, username, ADMIN_PASSWORD).await;
    assert_eq!(location(&signed), "/staff");
    assert_eq!(
        redirected(app, &browser, "/staff").await,
        "/staff/sign-in/password"
    );
    let form = page(&browser, &app.url("/staff/sign-in/password")).await;
    let changed = browser
        .post(app.url("/staff/sign-in/password"))
        .form(&[
            ("csrf", csrf(&form).as_str()),
            ("password", NEW_PASSWORD),
            ("again", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&changed), "/staff");
    assert_eq!(
        redirected(app, &browser, "/staff/admin/accounts").await,
        "/staff/sign-in/authenticator"
    );
    let setup = page(&browser, &app.url("/staff/sign-in/authenticator")).await;
    assert!(setup.contains("<svg"), "the QR code is inline SVG");
    let secret = attribute_after(&setup, "name=\"secret\" value=\"");
    let confirmed = browser
        .post(app.url("/staff/sign-in/authenticator"))
        .form(&[
            ("csrf", csrf(&setup).as_str()),
            ("secret", secret.as_str()),
            ("code", app_code(app, &secret).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    let shown = confirmed.text().await.unwrap();
    let codes: Vec<String> = shown
        .split("<li><code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes are shown once");
    (browser, secret, codes)
}

#[tokio::test]
async fn a_new_admin_changes_the_initial_password_and_sets_up_an_authenticator_before_any_admin_page()
 {
    let app = TestApp::spawn().await;
    let (browser, _, _) = first_admin_sign_in(&app, "ada").await;
    let accounts = browser
        .get(app.url("/staff/admin/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.status(), 200);
    let accounts = accounts.text().await.unwrap();
    assert!(accounts.contains("authenticator set up"), "{accounts}");
    assert_eq!(
        redirected(&app, &browser, "/staff").await,
        "/staff/admin/accounts"
    );
    // The initial password no longer works; the new one does (and asks for the code).
    let fresh = app.browser();
    assert_eq!(
        sign_in(&app, &fresh, "ada", ADMIN_PASSWORD).await.status(),
        401
    );
    app.clock.advance(Duration::from_secs(1));
    let again = sign_in(&app, &fresh, "ada", NEW_PASSWORD).await;
    assert_eq!(location(&again), "/staff");
    assert_eq!(
        redirected(&app, &fresh, "/staff/admin/audit").await,
        "/staff/sign-in/code"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_code_signs_in_once_per_step_and_a_recovery_code_only_once() {
    let app = TestApp::spawn().await;
    let (_, secret, codes) = first_admin_sign_in(&app, "ada").await;
    app.clock.advance(Duration::from_secs(30));
    let code = app_code(&app, &secret);
    let submit = |browser: reqwest::Client, code: String| {
        let app = &app;
        async move {
            let form = page(&browser, &app.url("/staff/sign-in/code")).await;
            browser
                .post(app.url("/staff/sign-in/code"))
                .form(&[("csrf", csrf(&form).as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    let first = app.browser();
    sign_in(&app, &first, "ada", NEW_PASSWORD).await;
    let accepted = submit(first.clone(), code.clone()).await;
    assert_eq!(location(&accepted), "/staff");
    assert_eq!(
        first
            .get(app.url("/staff/admin/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // The same code, in the same 30 s, on another sign-in: refused (no replay).
    let second = app.browser();
    sign_in(&app, &second, "ada", NEW_PASSWORD).await;
    assert_eq!(submit(second.clone(), code).await.status(), 401);
    // A recovery code works once, typed in upper case with spaces.
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(
        location(&submit(second.clone(), typed.clone()).await),
        "/staff"
    );
    let third = app.browser();
    sign_in(&app, &third, "ada", NEW_PASSWORD).await;
    assert_eq!(submit(third.clone(), typed).await.status(), 401);
    assert_eq!(
        redirected(&app, &third, "/staff").await,
        "/staff/sign-in/code"
    );
    app.stop().await;
}

#[tokio::test]
async fn repeated_failures_make_one_username_wait_a_growing_delay_that_ends_without_a_lock_out() {
    let app = TestApp::spawn().await;
    let password = app.staff_account("frontdesk").await;
    let browser = app.browser();
    for _ in 0..2 {
        let refused = sign_in(&app, &browser, "frontdesk", "not the password").await;
        assert_eq!(refused.status(), 401);
        assert!(!refused.text().await.unwrap().contains("wait"));
    }
    // The third failure starts the delay: 1 s, then 2 s.
    let third = sign_in(&app, &browser, "frontdesk", "not the password").await;
    assert_eq!(third.headers()["retry-after"], "1");
    assert!(
        third
            .text()
            .await
            .unwrap()
            .contains("please wait 1 second ")
    );
    // While it lasts, even the right password is not checked.
    let early = sign_in(&app, &browser, "frontdesk", &password).await;
    assert_eq!(early.status(), 429);
    assert!(
        early
            .text()
            .await
            .unwrap()
            .contains("Please wait 1 second and try again")
    );
    app.clock.advance(Duration::from_millis(1000));
    let fourth = sign_in(&app, &browser, "frontdesk", "still wrong").await;
    assert_eq!(fourth.headers()["retry-after"], "2");
    app.clock.advance(Duration::from_millis(1500));
    assert_eq!(
        sign_in(&app, &browser, "frontdesk", &password)
            .await
            .status(),
        429
    );
    app.clock.advance(Duration::from_millis(500));
    // Once the delay has passed, the account signs in: no lock-out for a known username.
    let signed = sign_in(&app, &browser, "frontdesk", &password).await;
    assert_eq!(location(&signed), "/staff");
    // Another username was never slowed.
    let other = app.staff_account("desk2").await;
    assert_eq!(
        location(&sign_in(&app, &app.browser(), "desk2", &other).await),
        "/staff"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_username_waits_exactly_as_a_known_one_does() {
    let app = TestApp::spawn().await;
    app.staff_account("frontdesk").await;
    let mut answers = Vec::new();
    for username in ["frontdesk", "nobody"] {
        let browser = app.browser();
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let response = sign_in(&app, &browser, username, "wrong password").await;
            statuses.push((
                response.status().as_u16(),
                response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned()),
            ));
        }
        answers.push(statuses);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][3], (429, Some("1".to_owned())));
    app.stop().await;
}

#[tokio::test]
async fn front_desk_and_clinicians_get_403_on_admin_pages_and_admins_on_patient_pages() {
    let app = TestApp::spawn().await;
    let admin_pages = ["/staff/admin/accounts", "/staff/admin/audit"];
    for username in ["frontdesk", "clinician"] {
        let browser = app.signed_in(username).await;
        for path in admin_pages {
            let status = browser.get(app.url(path)).send().await.unwrap().status();
            assert_eq!(status, 403, "{username} GET {path}");
        }
        let form = page(&browser, &app.url("/staff/exceptions")).await;
        let token = if form.contains("name=\"csrf\"") {
            csrf(&form)
        } else {
            String::new()
        };
        let post = browser
            .post(app.url("/staff/admin/accounts/frontdesk/disable"))
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 403, "{username} POST disable");
    }
    let (admin, _, _) = first_admin_sign_in(&app, "ada").await;
    for path in [
        "/staff/exceptions",
        "/clinician",
        "/staff/submissions/00000000-0000-0000-0000-000000000000/trail",
    ] {
        assert_eq!(
            admin.get(app.url(path)).send().await.unwrap().status(),
            403,
            "admin GET {path}"
        );
    }
    assert!(
        app.services
            .store
            .find_staff_user("frontdesk")
            .await
            .unwrap()
            .unwrap()
            .disabled_at
            .is_none()
    );
    app.stop().await;
}

/// Posts one of the account forms on the accounts page as the admin would.
async fn account_action(
    app: &TestApp,
    admin: &reqwest::Client,
    path: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let list = page(admin, &app.url("/staff/admin/accounts")).await;
    let mut form = vec![("csrf", csrf(&list))];
    form.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    admin.post(app.url(path)).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn an_admin_adds_resets_changes_the_role_of_and_disables_accounts_and_each_is_audited() {
    let app = TestApp::spawn().await;
    let (admin, _, _) = first_admin_sign_in(&app, "ada").await;
    // Add: the page shows the one-time password, which must be changed at first sign-in.
    let added = account_action(
        &app,
        &admin,
        "/staff/admin/accounts",
        &[
            ("username", "bo"),
            ("name", "Bo Desk"),
            ("role", "front_desk"),
        ],
    )
    .await;
    assert_eq!(added.status(), 200);
    let shown = added.text().await.unwrap();
    let initial = shown
        .split("<code>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let bo = app.browser();
    assert_eq!(
        location(&sign_in(&app, &bo, "bo", &initial).await),
        "/staff"
    );
    assert_eq!(
        redirected(&app, &bo, "/staff").await,
        "/staff/sign-in/password"
    );
    // A taken username is refused with the reason, not an error page.
    let taken = account_action(
        &app,
        &admin,
        "/staff/admin/accounts",
        &[("username", "bo"), ("name", ""), ("role", "clinician")],
    )
    .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("The username `bo` is taken.")
    );
    // Role change ends Bo's sessions.
    let role = account_action(
        &app,
        &admin,
        "/staff/admin/accounts/bo/role",
        &[("role", "clinician")],
    )
    .await;
    assert_eq!(location(&role), "/staff/admin/accounts?done=role&user=bo");
    assert_eq!(redirected(&app, &bo, "/staff").await, "/staff/login");
    let bo_user = app
        .services
        .store
        .find_staff_user("bo")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bo_user.role, StaffRole::Clinician);
    // Reset: a new one-time password; the old one stops working.
    let reset = account_action(&app, &admin, "/staff/admin/accounts/bo/reset", &[]).await;
    let shown = reset.text().await.unwrap();
    let fresh = shown
        .split("<code>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, initial);
    assert_eq!(
        sign_in(&app, &app.browser(), "bo", &initial).await.status(),
        401
    );
    let bo = app.browser();
    assert_eq!(location(&sign_in(&app, &bo, "bo", &fresh).await), "/staff");
    assert_eq!(
        redirected(&app, &bo, "/clinician").await,
        "/staff/sign-in/password"
    );
    // Disable: the open session ends and the password no longer signs in.
    let disabled = account_action(&app, &admin, "/staff/admin/accounts/bo/disable", &[]).await;
    assert_eq!(
        location(&disabled),
        "/staff/admin/accounts?done=disabled&user=bo"
    );
    assert_eq!(
        redirected(&app, &bo, "/staff/sign-in/password").await,
        "/staff/login"
    );
    app.clock.advance(Duration::from_secs(2));
    assert_eq!(
        sign_in(&app, &app.browser(), "bo", &fresh).await.status(),
        401
    );
    // An admin cannot disable themselves.
    let own = account_action(&app, &admin, "/staff/admin/accounts/ada/disable", &[]).await;
    assert_eq!(own.status(), 422);
    // Each change is audited with the admin and the address.
    let ada = app
        .services
        .store
        .find_staff_user("ada")
        .await
        .unwrap()
        .unwrap();
    let events = app
        .services
        .store
        .audit_page(&AuditQuery {
            actor: Some(staff_actor(ada.id)),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    for expected in [
        "staff.signed_in",
        "staff.password_changed",
        "staff.second_factor_enrolled",
        "staff.account_added",
        "staff.role_changed",
        "staff.password_reset",
        "staff.account_disabled",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    assert!(
        events
            .iter()
            .all(|e| e.source.as_deref() == Some("127.0.0.1"))
    );
    let role_event = events
        .iter()
        .find(|e| e.action == "staff.role_changed")
        .unwrap();
    assert_eq!(role_event.detail.0["from"], "front_desk");
    assert_eq!(role_event.detail.0["to"], "clinician");
    app.stop().await;
}

#[tokio::test]
async fn every_view_of_patient_data_and_every_sign_in_is_audited_with_user_address_and_patient() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1001").await;
    complete_intake(&app, &link, "1958-04-12", "Latex").await;
    let clinician = app.signed_in("clinician").await;
    let list = page(&clinician, &app.url("/clinician")).await;
    let id = list
        .split("href=\"/clinician/submissions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    page(
        &clinician,
        &app.url(&format!("/clinician/submissions/{id}")),
    )
    .await;
    page(
        &clinician,
        &app.url(&format!("/staff/submissions/{id}/trail")),
    )
    .await;
    let desk = app.signed_in("frontdesk").await;
    page(&desk, &app.url("/staff")).await;
    let queue = page(&desk, &app.url("/staff/exceptions")).await;
    let change = queue
        .split("href=\"/staff/exceptions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    page(&desk, &app.url(&format!("/staff/exceptions/{change}"))).await;
    sign_in(&app, &app.browser(), "frontdesk", "wrong password").await;
    let views = app
        .services
        .store
        .audit_page(&AuditQuery {
            action: Some("patient_data.viewed".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let seen: Vec<(String, Option<&str>)> = views
        .iter()
        .rev()
        .map(|e| (e.subject_kind.clone(), e.patient.as_deref()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("submission_list".to_owned(), None),
            ("submission".to_owned(), Some("MRN-1001")),
            ("submission".to_owned(), Some("MRN-1001")),
            ("appointment_list".to_owned(), None),
            ("exception_queue".to_owned(), None),
            ("proposed_change".to_owned(), Some("MRN-1001")),
        ]
    );
    assert!(
        views
            .iter()
            .all(|e| e.source.as_deref() == Some("127.0.0.1"))
    );
    let clinician_id = app
        .services
        .store
        .find_staff_user("clinician")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(views.last().unwrap().actor, staff_actor(clinician_id));
    let failed = app
        .services
        .store
        .audit_page(&AuditQuery {
            action: Some("staff.sign_in_failed".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].detail.0["username"], "frontdesk");
    assert!(!failed[0].detail.to_string().contains("wrong password"));
    app.stop().await;
}

#[tokio::test]
async fn the_audit_viewer_filters_by_user_patient_action_and_date_and_pages_newest_first() {
    let app = TestApp::spawn().await;
    let (admin, _, _) = first_admin_sign_in(&app, "ada").await;
    let desk = app.signed_in("frontdesk").await;
    // 60 list views by the front desk, each a millisecond apart.
    for _ in 0..60 {
        app.clock.advance(Duration::from_millis(1));
        page(&desk, &app.url("/staff")).await;
    }
    let url = |query: &str| app.url(&format!("/staff/admin/audit?{query}"));
    let first = page(&admin, &url("user=frontdesk&action=patient_data.viewed")).await;
    assert_eq!(first.matches("<td>Viewed patient data<br>").count(), 50);
    let older = attribute_after(&first, "href=\"/staff/admin/audit?").replace("&#38;", "&");
    assert!(older.contains("before="), "{older}");
    // Events arriving meanwhile do not shift the next page.
    page(&desk, &app.url("/staff")).await;
    let second = page(&admin, &url(&older)).await;
    assert_eq!(second.matches("<td>Viewed patient data<br>").count(), 10);
    assert!(!second.contains("Older events"));
    // The service pages the same way: 50 + 11 views by the front desk.
    let service = app
        .services
        .audit_page(&AuditFilter {
            username: Some("frontdesk".into()),
            action: Some("patient_data.viewed".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(service.lines.len(), 50);
    assert!(
        service
            .lines
            .windows(2)
            .all(|w| (w[0].row.at, w[0].row.id) > (w[1].row.at, w[1].row.id))
    );
    // A date range before today holds nothing; a bad date is explained, not an error.
    let old = page(&admin, &url("from=2000-01-01&to=2000-01-02")).await;
    assert!(old.contains("No events match."));
    let bad = admin.get(url("from=yesterday")).send().await.unwrap();
    assert_eq!(bad.status(), 200);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("is not a date like 2026-11-22")
    );
    // By patient: none of these views names one.
    assert!(
        page(&admin, &url("patient=MRN-1001"))
            .await
            .contains("No events match.")
    );
    let unknown = page(&admin, &url("user=nobody")).await;
    assert!(unknown.contains("No account has the username"));
    app.stop().await;
}

#[tokio::test]
async fn a_code_from_an_independent_totp_implementation_is_accepted() {
    // pyotp, installed by scripts/test into its own venv, computes the code for the secret.
    let python = std::env::var("INTAKE_TEST_PYOTP_PYTHON").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_PYOTP_PYTHON is not set: this test needs the Python with pyotp that scripts/test installs")
    });
    let secret = TotpSecret::generate();
    for at in [59_i64, 1_111_111_109, 1_795_300_000, 2_000_000_000] {
        let output = std::process::Command::new(&python)
            .args([
                "-c",
                "import pyotp, sys; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))",
                &secret.to_base32(),
                &at.to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs = String::from_utf8(output.stdout).unwrap();
        assert_eq!(theirs.trim(), secret.code_at(at), "T = {at}");
        assert!(secret.accepts(theirs.trim(), at, None).is_some());
    }
    // And pyotp reads our otpauth URI as we meant it.
    let uri = secret.otpauth_uri("Maple Clinic", "ada");
    let output = std::process::Command::new(&python)
        .args([
            "-c",
            "import pyotp, sys; t = pyotp.parse_uri(sys.argv[1]); print(t.issuer, t.name, t.digits, t.interval, t.at(1795300000))",
            &uri,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        format!("Maple Clinic ada 6 30 {}", secret.code_at(1_795_300_000))
    );
}

#[tokio::test]
async fn with_mfa_required_every_role_sets_up_an_authenticator_and_off_is_not_a_setting() {
    use intake::config::{Config, Overrides};
    let read = |value: &str| {
        let value = value.to_owned();
        Config::from_lookup(
            move |name| (name == "INTAKE_STAFF_MFA").then(|| value.clone()),
            &Overrides::default(),
        )
    };
    assert_eq!(
        read("required").unwrap().staff_mfa,
        intake::domain::MfaPolicy::Required
    );
    assert_eq!(
        read("admins").unwrap().staff_mfa,
        intake::domain::MfaPolicy::Admins
    );
    let refused = read("off").unwrap_err();
    assert_eq!(refused.variable, "INTAKE_STAFF_MFA");

    let app = TestApp::spawn().await;
    let browser = app.signed_in("frontdesk").await;
    let token = browser.get(app.url("/staff")).send().await.unwrap();
    assert_eq!(
        token.status(),
        200,
        "by default the front desk needs no second factor"
    );
    let mut required = app.services.clone();
    required.staff_mfa = intake::domain::MfaPolicy::Required;
    let user = app
        .services
        .store
        .find_staff_user("frontdesk")
        .await
        .unwrap()
        .unwrap();
    let session = intake::store::StaffSession {
        user,
        csrf_token: String::new(),
        last_seen_at: 0,
        created_at: 0,
        second_factor_at: None,
    };
    assert_eq!(
        required.sign_in_step(&session),
        Some(intake::auth::PendingStep::EnrolSecondFactor)
    );
    assert_eq!(app.services.sign_in_step(&session), None);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_forgets_a_lost_authenticator_and_its_owner_sets_up_a_new_one_at_the_next_sign_in()
{
    let app = TestApp::spawn().await;
    let (admin, _, _) = first_admin_sign_in(&app, "ada").await;
    let (cy, _, codes) = first_admin_sign_in(&app, "cy").await;
    let forgot = account_action(&app, &admin, "/staff/admin/accounts/cy/authenticator", &[]).await;
    assert_eq!(
        location(&forgot),
        "/staff/admin/accounts?done=authenticator&user=cy"
    );
    assert_eq!(
        redirected(&app, &cy, "/staff/admin/accounts").await,
        "/staff/login"
    );
    let again = app.browser();
    assert_eq!(
        location(&sign_in(&app, &again, "cy", NEW_PASSWORD).await),
        "/staff"
    );
    assert_eq!(
        redirected(&app, &again, "/staff").await,
        "/staff/sign-in/authenticator",
        "a new authenticator, not the old code"
    );
    let cy_id = app
        .services
        .store
        .find_staff_user("cy")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        app.services
            .store
            .unused_recovery_codes(cy_id)
            .await
            .unwrap(),
        0
    );
    assert_eq!(codes.len(), 10);
    app.stop().await;
}
