//! Property tests: the parser never panics, and printing a parsed tree re-parses to the same tree.

use intake::fhirpath::{Clock, EvalContext, compile, parse};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-zA-Z0-9_]{0,6}",
        "`[a-z -]{1,6}`",
        (0u32..100000).prop_map(|n| n.to_string()),
        (0u32..1000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        "'([a-z ]|\\\\n|\\\\'|\\\\u00e9){0,6}'",
        Just("true".to_string()),
        Just("{}".to_string()),
        Just("$this".to_string()),
        Just("$index".to_string()),
        Just("%resource".to_string()),
        Just("%`vs-x`".to_string()),
        Just("@2020-01-02".to_string()),
        Just("@2020-01-02T10:00:00.123+02:00".to_string()),
        Just("@T10:30".to_string()),
        Just("5 'mg'".to_string()),
        Just("2 years".to_string()),
        Just("name".to_string()),
        Just("given".to_string()),
        Just("Patient".to_string()),
        Just("active".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
    ]
}

fn func_name() -> impl Strategy<Value = &'static str> {
    let names: Vec<&'static str> = intake::fhirpath::eval::functions::FUNCTIONS
        .iter()
        .map(|f| f.name)
        .collect();
    proptest::sample::select(names)
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 64, 4, |inner| {
        let ops = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("div"),
            Just("mod"),
            Just("&"),
            Just("|"),
            Just("<"),
            Just("<="),
            Just(">"),
            Just(">="),
            Just("="),
            Just("!="),
            Just("~"),
            Just("!~"),
            Just("in"),
            Just("contains"),
            Just("and"),
            Just("or"),
            Just("xor"),
            Just("implies"),
        ];
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (inner.clone(), "[a-z]{1,5}").prop_map(|(a, m)| format!("{a}.{m}")),
            (
                inner.clone(),
                "[a-z]{1,5}",
                proptest::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(a, f, args)| format!("{a}.{f}({})", args.join(", "))),
            (
                inner.clone(),
                func_name(),
                proptest::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(a, f, args)| format!("{a}.{f}({})", args.join(", "))),
            (func_name(), proptest::collection::vec(inner.clone(), 0..2))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            ("[a-z]{1,5}", proptest::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(","))),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (
                inner.clone(),
                prop_oneof![Just("is"), Just("as")],
                "[A-Z][a-z]{0,5}"
            )
                .prop_map(|(a, k, t)| format!("{a} {k} {t}")),
            (inner.clone(), "[A-Z][a-z]{0,4}").prop_map(|(a, t)| format!("{a} is System.{t}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics(s in "\\PC{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn parser_never_panics_on_fhirpathish(s in "[a-z()\\[\\]{}.,'`@%$0-9 +*/&|<>=!~:TZ-]{0,60}") {
        let _ = parse(&s);
    }

    #[test]
    fn print_then_parse_is_identity(src in expr()) {
        if let Ok(tree) = parse(&src) {
            let printed = tree.to_string();
            let again = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed:?}: {e}")))?;
            prop_assert_eq!(tree.without_spans(), again.without_spans(), "printed: {}", printed);
            prop_assert_eq!(printed.clone(), again.to_string());
        }
    }

    #[test]
    fn evaluation_never_panics(src in expr()) {
        if let Ok(c) = compile(&src) {
            let ctx = EvalContext::new(Clock::from_unix_millis(0, 0));
            let input = serde_json::json!({"resourceType": "Patient", "name": [{"given": ["a", "b"], "_given": [null, {"extension": [{"url": "u", "valueString": "x"}]}]}],
                "active": true, "birthDate": "2000-01-02", "contained": [{"resourceType": "Observation", "valueQuantity": {"value": 1.5, "code": "kg"}}]});
            let _ = c.evaluate(Some(&input), &ctx);
        }
    }
}
