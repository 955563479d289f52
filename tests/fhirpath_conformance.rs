//! Runs the official FHIRPath R4 test suite (read from the shared fixtures at test time): in
//! process, each case with the options `intake fhirpath` takes for it (`Options::command`,
//! strict where the suite asks for its checks), then through the command itself, every case
//! with `--strict` and again as the suite asks; each run must agree with the suite on all cases.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test binary: panics are failures"
)]

use intake::fhirpath::value::{TKind, Value};
use intake::fhirpath::{Clock, EvalContext, Options, compile};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const SUITE_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/fhirpath/fhir-test-cases-r4"
);
const KNOWN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fhirpath_known_failures.txt"
);

#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: HashMap<String, String>,
    children: Vec<El>,
    text: String,
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|e| i + e).unwrap_or(i);
        let ent = &rest[i + 1..end];
        match ent {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            e if e.starts_with("#x") => {
                out.push(char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap())
            }
            e if e.starts_with('#') => out.push(char::from_u32(e[1..].parse().unwrap()).unwrap()),
            _ => out.push_str(&rest[i..=end]),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A minimal XML reader: elements, attributes, text, comments, processing instructions.
fn parse_xml(src: &str) -> El {
    let mut stack = vec![El::default()];
    let mut i = 0;
    let b = src.as_bytes();
    while i < b.len() {
        if src[i..].starts_with("<!--") {
            i += src[i..].find("-->").unwrap() + 3;
        } else if src[i..].starts_with("<?") {
            i += src[i..].find("?>").unwrap() + 2;
        } else if src[i..].starts_with("</") {
            i += src[i..].find('>').unwrap() + 1;
            let el = stack.pop().unwrap();
            stack.last_mut().unwrap().children.push(el);
        } else if b[i] == b'<' {
            let end = i + src[i..].find('>').unwrap();
            let mut tag = &src[i + 1..end];
            let self_closing = tag.ends_with('/');
            if self_closing {
                tag = &tag[..tag.len() - 1];
            }
            let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
            let mut el = El {
                name: tag[..name_end].to_string(),
                ..El::default()
            };
            let mut rest = tag[name_end..].trim_start();
            while let Some(eq) = rest.find('=') {
                let key = rest[..eq].trim().to_string();
                let after = rest[eq + 1..].trim_start();
                let q = after.chars().next().unwrap();
                let close = after[1..].find(q).unwrap() + 1;
                el.attrs.insert(key, unescape(&after[1..close]));
                rest = after[close + 1..].trim_start();
            }
            i = end + 1;
            if self_closing {
                stack.last_mut().unwrap().children.push(el);
            } else {
                stack.push(el);
            }
        } else {
            let end = src[i..].find('<').map(|e| i + e).unwrap_or(b.len());
            stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&unescape(&src[i..end]));
            i = end;
        }
    }
    stack.pop().unwrap()
}

fn kind_of(v: &Value<'_>) -> &'static str {
    match v.resolved() {
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Dec(_) => "decimal",
        Value::Str(_) => "string",
        Value::Temporal(t) => match t.kind {
            TKind::Date => "date",
            TKind::DateTime => "dateTime",
            TKind::Time => "time",
        },
        Value::Quantity(_) => "Quantity",
        _ => "complex",
    }
}

fn expected_kind(t: &str) -> &str {
    match t {
        "code" | "id" | "uri" | "string" | "markdown" | "url" | "canonical" | "oid" | "uuid" => {
            "string"
        }
        t => t,
    }
}

fn matches(v: &Value<'_>, ty: Option<&str>, text: &str) -> bool {
    let k = kind_of(v);
    if let Some(t) = ty
        && expected_kind(t) != k
    {
        return false;
    }
    let r = v.resolved();
    match &r {
        Value::Temporal(t) => t.to_string() == text,
        Value::Dec(d) => text.parse::<rust_decimal::Decimal>().is_ok_and(|e| e == *d),
        Value::Quantity(q) => q.to_string() == text,
        other => other.to_string() == text,
    }
}

struct Outcome {
    group: String,
    name: String,
    ok: bool,
    detail: String,
}

/// One test of the suite as written in its XML.
struct Case {
    name: String,
    expr: String,
    invalid: bool,
    strict: bool,
    predicate: bool,
    check_ordered: bool,
    outputs: Vec<(Option<String>, String)>,
    /// The input's JSON file name in the suite's `input/` folder.
    input_file: Option<String>,
}

impl Case {
    /// Whether the suite asks for its semantic checks (`mode="strict"`,
    /// `checkOrderedFunctions`): `intake fhirpath --strict`.
    fn asks_for_checks(&self) -> bool {
        self.strict || self.check_ordered
    }

    fn read(t: &El, group: &str, idx: usize) -> Case {
        let expr_el = t.children.iter().find(|c| c.name == "expression").unwrap();
        let attr = |name: &str| expr_el.attrs.get(name).or(t.attrs.get(name));
        Case {
            name: t
                .attrs
                .get("name")
                .cloned()
                .unwrap_or_else(|| format!("{group}#{idx}")),
            expr: expr_el.text.clone(),
            invalid: attr("invalid").is_some(),
            strict: attr("mode").map(String::as_str) == Some("strict"),
            predicate: t.attrs.get("predicate").map(String::as_str) == Some("true"),
            check_ordered: t.attrs.get("checkOrderedFunctions").map(String::as_str) == Some("true"),
            outputs: t
                .children
                .iter()
                .filter(|c| c.name == "output")
                .map(|c| (c.attrs.get("type").cloned(), c.text.clone()))
                .collect(),
            input_file: t.attrs.get("inputfile").map(|f| f.replace(".xml", ".json")),
        }
    }
}

fn run_test(
    t: &El,
    group: &str,
    idx: usize,
    inputs: &mut HashMap<String, serde_json::Value>,
) -> Outcome {
    let case = Case::read(t, group, idx);
    let checked = case.asks_for_checks();
    let Case {
        name,
        expr,
        invalid,
        predicate,
        outputs,
        input_file,
        ..
    } = case;
    let input = input_file.map(|f| {
        inputs
            .entry(f.clone())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(format!("{SUITE_DIR}/input/{f}")).unwrap();
                serde_json::from_str(&text).unwrap()
            })
            .clone()
    });
    let mut ctx = EvalContext::new(Clock::parse("2024-06-01T12:00:00.000+00:00").unwrap());
    // The very options the command evaluates with.
    ctx.options = Options::command(checked);
    let outcome = |ok: bool, detail: String| Outcome {
        group: group.to_string(),
        name: name.clone(),
        ok,
        detail,
    };
    let compiled = match compile(&expr) {
        Ok(c) => c,
        Err(e) => return outcome(invalid, format!("compile error: {e}")),
    };
    let res = compiled.evaluate(input.as_ref(), &ctx);
    let res = match res {
        Ok(r) => r,
        Err(e) => return outcome(invalid, format!("eval error: {e}")),
    };
    if invalid {
        return outcome(false, "expected an error".into());
    }
    let res: Vec<Value<'_>> = if predicate {
        vec![Value::Bool(!res.is_empty())]
    } else {
        res.into_vec()
    };
    let got: Vec<String> = res
        .iter()
        .map(|v| format!("{}:{}", kind_of(v), v))
        .collect();
    if res.len() != outputs.len() {
        return outcome(false, format!("expected {outputs:?}, got {got:?}"));
    }
    for (v, (ty, text)) in res.iter().zip(&outputs) {
        if !matches(v, ty.as_deref(), text) {
            return outcome(false, format!("expected {outputs:?}, got {got:?}"));
        }
    }
    outcome(true, String::new())
}

/// Runs every case through the command on two threads, with `--strict` on every case
/// (`strict_everywhere`) or where the suite asks for its checks; returns the names (with the
/// difference) of those whose printed result is not the suite's.
fn through_the_command(cases: &[Case], strict_everywhere: bool) -> Vec<(String, String)> {
    let halves = cases.split_at(cases.len() / 2);
    std::thread::scope(|scope| {
        let workers = [halves.0, halves.1].map(|half| {
            scope.spawn(move || {
                half.iter()
                    .filter_map(|case| {
                        let strict = strict_everywhere || case.asks_for_checks();
                        run_through_the_command(case, strict)
                            .err()
                            .map(|why| (case.name.clone(), why))
                    })
                    .collect::<Vec<_>>()
            })
        });
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// Runs `case` through `intake fhirpath` (with `--strict` when `strict`) and compares the JSON
/// it prints with the suite's expected outputs; `Err` says how they differ.
fn run_through_the_command(case: &Case, strict: bool) -> Result<(), String> {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_intake"));
    command.args(["fhirpath", &case.expr, "--now", "2024-06-01T12:00:00Z"]);
    if strict {
        command.arg("--strict");
    }
    if let Some(file) = &case.input_file {
        command
            .arg("--input")
            .arg(format!("{SUITE_DIR}/input/{file}"));
    }
    let output = command.output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    match (output.status.code(), case.invalid) {
        (Some(2), true) => return Ok(()),
        (Some(0), true) => return Err("expected an error, exited 0".into()),
        (Some(0), false) => {}
        (code, _) => return Err(format!("exited {code:?}: {stderr}")),
    }
    let printed: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
    let printed = if case.predicate {
        vec![serde_json::Value::Bool(!printed.is_empty())]
    } else {
        printed
    };
    let agrees = printed.len() == case.outputs.len()
        && printed
            .iter()
            .zip(&case.outputs)
            .all(|(got, (ty, text))| printed_matches(got, ty.as_deref(), text));
    if agrees {
        Ok(())
    } else {
        Err(format!("expected {:?}, printed {printed:?}", case.outputs))
    }
}

/// Whether a value the command printed (rendered as fhirpath.js renders it: numbers and booleans
/// as JSON, dates without `@`, quantities as text) is the suite's expected output.
fn printed_matches(got: &serde_json::Value, ty: Option<&str>, text: &str) -> bool {
    use serde_json::Value as Json;
    match (ty, got) {
        (Some("boolean") | None, Json::Bool(b)) => b.to_string() == text,
        (Some("integer" | "decimal") | None, Json::Number(n)) => {
            let expected = text.parse::<rust_decimal::Decimal>();
            let printed = n.to_string().parse::<rust_decimal::Decimal>();
            matches!((expected, printed), (Ok(e), Ok(p)) if e == p)
        }
        (Some("date" | "dateTime" | "time"), Json::String(s)) => {
            text.trim_start_matches('@').trim_start_matches('T') == s
        }
        (Some("decimal"), Json::String(s)) => s == text,
        (Some("boolean" | "integer" | "decimal" | "date" | "dateTime" | "time"), _) => false,
        (None, Json::String(s)) if text.starts_with('@') => {
            text.trim_start_matches('@').trim_start_matches('T') == s
        }
        (_, Json::String(s)) => s == text,
        _ => false,
    }
}

#[expect(clippy::print_stdout, reason = "the summary line is the test's output")]
fn main() {
    // FHIRPATH_SUITE_XML can point at another copy of the suite (e.g. the older HL7/FHIRPath one);
    // inputs are always read from the fhir-test-cases copy.
    let xml_path = std::env::var("FHIRPATH_SUITE_XML")
        .unwrap_or_else(|_| format!("{SUITE_DIR}/tests-fhir-r4.xml"));
    let xml = std::fs::read_to_string(xml_path).expect("suite present");
    let root = parse_xml(&xml);
    let tests_el = root.children.iter().find(|c| c.name == "tests").unwrap();
    let mut inputs = HashMap::new();
    let mut outcomes = Vec::new();
    let mut cases = Vec::new();
    for g in tests_el.children.iter().filter(|c| c.name == "group") {
        let gname = g.attrs.get("name").cloned().unwrap_or_default();
        for (i, t) in g.children.iter().filter(|c| c.name == "test").enumerate() {
            let expr = t
                .children
                .iter()
                .find(|c| c.name == "expression")
                .map(|e| e.text.clone())
                .unwrap_or_default();
            cases.push(Case::read(t, &gname, i));
            let o = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_test(t, &gname, i, &mut inputs)
            }))
            .unwrap_or_else(|_| Outcome {
                group: gname.clone(),
                name: format!("{gname}#{i}"),
                ok: false,
                detail: "PANIC".into(),
            });
            outcomes.push((o, expr));
        }
    }
    let known_text = std::fs::read_to_string(KNOWN).unwrap_or_default();
    let known: BTreeSet<String> = known_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(['\t', ' ']).next().unwrap_or("").to_string())
        .collect();
    let passed = outcomes.iter().filter(|(o, _)| o.ok).count();
    let failed = outcomes.len() - passed;
    let mut by_group: BTreeMap<&str, Vec<&Outcome>> = BTreeMap::new();
    for (o, _) in outcomes.iter().filter(|(o, _)| !o.ok) {
        by_group.entry(&o.group).or_default().push(o);
    }
    for (g, fs) in &by_group {
        eprintln!("group {g}: {} failed", fs.len());
        for o in fs {
            let expr = outcomes
                .iter()
                .find(|(x, _)| x.name == o.name)
                .map(|(_, e)| e.as_str())
                .unwrap_or("");
            eprintln!("  {} [{}]: {}", o.name, expr.replace('\n', " "), o.detail);
        }
    }
    if std::env::var("FHIRPATH_UPDATE_KNOWN").is_ok() {
        let mut s = String::from(
            "# FHIRPath R4 suite tests that fail today (name<TAB>reason). This list may only shrink.\n",
        );
        for (o, _) in outcomes.iter().filter(|(o, _)| !o.ok) {
            s.push_str(&format!(
                "{}\t{}\n",
                o.name,
                o.detail.replace(['\n', '\t'], " ")
            ));
        }
        std::fs::write(KNOWN, s).unwrap();
    }
    let unexpected: Vec<&str> = outcomes
        .iter()
        .filter(|(o, _)| !o.ok && !known.contains(&o.name))
        .map(|(o, _)| o.name.as_str())
        .collect();
    let fixed: Vec<&str> = outcomes
        .iter()
        .filter(|(o, _)| o.ok && known.contains(&o.name))
        .map(|(o, _)| o.name.as_str())
        .collect();
    println!("{passed} passed, {failed} failed");
    let mut ok = true;
    for (strict_everywhere, how) in [
        (true, "intake fhirpath --strict"),
        (
            false,
            "intake fhirpath, --strict where the suite asks for its checks",
        ),
    ] {
        let disagreements = through_the_command(&cases, strict_everywhere);
        println!(
            "{how}: {} of {} agree with the suite",
            cases.len() - disagreements.len(),
            cases.len()
        );
        // The command fails the cases the in-process run fails (the known list), and no other.
        let unexpected: Vec<_> = disagreements
            .iter()
            .filter(|(name, _)| !known.contains(name))
            .collect();
        if !unexpected.is_empty() {
            for (name, why) in &unexpected {
                eprintln!("  {how}: {name}: {why}");
            }
            eprintln!("FAIL: {how} does not pass the suite");
            ok = false;
        }
    }
    if !unexpected.is_empty() {
        eprintln!(
            "FAIL: unexpected failures (not in tests/fhirpath_known_failures.txt): {unexpected:?}"
        );
        ok = false;
    }
    if !fixed.is_empty() {
        eprintln!("FAIL: tests in the known-failure list now pass; remove them: {fixed:?}");
        ok = false;
    }
    if !ok {
        std::process::exit(1);
    }
}
