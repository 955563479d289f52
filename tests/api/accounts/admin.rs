//! The admin's work: role checks, account changes, the audit of each and of every view of
//! patient data, the audit viewer, and forgetting a lost authenticator.

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
    // The viewer says it in words: the action, and its detail's codes.
    let viewer = page(
        &admin,
        &app.url("/staff/admin/audit?action=staff.role_changed"),
    )
    .await;
    assert!(viewer.contains("<td>Role changed<br>"), "{viewer}");
    assert!(
        viewer.contains("From: Front desk · To: Clinician · Username: bo"),
        "{viewer}"
    );
    assert!(
        !viewer.contains("front_desk\"") && !viewer.contains("&quot;from&quot;"),
        "no raw JSON: {viewer}"
    );
    assert!(
        viewer.contains(r#"<option value="change.rejected">Change rejected</option>"#),
        "every action the log holds can be filtered on"
    );
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
    // The reported allergies wait in the clinician's review queue.
    let queue = page(&clinician, &app.url("/staff/exceptions")).await;
    let change = queue
        .split("href=\"/staff/exceptions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    page(&clinician, &app.url(&format!("/staff/exceptions/{change}"))).await;
    let desk = app.signed_in("frontdesk").await;
    page(&desk, &app.url("/staff")).await;
    page(&desk, &app.url("/staff/exceptions")).await;
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
    // The patient is named by the keyed hash of the record number (the number is sealed).
    let rosa = app.services.store.record_lookup("MRN-1001");
    let rosa = Some(rosa.as_str());
    assert_eq!(
        seen,
        vec![
            ("submission_list".to_owned(), None),
            ("submission".to_owned(), rosa),
            ("submission".to_owned(), rosa),
            ("exception_queue".to_owned(), None),
            ("proposed_change".to_owned(), rosa),
            ("appointment_list".to_owned(), None),
            ("exception_queue".to_owned(), None),
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
