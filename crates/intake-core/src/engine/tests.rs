//! The engine's behaviour, on small forms written for each rule.

use std::sync::Arc;

use serde_json::json;
use time::macros::date;

use super::{Answer, Answers, IssueKind, LaunchContext, evaluate};
use crate::forms::{Form, load_yaml};

fn form(items: &str) -> Form {
    let source = format!(
        "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: page\n    title: P\n    items:\n{items}"
    );
    load_yaml("t.yaml", &source).unwrap_or_else(|e| panic!("{e}"))
}

fn launch(birth_date: &str) -> LaunchContext {
    LaunchContext {
        patient: Some(Arc::new(
            json!({ "resourceType": "Patient", "birthDate": birth_date, "gender": "female" }),
        )),
        appointment: None,
        today: date!(2026 - 11 - 22),
        now_millis: 1_795_340_000_000,
        utc_offset: time::UtcOffset::UTC,
        variables: Default::default(),
    }
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    let mut answers = Answers::default();
    for (id, answer) in pairs {
        let mut list = answers.get(id).to_vec();
        list.push(answer.clone());
        answers.set(id, list);
    }
    answers
}

const PHQ: &str = "
      - id: q1
        type: choice
        text: Interest
        options: [{ code: a0, display: Not at all, weight: 0 }, { code: a2, display: Often, weight: 2 }, { code: a3, display: Always, weight: 3 }]
      - id: q2
        type: choice
        text: Down
        options: [{ code: a0, display: Not at all, weight: 0 }, { code: a2, display: Often, weight: 2 }, { code: a3, display: Always, weight: 3 }]
      - id: score
        type: integer
        text: Score
        read_only: true
        calculated: \"iif(%q1.exists(), %q1.weight(), 0) + iif(%q2.exists(), %q2.weight(), 0)\"
      - id: more
        type: boolean
        text: More questions
        required: true
        enable_when: \"%score >= 3\"
        flags:
          - { id: urgent_more, severity: urgent, when: \"%more = true\", message: Call back }
";

#[test]
fn a_calculated_score_opens_follow_up_questions_and_raises_their_flags() {
    let form = form(PHQ);
    let low = evaluate(
        &form,
        &launch("1970-01-01"),
        &answers(&[("q1", Answer::Choice("a2".into()))]),
    );
    assert_eq!(low.calculated["score"], [Answer::Integer(2)]);
    assert!(!low.enabled.contains("more"));
    assert!(
        low.issues.is_empty(),
        "a disabled required question is not required: {:?}",
        low.issues
    );

    let high = answers(&[
        ("q1", Answer::Choice("a2".into())),
        ("q2", Answer::Choice("a2".into())),
        ("more", Answer::Boolean(true)),
    ]);
    let result = evaluate(&form, &launch("1970-01-01"), &high);
    assert_eq!(result.calculated["score"], [Answer::Integer(4)]);
    assert!(result.enabled.contains("more"));
    assert_eq!(
        result
            .flags
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>(),
        ["urgent_more"]
    );
    assert_eq!(
        result.answers.get("score"),
        [Answer::Integer(4)],
        "calculated values are written into the answers"
    );
}

#[test]
fn answers_of_items_that_become_disabled_are_removed_and_stop_counting() {
    let form = form(PHQ);
    // A score of 2 disables `more`, whose answer was given when the score was higher.
    let was_high = answers(&[
        ("q1", Answer::Choice("a2".into())),
        ("more", Answer::Boolean(true)),
    ]);
    let result = evaluate(&form, &launch("1970-01-01"), &was_high);
    assert!(
        result.answers.get("more").is_empty(),
        "the answer to a disabled question is stripped"
    );
    assert!(result.flags.is_empty(), "and its flag is not raised");
}

#[test]
fn a_required_enabled_question_without_an_answer_is_an_issue() {
    let form = form(PHQ);
    let high = answers(&[
        ("q1", Answer::Choice("a3".into())),
        ("q2", Answer::Choice("a3".into())),
    ]);
    let result = evaluate(&form, &launch("1970-01-01"), &high);
    assert_eq!(result.issues.len(), 1);
    assert_eq!(
        (result.issues[0].item_id.as_str(), &result.issues[0].kind),
        ("more", &IssueKind::Required)
    );
}

#[test]
fn launch_context_variables_decide_enablement_by_age() {
    let form = form(
        "
      - id: falls
        type: boolean
        text: Have you fallen?
        enable_when: \"%age >= 65\"
      - id: birthday_check
        type: display
        text: Check
        enable_when: \"%patient.birthDate < %today\"
",
    );
    assert!(
        evaluate(&form, &launch("1955-01-01"), &Answers::default())
            .enabled
            .contains("falls")
    );
    let younger = evaluate(&form, &launch("1961-11-23"), &Answers::default());
    assert!(
        !younger.enabled.contains("falls"),
        "64 the day before the 65th birthday"
    );
    assert!(younger.enabled.contains("birthday_check"));
}

const READINGS: &str = "
      - id: reading
        type: group
        text: Reading
        repeats: true
        max_occurs: 3
        items:
          - { id: systolic, type: integer, text: Systolic, min: 50, max: 300 }
          - id: diastolic
            type: integer
            text: Diastolic
            constraints:
              - { id: order, expression: \"%diastolic < %systolic\", message: Diastolic must be lower }
          - id: recheck
            type: boolean
            text: Did you recheck?
            enable_when: \"%systolic >= 180\"
            flags:
              - { id: crisis, severity: urgent, when: \"%systolic >= 180\", message: Very high reading }
";

fn reading(systolic: i64, diastolic: i64) -> Answer {
    Answer::Group(answers(&[
        ("systolic", Answer::Integer(systolic)),
        ("diastolic", Answer::Integer(diastolic)),
    ]))
}

#[test]
fn enablement_and_constraints_are_decided_per_repeat_instance() {
    let form = form(READINGS);
    let mut all = answers(&[
        ("reading", reading(120, 80)),
        ("reading", reading(190, 100)),
        ("reading", reading(110, 130)),
    ]);
    if let Some(Answer::Group(first)) = all.get_mut("reading").and_then(|r| r.first_mut()) {
        first.set("recheck", vec![Answer::Boolean(true)]);
    }
    let result = evaluate(&form, &launch("1970-01-01"), &all);
    let instances = result.answers.get("reading");
    let Answer::Group(first) = &instances[0] else {
        panic!("a group instance")
    };
    assert!(
        first.get("recheck").is_empty(),
        "the normal reading's instance has `recheck` disabled, so its answer goes"
    );
    assert!(
        result.enabled.contains("recheck"),
        "while the high reading's instance enables it"
    );
    assert_eq!(
        result
            .flags
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>(),
        ["crisis"]
    );
    let constraint_issues: Vec<_> = result
        .issues
        .iter()
        .filter(|i| matches!(i.kind, IssueKind::Constraint(..)))
        .collect();
    assert_eq!(
        constraint_issues.len(),
        1,
        "only the third reading has diastolic above systolic"
    );
}

#[test]
fn bounds_counts_lengths_and_patterns_are_checked() {
    let form = form(
        "
      - { id: pain, type: integer, text: Pain, min: 0, max: 10 }
      - { id: visited, type: date, text: Visited, max: \"2026-12-31\" }
      - id: phone
        type: string
        text: Phone
        max_length: 12
        regex: { pattern: \"[0-9+ -]+\", message: Use digits only }
      - { id: meds, type: string, text: Meds, repeats: true, max_occurs: 2 }
",
    );
    let given = answers(&[
        ("pain", Answer::Integer(11)),
        ("visited", Answer::Date(date!(2027 - 01 - 01))),
        ("phone", Answer::String("call me maybe".into())),
        ("meds", Answer::String("a".into())),
        ("meds", Answer::String("b".into())),
        ("meds", Answer::String("c".into())),
    ]);
    let result = evaluate(&form, &launch("1970-01-01"), &given);
    let kinds: Vec<(&str, String)> = result
        .issues
        .iter()
        .map(|i| {
            (
                i.item_id.as_str(),
                i.kind.message(crate::domain::Ids::ENGLISH),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("pain", "issue-above-max(max: 10)".to_owned()),
            (
                "visited",
                "issue-date-after-max(max: 2026-12-31)".to_owned()
            ),
            ("phone", "issue-too-long(max: 12)".to_owned()),
            ("phone", "Use digits only".to_owned()),
            ("meds", "issue-too-many(max: 2)".to_owned()),
        ]
    );
}

#[test]
fn plain_sdc_conditions_follow_any_and_all() {
    let form = form(
        "
      - id: smoker
        type: choice
        text: Smoke?
        options: [{ code: yes, display: \"Yes\" }, { code: no, display: \"No\" }]
      - { id: packs, type: integer, text: Packs }
      - id: quit_help
        type: boolean
        text: Want help quitting?
        enable_when:
          all:
            - { question: smoker, operator: \"=\", answer: { code: \"yes\" } }
            - { question: packs, operator: \">\", answer: 0 }
      - id: any_answer
        type: display
        text: Thanks
        enable_when:
          any:
            - { question: smoker, operator: exists, answer: true }
            - { question: packs, operator: exists, answer: true }
",
    );
    let smoker = answers(&[
        ("smoker", Answer::Choice("yes".into())),
        ("packs", Answer::Integer(1)),
    ]);
    let result = evaluate(&form, &launch("1970-01-01"), &smoker);
    assert!(result.enabled.contains("quit_help") && result.enabled.contains("any_answer"));
    let no_packs = answers(&[
        ("smoker", Answer::Choice("yes".into())),
        ("packs", Answer::Integer(0)),
    ]);
    assert!(
        !evaluate(&form, &launch("1970-01-01"), &no_packs)
            .enabled
            .contains("quit_help")
    );
    assert!(
        !evaluate(&form, &launch("1970-01-01"), &Answers::default())
            .enabled
            .contains("any_answer")
    );
}

#[test]
fn a_cycle_between_calculations_stops_instead_of_looping() {
    let form = form(
        "
      - { id: a, type: integer, text: A, calculated: \"iif(%b.exists(), %b + 1, 0)\" }
      - { id: b, type: integer, text: B, calculated: \"iif(%a.exists(), %a + 1, 0)\" }
",
    );
    let result = evaluate(&form, &launch("1970-01-01"), &Answers::default());
    assert!(result.calculated.contains_key("a"), "evaluation finished");
}

#[test]
fn re_evaluating_with_memory_gives_what_evaluating_from_scratch_gives() {
    use super::Evaluator;
    let form = form(&format!("{PHQ}{}", READINGS));
    let launch = launch("1950-01-01");
    let mut evaluator = Evaluator::new(&form, &launch);
    let steps = [
        answers(&[]),
        answers(&[("q1", Answer::Choice("a2".into()))]),
        answers(&[
            ("q1", Answer::Choice("a2".into())),
            ("q2", Answer::Choice("a3".into())),
        ]),
        answers(&[
            ("q1", Answer::Choice("a2".into())),
            ("q2", Answer::Choice("a3".into())),
            ("more", Answer::Boolean(true)),
        ]),
        answers(&[
            ("q1", Answer::Choice("a0".into())),
            ("more", Answer::Boolean(true)),
            ("reading", reading(190, 100)),
        ]),
        answers(&[
            ("reading", reading(120, 80)),
            ("reading", reading(190, 200)),
        ]),
        answers(&[
            ("reading", reading(190, 200)),
            ("reading", reading(120, 80)),
        ]),
        answers(&[]),
    ];
    for (step, given) in steps.iter().enumerate() {
        let remembered = evaluator.evaluate(given);
        let fresh = evaluate(&form, &launch, given);
        assert_eq!(remembered.enabled, fresh.enabled, "step {step}");
        assert_eq!(remembered.calculated, fresh.calculated, "step {step}");
        assert_eq!(remembered.issues, fresh.issues, "step {step}");
        assert_eq!(remembered.flags, fresh.flags, "step {step}");
        assert!(remembered.answers == fresh.answers, "step {step}");
    }
}

#[test]
fn other_launch_context_is_bound_by_name() {
    let form = form(
        "      - { id: note, type: display, text: Note, enable_when: \"%encounter.status = 'planned'\" }\n",
    );
    let mut context = launch("1970-01-01");
    assert!(
        !evaluate(&form, &context, &Answers::default())
            .enabled
            .contains("note")
    );
    context.variables.insert(
        "encounter".into(),
        Arc::new(json!({ "resourceType": "Encounter", "status": "planned" })),
    );
    assert!(
        evaluate(&form, &context, &Answers::default())
            .enabled
            .contains("note")
    );
}

#[test]
fn a_new_draft_starts_from_initial_expressions_and_values() {
    use super::initial_answers;
    let form = form(
        "
      - { id: born, type: date, text: Born, initial: \"%patient.birthDate\" }
      - { id: over_65, type: boolean, text: Over 65, initial: \"%age >= 65\" }
      - { id: visits, type: integer, text: Visits, initial_value: 1 }
      - { id: free, type: string, text: Free }
",
    );
    let answers = initial_answers(&form, &launch("1950-06-01"));
    assert_eq!(answers.get("born"), [Answer::Date(date!(1950 - 06 - 01))]);
    assert_eq!(answers.get("over_65"), [Answer::Boolean(true)]);
    assert_eq!(answers.get("visits"), [Answer::Integer(1)]);
    assert!(answers.get("free").is_empty());
}

#[test]
fn a_form_limits_the_changes_of_one_submission_and_says_so_beside_the_longest_list() {
    let form = form(
        "
      - { id: reason, type: string, text: Reason }
      - { id: allergies, type: string, text: Allergies, repeats: true }
      - { id: medicines, type: string, text: Medicines, repeats: true }
",
    );
    assert_eq!(form.change_limit(), crate::forms::DEFAULT_MAX_CHANGES);
    let given = answers(&[
        ("allergies", Answer::String("Dust".into())),
        ("medicines", Answer::String("A".into())),
        ("medicines", Answer::String("B".into())),
    ]);
    assert_eq!(super::too_many_changes(&form, &given, 3, 3), None);
    let issue = super::too_many_changes(&form, &given, 3, 4).expect("over the limit");
    assert_eq!(issue.field, "medicines", "beside the list holding the most");
    assert!(issue.blocks());
    assert_eq!(
        issue.kind.message(crate::domain::Ids::ENGLISH),
        "issue-too-many-changes(max: 3)"
    );
}

#[test]
fn max_changes_is_read_from_the_form_and_refused_outside_one_to_five_hundred() {
    let source = |limit: &str| {
        format!(
            "id: t\nversion: '1'\ntitle: T\nmax_changes: {limit}\nsections:\n  - id: page\n    title: P\n    items:\n      - {{ id: a, type: string, text: A }}\n"
        )
    };
    let form = load_yaml("t.yaml", &source("12")).unwrap();
    assert_eq!(form.change_limit(), 12);
    for wrong in ["0", "501"] {
        let error = load_yaml("t.yaml", &source(wrong)).unwrap_err().to_string();
        assert!(
            error.contains("`max_changes` is") && error.contains("t.yaml:4"),
            "{error}"
        );
    }
}

#[test]
fn a_form_changed_after_its_first_evaluation_is_evaluated_as_it_now_is() {
    // What the engine works out once per form is kept with the form; a clone starts afresh, so
    // a clone changed afterwards (as the importer and tests do) is not read as the original.
    let form = form(PHQ);
    let often = answers(&[("q1", Answer::Choice("a2".into()))]);
    let score =
        |form: &Form| evaluate(form, &launch("1970-01-01"), &often).calculated["score"].clone();
    assert_eq!(score(&form), vec![Answer::Integer(2)]);
    let mut reweighted = form.clone();
    for option in &mut reweighted.sections[0].items[0].options {
        option.weight = option.weight.map(|weight| weight * 2.0);
    }
    assert_eq!(score(&reweighted), vec![Answer::Integer(4)]);
    assert_eq!(
        score(&form),
        vec![Answer::Integer(2)],
        "the original keeps its own"
    );
}

#[test]
fn a_repeating_group_with_a_population_context_starts_with_one_instance_per_value() {
    use super::initial_answers;
    let form = form(
        "
      - id: history
        type: group
        repeats: true
        text: History
        population_context: { name: ConditionRepeat, expression: \"%Condition.entry.resource\" }
        items:
          - { id: condition, type: string, text: Condition, initial: \"%ConditionRepeat.code.text\" }
          - { id: onset, type: date, text: Onset, initial: \"%ConditionRepeat.onsetDateTime\" }
",
    );
    let mut context = launch("1950-06-01");
    let condition = |text: &str, onset: &str| json!({"resource": {"resourceType": "Condition", "code": {"text": text}, "onsetDateTime": onset}});
    context.variables.insert(
        "Condition".into(),
        Arc::new(json!({"resourceType": "Bundle", "entry": [
            condition("Asthma", "2001-04-02"), condition("Gout", "2019-10-11")]})),
    );
    let answers = initial_answers(&form, &context);
    let instances: Vec<(Vec<Answer>, Vec<Answer>)> = answers
        .get("history")
        .iter()
        .map(|instance| match instance {
            Answer::Group(inner) => (inner.get("condition").to_vec(), inner.get("onset").to_vec()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        instances,
        [
            (
                vec![Answer::String("Asthma".into())],
                vec![Answer::Date(date!(2001 - 04 - 02))]
            ),
            (
                vec![Answer::String("Gout".into())],
                vec![Answer::Date(date!(2019 - 10 - 11))]
            ),
        ]
    );
}

#[test]
fn an_item_linked_to_observations_starts_from_the_newest_one_only_if_it_is_recent_enough() {
    use super::{form_searches, initial_answers, observation_link_key};
    let form = form(
        "
      - id: weight
        type: decimal
        text: Weight
        code: [{ system: 'http://loinc.org', code: 29463-7 }]
        observation_link: { value: 1, unit: a }
      - id: height
        type: decimal
        text: Height
        code: [{ system: 'http://loinc.org', code: 8302-2 }]
        observation_link: { value: 1, unit: a }
",
    );
    let patient = json!({"resourceType": "Patient", "id": "p-1"});
    let clock = crate::fhirpath::Clock::parse("2026-11-22T10:00:00Z").unwrap();
    let searches: Vec<String> = form_searches(&form, Some(&patient), clock)
        .into_iter()
        .flat_map(|(_, urls)| urls)
        .collect();
    assert_eq!(
        searches[0],
        "Observation?code=http://loinc.org|29463-7&patient=p-1&_sort=-date&_count=1"
    );
    let found = |date: &str, value: f64| {
        Arc::new(json!({"resourceType": "Bundle", "entry": [{"resource": {
            "resourceType": "Observation", "effectiveDateTime": date,
            "valueQuantity": {"value": value, "unit": "kg"}}}]}))
    };
    let mut context = launch("1950-06-01");
    context
        .variables
        .insert(observation_link_key("weight"), found("2026-03-01", 68.5));
    context
        .variables
        .insert(observation_link_key("height"), found("2024-03-01", 172.0));
    let answers = initial_answers(&form, &context);
    assert_eq!(answers.get("weight"), [Answer::Decimal("68.5".into())]);
    assert!(answers.get("height").is_empty(), "older than a year");
}
