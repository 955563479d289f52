//! The FHIR REST connector against a real FHIR server (HFS, started by scripts/test).

use intake::{
    domain::PatientIdentifier,
    ehr::{Ehr, EhrError, FhirRest, OutgoingChange},
    engine::RaisedFlag,
    forms::{Audience, Severity, Text},
    mapping::{ChangeIdentifier, ExtractContext, ResourceType, UrgentRecord, urgent_record},
};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{
    Backend, Options, TestApp, accept_first_exception, complete_intake, eventually,
    fhir_server_url, http,
};

/// Puts a patient with a fresh record number on the FHIR server.
async fn patient_on_server(base: &str) -> PatientIdentifier {
    let mrn = PatientIdentifier {
        system: "urn:oid:2.16.840.1.113883.19.5".into(),
        value: format!("T-{}", Uuid::new_v4()),
    };
    let patient = json!({
        "resourceType": "Patient",
        "identifier": [{ "system": mrn.system, "value": mrn.value }],
        "name": [{ "family": "Testpatient", "given": ["Ada"] }],
        "gender": "female",
        "birthDate": "1971-05-06",
    });
    let response = http()
        .post(format!("{base}/Patient"))
        .header("content-type", "application/fhir+json")
        .json(&patient)
        .send()
        .await
        .expect("the FHIR server answers");
    assert_eq!(
        response.status(),
        201,
        "{}",
        response.text().await.unwrap_or_default()
    );
    mrn
}

/// How many resources of a type carry an identifier, by search.
/// How many copies of a change the server holds: by identifier, or, for a resource whose id
/// Intake chose (a Provenance), by id.
async fn count_on_server(base: &str, change: &intake::store::ChangeRecord) -> usize {
    match change.resource["id"].as_str() {
        Some(id) => {
            let bundle: serde_json::Value = http()
                .get(format!("{base}/{}", change.resource_type))
                .query(&[("_id", id)])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            bundle["entry"].as_array().map_or(0, Vec::len)
        }
        None => count_by_identifier(base, change.resource_type.as_str(), change.identifier).await,
    }
}

async fn count_by_identifier(
    base: &str,
    resource_type: &str,
    identifier: ChangeIdentifier,
) -> usize {
    let bundle: serde_json::Value = http()
        .get(format!("{base}/{resource_type}"))
        .query(&[("identifier", identifier.search_token())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    bundle["entry"].as_array().map_or(0, |entries| {
        entries
            .iter()
            .filter(|e| e["search"]["mode"] != "outcome")
            .count()
    })
}

fn allergy(
    identifier: ChangeIdentifier,
    patient: &str,
    clinical_status: &str,
) -> serde_json::Value {
    json!({
        "resourceType": "AllergyIntolerance",
        "identifier": [identifier.to_fhir()],
        "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": clinical_status }] },
        "verificationStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "unconfirmed" }] },
        "code": { "text": "Latex" },
        "patient": { "reference": patient },
    })
}

#[tokio::test]
async fn the_connector_finds_the_patient_and_a_repeated_post_creates_nothing_new() {
    let base = fhir_server_url();
    let mrn = patient_on_server(&base).await;
    let ehr = FhirRest::new(&base, std::time::Duration::from_secs(10)).unwrap();
    let patient = ehr
        .find_patient(&mrn)
        .await
        .unwrap()
        .expect("found by identifier");
    assert_eq!(patient.name.as_str(), "Ada Testpatient");
    assert_eq!(patient.birth_date.unwrap().to_fhir(), "1971-05-06");
    let unknown = PatientIdentifier {
        system: mrn.system.clone(),
        value: "no-such-mrn".into(),
    };
    assert!(ehr.find_patient(&unknown).await.unwrap().is_none());

    let identifier = ChangeIdentifier(Uuid::new_v4());
    let resource = allergy(identifier, &patient.reference, "active");
    let change = OutgoingChange {
        identifier,
        resource_type: ResourceType::AllergyIntolerance,
        resource: &resource,
    };
    let first = ehr.post(change).await.unwrap();
    let second = ehr.post(change).await.unwrap();
    assert!(
        first.created && !second.created,
        "the second post matched the conditional create"
    );
    assert_eq!(first.resource_id, second.resource_id);
    assert_eq!(
        count_by_identifier(&base, "AllergyIntolerance", identifier).await,
        1
    );
    assert_eq!(
        ehr.find_posted(ResourceType::AllergyIntolerance, identifier)
            .await
            .unwrap(),
        Some(first.resource_id)
    );
}

/// The chart records of an urgent flag (`INTAKE_URGENT_FLAG_EHR`) are resources the server
/// takes, once each however often they are sent.
#[tokio::test]
async fn the_server_takes_an_urgent_flag_as_a_flag_and_as_a_task_once_each() {
    let base = fhir_server_url();
    let mrn = patient_on_server(&base).await;
    let ehr = FhirRest::new(&base, std::time::Duration::from_secs(10)).unwrap();
    let patient = ehr
        .find_patient(&mrn)
        .await
        .unwrap()
        .expect("on the server");
    let flags = [RaisedFlag {
        id: "phq9_item9".into(),
        item_id: "phq9_9".into(),
        severity: Severity::Urgent,
        message: Text::english("Thoughts of self-harm reported (PHQ-9 item 9)"),
        audience: vec![Audience::Clinician],
    }];
    for kind in [UrgentRecord::Flag, UrgentRecord::Task] {
        let context = ExtractContext {
            words: intake::i18n::Language::english(),
            submission_id: Uuid::new_v4(),
            patient_reference: &patient.reference,
            authored: "2026-12-04T10:00:00Z",
        };
        let record = urgent_record(kind, &context, &flags, &[]).unwrap();
        let change = OutgoingChange {
            identifier: record.identifier,
            resource_type: record.resource_type,
            resource: &record.resource,
        };
        let first = ehr.post(change).await.unwrap();
        let second = ehr.post(change).await.unwrap();
        assert!(first.created && !second.created, "{kind:?}");
        assert_eq!(
            count_by_identifier(&base, record.resource_type.as_str(), record.identifier).await,
            1,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn a_resource_the_server_refuses_comes_back_as_a_rejection_in_its_own_words() {
    let base = fhir_server_url();
    http();
    let ehr = FhirRest::new(&base, std::time::Duration::from_secs(10)).unwrap();
    let identifier = ChangeIdentifier(Uuid::new_v4());
    let resource = allergy(identifier, "Patient/x", "not-a-status");
    let change = OutgoingChange {
        identifier,
        resource_type: ResourceType::AllergyIntolerance,
        resource: &resource,
    };
    match ehr.post(change).await {
        Err(EhrError::Rejected { status, message }) => {
            assert!((400..500).contains(&status), "{status}");
            assert!(
                message.contains("not-a-status") || message.contains("clinicalStatus"),
                "{message}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        count_by_identifier(&base, "AllergyIntolerance", identifier).await,
        0
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_transient_error() {
    http();
    let ehr = FhirRest::new("http://127.0.0.1:9", std::time::Duration::from_secs(2)).unwrap();
    let mrn = PatientIdentifier {
        system: "urn:mrn".into(),
        value: "1".into(),
    };
    assert!(ehr.find_patient(&mrn).await.unwrap_err().is_transient());
}

#[tokio::test]
async fn an_intake_on_postgres_posts_each_resource_to_the_fhir_server_exactly_once() {
    let base = fhir_server_url();
    let mrn = patient_on_server(&base).await;
    let app = TestApp::spawn_with(Options {
        backend: Backend::Postgres,
        fhir_url: Some(base.clone()),
        worker: true,
        ..Options::default()
    })
    .await;
    let link = app.invite_patient(mrn).await;
    complete_intake(&app, &link, "1971-05-06", "Latex").await;

    let staff = app.signed_in("clinician").await;
    accept_first_exception(&app, &staff).await;

    let submission = app.services.submissions().await.unwrap()[0].id;
    eventually("every change is posted", || async {
        let changes = app
            .services
            .store
            .changes_for_submission(submission)
            .await
            .unwrap();
        changes.iter().all(|c| c.ehr_resource_id.is_some())
    })
    .await;
    let changes = app
        .services
        .store
        .changes_for_submission(submission)
        .await
        .unwrap();
    // The answers, the accepted allergy, and the Provenance naming the patient as their source.
    assert_eq!(changes.len(), 3);
    for change in &changes {
        let on_server = count_on_server(&base, change).await;
        assert_eq!(
            on_server, 1,
            "{} is on the server once",
            change.resource_type
        );
    }
    // Sending everything again (as after a crash) creates nothing new.
    let ehr = FhirRest::new(&base, std::time::Duration::from_secs(10)).unwrap();
    for change in &changes {
        let resend = OutgoingChange {
            identifier: change.identifier,
            resource_type: change.resource_type,
            resource: &change.resource,
        };
        assert!(!ehr.post(resend).await.unwrap().created);
        assert_eq!(count_on_server(&base, change).await, 1);
    }
    app.stop().await;
}

#[tokio::test]
async fn an_update_of_a_resource_on_file_is_written_only_over_the_version_the_patient_saw() {
    let base = fhir_server_url();
    let id = format!("med-{}", Uuid::new_v4().simple());
    let on_file = json!({"resourceType": "MedicationStatement", "id": id,
        "status": "active", "medicationCodeableConcept": {"text": "Metformin 500 mg"},
        "subject": {"reference": "Patient/example"}});
    let created = http()
        .put(format!("{base}/MedicationStatement/{id}"))
        .header("Content-Type", "application/fhir+json")
        .json(&on_file)
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let seen: serde_json::Value = created.json().await.unwrap();
    assert!(
        seen["meta"]["versionId"].is_string(),
        "the server versions resources"
    );

    let ehr = FhirRest::new(&base, std::time::Duration::from_secs(10)).unwrap();
    let identifier = ChangeIdentifier(Uuid::new_v4());
    let mut stopped = seen.clone();
    stopped["status"] = json!("stopped");
    stopped["identifier"] = json!([identifier.to_fhir()]);
    let update = OutgoingChange {
        identifier,
        resource_type: ResourceType::MedicationStatement,
        resource: &stopped,
    };
    let receipt = ehr.post(update).await.unwrap();
    assert_eq!(receipt.resource_id, id);
    // Found again by the change's identifier, as a retry after a lost answer looks for it.
    assert_eq!(
        ehr.find_posted(ResourceType::MedicationStatement, identifier)
            .await
            .unwrap()
            .as_deref(),
        Some(id.as_str())
    );

    // The same update again carries a version the chart has moved past: refused, not applied.
    let error = ehr.post(update).await.unwrap_err();
    let EhrError::Rejected { status, message } = &error else {
        panic!("a stale version is a refusal, got {error:?}")
    };
    assert!(matches!(status, 409 | 412), "{status}");
    assert!(
        message.starts_with("the chart changed after the patient saw it"),
        "{message}"
    );
}

#[tokio::test]
async fn both_ways_of_writing_create_a_change_once_and_say_when_it_was_already_there() {
    let base = fhir_server_url();
    for writes in [
        intake::ehr::Writes::Transaction,
        intake::ehr::Writes::Resource,
    ] {
        let ehr = FhirRest::new(&base, std::time::Duration::from_secs(10))
            .unwrap()
            .writing(writes);
        let identifier = ChangeIdentifier(Uuid::new_v4());
        let resource = json!({"resourceType": "AllergyIntolerance",
            "identifier": [identifier.to_fhir()],
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
            "code": {"text": "Latex"}, "patient": {"reference": "Patient/example"}});
        let change = OutgoingChange {
            identifier,
            resource_type: ResourceType::AllergyIntolerance,
            resource: &resource,
        };
        let first = ehr.post(change).await.unwrap();
        let again = ehr.post(change).await.unwrap();
        assert!(first.created && !again.created, "{writes:?}");
        assert_eq!(first.resource_id, again.resource_id, "{writes:?}");
        assert_eq!(
            count_by_identifier(&base, "AllergyIntolerance", identifier).await,
            1,
            "{writes:?}"
        );
    }
}
