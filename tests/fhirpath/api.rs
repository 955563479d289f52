//! API-level tests: CLI rendering, SDC variables and weight(), static analysis, limits.
#![expect(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

use intake::fhirpath::analysis::{analyze, analyze_with_root};
use intake::fhirpath::{Clock, EvalContext, Options, compile, json_to_coll, parse, run_cli};
use serde_json::json;

const INPUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/fhirpath/fhir-test-cases-r4/input/"
);

fn clock() -> Clock {
    Clock::parse("2024-01-02T10:00:00.000+00:00").unwrap()
}

fn load(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{INPUT}{name}")).unwrap()).unwrap()
}

#[test]
fn the_cli_renders_results_as_fhirpath_js_does() {
    let pt = load("patient-example.json");
    let out = |e: &str| run_cli(e, Some(pt.clone()), vec![], clock(), Options::default()).unwrap();
    assert_eq!(out("@2024-01-02"), json!(["2024-01-02"]));
    assert_eq!(
        out("@2024-01-02T10:00:00Z"),
        json!(["2024-01-02T10:00:00Z"])
    );
    assert_eq!(out("@T10:00"), json!(["10:00"]));
    assert_eq!(out("now()"), json!(["2024-01-02T10:00:00.000+00:00"]));
    assert_eq!(out("today()"), json!(["2024-01-02"]));
    assert_eq!(out("5 'mg'"), json!(["5 'mg'"]));
    assert_eq!(out("1 year"), json!(["1 year"]));
    assert_eq!(out("1.50"), json!([1.5]));
    assert_eq!(out("3/2"), json!([1.5]));
    assert_eq!(out("name.given.first()"), json!(["Peter"]));
    assert_eq!(out("birthDate + 1 day"), json!(["1974-12-26"]));
    assert_eq!(
        out("Patient.active.type()"),
        json!([{"name": "boolean", "namespace": "FHIR"}])
    );
    assert_eq!(out("name.first().family"), json!(["Chalmers"]));
    let vars = vec![(
        "patient".to_string(),
        json!({"resourceType": "Patient", "id": "x"}),
    )];
    assert_eq!(
        run_cli("%patient.id", None, vars, clock(), Options::default()).unwrap(),
        json!(["x"])
    );
    let e = run_cli(
        "name.where(\n  given = )",
        Some(pt.clone()),
        vec![],
        clock(),
        Options::default(),
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (2, 11));
    let e = run_cli("name.foo()", None, vec![], clock(), Options::default()).unwrap_err();
    assert!(e.message.contains("unknown function"));
    assert_eq!(e.column, 6, "points at the method name");
    let e = run_cli(
        "name.given.first() + 'x' + 1",
        Some(pt.clone()),
        vec![],
        clock(),
        Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.column, 26, "points at the failing operator: {e}");
}

#[test]
fn choice_types_resolve_and_is_uses_r4_type_information() {
    let obs = load("observation-example.json");
    let ctx = EvalContext::new(clock());
    let ev = |e: &str| {
        compile(e)
            .unwrap()
            .evaluate(Some(&obs), &ctx)
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ev("Observation.value is Quantity"), ["true"]);
    assert_eq!(ev("Observation.value.unit"), ["lbs"]);
    assert_eq!(ev("Observation.value > 100 '[lb_av]'"), ["true"]);
    assert_eq!(ev("Observation.value.toQuantity('kg') > 80 'kg'"), ["true"]);
    assert_eq!(
        ev("Observation.valueQuantity.unit"),
        ["lbs"],
        "lenient by default, like fhirpath.js"
    );
    let mut spec = EvalContext::new(clock());
    spec.options = intake::fhirpath::Options::spec();
    assert!(
        compile("Observation.valueQuantity")
            .unwrap()
            .evaluate(Some(&obs), &spec)
            .is_err()
    );
}

#[test]
fn quantities_compare_and_convert_across_ucum_units() {
    let ctx = EvalContext::new(clock());
    let t = |e: &str| {
        let r = compile(e).unwrap().evaluate(None, &ctx).unwrap();
        assert_eq!(r.len(), 1, "{e}");
        assert_eq!(r[0].to_string(), "true", "{e}");
    };
    t("1 'kg' = 1000 'g'");
    t("1000 'mg' = 1 'g'");
    t("1 '[lb_av]' > 453 'g'");
    t("1 '[in_i]' = 2.54 'cm'");
    t("1 'm' = 100 'cm'");
    t("37 'Cel' > 98 '[degF]'");
    t("37 'Cel' < 99 '[degF]'");
    t("120 'mm[Hg]' > 15 'kPa'");
    t("60 '/min' = 1 '/s'");
    t("50 '%' = 0.5 '1'");
    t("1 'a' > 11 'mo'");
    t("2 'wk' = 14 'd'");
    t("1 'd' = 24 'h'");
    t("1 'h' = 60 'min'");
    t("1 'min' = 60 's'");
    t("1 year = 12 months");
    t("1 week = 7 days");
    t("1 hour = 60 minutes");
    t("1 second = 1000 milliseconds");
    t("(180 'cm').toQuantity('m') = 1.8 'm'");
    t("(100 '[degF]').toQuantity('Cel') > 37.7 'Cel'");
}

#[test]
fn sdc_variables_and_weight_read_the_questionnaire() {
    let q = json!({
        "resourceType": "Questionnaire",
        "item": [{"linkId": "q1", "type": "choice", "answerOption": [
            {"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5"},
             "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/itemWeight", "valueDecimal": 0}]},
            {"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"},
             "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/itemWeight", "valueDecimal": 2}]}
        ]}]
    });
    let qr = json!({
        "resourceType": "QuestionnaireResponse",
        "item": [
            {"linkId": "q1", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]},
            {"linkId": "q2", "answer": [{"valueCoding": {"code": "x", "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 5}]}}]}
        ]
    });
    let mut ctx = EvalContext::new(clock());
    ctx.questionnaire = Some(&q);
    ctx.context = Some(&qr["item"][0]);
    ctx.qitem = Some(&q["item"][0]);
    let patient = json!({"resourceType": "Patient", "birthDate": "2000-01-02"});
    ctx.variables
        .insert("patient".into(), json_to_coll(&patient));
    let ev = |e: &str| {
        compile(e)
            .unwrap()
            .evaluate(Some(&qr), &ctx)
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ev("%resource.item.where(linkId = 'q1').answer.value.weight()"),
        ["2"]
    );
    assert_eq!(
        ev("item.answer.value.weight().aggregate($this + $total, 0)"),
        ["7"]
    );
    assert_eq!(ev("%context.linkId"), ["q1"]);
    assert_eq!(ev("%qitem.answerOption.count()"), ["2"]);
    assert_eq!(ev("%questionnaire.item.linkId"), ["q1"]);
    assert_eq!(ev("(today() - 24 years) > %patient.birthDate"), ["false"]);
}

#[test]
fn the_static_pass_reports_references_and_type_errors() {
    let a = analyze(
        "%resource.item.where(linkId = 'a').answer.value + %bmi + descendants().where(linkId='b' or linkId = 'c').count() + item.where('d' = linkId).x",
    );
    assert_eq!(a.variable_names(), ["bmi", "resource"]);
    assert_eq!(a.link_id_values(), ["a", "b", "c", "d"]);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let a = analyze("'a' + 1 + foo(2) + substring()");
    let msgs: Vec<&str> = a.errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("unknown function 'foo'")));
    assert!(msgs.iter().any(|m| m.contains("'substring' expects")));
    assert!(msgs.iter().any(|m| m.contains("operator '+'")));
    let a = analyze_with_root("item.answr.value", Some("QuestionnaireResponse"));
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    let a = analyze_with_root(
        "item.item.answer.valueCoding",
        Some("QuestionnaireResponse"),
    );
    assert!(a.errors[0].message.contains("choice"));
    assert!(!analyze("name.where(").errors.is_empty());
    let a = analyze("'abc'.round() + (1 | 2).single() + name.given");
    assert_eq!(a.errors.len(), 2, "{:?}", a.errors);
    assert!(analyze("(1 | 2).count() + 1").errors.is_empty());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "(".repeat(100_000);
    assert!(parse(&deep).is_err());
    let long = vec!["1"; 300_000].join(" + ");
    assert!(long.len() > 1_000_000);
    assert!(parse(&long).is_err());
    let chain = format!("a{}", ".b".repeat(500_000));
    assert!(parse(&chain).is_err());
    let neg = "-".repeat(100_000) + "1";
    assert!(parse(&neg).is_err());
    let ok = format!("{}1{}", "(".repeat(40), ")".repeat(40));
    let ctx = EvalContext::new(clock());
    assert_eq!(compile(&ok).unwrap().evaluate(None, &ctx).unwrap().len(), 1);
    // deeply nested input: descendants() is iterative
    let mut v = json!({"leaf": 1});
    for _ in 0..100 {
        v = json!({"a": v});
    }
    let r = compile("descendants().count()")
        .unwrap()
        .evaluate(Some(&v), &ctx)
        .unwrap();
    assert_eq!(r[0].to_string(), "101");
}

#[test]
fn form_helpers_work_on_a_real_sdc_questionnaire() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/questionnaires/instruments/phq-9/"
    );
    let entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    let q_path = entries.iter().find(|p| {
        p.to_string_lossy()
            .ends_with("us-core-Questionnaire-phq-9-example.json")
    });
    let Some(q_path) = q_path else { return };
    let q: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(q_path).unwrap()).unwrap();
    // build a response choosing the last answer option of every choice item
    let mut items = Vec::new();
    fn collect(items: &serde_json::Value, out: &mut Vec<serde_json::Value>) {
        for it in items.as_array().into_iter().flatten() {
            if let Some(opts) = it.get("answerOption").and_then(|o| o.as_array())
                && let Some(last) = opts.last()
            {
                out.push(json!({"linkId": it["linkId"], "answer": [{"valueCoding": last["valueCoding"]}]}));
            }
            if let Some(children) = it.get("item") {
                collect(children, out);
            }
        }
    }
    collect(&q["item"], &mut items);
    assert!(!items.is_empty());
    let qr = json!({"resourceType": "QuestionnaireResponse", "item": items});
    let ctx = intake::fhirpath::sdc::form_context(&q, &qr, clock());
    let total = compile("%resource.descendants().where(linkId.exists()).answer.value.weight().aggregate($this + $total, 0)")
        .unwrap()
        .evaluate(Some(&qr), &ctx)
        .unwrap();
    assert_eq!(total.len(), 1);
    let first = &qr["item"][0];
    let ictx = intake::fhirpath::sdc::item_context(&ctx, first, None);
    let r = compile("%qitem.linkId = %context.linkId")
        .unwrap()
        .evaluate(Some(first), &ictx)
        .unwrap();
    assert_eq!(r[0].to_string(), "true");
}

#[test]
fn compiled_expressions_are_send_and_sync() {
    fn check<T: Send + Sync>(_: &T) {}
    let c = compile("name.given.first() & 5 'mg'.toString()").unwrap();
    check(&c);
    let shared = std::sync::Arc::new(c);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let c = shared.clone();
            std::thread::spawn(move || {
                let pt = json!({"resourceType": "Patient", "name": [{"given": ["A"]}]});
                let ctx = EvalContext::new(clock());
                c.evaluate(Some(&pt), &ctx).unwrap().len()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 1);
    }
}

#[test]
fn caller_variables_and_subtraction_evaluate_as_specified() {
    let mut ctx = EvalContext::new(clock());
    let five = json!(5);
    let two = json!(2);
    ctx.set_json_var("a", &five);
    ctx.set_json_var("b", &two);
    let ev = |e: &str| {
        compile(e)
            .unwrap()
            .evaluate(None, &ctx)
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ev("%a-%b"), ["3"]);
    assert_eq!(ev("%a-1"), ["4"]);
    assert_eq!(
        ev("%`vs-administrative-gender`"),
        ["http://hl7.org/fhir/ValueSet/administrative-gender"]
    );
    assert_eq!(
        ev("%vs-administrative-gender"),
        ["http://hl7.org/fhir/ValueSet/administrative-gender"]
    );
    assert!(compile("%undefined").unwrap().evaluate(None, &ctx).is_err());
}

#[test]
fn overflow_edges_error_or_empty_never_panic() {
    let ctx = EvalContext::new(clock());
    for e in [
        "@2020-01-01 + 9223372036854775807 weeks",
        "@2020-01-01 + 9223372036854775807 months",
        "@T10:00 + 9223372036854775807 hours",
        "@2020-01-01T10:00 - 9223372036854775807 'ms'",
        "(1/3).lowBoundary()",
        "(1/3).highBoundary(28)",
        "79228162514264337593543950335.0.highBoundary()",
        "1 'm127' = 1 'm127'",
        "1 'm99.m99' = 1 'm2'",
        "1 'm999999999' = 1 'm'",
        "9223372036854775807 + 1",
        "-9223372036854775807 - 2",
        "9223372036854775807 * 2",
        "(-9223372036854775807 - 1) div -1",
        "2.power(64)",
        "79228162514264337593543950335 * 10.0",
        "'abc'.substring(9223372036854775807)",
        "(1|2).skip(9223372036854775807)",
        "1.round(100)",
        "'x'.toChars()[9223372036854775807]",
    ] {
        if let Ok(c) = compile(e) {
            let _ = c.evaluate(None, &ctx);
        }
    }
}

#[test]
fn resource_limits_stop_blowups() {
    let ctx = EvalContext::new(clock());
    let items = (1..=40)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" | ");
    let doubling = format!("({items}).aggregate($total & $total, 'xy')");
    assert!(compile(&doubling).unwrap().evaluate(None, &ctx).is_err());
    let nested =
        "(1|2|3|4|5|6|7|8|9|10)".to_string() + &".select((1|2|3|4|5|6|7|8|9|10))".repeat(7);
    assert!(compile(&nested).unwrap().evaluate(None, &ctx).is_err());
    let combine = "(1|2|3|4|5|6|7|8|9|10).select((1|2|3|4|5|6|7|8|9|10)).combine($this)";
    assert!(compile(combine).unwrap().evaluate(None, &ctx).is_ok());
}

#[test]
fn distinct_on_large_collections_is_fast_and_correct() {
    let ctx = EvalContext::new(clock());
    let arr: Vec<serde_json::Value> = (0..200_000)
        .map(|i| json!(format!("c{}", i % 50_000)))
        .collect();
    let input = json!({ "resourceType": "Basic", "code": arr });
    let t = std::time::Instant::now();
    let n = compile("%v.distinct().count()").unwrap();
    let mut ctx2 = ctx.clone();
    ctx2.set_json_var("v", &input["code"]);
    let out = n.evaluate(Some(&input), &ctx2).unwrap();
    assert_eq!(out[0].to_string(), "50000");
    let out = compile("(%v | %v).count()")
        .unwrap()
        .evaluate(Some(&input), &ctx2)
        .unwrap();
    assert_eq!(out[0].to_string(), "50000");
    assert!(t.elapsed().as_secs() < 20);
    let small = compile("(1 | 1.0 | 'a' | 'a' | 2).count()")
        .unwrap()
        .evaluate(None, &ctx)
        .unwrap();
    assert_eq!(small[0].to_string(), "3");
}
