//! Patients: an appointment and invitation link made straight in the store, and a walk through
//! the form over HTTP that, like a patient reloading, repeats a step whose request failed.

use std::time::{Duration, Instant};

use intake::{
    domain::{BirthDate, PatientIdentifier, PatientName, SecretToken},
    forms::FormId,
    store::{NewAppointment, Store},
};
use uuid::Uuid;

use crate::support::{ChartPatient, MRN_SYSTEM};

/// The form every test patient fills in.
pub const FORM: &str = "previsit-basic";

/// An appointment for `patient` and an open invitation; returns the invitation's id and the
/// link's token.
pub async fn invitation(store: &Store, patient: &ChartPatient, now: i64) -> (Uuid, SecretToken) {
    let appointment = NewAppointment {
        patient: PatientIdentifier {
            system: MRN_SYSTEM.into(),
            value: patient.mrn.clone(),
        },
        patient_name: PatientName::new("Ada Faultpatient"),
        patient_birth_date: BirthDate::from_chart(patient.birth_date).unwrap(),
        patient_ref: patient.reference.clone(),
        starts_at: now + 86_400_000,
        visit_type: "Follow-up".into(),
        form_id: FormId::parse(FORM).unwrap(),
    };
    let appointment_id = store.insert_appointment(&appointment, now).await.unwrap();
    let token = SecretToken::generate();
    let invitation_id = store
        .issue_invitation(appointment_id, &token.hash(), now + 86_400_000, now)
        .await
        .unwrap();
    (invitation_id, token)
}

/// How long a patient keeps reloading a step before giving up.
const PATIENCE: Duration = Duration::from_secs(60);

/// Walks from the link to the confirmation page on `base`: verify, answer every page, submit.
/// A step whose request fails (a server killed mid-request, or down) is repeated after a pause,
/// as a patient reloading would. `Ok` once the confirmation page is shown.
pub async fn complete_intake(
    base: &str,
    token: &SecretToken,
    birth_date: &str,
    allergies: &str,
) -> Result<(), String> {
    drop(rustls::crypto::ring::default_provider().install_default());
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let link = format!("{base}/i/{}", token.expose());
    // Proving the date of birth renews the session id: when the server died after the renewal
    // but before its answer arrived, the old id opens nothing (401, "open your link again"),
    // and the patient does just that.
    let mut csrf_token = String::new();
    for attempt in 0..3 {
        expect_redirect(&step(|| browser.get(&link)).await?, "the link opens")?;
        let start = step(|| browser.get(format!("{base}/intake"))).await?;
        csrf_token = csrf(&start.text().await.map_err(|e| e.to_string())?)?;
        let verified = step(|| {
            browser
                .post(format!("{base}/intake/verify"))
                .form(&[("csrf", csrf_token.as_str()), ("birth_date", birth_date)])
        })
        .await?;
        if verified.status() == 401 && attempt < 2 {
            continue;
        }
        expect_redirect(&verified, "the date of birth is accepted")?;
        break;
    }
    let csrf = csrf_token;
    let pages: [&[(&str, &str)]; 3] = [
        &[
            ("a.reason", "Cough for two weeks"),
            ("a.pain_level", "3"),
            ("a.symptom_start", "2026-11-01"),
        ],
        &[("a.new_allergies", allergies), ("a.new_medications", "")],
        &[("a.tobacco", "266919005"), ("a.wants_callback", "no")],
    ];
    for (index, answers) in pages.iter().enumerate() {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(answers);
        let saved = step(|| {
            browser
                .post(format!("{base}/intake/page/{index}"))
                .form(&form)
        })
        .await?;
        expect_redirect(&saved, "a page saves")?;
    }
    let submitted = step(|| {
        browser
            .post(format!("{base}/intake/submit"))
            .form(&[("csrf", csrf.as_str())])
    })
    .await?;
    let location = expect_redirect(&submitted, "the form is submitted")?;
    if location != "/intake/done" {
        return Err(format!("the submit led to {location}"));
    }
    let done = step(|| browser.get(format!("{base}/intake/done"))).await?;
    let page = done.text().await.map_err(|e| e.to_string())?;
    if page.contains("your answers were sent") {
        Ok(())
    } else {
        Err("the confirmation page was not shown".into())
    }
}

/// Sends the request `build` makes until an answer comes (a 5xx counts as none).
async fn step(build: impl Fn() -> reqwest::RequestBuilder) -> Result<reqwest::Response, String> {
    let started = Instant::now();
    loop {
        match build().send().await {
            Ok(response) if !response.status().is_server_error() => return Ok(response),
            Ok(response) if started.elapsed() > PATIENCE => {
                return Err(format!("the server kept answering {}", response.status()));
            }
            Err(error) if started.elapsed() > PATIENCE => {
                return Err(format!("the server stayed unreachable: {error}"));
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn expect_redirect(response: &reqwest::Response, what: &str) -> Result<String, String> {
    if response.status() != 303 {
        return Err(format!("{what}: expected a 303, got {}", response.status()));
    }
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: a 303 without a Location"))
}

fn csrf(html: &str) -> Result<String, String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .ok_or("the page has no CSRF field")?;
    Ok(html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// How one patient's walk ended.
#[derive(Debug)]
pub struct Walk {
    pub invitation_id: Uuid,
    pub confirmed: Result<(), String>,
}

/// Walks the patient of every invitation through the form, `at_once` at a time, the n-th on
/// server `bases[n % bases.len()]`. Every third reports an allergy, which waits for staff.
pub fn walk_all(
    bases: &[String],
    invitations: Vec<(Uuid, SecretToken)>,
    birth_date: &'static str,
    at_once: usize,
) -> tokio::task::JoinHandle<Vec<Walk>> {
    let mut lanes: Vec<Vec<(usize, Uuid, SecretToken)>> =
        (0..at_once).map(|_| Vec::new()).collect();
    for (n, (invitation_id, token)) in invitations.into_iter().enumerate() {
        lanes[n % at_once].push((n, invitation_id, token));
    }
    let bases = bases.to_vec();
    tokio::spawn(async move {
        let lanes: Vec<_> = lanes
            .into_iter()
            .map(|lane| {
                let bases = bases.clone();
                tokio::spawn(async move {
                    let mut walks = Vec::new();
                    for (n, invitation_id, token) in lane {
                        let allergies = if n % 3 == 0 { "Latex" } else { "" };
                        let base = &bases[n % bases.len()];
                        let confirmed = complete_intake(base, &token, birth_date, allergies).await;
                        walks.push(Walk {
                            invitation_id,
                            confirmed,
                        });
                    }
                    walks
                })
            })
            .collect();
        let mut walks = Vec::new();
        for lane in lanes {
            walks.extend(lane.await.unwrap());
        }
        walks
    })
}
