//! SDC interchange: forms exported as R4 Questionnaires and imported back, the shared fixture
//! Questionnaires imported, and the `intake forms export/import` and `evaluate` commands.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use intake::forms::{
    Form, Level, lint, load_scenarios, load_yaml, run_scenarios,
    sdc::{self, ImportError},
};
use intake::terminology::{AnswerLists, CodeLookup, Definitions, TerminologySettings, hl7_core};
use serde_json::{Value as Json, json};

const CRATE: &str = env!("CARGO_MANIFEST_DIR");
pub(crate) const QUESTIONNAIRES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/questionnaires"
);

fn intake(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .current_dir(CRATE)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The WHO ANC questionnaires' vocabulary, as a site running them would give it in
/// `INTAKE_VALUESETS_DIR`.
pub(crate) const ANC_VALUE_SETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/questionnaires/instruments/prenatal/valuesets"
);

/// The value sets fixture Questionnaires may name: the HL7 core ones and the ANC folder.
pub(crate) fn fixture_value_sets() -> &'static Definitions {
    static CODES: std::sync::OnceLock<CodeLookup> = std::sync::OnceLock::new();
    CODES
        .get_or_init(|| {
            CodeLookup::load(&TerminologySettings {
                value_sets_dir: Some(ANC_VALUE_SETS.into()),
                ..TerminologySettings::default()
            })
            .unwrap()
        })
        .definitions()
}

/// Imports a fixture with the value sets a site running it would have.
pub(crate) fn import_fixture(questionnaire: &Json) -> Result<sdc::Imported, ImportError> {
    sdc::import_yaml_with(questionnaire, &AnswerLists::offline(fixture_value_sets()))
}

pub(crate) fn read_json(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(crate) fn questionnaire_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            questionnaire_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let is_questionnaire = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<Json>(&t).ok())
                .is_some_and(|j| j["resourceType"] == "Questionnaire");
            if is_questionnaire {
                out.push(path);
            }
        }
    }
}

/// Export, import, export again: the two exports must be equal.
fn assert_stable(form: &Form, name: &str) -> Form {
    let first = sdc::export(form);
    let again = sdc::import_with(&first, &AnswerLists::offline(fixture_value_sets()))
        .unwrap_or_else(|e| panic!("{name}: re-import failed: {e}"));
    assert_eq!(
        sdc::export(&again),
        first,
        "{name}: export → import → export changed"
    );
    again
}

#[test]
fn every_form_round_trips_through_sdc_and_still_passes_its_scenarios() {
    let library = intake::app::load_forms(&Path::new(CRATE).join("forms")).unwrap();
    let mut checked = 0;
    for form in library.iter() {
        let imported = assert_stable(form, form.id.as_str());
        // The round trip loses nothing: the imported form is the same model, hash and all.
        assert!(
            imported == **form,
            "{}: the imported model differs",
            form.id
        );
        let file = Path::new(CRATE).join(format!("forms/{}.test.yaml", form.id));
        let source = std::fs::read_to_string(&file).unwrap();
        let scenarios = load_scenarios(&file.display().to_string(), &source).unwrap();
        let results = run_scenarios(&imported, &scenarios, intake::i18n::Language::english());
        let outcome = |results: &[intake::forms::CaseResult]| -> Vec<(String, Vec<String>)> {
            results
                .iter()
                .map(|r| (r.name.clone(), r.failures.clone()))
                .collect()
        };
        assert_eq!(
            outcome(&results),
            outcome(&run_scenarios(
                form,
                &scenarios,
                intake::i18n::Language::english()
            )),
            "{}: the imported form behaves differently",
            form.id
        );
        let failures: Vec<_> = results.iter().filter(|r| !r.failures.is_empty()).collect();
        assert!(failures.is_empty(), "{}: {failures:#?}", form.id);
        assert!(!results.is_empty());
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn a_forms_change_limit_survives_the_round_trip() {
    let form = load_yaml(
        "limited.yaml",
        "id: limited
version: '1'
title: Limited
max_changes: 7
sections:
  - id: s
    title: S
    items:
      - { id: allergy, type: string, text: Allergy, extract: allergy-intolerance }
",
    )
    .unwrap();
    let imported = assert_stable(&form, "limited");
    assert_eq!(imported.max_changes, Some(7));
    assert!(imported == form, "the imported model differs");
}

#[test]
fn an_items_autocomplete_and_inputmode_survive_the_round_trip() {
    let form = load_yaml(
        "typed.yaml",
        "id: typed
version: '1'
title: Typed
sections:
  - id: s
    title: S
    items:
      - { id: phone, type: string, text: Phone, autocomplete: tel }
      - { id: contact_phone, type: string, text: Contact, autocomplete: section-contact tel }
      - { id: member, type: string, text: Member number, inputmode: numeric }
      - { id: dob, type: date, text: Born, autocomplete: bday }
",
    )
    .unwrap();
    let imported = assert_stable(&form, "typed");
    let phone = imported.items().find(|i| i.id == "phone").unwrap();
    assert_eq!(phone.input.autocomplete.as_deref(), Some("tel"));
    let member = imported.items().find(|i| i.id == "member").unwrap();
    assert_eq!(member.input.inputmode.as_deref(), Some("numeric"));
    assert!(imported == form, "the imported model differs");
}

#[test]
fn an_unknown_autocomplete_token_is_refused_with_where_it_is() {
    let error = load_yaml(
        "typed.yaml",
        "id: typed
version: '1'
title: Typed
sections:
  - id: s
    title: S
    items:
      - { id: phone, type: string, text: Phone, autocomplete: phone-number }
",
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("`autocomplete: phone-number` is not one of"),
        "{error}"
    );
    assert!(error.contains("typed.yaml:8"), "{error}");
}

#[test]
fn fixture_questionnaires_import_or_name_the_unsupported_feature() {
    let mut files = Vec::new();
    questionnaire_files(Path::new(QUESTIONNAIRES), &mut files);
    let mut imported = 0;
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut lines = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(QUESTIONNAIRES)
            .unwrap()
            .display()
            .to_string();
        match import_fixture(&read_json(file)) {
            Ok(sdc::Imported { form, yaml }) => {
                assert_stable(&form, &name);
                // The YAML `intake forms import` writes compiles on its own and lints clean,
                // but for the bands of its scores: SDC has no way to say what a score means, so
                // the designer writes them before the form is used (the check names each).
                let standalone = load_yaml(&name, &yaml).unwrap_or_else(|e| panic!("{e}"));
                let errors: Vec<_> = lint(&standalone, &yaml)
                    .into_iter()
                    .filter(|d| d.level == Level::Error && !d.message.contains("has no `bands`"))
                    .map(|d| d.render(&name))
                    .collect();
                assert!(errors.is_empty(), "{errors:#?}");
                imported += 1;
                lines.push(format!("  ok    {name}"));
            }
            Err(error) => {
                *unsupported.entry(error.feature()).or_default() += 1;
                lines.push(format!("  no    {name}: {error}"));
            }
        }
    }
    eprintln!("{}", lines.join("\n"));
    eprintln!("imported {imported} of {}; unsupported:", files.len());
    for (feature, count) in &unsupported {
        eprintln!("  {feature} → {count}");
    }
    assert_eq!(files.len(), 35);
    assert_eq!(imported, IMPORTED, "the imported count only goes up");
}

pub(crate) const IMPORTED: usize = 26;

#[test]
fn the_sdc_cardiology_form_imports() {
    let file = Path::new(QUESTIONNAIRES).join("intake/sdc-Questionnaire-CardiologyForm.json");
    let source = std::fs::read_to_string(file).unwrap();
    // Its e-mail constraint has an unescaped `'` inside a FHIRPath string: an invalid
    // expression, which the importer reports.
    let error = sdc::import(&serde_json::from_str(&source).unwrap()).unwrap_err();
    assert!(error.to_string().contains("patient_email"), "{error}");
    let fixed = source.replace("&'*+", "&\\\\'*+");
    let form = sdc::import(&serde_json::from_str(&fixed).unwrap()).unwrap();
    assert!(form.items().count() >= 100, "{}", form.items().count());
    assert_stable(&form, "cardiology");
}

/// A choice whose answer list is a FHIR search run while the patient answers, which Intake
/// does not do.
fn with_searched_answer_list() -> Json {
    json!({"resourceType": "Questionnaire", "status": "active", "name": "dyn", "item": [{
        "linkId": "med-1", "type": "choice", "text": "Which medication?",
        "extension": [{"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-answerExpression",
            "valueExpression": {"language": "application/x-fhir-query",
                "expression": "Medication?code={{%code}}"}}],
    }]})
}

#[test]
fn an_unsupported_feature_is_named_with_its_item() {
    let error = sdc::import(&with_searched_answer_list()).unwrap_err();
    assert!(matches!(error, ImportError::Unsupported { .. }));
    assert_eq!(
        error.to_string(),
        "item `med-1`: answerExpression in application/x-fhir-query (an answer list searched \
         for while the patient answers) is not supported"
    );
    let external = json!({"resourceType": "Questionnaire", "status": "active", "item": [{
        "linkId": "a", "type": "choice", "text": "A", "answerValueSet": "http://loinc.org/vs/LL358-3"}]});
    let error = sdc::import_with(&external, &AnswerLists::offline(hl7_core())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "item `a`: no answer list for the value set http://loinc.org/vs/LL358-3: it is not among \
         the HL7 core value sets or the site's (INTAKE_VALUESETS_DIR), and no terminology server \
         is configured (INTAKE_TERMINOLOGY_URL)"
    );
    assert_eq!(
        error.feature(),
        "answerValueSet (a value set no source knows)"
    );
}

#[test]
fn an_answer_list_from_an_hl7_core_value_set_is_written_out_and_exports_as_the_value_set() {
    let url = "http://hl7.org/fhir/ValueSet/administrative-gender";
    let q = json!({"resourceType": "Questionnaire", "status": "active", "item": [{
        "linkId": "sex", "type": "choice", "text": "Sex", "answerValueSet": url}]});
    let imported = sdc::import_yaml_with(&q, &AnswerLists::offline(hl7_core())).unwrap();
    let item = imported.form.item("sex").unwrap();
    let codes: Vec<_> = item.options.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["male", "female", "other", "unknown"]);
    assert_eq!(item.options[1].display.en(), "Female");
    // The YAML stands alone (the list written out); the form names the value set, so an
    // export gives the Questionnaire's `answerValueSet` back rather than a copy of the list.
    assert!(
        imported.yaml.contains(r#"code: "female""#),
        "{}",
        imported.yaml
    );
    let exported = sdc::export(&imported.form);
    let text = exported.to_string();
    assert!(
        text.contains(&format!(r#""answerValueSet":"{url}""#)),
        "{text}"
    );
    assert!(!text.contains(r#""contained""#), "{text}");
}

#[test]
fn forms_import_takes_a_sites_value_sets_from_its_folder_and_names_one_it_lacks() {
    let anc = Path::new(QUESTIONNAIRES)
        .join("instruments/prenatal/who-anc-questionnaire-ANCA-registration.json");
    let run = |folder: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
        command
            .args(["forms", "import", anc.to_str().unwrap()])
            .current_dir(CRATE);
        command
            .env_remove("INTAKE_TERMINOLOGY_URL")
            .env_remove("INTAKE_VALUESETS_DIR");
        if let Some(folder) = folder {
            command.env("INTAKE_VALUESETS_DIR", folder);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, yaml, stderr) = run(Some(ANC_VALUE_SETS));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(yaml.contains("ANC.A.DE15"), "{yaml}");
    let (code, _, stderr) = run(None);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no answer list for the value set http://fhir.org/guides/who/anc-cds/ValueSet/anc-a-de14"),
        "{stderr}"
    );
}

#[test]
fn forms_import_exits_two_with_the_unsupported_feature_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dyn.json");
    std::fs::write(&file, with_searched_answer_list().to_string()).unwrap();
    let (code, stdout, stderr) = intake(&["forms", "import", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("item `med-1`: answerExpression in application/x-fhir-query"),
        "{stderr}"
    );
}

#[test]
fn forms_export_prints_a_questionnaire() {
    let (code, stdout, stderr) = intake(&["forms", "export", "adult-previsit", "--format", "fhir"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("{\n  \"resourceType\": \"Questionnaire\",\n  \"id\""),
        "{stdout}"
    );
    let q: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(q["resourceType"], "Questionnaire");
    assert_eq!(q["name"], "adult-previsit");
    assert!(
        q["contained"].as_array().is_some_and(|c| !c.is_empty()),
        "value sets are contained"
    );
    let (code, by_file, _) = intake(&["forms", "export", "forms/adult-previsit.yaml"]);
    assert_eq!((code, by_file), (Some(0), stdout));
}

#[test]
fn forms_import_writes_yaml_that_forms_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    for fixture in [
        "instruments/phq-9/us-core-Questionnaire-phq-9-example.json",
        "behavior/smart-forms-story-qEnableBehaviorAll.json",
    ] {
        let output = dir.path().join("imported.yaml");
        let input = Path::new(QUESTIONNAIRES).join(fixture);
        let (code, _, stderr) = intake(&[
            "forms",
            "import",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(0), "{fixture}: {stderr}");
        let (code, stdout, stderr) = intake(&["forms", "check", output.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{fixture}: {stdout}{stderr}");
        let (code, printed, _) = intake(&["forms", "import", input.to_str().unwrap()]);
        assert_eq!(code, Some(0));
        assert_eq!(
            printed,
            std::fs::read_to_string(&output).unwrap(),
            "{fixture}"
        );
    }
}

#[test]
fn evaluate_runs_an_imported_questionnaire_against_a_response() {
    let questionnaire = Path::new(QUESTIONNAIRES).join(
        "instruments/risk-calculators/sdc-questionnaire-sdc-profile-example-framingham-HCHD.json",
    );
    let coding = |code: &str, display: &str| json!([{"valueCoding": {"system": "http://loinc.org", "code": code, "display": display}}]);
    let response = json!({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "/age", "answer": [{"valueDecimal": 55}]},
        {"linkId": "/46098-0", "answer": coding("LA2-8", "Male")},
        {"linkId": "/smokes", "answer": [{"valueCoding": {"code": "Y"}}]},
        {"linkId": "/8480-6", "answer": [{"valueDecimal": 140}]},
        {"linkId": "/2093-3", "answer": [{"valueDecimal": 213}]},
        {"linkId": "/2085-9", "answer": [{"valueDecimal": 50}]},
        {"linkId": "/antihypertensive", "answer": [{"valueCoding": {"code": "N"}}]},
    ]});
    // The response names items by the Questionnaire's linkIds (the imported form names them
    // by ids, `/age` → `q_age`), and what `evaluate` prints names them so too.
    let tmp = tempfile::tempdir().unwrap();
    let response_file = tmp.path().join("qr.json");
    std::fs::write(&response_file, response.to_string()).unwrap();
    let (code, stdout, stderr) = intake(&[
        "evaluate",
        "--form",
        questionnaire.to_str().unwrap(),
        "--response",
        response_file.to_str().unwrap(),
        "--now",
        "2026-01-01T10:00:00Z",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let result: Json = serde_json::from_str(&stdout).unwrap();
    let risk = result["calculated"]["riskDecimal"]
        .as_f64()
        .unwrap_or_else(|| panic!("{result:#}"));
    assert!(risk > 0.05 && risk < 0.6, "{result:#}");
    let percentage = result["calculated"]["riskPercentage"].as_str().unwrap();
    assert!(percentage.ends_with('%'), "{percentage}");
    let enabled: Vec<&str> = result["enabled"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    for link_id in [
        "/age",
        "/46098-0",
        "/smokes",
        "riskDecimal",
        "riskPercentage",
    ] {
        assert!(enabled.contains(&link_id), "{link_id} in {enabled:?}");
    }
    assert!(
        !enabled
            .iter()
            .any(|l| l.starts_with("q_") || l.starts_with("section_")),
        "only the Questionnaire's linkIds: {enabled:?}"
    );
    let answered: Vec<&str> = result["response"]["item"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["linkId"].as_str())
        .collect();
    assert!(answered.contains(&"/8480-6"), "{answered:?}");
}

#[test]
fn evaluate_computes_an_sdc_score_that_reads_the_response_through_resource() {
    let dir = Path::new(QUESTIONNAIRES).join("instruments/phq-9");
    let questionnaire = dir.join("sdc-questionnaire-sdc-profile-example-PHQ9.json");
    let response = dir.join("sdc-questionnaireresponse-sdc-profile-example-PHQ9.json");
    // The expected total, computed here from the fixtures: each answer's ordinalValue in the
    // Questionnaire, summed over the response's answers. (The response's own stored total, 13,
    // does not match its answers.)
    let q: Json = serde_json::from_str(&std::fs::read_to_string(&questionnaire).unwrap()).unwrap();
    let r: Json = serde_json::from_str(&std::fs::read_to_string(&response).unwrap()).unwrap();
    let mut ordinal = std::collections::HashMap::new();
    fn options(item: &Json, ordinal: &mut std::collections::HashMap<String, f64>) {
        // Answer options, and the concepts of contained value sets (compose or expansion).
        let concepts = item["answerOption"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| (&o["valueCoding"], o))
            .chain(
                item["contained"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|vs| {
                        let composed = vs["compose"]["include"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .flat_map(|i| i["concept"].as_array().into_iter().flatten());
                        let expanded = vs["expansion"]["contains"].as_array().into_iter().flatten();
                        composed.chain(expanded).map(|c| (c, c))
                    }),
            );
        for (coding, option) in concepts {
            let weight = coding["extension"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(option["extension"].as_array().into_iter().flatten())
                .find(|e| {
                    e["url"]
                        .as_str()
                        .is_some_and(|u| u.ends_with("ordinalValue") || u.ends_with("itemWeight"))
                })
                .and_then(|e| e["valueDecimal"].as_f64());
            if let (Some(code), Some(weight)) = (coding["code"].as_str(), weight) {
                ordinal.insert(code.to_owned(), weight);
            }
        }
        for child in item["item"].as_array().into_iter().flatten() {
            options(child, ordinal);
        }
    }
    options(&q, &mut ordinal);
    fn codes(item: &Json, out: &mut Vec<String>) {
        for answer in item["answer"].as_array().into_iter().flatten() {
            if let Some(code) = answer["valueCoding"]["code"].as_str() {
                out.push(code.to_owned());
            }
        }
        for child in item["item"].as_array().into_iter().flatten() {
            codes(child, out);
        }
    }
    let mut answered = Vec::new();
    codes(&r, &mut answered);
    let expected: f64 = answered.iter().filter_map(|c| ordinal.get(c)).sum();
    assert_eq!(answered.len(), 9, "the fixture answers all nine questions");

    let (code, stdout, stderr) = intake(&[
        "evaluate",
        "--form",
        questionnaire.to_str().unwrap(),
        "--response",
        response.to_str().unwrap(),
        "--now",
        "2026-11-22T10:00:00Z",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let result: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        result["calculated"]["H1/TS"]["value"].as_f64(),
        Some(expected),
        "{}",
        result["calculated"]
    );
}

#[test]
fn forms_import_check_names_each_refusal_and_prints_the_rate_and_the_refusals_by_feature() {
    let dir = tempfile::tempdir().unwrap();
    let runs = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "name", "type": "string", "text": "Name", "required": true}]});
    // Required, and worked out from nothing: the patient cannot submit it.
    let stuck = json!({"resourceType": "Questionnaire", "status": "active", "item": [
        {"linkId": "score", "type": "integer", "text": "Score", "required": true, "readOnly": true,
         "extension": [{"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
            "valueExpression": {"language": "text/fhirpath", "expression": "{}"}}]}]});
    std::fs::write(dir.path().join("a-runs.json"), runs.to_string()).unwrap();
    std::fs::write(dir.path().join("b-stuck.json"), stuck.to_string()).unwrap();
    std::fs::write(
        dir.path().join("c-dyn.json"),
        with_searched_answer_list().to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d-response.json"),
        json!({"resourceType": "QuestionnaireResponse", "status": "completed"}).to_string(),
    )
    .unwrap();
    let (code, stdout, stderr) = intake(&["forms", "import-check", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("ok    ") && lines[0].ends_with("a-runs.json"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("no    ")
            && lines[1].ends_with(
                "b-stuck.json: does not submit: `score`: This question needs an answer."
            ),
        "{stdout}"
    );
    assert!(
        lines[2].contains("c-dyn.json: item `med-1`: answerExpression in application/x-fhir-query"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(1 other JSON files, not Questionnaires, left out)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("imported and running: 1 of 3 (33.3%)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    1  runs: does not submit with every question answered"),
        "{stdout}"
    );
}
