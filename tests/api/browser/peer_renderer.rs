//! A peer renderer reads our exports: every form Intake exports loads in LHC-Forms (npm
//! `lforms`, the NLM's SDC renderer) in headless Chromium without errors, with each of the
//! form's scenario cases as its response and launch context; the items LHC-Forms enables are
//! compared with those Intake's engine enables and the differences printed.
//!
//! `scripts/test` installs `lforms` from npm and names its `dist/lforms` folder in
//! `INTAKE_TEST_LFORMS_DIR`; without it this test fails, saying why.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    time::Duration,
};

use axum::{
    Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use intake::{
    engine::evaluate,
    forms::{Case, Form, load_scenarios, sdc},
    mapping::response_items,
};
use serde_json::{Value, json};

use super::{phone::CHROMIUM_ARGS, phone::webdriver_url, webdriver::Session};

const CRATE: &str = env!("CARGO_MANIFEST_DIR");

/// Forms LHC-Forms cannot render, with why: each is checked to still fail, so a fixed LHC-Forms
/// shows up here and the form joins the comparison.
const LFORMS_REFUSES: &[(&str, &str)] = &[(
    "new-patient-registration",
    "LHC-Forms 40.1.3 stops with \"Cannot read properties of undefined (reading '0')\" once the \
     date of birth is answered: its expressions compare dates held in variables \
     (`%dob <= %today`, `%dob > (%today - 18 years)`), which LHC-Forms' FHIRPath fails on; \
     the same comparisons written inline work",
)];

/// The page that hosts LHC-Forms: its scripts in the order its README gives, and a container.
const HOST_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LHC-Forms</title>
<link rel="stylesheet" href="/lforms/webcomponent/styles.css">
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
<script src="/lforms/webcomponent/runtime.js" type="module"></script>
<script src="/lforms/webcomponent/polyfills.js" type="module"></script>
<script src="/lforms/webcomponent/main.js" type="module"></script>
<script src="/lforms/fhir/R4/lformsFHIR.min.js" defer></script>
<script>window.pageErrors = [];
window.addEventListener('error', e => window.pageErrors.push(String(e.message)));
window.addEventListener('unhandledrejection', e => window.pageErrors.push(String(e.reason)));
</script></head><body><div id="form"></div></body></html>"#;

/// Renders a Questionnaire with a response and launch context; returns the linkIds LHC-Forms
/// shows (not skip-logic disabled) and any error it raised.
const RENDER: &str = "
    const [questionnaire, response, context, done] = arguments;
    const ready = () => window.LForms && LForms.Util && LForms.FHIR && customElements.get('wc-lhc-form');
    const start = Date.now();
    const attempt = () => {
        if (!ready()) {
            if (Date.now() - start > 15000) return done({error: 'LHC-Forms did not load: ' + JSON.stringify({
                lforms: !!window.LForms, fhir: !!(window.LForms && LForms.FHIR),
                element: !!customElements.get('wc-lhc-form'), errors: window.pageErrors})});
            return setTimeout(attempt, 50);
        }
        window.pageErrors = [];
        // No EHR: the chart reads (x-fhir-query) are answered from the case's own Bundles.
        // A launch resource the case leaves out is none at all (LHC-Forms reads `client.patient.id`).
        const client = {
            patient: {}, appointment: {},
            request: url => Promise.resolve(context.bundles[String(url).split(/[?/]/)[0]]
                || {resourceType: 'Bundle', type: 'searchset', entry: []}),
        };
        LForms.Util.setFHIRContext(client, context.resources);
        const container = document.getElementById('form');
        LForms.Util.addFormToPage(questionnaire, container, {questionnaireResponse: response})
            .then(() => setTimeout(() => {
                const form = LForms.Util._getFormObjectInScope(container);
                const shown = form.itemList
                    .filter(item => item._skipLogicStatus !== 'target-disabled')
                    .map(item => item.linkId);
                done({shown: [...new Set(shown)], errors: window.pageErrors});
            }, 200))
            .catch(e => done({error: JSON.stringify([].concat(e).map(x => String(x && x.message || x)))}));
    };
    attempt();";

fn lforms_dir() -> PathBuf {
    let dir = std::env::var("INTAKE_TEST_LFORMS_DIR").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_LFORMS_DIR is not set: this test needs npm's lforms (its dist/lforms folder), which scripts/test installs")
    });
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("webcomponent/main.js").is_file(),
        "{} holds no LHC-Forms web component",
        dir.display()
    );
    dir
}

/// Serves the host page and LHC-Forms' files on loopback (module scripts need an origin).
async fn serve(dir: PathBuf) -> String {
    async fn file(State(dir): State<PathBuf>, UrlPath(path): UrlPath<String>) -> Response {
        if path.split('/').any(|part| part == ".." || part.is_empty()) {
            return StatusCode::NOT_FOUND.into_response();
        }
        let kind = match Path::new(&path).extension().and_then(|e| e.to_str()) {
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("png") => "image/png",
            _ => "application/octet-stream",
        };
        match tokio::fs::read(dir.join(&path)).await {
            Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = Router::new()
        .route("/", get(|| async { Html(HOST_PAGE) }))
        .route("/lforms/{*path}", get(file))
        .with_state(dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// The item ids Intake enables for a case, judged on today's date as the browser's clock is.
fn intake_enabled(form: &Form, case: &Case) -> (BTreeSet<String>, Value) {
    let mut launch = case.launch_context().unwrap();
    // Intake always knows whose intake it is; a case that leaves the patient out gets one with
    // nothing on it, on both sides (the chart queries read `%patient.id`).
    launch
        .patient
        .get_or_insert_with(|| json!({"resourceType": "Patient", "id": "example"}).into());
    let now = time::OffsetDateTime::now_utc();
    launch.today = now.date();
    launch.now_millis = intake::clock::millis(now);
    let answers = case.answers(form).unwrap();
    let evaluation = evaluate(form, &launch, &answers);
    let response = json!({
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "item": response_items(form, &answers),
    });
    let mut resources = serde_json::Map::new();
    for (name, resource) in [
        ("patient", &launch.patient),
        ("appointment", &launch.appointment),
    ] {
        if let Some(resource) = resource {
            resources.insert(name.into(), Value::clone(resource));
        }
    }
    let context = json!({"resources": resources, "bundles": launch.variables});
    (
        evaluation.enabled,
        json!({"response": response, "context": context}),
    )
}

#[tokio::test]
async fn every_exported_form_loads_in_lhc_forms_with_each_scenarios_answers_and_launch_context() {
    // The WebDriver client is reqwest on rustls, which needs ring installed as its provider.
    drop(crate::helpers::http());
    let base = serve(lforms_dir()).await;
    let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium", "args": CHROMIUM_ARGS,
    }});
    let session = Session::start(&webdriver_url(), capabilities)
        .await
        .unwrap();
    session
        .script_timeout(Duration::from_secs(30))
        .await
        .unwrap();
    session.goto(&format!("{base}/")).await.unwrap();

    let library = intake::app::load_forms(&Path::new(CRATE).join("forms")).unwrap();
    let (mut cases, mut differences, mut refused) = (0, Vec::new(), false);
    for form in library.iter() {
        // Intake's `%item_id` answers, declared as the variables LHC-Forms needs.
        let questionnaire = sdc::with_answer_variables(form, sdc::export(form));
        let file = format!("forms/{}.test.yaml", form.id.as_str());
        let source = std::fs::read_to_string(Path::new(CRATE).join(&file)).unwrap();
        let scenarios = load_scenarios(&file, &source).unwrap();
        for case in &scenarios.cases {
            let (ours, inputs) = intake_enabled(form, case);
            let rendered = session
                .execute_async(
                    RENDER,
                    vec![
                        questionnaire.clone(),
                        inputs["response"].clone(),
                        inputs["context"].clone(),
                    ],
                )
                .await
                .unwrap();
            let name = format!("{} / {}", form.id.as_str(), case.name);
            if let Some((_, why)) = LFORMS_REFUSES
                .iter()
                .find(|(id, _)| *id == form.id.as_str())
            {
                refused |= !rendered["error"].is_null();
                eprintln!("{name}: not compared ({why})");
                continue;
            }
            assert!(
                rendered["error"].is_null(),
                "{name}: LHC-Forms refused the form: {}",
                rendered["error"]
            );
            assert_eq!(
                rendered["errors"],
                json!([]),
                "{name}: LHC-Forms raised errors"
            );
            let theirs: BTreeSet<String> = rendered["shown"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|id| id.as_str().map(str::to_owned))
                .collect();
            for id in ours.symmetric_difference(&theirs) {
                let side = if ours.contains(id) {
                    "Intake"
                } else {
                    "LHC-Forms"
                };
                differences.push(format!("{name}: `{id}` enabled only by {side}"));
            }
            cases += 1;
        }
    }
    session.quit().await.unwrap();
    eprintln!(
        "LHC-Forms agreement: {cases} scenario cases over {} forms, {} differences",
        library.iter().count(),
        differences.len()
    );
    // The enablement comparison is reported, not yet asserted: the differences still need
    // sorting into Intake's and LHC-Forms' (issue 14, point 6).
    for difference in &differences {
        eprintln!("  {difference}");
    }
    assert!(cases > 0, "no scenario case was rendered");
    assert!(
        refused || LFORMS_REFUSES.is_empty(),
        "LHC-Forms now renders every case of a form listed as refused: compare it"
    );
}
