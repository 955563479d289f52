//! SMART Backend Services against a real token endpoint and FHIR server (SEKMET, started by
//! scripts/test with Intake's ES384 and RS384 clients registered), and the token endpoint's
//! faults against a small mock.

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Json, Router, http::StatusCode, response::IntoResponse, routing::get};
use intake::{
    app,
    clock::SystemClock,
    config::{Config, Overrides},
    domain::PatientIdentifier,
    ehr::{
        AccessToken, Ehr, EhrError, FhirRest, OutgoingChange, SigningAlgorithm, SigningKey,
        SmartAuthorizer, SmartClient,
    },
    mapping::{ChangeIdentifier, ResourceType},
};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::http;

const SCOPE: &str = "system/Patient.crs system/AllergyIntolerance.crs";

/// A variable scripts/test sets; the test fails, saying why, without it.
fn from_script(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: these tests need the SMART server (SEKMET) that scripts/test installs, configures and starts")
    })
}

/// SEKMET's FHIR base URL.
fn sekmet_url() -> String {
    from_script("INTAKE_TEST_SEKMET_URL")
}

/// A client registered with SEKMET, with its registered key.
fn registered(algorithm: SigningAlgorithm, scope: &str) -> SmartClient {
    let prefix = format!("INTAKE_TEST_SMART_{algorithm}");
    let key_file = from_script(&format!("{prefix}_KEY"));
    SmartClient {
        client_id: from_script(&format!("{prefix}_CLIENT")),
        key: SigningKey::load(key_file.as_ref(), algorithm, None).unwrap(),
        scope: scope.into(),
    }
}

fn authorizer(base: &str, client: SmartClient) -> Arc<SmartAuthorizer> {
    http();
    Arc::new(
        SmartAuthorizer::new(base, client, Duration::from_secs(10), Arc::new(SystemClock)).unwrap(),
    )
}

fn fhir(base: &str, smart: &Arc<SmartAuthorizer>) -> FhirRest {
    // Per-type writes: SEKMET checks a transaction at its base against `*`, beyond these
    // least-privilege scopes.
    FhirRest::new(base, Duration::from_secs(10))
        .map(|ehr| ehr.writing(intake::ehr::Writes::Resource))
        .unwrap()
        .authorized_by(smart.clone())
}

/// Creates a patient with a fresh record number, sending `token`; returns the number.
async fn create_patient(base: &str, token: &AccessToken) -> PatientIdentifier {
    let mrn = PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: format!("S-{}", Uuid::new_v4()),
    };
    let response = http()
        .post(format!("{base}/Patient"))
        .bearer_auth(token.expose())
        .header("content-type", "application/fhir+json")
        .json(&json!({
            "resourceType": "Patient",
            "identifier": [{ "system": mrn.system, "value": mrn.value }],
            "name": [{ "family": "Smartpatient", "given": ["Ada"] }],
            "birthDate": "1971-05-06",
        }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(status, 201, "{}", response.text().await.unwrap_or_default());
    mrn
}

/// Posts an allergy for `patient` through the connector.
async fn post_allergy(ehr: &FhirRest, patient: &str) -> Result<bool, EhrError> {
    let identifier = ChangeIdentifier(Uuid::new_v4());
    let resource = json!({
        "resourceType": "AllergyIntolerance",
        "identifier": [identifier.to_fhir()],
        "verificationStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "unconfirmed" }] },
        "code": { "text": "Latex" },
        "patient": { "reference": patient },
    });
    let change = OutgoingChange {
        identifier,
        resource_type: ResourceType::AllergyIntolerance,
        resource: &resource,
    };
    ehr.post(change).await.map(|receipt| receipt.created)
}

#[tokio::test]
async fn es384_and_rs384_clients_each_get_a_token_that_creates_finds_and_posts() {
    let base = sekmet_url();
    for algorithm in [SigningAlgorithm::Es384, SigningAlgorithm::Rs384] {
        let smart = authorizer(&base, registered(algorithm, SCOPE));
        let token = smart.access_token().await.unwrap();
        let mrn = create_patient(&base, &token).await;

        let ehr = fhir(&base, &smart);
        let patient = ehr.find_patient(&mrn).await.unwrap().expect("found");
        assert_eq!(patient.name.as_str(), "Ada Smartpatient", "{algorithm}");
        assert!(
            post_allergy(&ehr, &patient.reference).await.unwrap(),
            "{algorithm}"
        );
        assert_eq!(
            smart.tokens_issued(),
            1,
            "{algorithm}: one token serves every request"
        );
    }
}

#[tokio::test]
async fn without_a_token_the_server_answers_401_which_is_a_refusal_not_an_outage() {
    http();
    let ehr = FhirRest::new(&sekmet_url(), Duration::from_secs(10))
        .unwrap()
        .writing(intake::ehr::Writes::Resource);
    let mrn = PatientIdentifier {
        system: "urn:mrn".into(),
        value: "1".into(),
    };
    match ehr.find_patient(&mrn).await {
        Err(error @ EhrError::Rejected { status: 401, .. }) => {
            assert!(!error.is_transient());
            assert!(
                error.to_string().contains("Authentication required"),
                "{error}"
            );
        }
        other => panic!("expected a 401 refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_revoked_cached_token_costs_one_new_token_and_the_request_succeeds() {
    let base = sekmet_url();
    let other = authorizer(&base, registered(SigningAlgorithm::Es384, SCOPE));
    let mrn = create_patient(&base, &other.access_token().await.unwrap()).await;

    let smart = authorizer(&base, registered(SigningAlgorithm::Es384, SCOPE));
    smart
        .cache_token(
            AccessToken::new("revoked".into()),
            Duration::from_secs(3600),
        )
        .await;
    let ehr = fhir(&base, &smart);
    let patient = ehr.find_patient(&mrn).await.unwrap().expect("found");
    assert_eq!(smart.tokens_issued(), 1);
    assert!(post_allergy(&ehr, &patient.reference).await.unwrap());
    assert_eq!(smart.tokens_issued(), 1, "the new token is kept");
}

#[tokio::test]
async fn a_key_the_server_does_not_know_is_refused_permanently_in_the_servers_words() {
    let base = sekmet_url();
    let registered_id = registered(SigningAlgorithm::Es384, SCOPE).client_id;
    let (unregistered, _) = SigningKey::generate_es384(None).unwrap();
    let smart = authorizer(
        &base,
        SmartClient {
            client_id: registered_id,
            key: unregistered,
            scope: SCOPE.into(),
        },
    );
    match smart.access_token().await {
        Err(error @ EhrError::Rejected { status: 401, .. }) => {
            assert!(!error.is_transient());
            let text = error.to_string();
            assert!(text.contains("invalid_client"), "{text}");
            assert!(text.contains("verification failed"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Through the connector, the same refusal reaches the caller and nothing is sent.
    let (key, _) = SigningKey::generate_es384(None).unwrap();
    let stranger = authorizer(
        &base,
        SmartClient {
            client_id: "nobody".into(),
            key,
            scope: SCOPE.into(),
        },
    );
    let error = post_allergy(&fhir(&base, &stranger), "Patient/x")
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("Unknown client_id 'nobody'"),
        "{error}"
    );
}

#[tokio::test]
async fn the_server_accepts_every_one_of_many_assertions_so_no_jti_repeats() {
    // SEKMET refuses an assertion whose jti it has seen; each new authorizer signs a new one.
    let base = sekmet_url();
    for _ in 0..25 {
        let smart = authorizer(&base, registered(SigningAlgorithm::Es384, SCOPE));
        smart.access_token().await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_requests_share_one_token_fetch() {
    let smart = authorizer(&sekmet_url(), registered(SigningAlgorithm::Rs384, SCOPE));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let smart = smart.clone();
        tasks.spawn(async move { smart.access_token().await.unwrap() });
    }
    let tokens = tasks.join_all().await;
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_eq!(smart.tokens_issued(), 1);
}

#[tokio::test]
async fn a_scope_that_does_not_allow_the_request_is_refused_without_a_retry() {
    let base = sekmet_url();
    let smart = authorizer(
        &base,
        registered(SigningAlgorithm::Es384, "system/Patient.rs"),
    );
    let error = post_allergy(&fhir(&base, &smart), "Patient/x")
        .await
        .unwrap_err();
    assert!(
        matches!(error, EhrError::Rejected { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(smart.tokens_issued(), 1, "a 403 is not a stale token");
}

// ---- Faults, against a mock (a real server will not fail on request) ----

/// What the mock does and how often it was asked.
#[derive(Default)]
struct Mock {
    token_status: u16,
    token_body: String,
    token_requests: AtomicUsize,
    fhir_requests: AtomicUsize,
}

/// Serves `/fhir/.well-known/smart-configuration`, `/token` (answering as told) and
/// `/fhir/Patient` (always 401); returns the FHIR base URL.
async fn mock(state: Arc<Mock>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let root = format!("http://{}", listener.local_addr().unwrap());
    let token_url = format!("{root}/token");
    let app = Router::new()
        .route(
            "/fhir/.well-known/smart-configuration",
            get(move || async move { Json(json!({ "token_endpoint": token_url })) }),
        )
        .route(
            "/token",
            axum::routing::post(|axum::extract::State(m): axum::extract::State<Arc<Mock>>| async move {
                let n = m.token_requests.fetch_add(1, Ordering::SeqCst);
                let body = m.token_body.replace("{n}", &n.to_string());
                let status = StatusCode::from_u16(m.token_status).unwrap();
                (status, [("retry-after", "3")], body).into_response()
            }),
        )
        .route(
            "/fhir/Patient",
            get(|axum::extract::State(m): axum::extract::State<Arc<Mock>>| async move {
                m.fhir_requests.fetch_add(1, Ordering::SeqCst);
                let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "login", "diagnostics": "token revoked"}]});
                (StatusCode::UNAUTHORIZED, Json(outcome))
            }),
        )
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("{root}/fhir")
}

fn any_client() -> SmartClient {
    SmartClient {
        client_id: "intake".into(),
        key: SigningKey::generate_es384(None).unwrap().0,
        scope: SCOPE.into(),
    }
}

#[tokio::test]
async fn a_token_endpoint_outage_is_transient_and_keeps_retry_after() {
    let state = Arc::new(Mock {
        token_status: 503,
        token_body: "down for maintenance".into(),
        ..Mock::default()
    });
    let smart = authorizer(&mock(state).await, any_client());
    match smart.access_token().await {
        Err(EhrError::Transient {
            message,
            retry_after,
        }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(3)));
            assert!(
                message.contains("503") && message.contains("down for maintenance"),
                "{message}"
            );
        }
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_answer_that_is_not_json_is_unexpected() {
    let state = Arc::new(Mock {
        token_status: 200,
        token_body: "<html>login</html>".into(),
        ..Mock::default()
    });
    let smart = authorizer(&mock(state).await, any_client());
    let error = smart.access_token().await.unwrap_err();
    assert!(matches!(error, EhrError::Unexpected(_)), "{error:?}");
}

#[tokio::test]
async fn a_server_that_keeps_refusing_tokens_gets_exactly_one_retry() {
    let state = Arc::new(Mock {
        token_status: 200,
        token_body: r#"{"access_token":"t{n}","token_type":"bearer","expires_in":3600}"#.into(),
        ..Mock::default()
    });
    let base = mock(state.clone()).await;
    let smart = authorizer(&base, any_client());
    let mrn = PatientIdentifier {
        system: "urn:mrn".into(),
        value: "1".into(),
    };
    let error = fhir(&base, &smart).find_patient(&mrn).await.unwrap_err();
    assert_eq!(
        error,
        EhrError::Rejected {
            status: 401,
            message: "error: token revoked".into()
        }
    );
    assert_eq!(state.fhir_requests.load(Ordering::SeqCst), 2, "one retry");
    assert_eq!(
        state.token_requests.load(Ordering::SeqCst),
        2,
        "one new token"
    );
}

// ---- Configuration and the command line ----

#[tokio::test]
async fn the_configured_connector_signs_in_with_the_smart_settings() {
    let base = sekmet_url();
    let other = authorizer(&base, registered(SigningAlgorithm::Es384, SCOPE));
    let mrn = create_patient(&base, &other.access_token().await.unwrap()).await;
    let vars = std::collections::HashMap::from([
        ("INTAKE_EHR_FHIR_URL", base.clone()),
        (
            "INTAKE_SMART_CLIENT_ID",
            from_script("INTAKE_TEST_SMART_RS384_CLIENT"),
        ),
        (
            "INTAKE_SMART_KEY_FILE",
            from_script("INTAKE_TEST_SMART_RS384_KEY"),
        ),
        ("INTAKE_SMART_ALG", "RS384".to_owned()),
    ]);
    let config =
        Config::from_lookup(|name| vars.get(name).cloned(), &Overrides::default()).unwrap();
    let ehr = app::connect_ehr(&config, false).unwrap();
    assert!(ehr.find_patient(&mrn).await.unwrap().is_some());

    let mut broken = config.clone();
    if let Some(smart) = broken.smart.as_mut() {
        smart.key_file = "/no/such/key.pem".into();
    }
    let error = app::connect_ehr(&broken, false).unwrap_err().to_string();
    assert!(
        error.contains("INTAKE_SMART_KEY_FILE") && error.contains("/no/such/key.pem"),
        "{error}"
    );
}

#[test]
fn smart_key_writes_a_key_only_its_owner_can_read_and_prints_the_public_key_set() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let made = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["smart-key", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0));
    let jwks: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (
            jwk["kty"].as_str(),
            jwk["crv"].as_str(),
            jwk["alg"].as_str()
        ),
        (Some("EC"), Some("P-384"), Some("ES384"))
    );
    assert!(jwk.get("d").is_none(), "no private part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let loaded = SigningKey::load(&key, SigningAlgorithm::Es384, None).unwrap();
    assert_eq!(jwk["kid"].as_str(), Some(loaded.kid()));

    // Reading it again prints the same key set; making it again would overwrite it, so exits 2.
    let read = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["smart-key", "--from"])
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&read.stdout).unwrap(),
        jwks
    );
    for args in [
        vec![
            "smart-key".into(),
            "--out".into(),
            key.display().to_string(),
        ],
        vec![
            "smart-key".into(),
            "--alg".into(),
            "RS384".into(),
            "--out".into(),
            "x.pem".into(),
        ],
        vec!["smart-key".into()],
    ] {
        let refused = Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(
            refused.stdout.is_empty() && !refused.stderr.is_empty(),
            "{args:?}"
        );
    }
}
