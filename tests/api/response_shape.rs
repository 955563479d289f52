//! Every QuestionnaireResponse Intake writes has its Questionnaire's exact structure
//! (`sdc::validate_response`): the responses `intake evaluate` prints and those a submission
//! posts, for every form in `forms/` with its scenarios' answers (against its export, and
//! evaluated through that export too) and for every fixture Questionnaire that imports, with
//! answers generated for every question (against the fixture itself and the form's export).

use std::{collections::BTreeSet, path::Path, process::Command};

use intake::{
    engine::{Answers, LaunchContext, evaluate},
    forms::{Form, load_scenarios, sdc},
    mapping::{ExtractContext, extract, response_items},
};
use serde_json::{Value as Json, json};

use crate::sdc::{ANC_VALUE_SETS, IMPORTED, QUESTIONNAIRES, import_fixture, questionnaire_files};

const CRATE: &str = env!("CARGO_MANIFEST_DIR");

/// One set of answers to check a form with, and the context it is evaluated in.
struct Answered {
    name: String,
    answers: Answers,
    launch: LaunchContext,
    patient: Option<Json>,
}

/// The linkIds of a Questionnaire's items; without display items (which no response holds)
/// unless `displays`.
fn link_ids(questionnaire: &Json, displays: bool) -> BTreeSet<String> {
    fn walk(items: &Json, displays: bool, out: &mut BTreeSet<String>) {
        for item in items.as_array().into_iter().flatten() {
            if let Some(link_id) = item["linkId"].as_str()
                && (displays || item["type"] != "display")
            {
                out.insert(link_id.to_owned());
            }
            walk(&item["item"], displays, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&questionnaire["item"], displays, &mut out);
    out
}

/// Checks `response` against each of `questionnaires`, `enabled` naming the linkIds enabled;
/// the response counts as completed (required items checked) when `completed`.
fn assert_shaped(
    what: &str,
    questionnaires: &[(&str, &Json)],
    mut response: Json,
    enabled: &BTreeSet<String>,
    completed: bool,
) {
    response["status"] = json!(if completed {
        "completed"
    } else {
        "in-progress"
    });
    for (against, questionnaire) in questionnaires {
        let issues = sdc::validate_response(questionnaire, &response, &|l| enabled.contains(l));
        assert!(
            issues.is_empty(),
            "{what}, against {against}:\n{}\n{response:#}",
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The response a submission of `answers` posts, with the linkIds the evaluation enabled and
/// whether it could be submitted (no blocking issue).
fn submitted(form: &Form, answered: &Answered) -> (Json, BTreeSet<String>, bool) {
    let evaluation = evaluate(form, &answered.launch, &answered.answers);
    let context = ExtractContext {
        words: intake::i18n::Language::english(),
        submission_id: uuid::Uuid::from_u128(1),
        patient_reference: "Patient/p1",
        authored: "2026-01-01T12:00:00Z",
    };
    let changes = extract(form, &evaluation.answers, &context);
    let enabled = evaluation
        .enabled
        .iter()
        .filter_map(|id| form.link_id_of(id).map(str::to_owned))
        .collect();
    let submittable = evaluation.blocking_issues().is_empty();
    (changes[0].resource.clone(), enabled, submittable)
}

/// What `intake evaluate --form FORM` prints for `answers`: the response, the linkIds it lists
/// as enabled, and whether it found no error.
fn evaluated(form_arg: &str, form: &Form, answered: &Answered) -> (Json, BTreeSet<String>, bool) {
    let dir = tempfile::tempdir().unwrap();
    let response_file = dir.path().join("qr.json");
    let response = json!({"resourceType": "QuestionnaireResponse", "status": "in-progress",
        "item": response_items(form, &answered.answers)});
    std::fs::write(&response_file, response.to_string()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .current_dir(CRATE)
        // The value sets a site running the fixtures would have, as `intake forms import` reads.
        .env("INTAKE_VALUESETS_DIR", ANC_VALUE_SETS)
        .args(["evaluate", "--form", form_arg, "--response"])
        .arg(&response_file)
        .args(["--now", &format!("{}T12:00:00Z", answered.launch.today)]);
    if let Some(patient) = &answered.patient {
        let file = dir.path().join("patient.json");
        std::fs::write(&file, patient.to_string()).unwrap();
        command
            .arg("--context")
            .arg(format!("patient={}", file.display()));
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{}: {stderr}", answered.name);
    let printed: Json = serde_json::from_slice(&output.stdout).unwrap();
    let names = |key: &str| -> Vec<String> {
        printed[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["linkId"].as_str().map(str::to_owned))
            .collect()
    };
    let enabled: BTreeSet<String> = printed["enabled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    // Whatever it lists, it names by the Questionnaire's linkIds.
    let known = link_ids(&sdc::export(form), true);
    let listed = enabled
        .iter()
        .cloned()
        .chain(printed["calculated"].as_object().unwrap().keys().cloned())
        .chain(names("issues"))
        .chain(names("flags"));
    for link_id in listed {
        assert!(
            known.contains(&link_id),
            "{}: `intake evaluate` lists `{link_id}`, which the Questionnaire does not have",
            answered.name
        );
    }
    let clean = !printed["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["severity"] == "error");
    (printed["response"].clone(), enabled, clean)
}

/// The scenario cases of a form in `forms/`.
fn scenario_answers(form: &Form) -> Vec<Answered> {
    let file = Path::new(CRATE).join(format!("forms/{}.test.yaml", form.id));
    let source = std::fs::read_to_string(&file).unwrap();
    let scenarios = load_scenarios(&file.display().to_string(), &source).unwrap();
    scenarios
        .cases
        .iter()
        .map(|case| {
            let patient = case.patient.clone().map(|mut p| {
                p["resourceType"] = json!("Patient");
                p
            });
            Answered {
                name: format!("{} / {}", form.id, case.name),
                answers: case.answers(form).unwrap(),
                launch: case.launch_context().unwrap(),
                patient,
            }
        })
        .collect()
}

/// Answers to every question a patient types or picks, generated as `intake forms import-check`
/// generates them, for the trial patient.
fn generated_answers(form: &Form, name: &str) -> Answered {
    let launch = intake::scenario::trial_launch();
    Answered {
        name: name.to_owned(),
        answers: intake::scenario::generated_answers(form)
            .unwrap_or_else(|e| panic!("{name}: {e}")),
        patient: launch.patient.as_deref().cloned(),
        launch,
    }
}

#[test]
fn every_forms_responses_have_the_structure_of_its_exported_questionnaire() {
    let library = intake::app::load_forms(&Path::new(CRATE).join("forms")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for form in library.iter() {
        let questionnaire = sdc::export(form);
        let exported = dir.path().join(format!("{}.json", form.id));
        std::fs::write(&exported, questionnaire.to_string()).unwrap();
        let against = [("its export", &questionnaire)];
        for answered in scenario_answers(form) {
            let (response, enabled, complete) = submitted(form, &answered);
            let what = format!("{}: the submission", answered.name);
            assert_shaped(&what, &against, response, &enabled, complete);
            for form_arg in [form.id.as_str(), exported.to_str().unwrap()] {
                let (response, enabled, complete) = evaluated(form_arg, form, &answered);
                let what = format!("{}: `intake evaluate --form {form_arg}`", answered.name);
                assert_shaped(&what, &against, response, &enabled, complete);
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} scenario cases");
}

#[test]
fn every_imported_fixture_questionnaires_responses_have_its_structure() {
    let mut files = Vec::new();
    questionnaire_files(Path::new(QUESTIONNAIRES), &mut files);
    let mut checked = Vec::new();
    for file in &files {
        let original: Json = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let Ok(sdc::Imported { form, .. }) = import_fixture(&original) else {
            continue;
        };
        let name = file
            .strip_prefix(QUESTIONNAIRES)
            .unwrap()
            .display()
            .to_string();
        let export = sdc::export(&form);
        assert_eq!(
            link_ids(&export, false),
            link_ids(&original, false),
            "{name}: the export has the Questionnaire's linkIds"
        );
        let against = [("the Questionnaire", &original), ("its export", &export)];
        let answered = generated_answers(&form, &name);
        let (response, enabled, complete) = submitted(&form, &answered);
        assert!(
            response["item"].as_array().is_some_and(|i| !i.is_empty()),
            "{name}: something is answered"
        );
        assert_shaped(
            &format!("{name}: the submission"),
            &against,
            response,
            &enabled,
            complete,
        );
        let (response, enabled, complete) = evaluated(file.to_str().unwrap(), &form, &answered);
        let what = format!("{name}: `intake evaluate`");
        assert_shaped(&what, &against, response, &enabled, complete);
        checked.push(name);
    }
    eprintln!(
        "checked {} imported Questionnaires: {checked:#?}",
        checked.len()
    );
    assert_eq!(checked.len(), IMPORTED, "{checked:?}");
}

#[test]
fn the_cardiology_forms_example_response_keeps_its_nesting_through_evaluate() {
    let dir = Path::new(QUESTIONNAIRES).join("intake");
    let source =
        std::fs::read_to_string(dir.join("sdc-Questionnaire-CardiologyForm.json")).unwrap();
    // Its e-mail constraint has an unescaped `'` inside a FHIRPath string (see `sdc.rs`).
    let source = source.replace("&'*+", "&\\\\'*+");
    let original: Json = serde_json::from_str(&source).unwrap();
    let form = sdc::import(&original).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cardiology.json");
    std::fs::write(&file, &source).unwrap();
    let export = sdc::export(&form);
    assert_eq!(link_ids(&export, false), link_ids(&original, false));
    let against = [("the Questionnaire", &original), ("its export", &export)];

    // The example response, read by the Questionnaire's own linkIds.
    let example = dir.join("sdc-QuestionnaireResponse-Cardiology-MariaSantos.json");
    let output = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["evaluate", "--form", file.to_str().unwrap(), "--response"])
        .arg(&example)
        .args(["--now", "2026-01-01T12:00:00Z"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let printed: Json = serde_json::from_slice(&output.stdout).unwrap();
    let enabled: BTreeSet<String> = printed["enabled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    let answered = printed["response"]
        .to_string()
        .matches("\"linkId\"")
        .count();
    assert!(answered > 20, "{answered}: {printed:#}");
    assert_shaped(
        "the example response through `intake evaluate`",
        &against,
        printed["response"].clone(),
        &enabled,
        false,
    );

    // Every question answered.
    let answered = generated_answers(&form, "cardiology");
    let (response, enabled, complete) = submitted(&form, &answered);
    assert!(
        response.to_string().contains("\"answer\":[{\"item\""),
        "some items sit under their question's answer: {response:#}"
    );
    assert_shaped("the submission", &against, response, &enabled, complete);
    let (response, enabled, complete) = evaluated(file.to_str().unwrap(), &form, &answered);
    assert_shaped("`intake evaluate`", &against, response, &enabled, complete);
}
