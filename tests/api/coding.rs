//! Coding what staff edit: the code picker with and without JavaScript, statuses in plain words,
//! who may search, the terminology server (HFS has no `$expand`, so its refusal is tested on HFS
//! and a stub that expands stands in for a terminology server), and an EHR refusing an uncoded
//! medicine, fixed from the page.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use http_body_util::{BodyExt, Full};
use hyper::{
    Request, Response, StatusCode,
    body::{Bytes, Incoming},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use intake::{
    domain::PatientIdentifier,
    store::ChangeState,
    terminology::{CodeList, CodeLookup, LookupError, TerminologySettings},
};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::helpers::{
    Options, TestApp, answer_and_submit, csrf, eventually, fhir_server_url, http, location, page,
    verified,
};

const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// The picker's value for RxNorm 6809 in the shipped medicines list.
const METFORMIN: &str = "http://www.nlm.nih.gov/research/umls/rxnorm|6809|metformin";
const MEDICATIONS_VS: &str = "http://intake.example.org/fhir/ValueSet/medications";

/// A patient answers the basic pre-visit form with one new medicine, and submits.
pub(crate) async fn submit_medicine(app: &TestApp, link: &str, birth_date: &str, medicine: &str) {
    let (browser, token) = verified(app, link, birth_date).await;
    let pages: [&[(&str, &str)]; 3] = [
        &[
            ("a.reason", "Follow-up"),
            ("a.pain_level", "1"),
            ("a.symptom_start", "2026-11-01"),
        ],
        &[("a.new_allergies", ""), ("a.new_medications", medicine)],
        &[("a.tobacco", "266919005"), ("a.wants_callback", "no")],
    ];
    answer_and_submit(app, &browser, &token, &pages).await;
}

/// The id of the submitted medicine's change.
pub(crate) async fn medicine_change(app: &TestApp) -> Uuid {
    let submission = app.services.submissions().await.unwrap()[0].id;
    app.services
        .store
        .changes_for_submission(submission)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.resource_type.as_str() == "MedicationStatement")
        .expect("a proposed medicine")
        .identifier
        .0
}

/// An app without a worker holding one uncoded medicine for a clinician: the app, the
/// clinician's browser, the change and the page's CSRF token.
async fn held_medicine(options: Options) -> (TestApp, reqwest::Client, Uuid, String) {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..options
    })
    .await;
    let link = app.invite("MRN-1002").await;
    submit_medicine(&app, &link, "1984-09-30", "Metformin").await;
    let clinician = app.signed_in("clinician").await;
    let id = medicine_change(&app).await;
    let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    let token = csrf(&detail);
    (app, clinician, id, token)
}

#[tokio::test]
async fn without_javascript_the_search_button_lists_codes_and_keeps_everything_typed() {
    let (app, clinician, id, token) = held_medicine(Options::default()).await;
    let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    // Statuses in words; the picker with its search box, Search button and "no code".
    assert!(detail.contains(r#"<option value="active" selected>Taking it</option>"#));
    assert!(detail.contains(r#"<option value="stopped">Stopped taking it</option>"#));
    assert!(detail.contains(r#"<label for="edit-code">Search the list</label>"#));
    assert!(detail.contains(r#"<button type="submit" name="action" value="search""#));
    assert!(
        detail.contains(r#"value="" checked>"#),
        "no code until one is chosen"
    );

    let edit_url = app.url(&format!("/staff/exceptions/{id}/edit"));
    let searched = clinician
        .post(&edit_url)
        .form(&[
            ("csrf", token.as_str()),
            ("text", "Metformin 500 twice a day"),
            ("status", "stopped"),
            ("code", ""),
            ("q", "metf"),
            ("action", "search"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(searched.status(), 200);
    let body = searched.text().await.unwrap();
    assert!(body.contains(&format!(r#"value="{METFORMIN}""#)), "{body}");
    assert!(body.contains("RxNorm 6809"));
    assert!(body.contains(r#"name="text" value="Metformin 500 twice a day""#));
    assert!(body.contains(r#"<option value="stopped" selected>Stopped taking it</option>"#));
    assert!(body.contains(r#"name="q" value="metf""#));
    assert_eq!(
        app.services.proposed_change(id).await.unwrap().state,
        ChangeState::Held,
        "a search saves nothing"
    );

    // A code that is not from the list comes back beside the field, everything else kept.
    let refused = clinician
        .post(&edit_url)
        .form(&[
            ("csrf", token.as_str()),
            ("text", "Metformin 500 twice a day"),
            ("status", "stopped"),
            ("code", "http://example.org/drugs|42|Metformin"),
            ("q", "metf"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains(
        r#"<p class="error" id="edit-code-error">Choose a code from the list, or no code.</p>"#
    ));
    assert!(
        body.contains(
            r##"<a href="#edit-code">Code — Choose a code from the list, or no code.</a>"##
        )
    );
    assert!(body.contains(r#"aria-invalid="true" aria-describedby="edit-code-error""#));
    assert!(body.contains(r#"name="text" value="Metformin 500 twice a day""#));
    assert!(
        body.contains(&format!(r#"value="{METFORMIN}""#)),
        "the results stay"
    );
    assert!(body.contains(r#"<option value="stopped" selected>"#));

    let accepted = clinician
        .post(&edit_url)
        .form(&[
            ("csrf", token.as_str()),
            ("text", "Metformin 500 twice a day"),
            ("status", "stopped"),
            ("code", METFORMIN),
            ("q", "metf"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&accepted), "/staff/exceptions");
    let change = app.services.proposed_change(id).await.unwrap();
    assert_eq!(
        change.resource["medicationCodeableConcept"],
        json!({ "text": "Metformin 500 twice a day",
                "coding": [{ "system": RXNORM, "code": "6809", "display": "metformin" }] })
    );
    assert_eq!(change.resource["status"], "stopped");
    let edited = app
        .services
        .store
        .audit_events(id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "change.edited")
        .expect("the edit is audited");
    assert_eq!(
        edited.detail,
        json!({ "fields": ["medicationCodeableConcept.text", "medicationCodeableConcept.coding", "status"] })
    );
    app.stop().await;
}

#[tokio::test]
async fn with_htmx_the_picker_lists_codes_as_staff_type_and_only_the_reviewer_may_search() {
    let (app, clinician, id, token) = held_medicine(Options::default()).await;
    let codes = app.url(&format!("/staff/exceptions/{id}/codes"));
    let fragment = |client: &reqwest::Client, query: &[(&str, &str)], htmx: bool| {
        let mut request = client.get(&codes).query(query);
        if htmx {
            request = request.header("HX-Request", "true");
        }
        request.send()
    };
    let found = fragment(&clinician, &[("q", "metformin")], true)
        .await
        .unwrap();
    assert_eq!(found.status(), 200);
    let body = found.text().await.unwrap();
    assert!(!body.contains("<html"), "a fragment, not a page");
    assert!(body.contains(&format!(r#"value="{METFORMIN}""#)));
    assert!(body.contains(r#"value="" checked>"#), "nothing chosen yet");
    // The best match first: the ingredient before its tablets.
    let first = body.find(METFORMIN).unwrap();
    let tablet = body.find("|860975|").expect("the Synthea tablet is listed");
    assert!(first < tablet);

    // Typing on keeps the chosen code among the choices.
    let kept = fragment(&clinician, &[("q", "aspirin"), ("code", METFORMIN)], true)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        kept.contains(&format!(r#"value="{METFORMIN}" checked>"#)),
        "{kept}"
    );
    assert!(kept.contains("Chosen: metformin"));
    assert!(kept.contains(&format!(r#"value="{RXNORM}|1191|aspirin""#)));

    let nothing = fragment(&clinician, &[("q", "zzzz")], true)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(nothing.contains("Nothing in the list matches “zzzz”"));

    let plain = fragment(&clinician, &[("q", "metformin")], false)
        .await
        .unwrap();
    assert_eq!(plain.status(), 404, "the fragment route is for htmx only");

    // The front desk decides on no medicine: it may neither search nor use the Search button.
    let front_desk = app.signed_in("frontdesk").await;
    let refused = fragment(&front_desk, &[("q", "metformin")], true)
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let desk_token = csrf(&page(&front_desk, &app.url("/staff")).await);
    let button = front_desk
        .post(app.url(&format!("/staff/exceptions/{id}/edit")))
        .form(&[
            ("csrf", desk_token.as_str()),
            ("q", "metformin"),
            ("action", "search"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(button.status(), 403);
    drop(token);
    app.stop().await;
}

#[tokio::test]
async fn a_terminology_server_that_cannot_expand_is_named_and_the_files_answer_instead() {
    // HFS stores ValueSets but has no `$expand`: the page says so, naming the value set, and
    // lists the clinic's own file's matches.
    let hfs = fhir_server_url();
    put_value_set(&hfs).await;
    let (app, clinician, id, token) = held_medicine(Options {
        env: vec![("INTAKE_TERMINOLOGY_URL", hfs.clone())],
        ..Options::default()
    })
    .await;
    let body = clinician
        .post(app.url(&format!("/staff/exceptions/{id}/edit")))
        .form(&[
            ("csrf", token.as_str()),
            ("q", "metformin"),
            ("action", "search"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains(&format!(
            "The terminology server could not expand the value set {MEDICATIONS_VS}: 404 Not Found"
        )),
        "{body}"
    );
    assert!(body.contains("$expand&#39;. Showing the clinic&#39;s own list instead."));
    assert!(body.contains(&format!(r#"value="{METFORMIN}""#)));
    app.stop().await;
}

/// Stores the shipped medicines value set on HFS.
async fn put_value_set(hfs: &str) {
    let value_set: Value = serde_json::from_str(CodeList::Medications.shipped()).unwrap();
    let stored = http()
        .put(format!("{hfs}/ValueSet/medications"))
        .header("content-type", "application/fhir+json")
        .json(&value_set)
        .send()
        .await
        .unwrap();
    assert!(stored.status().is_success(), "HFS stores the ValueSet");
}

#[tokio::test]
async fn a_value_set_nothing_can_expand_is_named_in_the_error() {
    let hfs = fhir_server_url();
    put_value_set(&hfs).await;
    let on_hfs = CodeLookup::load(&TerminologySettings {
        dir: None,
        value_sets_dir: None,
        server: Some(hfs.parse().unwrap()),
    })
    .unwrap();
    match on_hfs.expand(MEDICATIONS_VS, "metformin", 10).await {
        Err(LookupError::Server { url, reason }) => {
            assert_eq!(url, MEDICATIONS_VS);
            assert!(reason.starts_with("404"), "{reason}");
            assert!(reason.contains("$expand"), "HFS's own words: {reason}");
        }
        other => panic!("HFS has no $expand, yet: {other:?}"),
    }
    let files_only = CodeLookup::load(&TerminologySettings::default()).unwrap();
    assert_eq!(
        files_only
            .expand(MEDICATIONS_VS, "metformin", 10)
            .await
            .unwrap()[0]
            .code,
        "6809",
        "the files expand their own value sets"
    );
    let elsewhere = "http://cts.nlm.nih.gov/fhir/ValueSet/2.16.840.1.113762.1.4.1010.4";
    let error = files_only.expand(elsewhere, "x", 10).await.unwrap_err();
    assert_eq!(error, LookupError::NoSource(elsewhere.into()));
    assert!(error.to_string().contains(elsewhere));
    assert!(error.to_string().contains("INTAKE_TERMINOLOGY_URL"));
    let unreachable = CodeLookup::load(&TerminologySettings {
        dir: None,
        value_sets_dir: None,
        server: Some("http://127.0.0.1:9/fhir".parse().unwrap()),
    })
    .unwrap();
    assert_eq!(
        unreachable
            .expand(elsewhere, "x", 10)
            .await
            .unwrap_err()
            .to_string(),
        format!(
            "The terminology server could not expand the value set {elsewhere}: it could not be reached"
        )
    );
}

#[tokio::test]
async fn value_set_files_from_a_folder_replace_the_shipped_ones_and_a_bad_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    for list in CodeList::ALL {
        std::fs::write(
            dir.path().join(format!("{}.json", list.file_stem())),
            list.shipped(),
        )
        .unwrap();
    }
    let one = json!({ "resourceType": "ValueSet", "url": "urn:x:meds", "expansion": { "contains": [
        { "system": RXNORM, "code": "5640", "display": "ibuprofen" } ] } });
    std::fs::write(dir.path().join("medications.json"), one.to_string()).unwrap();
    let settings = TerminologySettings {
        dir: Some(dir.path().to_owned()),
        value_sets_dir: None,
        server: None,
    };
    let lookup = CodeLookup::load(&settings).unwrap();
    assert_eq!(lookup.value_set_url(CodeList::Medications), "urn:x:meds");
    let found = lookup.search(CodeList::Medications, "ibu", 10).await;
    assert_eq!(found.concepts[0].code, "5640");
    assert!(!found.from_server && found.problem.is_none());

    std::fs::write(
        dir.path().join("conditions.json"),
        "{\"resourceType\": \"Bundle\"}",
    )
    .unwrap();
    let error = CodeLookup::load(&settings).unwrap_err();
    assert!(
        matches!(&error, LookupError::File { path, .. } if path.ends_with("conditions.json")),
        "{error}"
    );
}

/// A terminology server that expands: it answers `ValueSet/$expand` from one list, counting the
/// requests. (No terminology server that expands can be installed here; HFS and SEKMET have no
/// `$expand`.)
async fn expanding_server(requests: Arc<AtomicUsize>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let requests = requests.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    requests.fetch_add(1, Ordering::SeqCst);
                    async move { Ok::<_, std::convert::Infallible>(expand(&request)) }
                });
                drop(
                    http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await,
                );
            });
        }
    });
    address
}

fn expand(request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let filter = param("filter").to_lowercase();
    let known = [
        ("197361", "amlodipine 5 MG Oral Tablet"),
        ("17767", "amlodipine"),
    ];
    let contains: Vec<Value> = known
        .iter()
        .filter(|(_, display)| display.to_lowercase().contains(&filter))
        .map(|(code, display)| json!({ "system": RXNORM, "code": code, "display": display }))
        .collect();
    let (status, body) = if request.uri().path() == "/fhir/ValueSet/$expand"
        && param("url") == MEDICATIONS_VS
    {
        (
            StatusCode::OK,
            json!({ "resourceType": "ValueSet", "url": MEDICATIONS_VS,
            "expansion": { "total": contains.len(), "contains": contains } }),
        )
    } else {
        (
            StatusCode::NOT_FOUND,
            json!({ "resourceType": "OperationOutcome",
            "issue": [{ "severity": "error", "code": "not-found", "diagnostics": "unknown value set" }] }),
        )
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/fhir+json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

#[tokio::test]
async fn a_terminology_servers_expansion_is_searched_ranked_and_cached() {
    let requests = Arc::new(AtomicUsize::new(0));
    let address = expanding_server(requests.clone()).await;
    let lookup = CodeLookup::load(&TerminologySettings {
        dir: None,
        value_sets_dir: None,
        server: Some(format!("http://{address}/fhir").parse().unwrap()),
    })
    .unwrap();
    let found = lookup.search(CodeList::Medications, "Amlod", 10).await;
    assert!(found.from_server && found.problem.is_none());
    let codes: Vec<&str> = found.concepts.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        codes,
        ["17767", "197361"],
        "the ingredient first, as the files rank it"
    );
    // The same words again, however spaced or cased, come from the cache.
    lookup.search(CodeList::Medications, " amlod ", 10).await;
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    lookup
        .search(CodeList::Medications, "amlodipine 5", 10)
        .await;
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    // A value set the server does not know: its words, the value set named.
    let error = lookup.expand("urn:x:unknown", "a", 10).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "The terminology server could not expand the value set urn:x:unknown: 404 Not Found: unknown value set"
    );
}

#[tokio::test]
async fn an_answer_value_set_only_the_terminology_server_knows_is_expanded_once_before_the_import()
{
    // reqwest runs on rustls with ring, which the binary installs at start.
    drop(rustls::crypto::ring::default_provider().install_default());
    let requests = Arc::new(AtomicUsize::new(0));
    let address = expanding_server(requests.clone()).await;
    let lookup = CodeLookup::load(&TerminologySettings {
        server: Some(format!("http://{address}/fhir").parse().unwrap()),
        ..TerminologySettings::default()
    })
    .unwrap();
    let questionnaire = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "med", "type": "choice", "text": "Which one?", "answerValueSet": MEDICATIONS_VS},
        {"linkId": "again", "type": "choice", "text": "And?", "answerValueSet": MEDICATIONS_VS},
        // A core value set is expanded here, without asking the server.
        {"linkId": "sex", "type": "choice", "text": "Sex",
         "answerValueSet": "http://hl7.org/fhir/ValueSet/administrative-gender"}]});
    let lists = lookup.answer_lists(&questionnaire).await;
    let form = intake::forms::sdc::import_with(&questionnaire, &lists).unwrap();
    let codes: Vec<&str> = form
        .item("med")
        .unwrap()
        .options
        .iter()
        .map(|o| o.code.as_str())
        .collect();
    assert_eq!(codes, ["197361", "17767"]);
    assert_eq!(form.item("sex").unwrap().options.len(), 4);
    assert_eq!(
        requests.load(Ordering::SeqCst),
        1,
        "one request for the one value set"
    );
    // One the server does not know: the import names it with the server's words.
    let unknown = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "x", "type": "choice", "text": "X", "answerValueSet": "urn:x:unknown"}]});
    let lists = lookup.answer_lists(&unknown).await;
    let error = intake::forms::sdc::import_with(&unknown, &lists).unwrap_err();
    assert_eq!(
        error.to_string(),
        "item `x`: no answer list for the value set urn:x:unknown: The terminology server could \
         not expand the value set urn:x:unknown: 404 Not Found: unknown value set"
    );
}

/// An EHR with a business rule: a proxy in front of HFS that refuses (422, in an
/// OperationOutcome) any write carrying a MedicationStatement without a coded medication, and
/// passes everything else to HFS. Returns its base URL and how many writes it refused.
async fn ehr_requiring_coded_medicines(hfs: String) -> (String, Arc<AtomicUsize>) {
    let refused = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let counter = refused.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (hfs, refused) = (hfs.clone(), counter.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let (hfs, refused) = (hfs.clone(), refused.clone());
                    async move {
                        Ok::<_, std::convert::Infallible>(
                            pass_or_refuse(request, &hfs, &refused).await,
                        )
                    }
                });
                drop(
                    http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await,
                );
            });
        }
    });
    (format!("http://{address}"), refused)
}

async fn pass_or_refuse(
    request: Request<Incoming>,
    hfs: &str,
    refused: &AtomicUsize,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if has_uncoded_medicine(&sent) {
        refused.fetch_add(1, Ordering::SeqCst);
        let outcome = json!({ "resourceType": "OperationOutcome", "issue": [{
            "severity": "error", "code": "business-rule",
            "diagnostics": "a coded medication is required" }] });
        return Response::builder()
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .header("content-type", "application/fhir+json")
            .body(Full::new(Bytes::from(outcome.to_string())))
            .unwrap();
    }
    let target = format!(
        "{hfs}{}",
        parts.uri.path_and_query().map_or("", |p| p.as_str())
    );
    let mut forward = http().request(parts.method.clone(), target).body(body);
    for name in [
        "content-type",
        "accept",
        "if-none-exist",
        "if-match",
        "prefer",
    ] {
        if let Some(value) = parts.headers.get(name) {
            forward = forward.header(name, value);
        }
    }
    let answer = forward.send().await.unwrap();
    let mut response = Response::builder().status(answer.status().as_u16());
    for name in ["content-type", "location", "etag", "last-modified"] {
        if let Some(value) = answer.headers().get(name) {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response.body(Full::new(bytes)).unwrap()
}

/// Whether a resource, or any entry of a Bundle, is a MedicationStatement with no coding.
fn has_uncoded_medicine(sent: &Value) -> bool {
    let resources: Vec<&Value> = match sent["entry"].as_array() {
        Some(entries) => entries.iter().map(|e| &e["resource"]).collect(),
        None => vec![sent],
    };
    resources.iter().any(|r| {
        r["resourceType"] == "MedicationStatement"
            && r["medicationCodeableConcept"]["coding"]
                .as_array()
                .is_none_or(Vec::is_empty)
    })
}

#[tokio::test]
async fn a_medicine_the_ehr_refused_as_uncoded_is_coded_from_the_page_without_javascript_and_posts()
{
    let hfs = fhir_server_url();
    let mrn = PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: format!("T-{}", Uuid::new_v4()),
    };
    let created = http()
        .post(format!("{hfs}/Patient"))
        .header("content-type", "application/fhir+json")
        .json(&json!({ "resourceType": "Patient",
            "identifier": [{ "system": mrn.system, "value": mrn.value }],
            "name": [{ "family": "Testpatient", "given": ["Cody"] }],
            "gender": "male", "birthDate": "1968-02-03" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let (ehr, refusals) = ehr_requiring_coded_medicines(hfs.clone()).await;
    let app = TestApp::spawn_with(Options {
        fhir_url: Some(ehr),
        worker: true,
        ..Options::default()
    })
    .await;
    let link = app.invite_patient(mrn).await;
    submit_medicine(&app, &link, "1968-02-03", "Metformin").await;
    let id = medicine_change(&app).await;

    // The clinician accepts the patient's words; the EHR refuses them.
    let clinician = app.signed_in("clinician").await;
    let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    let token = csrf(&detail);
    let accepted = clinician
        .post(app.url(&format!("/staff/exceptions/{id}/approve")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&accepted), "/staff/exceptions");
    eventually("the EHR refuses the uncoded medicine", || async {
        app.services.proposed_change(id).await.unwrap().state == ChangeState::Failed
    })
    .await;
    assert_eq!(refusals.load(Ordering::SeqCst), 1);
    let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    assert!(
        detail.contains("a coded medication is required"),
        "{detail}"
    );
    assert!(detail.contains(r#"<label for="edit-code">Search the list</label>"#));

    // Without JavaScript: Search, choose, save and accept.
    let edit_url = app.url(&format!("/staff/exceptions/{id}/edit"));
    let searched = clinician
        .post(&edit_url)
        .form(&[
            ("csrf", token.as_str()),
            ("text", "Metformin"),
            ("status", "active"),
            ("code", ""),
            ("q", "metformin"),
            ("action", "search"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(searched.contains(&format!(r#"value="{METFORMIN}""#)));
    let saved = clinician
        .post(&edit_url)
        .form(&[
            ("csrf", token.as_str()),
            ("text", "Metformin"),
            ("status", "active"),
            ("code", METFORMIN),
            ("q", "metformin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&saved), "/staff/exceptions");
    eventually("the coded medicine is posted", || async {
        app.services.proposed_change(id).await.unwrap().state == ChangeState::Posted
    })
    .await;
    let change = app.services.proposed_change(id).await.unwrap();
    let on_hfs: Value = http()
        .get(format!("{hfs}/MedicationStatement"))
        .query(&[("identifier", change.identifier.search_token())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let posted: Vec<&Value> = on_hfs["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "MedicationStatement")
        .collect();
    assert_eq!(posted.len(), 1, "posted once: {on_hfs}");
    assert_eq!(
        posted[0]["medicationCodeableConcept"],
        json!({ "text": "Metformin",
                "coding": [{ "system": RXNORM, "code": "6809", "display": "metformin" }] })
    );
    assert_eq!(
        refusals.load(Ordering::SeqCst),
        1,
        "the coded one was not refused"
    );
    app.stop().await;
}
