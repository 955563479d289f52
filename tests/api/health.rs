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
            .starts_with("application/openmetrics-text")
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

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status_class() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    // A link's path holds its token: only the template may reach the metrics.
    let opened = app.browser().get(&link).send().await.unwrap();
    assert!(opened.status().is_success() || opened.status().is_redirection());
    app.browser().get(app.url("/nowhere")).send().await.unwrap();
    let metrics = crate::helpers::page(&app.browser(), &app.url("/metrics")).await;
    let token = link.rsplit('/').next().unwrap();
    assert!(!metrics.contains(token), "a link token reached the metrics");
    for line in [
        "intake_http_requests_total{route=\"/i/{token}\",method=\"GET\",status=\"",
        "intake_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"4xx\"} 1",
        "intake_http_request_duration_seconds_bucket{le=\"0.005\",route=\"/i/{token}\"",
        "intake_db_pool_connections{state=\"in_use\"}",
        "intake_invitations{state=\"open\"} 1",
        "intake_writeback_oldest_queued_age_seconds 0",
        "intake_build_info{version=\"",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
    app.stop().await;
}

#[tokio::test]
async fn with_a_metrics_address_metrics_leave_the_public_listener_for_their_own() {
    let port = crate::helpers::free_port();
    let app = TestApp::spawn_with(crate::helpers::Options {
        env: vec![("INTAKE_METRICS_ADDR", format!("127.0.0.1:{port}"))],
        ..crate::helpers::Options::default()
    })
    .await;
    let public = app.browser().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404, "not on the public listener");
    let private = app
        .browser()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(private.status(), 200);
    let text = private.text().await.unwrap();
    assert!(
        text.contains("intake_oldest_exception_age_seconds"),
        "{text}"
    );
    assert!(
        text.contains("intake_http_requests_total{route=\"unmatched\""),
        "the public 404 is counted: {text}"
    );
    app.stop().await;
}
