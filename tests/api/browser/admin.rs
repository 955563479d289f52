//! The admin's pages on a phone, with JavaScript and without: the first sign-in (new password,
//! authenticator set-up with its QR code, recovery codes), the code page, staff accounts, a
//! one-time password and the audit log, each checked by axe-core.

use intake::{auth::TotpSecret, clock::Clock, domain::StaffRole, intake::Actor};

use super::{phone::Phone, sign_in};
use crate::helpers::TestApp;

async fn admin_pages_pass_axe(javascript: bool) {
    let app = TestApp::spawn().await;
    app.services
        .accounts()
        .add(
            "ada",
            Some("Ada Admin"),
            StaffRole::Admin,
            Some("copper lantern meadow 7"),
            &Actor::command_line(),
        )
        .await
        .unwrap();
    let mut phone = Phone::open(&app, javascript).await;
    phone.goto("/staff/login").await;
    sign_in(&phone, "ada", "copper lantern meadow 7").await;
    assert_eq!(phone.path().await, "/staff/sign-in/password");
    phone.check("choose a new password").await;
    phone.type_into("#password", "short").await;
    phone.type_into("#again", "short").await;
    // The browser's own minlength check would stop a short password; the server's words are
    // what this page type shows, so ask for a common one instead.
    phone.js("document.querySelectorAll('input[minlength]').forEach(i => i.removeAttribute('minlength'))").await;
    phone
        .click("form[action='/staff/sign-in/password'] button")
        .await;
    assert!(
        phone
            .text("p.error")
            .await
            .contains("at least 12 characters")
    );
    phone.check("choose a new password, refused").await;
    phone
        .type_into("#password", "violet harbour engine 42")
        .await;
    phone.type_into("#again", "violet harbour engine 42").await;
    phone
        .click("form[action='/staff/sign-in/password'] button")
        .await;
    assert_eq!(phone.path().await, "/staff/sign-in/authenticator");
    assert!(phone.has("figure.qr svg").await);
    phone.check("authenticator set-up").await;
    let secret = phone
        .attribute("input[name=secret]", "value")
        .await
        .unwrap();
    let code = TotpSecret::from_base32(&secret)
        .unwrap()
        .code_at(app.clock.now_millis() / 1000);
    phone.type_into("#code", &code).await;
    phone
        .click("form[action='/staff/sign-in/authenticator'] button")
        .await;
    assert_eq!(phone.h1().await, "Your recovery codes");
    phone.check("recovery codes").await;
    phone.click("main a.button").await;
    assert_eq!(phone.path().await, "/staff/admin/accounts");
    phone.check("staff accounts").await;
    phone.type_into("#new-username", "bo").await;
    phone.type_into("#new-name", "Bo Desk").await;
    phone
        .click("form[action='/staff/admin/accounts'] button")
        .await;
    assert_eq!(phone.h1().await, "Account added");
    phone.check("one-time password").await;
    phone.click("header nav a[href='/staff/admin/audit']").await;
    assert_eq!(phone.path().await, "/staff/admin/audit");
    assert!(phone.text("main").await.contains("Account added"));
    phone.check("audit log").await;
    phone.click("header form button").await;
    assert_eq!(phone.path().await, "/staff/login");
    app.clock.advance(std::time::Duration::from_secs(31));
    sign_in(&phone, "ada", "violet harbour engine 42").await;
    assert_eq!(phone.path().await, "/staff/sign-in/code");
    phone.check("authenticator code").await;
    let code = TotpSecret::from_base32(&secret)
        .unwrap()
        .code_at(app.clock.now_millis() / 1000);
    phone.type_into("#code", &code).await;
    phone
        .click("form[action='/staff/sign-in/code'] button")
        .await;
    assert_eq!(phone.path().await, "/staff/admin/accounts");
    phone.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_the_admin_pages_pass_axe() {
    admin_pages_pass_axe(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_the_admin_pages_pass_axe() {
    admin_pages_pass_axe(false).await;
}
