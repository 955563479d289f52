//! Candidate answers (SDC `candidateExpression`) on the patient's page: offered to pick from,
//! never filled in.

use crate::helpers::{Options, TestApp, answering, page};

const FORM: &str = r#"id: offered
version: "1"
title: Offered
sections:
  - id: about
    title: About you
    items:
      - id: called
        type: string
        text: The name we call you by
        candidates: "%patient.name.given"
"#;

#[tokio::test]
async fn a_question_with_candidates_offers_the_charts_values_without_filling_them_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("offered.yaml"), FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    let (browser, _) = answering(&app, "MRN-1003", "1999-01-23", "offered").await;
    let shown = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        shown.contains(r#"list="f-called-offered""#),
        "the input offers the list: {shown}"
    );
    assert!(
        shown.contains(r#"<datalist id="f-called-offered"><option value="Hannah">"#),
        "the chart's given name is offered: {shown}"
    );
    assert!(
        shown.contains(r#"name="a.called" value="""#),
        "and not filled in: {shown}"
    );
    app.stop().await;
}
