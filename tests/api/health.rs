//! Liveness and readiness.

use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer_ok_when_the_database_is_up() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers().contains_key("x-request-id"),
            "{path} carries a request id"
        );
        assert_eq!(response.text().await.unwrap(), body);
    }
    app.stop().await;
}

#[tokio::test]
async fn readyz_fails_once_the_database_is_closed() {
    let app = TestApp::spawn().await;
    app.services.store.close().await;
    let response = app.browser().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_the_request_id_to_quote() {
    let app = TestApp::spawn().await;
    let response = app.browser().get(app.url("/nowhere")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(response.text().await.unwrap().contains(&id));
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_the_queue_by_state_and_the_ehr_sends_without_patient_data() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    crate::helpers::complete_intake(&app, &link, "1984-09-30", "Latex\nShellfish").await;
    crate::helpers::eventually("the response and its Provenance are posted", || async {
        let metrics = crate::helpers::page(&app.browser(), &app.url("/metrics")).await;
        ["QuestionnaireResponse", "Provenance"].iter().all(|kind| {
            metrics.contains(&format!(
                "intake_proposed_changes{{state=\"posted\",resource_type=\"{kind}\"}} 1"
            ))
        })
    })
    .await;
    let response = app.browser().get(app.url("/metrics")).send().await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let metrics = response.text().await.unwrap();
    assert!(
        metrics.contains(
            "intake_proposed_changes{state=\"held\",resource_type=\"AllergyIntolerance\"} 2"
        ),
        "{metrics}"
    );
    // The answers and their Provenance, one send each.
    for kind in ["QuestionnaireResponse", "Provenance"] {
        assert!(
            metrics.contains(&format!(
                "intake_ehr_requests_total{{resource_type=\"{kind}\"}} 1"
            )),
            "{metrics}"
        );
    }
    assert!(
        metrics.contains("intake_ehr_request_seconds_bucket{le=\"+Inf\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("intake_oldest_exception_age_seconds "),
        "{metrics}"
    );
    for secret in ["Okafor", "Latex", "1984"] {
        assert!(!metrics.contains(secret), "metrics hold `{secret}`");
    }
    app.stop().await;
}
