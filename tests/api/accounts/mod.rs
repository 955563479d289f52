//! Staff accounts without the demo: admins, the forced password change, the authenticator app
//! (TOTP) and recovery codes, the per-username sign-in delay, the admin pages and the audit of
//! sign-ins, account changes and views of patient data. Driven over HTTP as a browser without
//! JavaScript would; the clock is the app's injected one, never a sleep.

mod admin;
mod sign_in;

use intake::{auth::TotpSecret, clock::Clock, domain::StaffRole, intake::Actor};

use crate::helpers::{TestApp, attribute_after, csrf, location, page};

pub(super) const ADMIN_PASSWORD: &str = "copper lantern meadow 7";
pub(super) const NEW_PASSWORD: &str = "violet harbour engine 42";

/// Posts the sign-in form; returns the response.
pub(super) async fn sign_in(
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
pub(super) async fn redirected(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 303, "GET {path} redirects");
    location(&response)
}

/// The code the authenticator app shows now, by the app's clock.
pub(super) fn app_code(app: &TestApp, secret: &str) -> String {
    TotpSecret::from_base32(secret)
        .expect("a base32 secret")
        .code_at(app.clock.now_millis() / 1000)
}

/// Adds an admin through the service (as `intake staff add` does) with a known password.
pub(super) async fn add_admin(app: &TestApp, username: &str) {
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
pub(super) async fn first_admin_sign_in(
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

/// Posts one of the account forms on the accounts page as the admin would.
pub(super) async fn account_action(
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
