//! The forms in `forms/` are checked and their scenario tests run, through the real commands.

use std::process::Command;

fn intake(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

#[test]
fn every_form_in_forms_compiles_with_no_lint_errors() {
    let (code, output) = intake(&["forms", "check"]);
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("5 forms checked: 0 errors"), "{output}");
}

#[test]
fn every_scenario_test_of_every_form_passes() {
    let (code, output) = intake(&["forms", "test"]);
    assert_eq!(code, Some(0), "{output}");
    let summary = output.lines().last().unwrap_or_default();
    let passed: usize = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 60, "the forms have their scenarios: {summary}");
    assert!(summary.ends_with(" passed, 0 failed"), "{output}");
}

fn check_one(form: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, form).unwrap();
    let result = intake(&["forms", "check", file.to_str().unwrap()]);
    (
        result.0,
        result.1.replace(&dir.path().display().to_string(), "DIR"),
    )
}

const HEADER: &str = "id: broken\nversion: '1'\ntitle: { en: T, es: T }\nlanguages: [en, es]\nsections:\n  - id: page\n    title: { en: P, es: P }\n    items:\n";

#[test]
fn the_linter_reports_unknown_references_cycles_and_missing_translations_like_a_compiler() {
    let form = format!(
        "{HEADER}      - {{ id: a, type: integer, text: {{ en: A, es: A }}, calculated: \"%b + 1\" }}\n      - {{ id: b, type: integer, text: {{ en: B, es: B }}, calculated: \"%a + 1\" }}\n      - {{ id: c, type: boolean, text: {{ en: C }}, enable_when: \"%nothing = true\" }}\n"
    );
    let (code, output) = check_one(&form);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains(
            "DIR/broken.yaml:9:11: error: a cycle of calculations and conditions: a -> b -> a"
        ),
        "{output}"
    );
    assert!(output.contains("DIR/broken.yaml:11:"), "{output}");
    assert!(
        output.contains("error: `c`: \"C\" has no `es` translation"),
        "{output}"
    );
    assert!(
        output.contains("`%nothing` is neither an item nor a variable of this form"),
        "{output}"
    );
}

#[test]
fn a_form_offered_in_vietnamese_fails_the_check_at_each_text_without_vietnamese() {
    let form = "id: broken\nversion: '1'\ntitle: { en: T, es: T, vi: T }\nlanguages: [en, es, vi]\nsections:\n  - id: page\n    title: { en: P, es: P, vi: P }\n    items:\n      - id: meds\n        type: group\n        on_file: medication-statement\n        text: { en: Medicines, es: Medicamentos, vi: Thuốc }\n      - id: pain\n        type: integer\n        text:\n          en: Pain\n          es: Dolor\n";
    let (code, output) = check_one(form);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("DIR/broken.yaml:16:15: error: `pain`: \"Pain\" has no `vi` translation"),
        "{output}"
    );
    // The product's own questions about what is on file have Vietnamese (locales/vi).
    assert!(!output.contains("`meds"), "{output}");
    assert!(
        output.contains("1 errors") || output.contains("1 error"),
        "{output}"
    );
}

#[test]
fn the_linter_reports_dead_items_and_codes_outside_the_answer_list() {
    let form = format!(
        "{HEADER}      - id: smoke\n        type: choice\n        text: {{ en: S, es: S }}\n        options: [{{ code: y, display: {{ en: Y, es: Y }} }}]\n      - id: never\n        type: group\n        text: {{ en: N, es: N }}\n        enable_when: \"1 = 2\"\n        items:\n          - {{ id: inner, type: string, required: true, text: {{ en: I, es: I }} }}\n      - id: packs\n        type: integer\n        text: {{ en: P, es: P }}\n        enable_when:\n          any:\n            - {{ question: smoke, operator: \"=\", answer: {{ code: \"maybe\" }} }}\n"
    );
    let (code, output) = check_one(&form);
    assert_eq!(code, Some(1), "{output}");
    assert!(output.contains("`never` can never be enabled"), "{output}");
    assert!(
        output.contains("`inner` is required inside a group that can never be enabled"),
        "{output}"
    );
    assert!(
        output.contains("`maybe` is not one of the answers of `smoke`"),
        "{output}"
    );
}

#[test]
fn a_failing_scenario_names_the_case_and_what_differed() {
    let dir = tempfile::tempdir().unwrap();
    let form =
        format!("{HEADER}      - {{ id: a, type: integer, text: {{ en: A, es: A }}, max: 5 }}\n");
    std::fs::write(dir.path().join("broken.yaml"), form).unwrap();
    std::fs::write(
        dir.path().join("broken.test.yaml"),
        "form: broken\ncases:\n  - name: six is too many\n    answers: { a: 6 }\n    expect: { issues: [] }\n",
    )
    .unwrap();
    let (code, output) = intake(&["forms", "test", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("FAILED") && output.contains("six is too many"),
        "{output}"
    );
    assert!(
        output.contains("expected issues on {}, got {\"a\"}"),
        "{output}"
    );
    assert!(
        output.trim_end().ends_with("0 passed, 1 failed"),
        "{output}"
    );
}

#[tokio::test]
async fn the_preview_serves_a_form_as_a_patient_sees_it_and_follows_edits() {
    let client = crate::helpers::http();
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join("flu.yaml");
    let source = format!(
        "{HEADER}      - {{ id: fever, type: boolean, text: {{ en: Any fever?, es: ¿Fiebre? }} }}\n"
    );
    std::fs::write(&form, &source).unwrap();
    let port = crate::helpers::free_port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_intake"))
        .args([
            "forms",
            "preview",
            dir.path().to_str().unwrap(),
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let status = || async {
        client
            .get(format!("{base}/preview/status"))
            .send()
            .await
            .ok()?
            .json::<serde_json::Value>()
            .await
            .ok()
    };
    let mut first = None;
    for _ in 0..200 {
        if let Some(found) = status().await.filter(|s| s["version"].as_u64() >= Some(1)) {
            first = Some(found);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let first = first.expect("the preview came up and compiled the form");
    assert_eq!(first["problems"], serde_json::json!([]));

    let browser = crate::helpers::cookie_browser();
    let page = crate::helpers::page(&browser, &format!("{base}/preview/form/broken")).await;
    assert!(
        page.contains("Any fever?"),
        "the preview opens the form's first page: {page}"
    );
    assert!(
        page.contains("<script src=\"/static/preview."),
        "with the reload script"
    );

    std::fs::write(&form, source.replace("type: boolean", "typ: boolean")).unwrap();
    let mut problems = String::new();
    for _ in 0..100 {
        if let Some(now) = status()
            .await
            .filter(|s| s["version"].as_u64() > first["version"].as_u64())
        {
            problems = now["problems"].to_string();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        problems.contains("flu.yaml:9:") && problems.contains("error"),
        "{problems}"
    );
    let still = crate::helpers::page(&browser, &format!("{base}/intake/page/0")).await;
    assert!(
        still.contains("Any fever?"),
        "a broken edit keeps the last good form in service"
    );
    child.kill().await.unwrap();
}

const SCORE: &str = "      - { id: q, type: choice, text: { en: Q, es: Q }, options: [{ code: a, weight: 0, display: { en: A, es: A } }, { code: b, weight: 3, display: { en: B, es: B } }] }\n      - id: total\n        type: integer\n        text: { en: T, es: T }\n        calculated: \"%q.weight().sum()\"\n";

fn band(min: i32, max: i32) -> String {
    format!(
        "          - {{ min: {min}, max: {max}, label: {{ en: L, es: L }}, meaning: {{ en: M, es: M }} }}\n"
    )
}

#[test]
fn a_score_without_bands_fails_the_check_at_its_line() {
    let (code, output) = check_one(&format!("{HEADER}{SCORE}"));
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("DIR/broken.yaml:10:9: error: score `total` has no `bands`"),
        "{output}"
    );
    let (_, output) = check_one(&format!("{HEADER}{SCORE}        bands:\n{}", band(0, 3)));
    assert!(
        output.contains("error: score `total` needs `min` and `max`, its possible range"),
        "{output}"
    );
}

#[test]
fn score_bands_with_a_gap_an_overlap_or_short_of_the_range_fail_the_check() {
    let ranged = format!("{HEADER}{SCORE}        min: 0\n        max: 3\n        bands:\n");
    let (code, output) = check_one(&format!("{ranged}{}{}", band(0, 1), band(2, 3)));
    assert_eq!(code, Some(0), "whole bands pass: {output}");

    let (code, output) = check_one(&format!("{ranged}{}{}", band(0, 0), band(2, 3)));
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains(
            "DIR/broken.yaml:16:9: error: the bands of `total` leave a gap: no band holds 1 to 1"
        ),
        "{output}"
    );
    let (_, output) = check_one(&format!("{ranged}{}{}", band(0, 2), band(2, 3)));
    assert!(
        output.contains("error: the bands of `total` overlap: 2 is in two bands"),
        "{output}"
    );
    let (_, output) = check_one(&format!("{ranged}{}", band(0, 2)));
    assert!(
        output.contains("error: the bands of `total` stop at 2, short of its `max` 3"),
        "{output}"
    );
    let (_, output) = check_one(&format!("{ranged}{}", band(-1, 3)));
    assert!(
        output.contains("error: the bands of `total` start at -1, below its `min` 0"),
        "{output}"
    );
}

#[test]
fn bands_on_a_question_that_is_not_a_score_and_a_staff_item_without_a_marker_are_errors() {
    let (code, output) = check_one(&format!(
        "{HEADER}      - id: q\n        type: string\n        text: {{ en: Q, es: Q }}\n        bands:\n{}",
        band(0, 1)
    ));
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output
            .contains("`bands` are for a score (a calculated integer or decimal); `q` is not one"),
        "{output}"
    );
    let (_, output) = check_one(&format!(
        "{HEADER}      - {{ id: call, type: boolean, text: {{ en: C, es: C }}, for: [staff] }}\n"
    ));
    assert!(
        output.contains("`call`: an item `for: [staff]` needs a `marker`"),
        "{output}"
    );
    let (_, output) = check_one(&format!(
        "{HEADER}      - {{ id: call, type: boolean, normal: maybe, text: {{ en: C, es: C }} }}\n"
    ));
    assert!(
        output.contains("`normal` of yes/no item `call` is `true` or `false`"),
        "{output}"
    );
}

/// `intake forms <args>` run in `dir` with `INTAKE_VALUESETS_DIR` set to `site` (if any) and
/// no terminology server: its exit code and what it printed.
fn forms_in(
    dir: &std::path::Path,
    site: Option<&std::path::Path>,
    args: &[&str],
) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .arg("forms")
        .args(args)
        .current_dir(dir)
        .env_remove("INTAKE_TERMINOLOGY_URL")
        .env_remove("INTAKE_VALUESETS_DIR");
    if let Some(site) = site {
        command.env("INTAKE_VALUESETS_DIR", site);
    }
    let output = command.output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

fn with_value_set(url: &str) -> String {
    format!(
        "{HEADER}      - {{ id: sex, type: choice, text: {{ en: Sex, es: Sexo }}, value_set: \"{url}\" }}\n"
    )
}

#[test]
fn a_value_set_named_by_url_is_checked_exported_and_named_where_nothing_expands_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("forms")).unwrap();
    let file = dir.path().join("forms/broken.yaml");
    // A value set nothing here expands: the error names the file, line, column and value set.
    std::fs::write(&file, with_value_set("http://loinc.org/vs/LL358-3")).unwrap();
    let (code, output) = forms_in(dir.path(), None, &["check"]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains(
            "forms/broken.yaml:9:74: error: the value set http://loinc.org/vs/LL358-3 gives no answer list: it is not among the HL7 core value sets or the site's (INTAKE_VALUESETS_DIR), and no terminology server is configured (INTAKE_TERMINOLOGY_URL)"
        ),
        "{output}"
    );
    // An HL7 core value set: checked (the linter reads its codes) and exported by URL.
    let gender = "http://hl7.org/fhir/ValueSet/administrative-gender";
    let wrong_code = with_value_set(gender)
        + "      - { id: why, type: string, text: { en: W, es: W }, enable_when: { any: [ { question: sex, operator: \"=\", answer: { code: femal } } ] } }\n";
    std::fs::write(&file, wrong_code).unwrap();
    let (code, output) = forms_in(dir.path(), None, &["check"]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("`femal` is not one of the answers of `sex`"),
        "{output}"
    );
    // The form is in Spanish too: the value set's English displays are translated in a file
    // of forms/valuesets/ with its URL, which the loader prefers.
    std::fs::write(&file, with_value_set(gender)).unwrap();
    let (code, output) = forms_in(dir.path(), None, &["check"]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains(&format!(
            "forms/broken.yaml:9:63: error: `sex`: the value set {gender} has no `es` displays; translate them in a forms/valuesets/ file whose `url` is {gender}"
        )),
        "{output}"
    );
    std::fs::create_dir(dir.path().join("forms/valuesets")).unwrap();
    std::fs::write(
        dir.path().join("forms/valuesets/gender.yaml"),
        format!(
            "id: gender\nurl: {gender}\ntitle: Gender\nconcepts:\n  - {{ code: female, system: http://hl7.org/fhir/administrative-gender, display: {{ en: Female, es: Femenino }} }}\n  - {{ code: male, system: http://hl7.org/fhir/administrative-gender, display: {{ en: Male, es: Masculino }} }}\n"
        ),
    )
    .unwrap();
    let (code, output) = forms_in(dir.path(), None, &["check"]);
    assert_eq!(code, Some(0), "{output}");
    let (code, output) = forms_in(
        dir.path(),
        None,
        &["export", "forms/broken.yaml", "--format", "fhir"],
    );
    assert_eq!(code, Some(0), "{output}");
    let questionnaire: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(
        questionnaire["item"][0]["item"][0]["answerValueSet"],
        gender
    );

    // A site's value set from INTAKE_VALUESETS_DIR.
    let site = tempfile::tempdir().unwrap();
    let url = "http://clinic.example/fhir/ValueSet/sex-at-birth";
    std::fs::write(
        site.path().join("sex.json"),
        serde_json::json!({"resourceType": "ValueSet", "url": url, "status": "active",
            "compose": {"include": [{"system": "http://hl7.org/fhir/administrative-gender",
                "concept": [{"code": "male", "display": "Male"}, {"code": "female", "display": "Female"}]}]}})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        &file,
        with_value_set(url).replace("languages: [en, es]", "languages: [en]"),
    )
    .unwrap();
    let (code, output) = forms_in(dir.path(), None, &["check"]);
    assert_eq!(code, Some(1), "without the folder: {output}");
    let (code, output) = forms_in(dir.path(), Some(site.path()), &["check"]);
    assert_eq!(code, Some(0), "{output}");
}
