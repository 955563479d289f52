//! A long answer list on the patient's page (a `value_set` named by canonical URL, resolved
//! from the built-in HL7 core value sets): searched without JavaScript by a Search button that
//! brings the same page back with the matches, every other answer kept; the pick saves and
//! reaches the QuestionnaireResponse as the value set's Coding.

use crate::helpers::{Options, TestApp, answering, eventually, location, page, posted};

/// Two pages: the first with the 56 languages of the HL7 `languages` value set beside a
/// typed answer and a short choice. In English and Spanish (the value set's displays are
/// English only: `intake forms check` would ask for a translated file; the server serves it).
pub const FORM: &str = r#"id: lists
version: "1"
title: { en: Long lists, es: Listas largas }
languages: [en, es]
sections:
  - id: about
    title: { en: About you, es: Sobre usted }
    items:
      - id: reason
        type: string
        text: { en: Why are you coming in?, es: ¿Por qué viene? }
      - id: language
        type: choice
        text: { en: Which language do you prefer?, es: ¿Qué idioma prefiere? }
        value_set: http://hl7.org/fhir/ValueSet/languages
      - id: smoker
        type: choice
        text: { en: Do you smoke?, es: ¿Fuma? }
        options:
          - { code: never, display: { en: Never, es: Nunca } }
          - { code: current, display: { en: "Yes", es: "Sí" } }
  - id: more
    title: { en: More, es: Más }
    items:
      - id: note
        type: string
        text: { en: Anything else?, es: ¿Algo más? }
      - id: spoken
        type: choice
        repeats: true
        text: { en: Which languages do you speak?, es: ¿Qué idiomas habla? }
        value_set: http://hl7.org/fhir/ValueSet/languages
"#;

/// A test app serving [`FORM`], with the patient answering it: the app, browser and token.
pub async fn lists_app() -> (TestApp, reqwest::Client, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lists.yaml"), FORM).unwrap();
    let app = TestApp::spawn_with(Options {
        env: vec![("INTAKE_FORMS_DIR", dir.path().display().to_string())],
        ..Options::default()
    })
    .await;
    let (browser, token) = answering(&app, "MRN-1003", "1999-01-23", "lists").await;
    (app, browser, token, dir)
}

async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn radios(html: &str) -> Vec<String> {
    let radio = regex_lite::Regex::new(r#"name="a\.language" value="([^"]+)""#).unwrap();
    radio.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

#[tokio::test]
async fn a_long_list_is_a_search_box_not_fifty_six_radio_buttons() {
    let (app, browser, _token, _dir) = lists_app().await;
    let shown = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        shown.contains(r#"<input type="search" id="f-language-q" name="q.language" value="""#),
        "{shown}"
    );
    assert!(shown.contains(r#"<label for="f-language-q">Search the list</label>"#));
    assert!(shown.contains(r#"name="nav" value="search:language""#));
    assert!(
        radios(&shown).is_empty(),
        "no answer yet, no search yet: {shown}"
    );
    // The short list stays radio buttons.
    assert!(
        shown.contains(r#"type="radio" id="f-smoker-never""#),
        "{shown}"
    );
    app.stop().await;
}

#[tokio::test]
async fn searching_without_javascript_keeps_every_answer_and_the_pick_reaches_the_response() {
    let (app, browser, token, _dir) = lists_app().await;
    // The Search button: the page comes back (not a redirect) with the matches.
    let searched = post(
        &app,
        &browser,
        "/intake/page/0",
        &[
            ("csrf", &token),
            ("a.reason", "Cough"),
            ("a.smoker", "never"),
            ("q.language", "  SPAN "),
            ("s.language", ""),
            ("nav", "search:language"),
        ],
    )
    .await;
    assert_eq!(searched.status(), 200);
    let shown = searched.text().await.unwrap();
    // The closest first: the plain name, then the shorter displays.
    assert_eq!(radios(&shown), ["es", "es-ES", "es-UY", "es-AR"], "{shown}");
    assert!(
        shown.contains(r#"value="SPAN""#),
        "the words typed are kept: {shown}"
    );
    assert!(
        shown.contains(r#"name="a.reason" value="Cough""#),
        "{shown}"
    );
    assert!(
        shown.contains(r#"id="f-smoker-never" name="a.smoker" value="never" checked"#),
        "{shown}"
    );
    assert!(shown.contains("4 answers match “SPAN”"), "{shown}");
    assert!(shown.contains(r#"id="f-language-q""#) && shown.contains(" autofocus>"));

    // Enter in the box presses Next without JavaScript: new words search instead.
    let entered = post(
        &app,
        &browser,
        "/intake/page/0",
        &[
            ("csrf", &token),
            ("nav", "next"),
            ("a.reason", "Cough"),
            ("a.smoker", "never"),
            ("q.language", "spanish arg"),
            ("s.language", "SPAN"),
        ],
    )
    .await;
    assert_eq!(entered.status(), 200);
    assert_eq!(radios(&entered.text().await.unwrap()), ["es-AR"]);

    // The pick saves with the page and goes on.
    let picked = post(
        &app,
        &browser,
        "/intake/page/0",
        &[
            ("csrf", &token),
            ("nav", "next"),
            ("a.reason", "Cough"),
            ("a.smoker", "never"),
            ("a.language", "es-AR"),
            ("q.language", "spanish arg"),
            ("s.language", "spanish arg"),
        ],
    )
    .await;
    assert_eq!(location(&picked), "/intake/page/1");
    // Back on the page, the answer shows, checked, before any search.
    let again = page(&browser, &app.url("/intake/page/0")).await;
    assert_eq!(radios(&again), ["es-AR"]);
    assert!(again.contains("Spanish (Argentina)"), "{again}");
    assert!(again.contains(r#"value="es-AR" checked"#), "{again}");
    // A later search lists the answer first, still checked, then the matches.
    let later = post(
        &app,
        &browser,
        "/intake/page/0",
        &[
            ("csrf", &token),
            ("a.language", "es-AR"),
            ("q.language", "frénch"),
            ("nav", "search:language"),
        ],
    )
    .await;
    let later = later.text().await.unwrap();
    assert_eq!(
        radios(&later),
        ["es-AR", "fr", "fr-FR", "fr-BE", "fr-CH"],
        "accents aside, the closest first: {later}"
    );
    let submitted = post(&app, &browser, "/intake/submit", &[("csrf", &token)]).await;
    assert_eq!(location(&submitted), "/intake/done");
    eventually("the answers are posted", || async {
        !posted(&app, "QuestionnaireResponse").is_empty()
    })
    .await;
    let file = &posted(&app, "QuestionnaireResponse")[0];
    let text = file.to_string();
    assert!(
        text.contains(r#""valueCoding":{"code":"es-AR","display":"Spanish (Argentina)","system":"urn:ietf:bcp:47"}"#),
        "{text}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_live_save_from_the_search_box_answers_with_the_matches_as_the_patient_types() {
    let (app, browser, token, _dir) = lists_app().await;
    let live = post(
        &app,
        &browser,
        "/intake/page/0/live",
        &[
            ("csrf", &token),
            ("a.reason", "Cough"),
            ("q.language", "chin"),
        ],
    )
    .await;
    assert_eq!(live.status(), 200);
    let shown = live.text().await.unwrap();
    assert_eq!(
        radios(&shown),
        ["zh", "zh-CN", "zh-TW", "zh-HK", "zh-SG"],
        "{shown}"
    );
    assert!(
        shown.contains(r#"name="a.reason" value="Cough""#),
        "{shown}"
    );
    // Words that match nothing say so, in the page's language.
    let none = post(
        &app,
        &browser,
        "/intake/page/0/live",
        &[("csrf", &token), ("q.language", "klingon")],
    )
    .await;
    let none = none.text().await.unwrap();
    assert!(radios(&none).is_empty());
    assert!(
        none.contains("Nothing in the list matches “klingon”"),
        "{none}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_long_list_taking_several_answers_keeps_those_checked_through_a_search() {
    let (app, browser, token, _dir) = lists_app().await;
    let boxes = |html: &str| {
        let checkbox = regex_lite::Regex::new(
            r#"type="checkbox" id="[^"]+" name="a\.spoken" value="([^"]+)"( checked)?"#,
        )
        .unwrap();
        checkbox
            .captures_iter(html)
            .map(|c| format!("{}{}", &c[1], if c.get(2).is_some() { "*" } else { "" }))
            .collect::<Vec<_>>()
    };
    let searched = post(
        &app,
        &browser,
        "/intake/page/1",
        &[
            ("csrf", &token),
            ("a.spoken", "en"),
            ("a.spoken", "fr"),
            ("q.spoken", "span"),
            ("nav", "search:spoken"),
        ],
    )
    .await;
    assert_eq!(searched.status(), 200);
    let shown = searched.text().await.unwrap();
    assert_eq!(
        boxes(&shown),
        ["en*", "fr*", "es", "es-ES", "es-UY", "es-AR"],
        "the answers given, checked, then the matches: {shown}"
    );
    assert!(shown.contains("Your answers"), "{shown}");
    let saved = post(
        &app,
        &browser,
        "/intake/page/1",
        &[
            ("csrf", &token),
            ("a.spoken", "en"),
            ("a.spoken", "es"),
            ("q.spoken", "span"),
            ("s.spoken", "span"),
            ("nav", "next"),
        ],
    )
    .await;
    assert_eq!(location(&saved), "/intake/review");
    let again = page(&browser, &app.url("/intake/page/1")).await;
    assert_eq!(boxes(&again), ["en*", "es*"], "{again}");
    app.stop().await;
}
