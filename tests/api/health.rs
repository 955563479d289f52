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
