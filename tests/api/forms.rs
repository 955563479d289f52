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
