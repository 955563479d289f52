//! Every fixture Questionnaire that imports also runs for a patient (issue 14, point 5): served
//! from the forms folder as the YAML `intake forms import` writes, opened from an invitation,
//! every page answered with generated answers, and submitted.

use std::path::Path;

use intake::forms::{Form, Item, ItemKind, sdc};

use crate::{
    helpers::{Options, TestApp, answering, location, page},
    sdc::{QUESTIONNAIRES, import_fixture, questionnaire_files, read_json},
};

/// An answer a patient could give to `item`, as the page posts it; `None` for items the patient
/// does not fill in (calculated, read-only, files, references).
fn generated_answer(item: &Item) -> Option<String> {
    if item.calculated.is_some() || item.read_only || item.hidden {
        return None;
    }
    let bound = |b: &Option<intake::forms::Bound>| match b {
        Some(intake::forms::Bound::Number(n)) => Some(n.to_string()),
        Some(intake::forms::Bound::Date(d)) => Some(d.get(..10).unwrap_or(d).to_owned()),
        None => None,
    };
    if let Some(option) = item.options.first() {
        return Some(option.code.clone());
    }
    Some(match item.kind {
        ItemKind::Boolean => "yes".to_owned(),
        ItemKind::Integer => bound(&item.min)
            .map(|n| n.trim_end_matches(".0").to_owned())
            .unwrap_or_else(|| "1".to_owned()),
        ItemKind::Decimal | ItemKind::Quantity => bound(&item.min).unwrap_or_else(|| "1".into()),
        ItemKind::Date => bound(&item.min).unwrap_or_else(|| "2020-01-02".into()),
        ItemKind::DateTime => "2020-01-02T10:00".to_owned(),
        ItemKind::Time => "10:00".to_owned(),
        ItemKind::String | ItemKind::Text if item.regex.is_none() => "Some words".to_owned(),
        ItemKind::Url => "https://example.org/".to_owned(),
        _ => return None,
    })
}

/// The fields of one page: every answerable item, the first instance of repeating groups.
fn page_fields(items: &[Item], prefix: &str, out: &mut Vec<(String, String)>) {
    for item in items {
        match item.kind {
            ItemKind::Display => {}
            ItemKind::Group if item.repeats => {
                page_fields(&item.items, &format!("{prefix}{}.0.", item.id), out);
            }
            ItemKind::Group => page_fields(&item.items, prefix, out),
            _ => {
                if let Some(value) = generated_answer(item) {
                    out.push((format!("a.{prefix}{}", item.id), value));
                }
            }
        }
    }
}

/// Each importable fixture as (fixture name, form id, standalone YAML with that id).
fn imported_fixtures() -> Vec<(String, Form, String)> {
    let mut files = Vec::new();
    questionnaire_files(Path::new(QUESTIONNAIRES), &mut files);
    let mut out = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let Ok(sdc::Imported { form, yaml }) = import_fixture(&read_json(file)) else {
            continue;
        };
        // Fixtures share ids (three PHQ-9s): each is served under its own.
        let id = format!("fixture-{n}");
        let yaml: String = yaml
            .lines()
            .map(|line| {
                if line.starts_with("id: ") {
                    format!("id: {id}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        let name = file
            .strip_prefix(QUESTIONNAIRES)
            .unwrap()
            .display()
            .to_string();
        out.push((name, form, format!("{id}\n{yaml}")));
    }
    out
}

#[tokio::test]
async fn every_imported_fixture_questionnaire_runs_through_the_patient_pages_and_submits() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = imported_fixtures();
    for (_, _, id_and_yaml) in &fixtures {
        let (id, yaml) = id_and_yaml.split_once('\n').unwrap();
        std::fs::write(dir.path().join(format!("{id}.yaml")), yaml).unwrap();
    }
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    let mut failures = Vec::new();
    for (name, form, id_and_yaml) in &fixtures {
        let id = id_and_yaml.split_once('\n').unwrap().0;
        let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", id).await;
        for (index, section) in form.sections.iter().enumerate() {
            let shown = page(&browser, &app.url(&format!("/intake/page/{index}"))).await;
            assert!(!shown.is_empty(), "{name}: page {index} shows");
            let mut fields = Vec::new();
            page_fields(&section.items, "", &mut fields);
            let mut posted = vec![("csrf".to_owned(), token.clone())];
            posted.extend(fields);
            let saved = browser
                .post(app.url(&format!("/intake/page/{index}")))
                .form(&posted)
                .send()
                .await
                .unwrap();
            if saved.status() != 303 {
                let body = saved.text().await.unwrap_or_default();
                failures.push(format!(
                    "{name}: page {index} did not save: {}",
                    errors(&body)
                ));
            }
        }
        let submitted = browser
            .post(app.url("/intake/submit"))
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        if submitted.status() != 303 || location(&submitted) != "/intake/done" {
            let body = submitted.text().await.unwrap_or_default();
            failures.push(format!("{name}: did not submit: {}", errors(&body)));
        }
    }
    eprintln!("{} imported fixtures walked and submitted", fixtures.len());
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(fixtures.len(), crate::sdc::IMPORTED);
    app.stop().await;
}

/// The error messages a page shows, in short.
fn errors(html: &str) -> String {
    let error = regex_lite::Regex::new(r#"class="(?:error|issue)[^"]*"[^>]*>([^<]*)"#).unwrap();
    let found: Vec<&str> = error
        .captures_iter(html)
        .filter_map(|c| c.get(1).map(|m| m.as_str().trim()))
        .filter(|s| !s.is_empty())
        .collect();
    if found.is_empty() {
        html.chars().take(400).collect()
    } else {
        found.join("; ")
    }
}

/// The body height and weight on file for Hannah Becker (MRN-1003), newest last.
fn vital_signs() -> serde_json::Value {
    let observation = |id: &str, code: &str, date: &str, value: f64, unit: &str| {
        serde_json::json!({"resource": {"resourceType": "Observation", "id": id, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": "Patient/hannah-becker"}, "effectiveDateTime": date,
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}})
    };
    serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": [
        observation("h-old", "8302-2", "2020-03-01", 150.0, "cm"),
        observation("h-new", "8302-2", "2025-03-01", 172.0, "cm"),
        observation("w-new", "29463-7", "2025-03-01", 68.5, "kg"),
    ]})
}

#[tokio::test]
async fn source_queries_and_fhir_query_variables_prefill_from_the_ehr_when_the_draft_starts() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = [
        (
            "batch",
            "behavior/smart-forms-story-qSourceQueriesBMICalculator.json",
        ),
        (
            "search",
            "behavior/smart-forms-story-qObservationBasedExtract.json",
        ),
    ];
    for (id, fixture) in fixtures {
        let q = read_json(&Path::new(QUESTIONNAIRES).join(fixture));
        let yaml = sdc::import_yaml(&q).unwrap().yaml;
        let yaml: String = yaml
            .lines()
            .map(|l| {
                if l.starts_with("id: ") {
                    format!("id: {id}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(dir.path().join(format!("{id}.yaml")), yaml).unwrap();
    }
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    std::fs::write(
        app.ehr_folder.join("vital-signs.json"),
        vital_signs().to_string(),
    )
    .unwrap();
    for (id, fixture) in fixtures {
        let (browser, _) = answering(&app, "MRN-1003", "1999-01-23", id).await;
        let shown = page(&browser, &app.url("/intake/page/0")).await;
        // The newest height and weight, and the BMI calculated from them.
        for expected in [r#"value="172"#, r#"value="68.5""#, "23.2"] {
            assert!(shown.contains(expected), "{fixture}: {expected} in {shown}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_choice_whose_list_the_answers_compute_shows_that_list_and_submits_a_pick_from_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("computed.yaml"),
        "id: computed
version: '1'
title: Computed list
sections:
  - id: s
    title: Fruit
    items:
      - { id: fruit, type: string, text: Your favourite fruit }
      - { id: pick, type: choice, text: Pick one, required: true, answer_expression: \"%fruit | 'none'\" }
",
    )
    .unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "computed").await;
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields);
        browser.post(app.url("/intake/page/0")).form(&form).send()
    };
    // A pick the list does not have is not kept: the required question is still unanswered.
    let saved = post(vec![("a.fruit", "kiwi"), ("a.pick", "mango")])
        .await
        .unwrap();
    assert_eq!(saved.status(), 422, "the page comes back with the problem");
    let saved = post(vec![("a.fruit", "kiwi"), ("a.pick", "kiwi")])
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let shown = page(&browser, &app.url("/intake/page/0")).await;
    for listed in [r#"value="kiwi""#, r#"value="none""#] {
        assert!(shown.contains(listed), "{listed} in {shown}");
    }
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done");
    app.stop().await;
}
