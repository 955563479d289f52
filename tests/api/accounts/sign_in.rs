//! Signing in: the first admin's steps, codes once per step, recovery codes, the delay per
//! username, and an independent TOTP implementation.

#![allow(
    unused_imports,
    reason = "one import list for both halves of the accounts tests"
)]

use std::time::Duration;

use intake::{
    auth::TotpSecret,
    clock::Clock,
    domain::StaffRole,
    intake::{Actor, AuditFilter},
    store::{AuditQuery, staff_actor},
};

use super::*;
use crate::helpers::{TestApp, attribute_after, complete_intake, csrf, location, page};

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
