//! A long answer list from a value set only the terminology server expands: expanded once when
//! the forms load, searched on the patient's page with the server's `ValueSet/$expand?filter=`
//! (cached), and, when the server is too slow, searched in the form's own list at once with a
//! message, never holding the page.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Json, Router, extract::Query, extract::State, routing::get};
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, answering};

const CONDITIONS: &str = "http://clinic.example/fhir/ValueSet/conditions";
/// A value set of more concepts than a form lists: searched on the server only.
const ALL_CONDITIONS: &str = "http://clinic.example/fhir/ValueSet/all-conditions";
const SNOMED: &str = "http://snomed.info/sct";

/// How the stub server behaves, and what it was asked.
#[derive(Default)]
pub struct Stub {
    /// Searches (`filter`) asked.
    searches: AtomicUsize,
    /// Whether it takes ten seconds over each search.
    slow: AtomicBool,
}

/// Thirty conditions (a list longer than the threshold), or for [`ALL_CONDITIONS`] three
/// thousand (more than a form lists).
fn concepts(url: &str) -> Vec<(String, String)> {
    let mut list = vec![
        ("44054006".to_owned(), "Diabetes mellitus type 2".to_owned()),
        ("195967001".to_owned(), "Asthma".to_owned()),
        ("38341003".to_owned(), "Hypertensive disorder".to_owned()),
    ];
    let others = if url == ALL_CONDITIONS { 3000 } else { 27 };
    list.extend((0..others).map(|i| (format!("9{i:05}"), format!("Other condition {i}"))));
    list
}

/// `ValueSet/$expand` for [`CONDITIONS`]: the whole list without `filter`; with it, what the
/// server matches, which includes a synonym ("sugar" finds diabetes) that the words of the
/// displays alone would not.
async fn expand(
    State(stub): State<Arc<Stub>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Json<Value> {
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let filter = param("filter").to_lowercase();
    if !filter.is_empty() {
        stub.searches.fetch_add(1, Ordering::SeqCst);
        if stub.slow.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    }
    let url = param("url");
    assert!(url == CONDITIONS || url == ALL_CONDITIONS, "{url}");
    let count: usize = param("count").parse().unwrap_or(usize::MAX);
    let contains: Vec<Value> = concepts(&url)
        .into_iter()
        .filter(|(_, display)| {
            let display = display.to_lowercase();
            filter.is_empty()
                || display.contains(&filter)
                || (filter == "sugar" && display.contains("diabetes"))
        })
        .map(|(code, display)| json!({"system": SNOMED, "code": code, "display": display}))
        .take(count)
        .collect();
    Json(json!({"resourceType": "ValueSet", "url": url,
        "expansion": {"contains": contains}}))
}

/// A terminology server on loopback answering `ValueSet/$expand` for the two value sets: its
/// base URL.
pub async fn terminology_server(stub: Arc<Stub>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/fhir/ValueSet/$expand", get(expand))
        .with_state(stub);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/fhir")
}

const FORM: &str = r#"id: conditions
version: "1"
title: Conditions
sections:
  - id: history
    title: Your health
    items:
      - id: condition
        type: choice
        text: Which condition do you have?
        value_set: http://clinic.example/fhir/ValueSet/conditions
"#;

fn radios(html: &str) -> Vec<String> {
    let radio = regex_lite::Regex::new(r#"name="a\.condition" value="([^"]+)""#).unwrap();
    radio.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

#[tokio::test]
async fn a_server_value_set_is_searched_on_the_server_cached_and_never_holds_the_page() {
    let stub = Arc::new(Stub::default());
    let server = terminology_server(stub.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("conditions.yaml"), FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![
            ("INTAKE_FORMS_DIR", dir.path().display().to_string()),
            ("INTAKE_TERMINOLOGY_URL", server),
        ],
        worker: false,
        ..Options::default()
    })
    .await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "conditions").await;
    let search = |words: &'static str| {
        let (browser, token, url) = (browser.clone(), token.clone(), app.url("/intake/page/0"));
        async move {
            let form = [
                ("csrf", token.as_str()),
                ("q.condition", words),
                ("nav", "search:condition"),
            ];
            let response = browser.post(url).form(&form).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    // The server's own match (a synonym), which the displays' words would not find.
    let shown = search("sugar").await;
    assert_eq!(radios(&shown), ["44054006"], "{shown}");
    assert!(shown.contains("Diabetes mellitus type 2"));
    assert_eq!(stub.searches.load(Ordering::SeqCst), 1);
    // The same words again come from the cache.
    search(" Sugar ").await;
    assert_eq!(stub.searches.load(Ordering::SeqCst), 1, "cached");

    // A server that takes too long is passed over: the form's list answers, and says so.
    stub.slow.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let shown = search("asth").await;
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "the page waited {:?}",
        started.elapsed()
    );
    assert_eq!(radios(&shown), ["195967001"], "{shown}");
    assert!(
        shown.contains("The clinic&#39;s list service is not answering"),
        "{shown}"
    );
    app.stop().await;
}

pub const ALL_FORM: &str = r#"id: diagnoses
version: "1"
title: Diagnoses
sections:
  - id: history
    title: Your health
    items:
      - id: diagnosis
        type: choice
        text: Which condition do you have?
        value_set: http://clinic.example/fhir/ValueSet/all-conditions
  - id: more
    title: More
    items:
      - id: note
        type: string
        text: Anything else?
"#;

#[tokio::test]
async fn a_value_set_too_large_to_list_is_searched_on_the_server_and_answered_with_its_coding() {
    let stub = Arc::new(Stub::default());
    let server = terminology_server(stub.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("diagnoses.yaml"), ALL_FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![
            ("INTAKE_FORMS_DIR", dir.path().display().to_string()),
            ("INTAKE_TERMINOLOGY_URL", server),
        ],
        ..Options::default()
    })
    .await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "diagnoses").await;
    let post = |fields: Vec<(&'static str, String)>| {
        let (browser, token, url) = (browser.clone(), token.clone(), app.url("/intake/page/0"));
        async move {
            let mut form = vec![("csrf", token)];
            form.extend(fields);
            browser.post(url).form(&form).send().await.unwrap()
        }
    };
    let shown = post(vec![
        ("q.diagnosis", "sugar".into()),
        ("nav", "search:diagnosis".into()),
    ])
    .await
    .text()
    .await
    .unwrap();
    let picked = r#"["http://snomed.info/sct","44054006","Diabetes mellitus type 2"]"#;
    assert!(
        shown.contains(r#"name="a.diagnosis" value="[&#34;http://snomed.info/sct&#34;,&#34;44054006&#34;,&#34;Diabetes mellitus type 2&#34;]""#),
        "the server's match, its Coding in the input: {shown}"
    );
    let saved = post(vec![
        ("a.diagnosis", picked.into()),
        ("q.diagnosis", "sugar".into()),
        ("s.diagnosis", "sugar".into()),
        ("nav", "next".into()),
    ])
    .await;
    assert_eq!(crate::helpers::location(&saved), "/intake/page/1");
    let again = crate::helpers::page(&browser, &app.url("/intake/page/0")).await;
    assert!(again.contains("Your answer"), "{again}");
    assert!(again.contains("Diabetes mellitus type 2"), "{again}");

    // A Coding the server does not give (made up in the page) is refused, not saved.
    let made_up = post(vec![
        (
            "a.diagnosis",
            r#"["http://snomed.info/sct","44054006","Something else"]"#.into(),
        ),
        ("nav", "next".into()),
    ])
    .await;
    assert_eq!(made_up.status(), 422);
    let refused = made_up.text().await.unwrap();
    assert!(refused.contains(r#"id="f-diagnosis-error""#), "{refused}");
    let kept = crate::helpers::page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        kept.contains("Diabetes mellitus type 2"),
        "the answer saved stays: {kept}"
    );

    // A server that takes too long: the page says so at once, the answer given kept.
    stub.slow.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let shown = post(vec![
        ("a.diagnosis", picked.into()),
        ("q.diagnosis", "asth".into()),
        ("nav", "search:diagnosis".into()),
    ])
    .await
    .text()
    .await
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(shown.contains("not answering just now"), "{shown}");
    assert!(shown.contains("Diabetes mellitus type 2"), "{shown}");

    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(crate::helpers::location(&submitted), "/intake/done");
    crate::helpers::eventually("the answers are posted", || async {
        !crate::helpers::posted(&app, "QuestionnaireResponse").is_empty()
    })
    .await;
    let text = crate::helpers::posted(&app, "QuestionnaireResponse")[0].to_string();
    assert!(
        text.contains(r#""valueCoding":{"code":"44054006","display":"Diabetes mellitus type 2","system":"http://snomed.info/sct"}"#),
        "{text}"
    );
    app.stop().await;
}
