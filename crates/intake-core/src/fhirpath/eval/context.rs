//! Evaluation context: input roles, variables, the clock and options.

use crate::fhirpath::model::UNKNOWN;
use crate::fhirpath::value::{Coll, Node, Temporal, Value};
use serde_json::Value as Json;
use std::collections::HashMap;

/// The clock value read by `now()`, `today()` and `timeOfDay()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The current instant as a DateTime with millisecond precision and a timezone.
    pub now: Temporal,
}

impl Clock {
    /// Parses an RFC 3339 / FHIR dateTime such as `2024-01-02T10:00:00.000+00:00`.
    pub fn parse(s: &str) -> Option<Clock> {
        let mut t = Temporal::parse_datetime(s)?;
        if t.precision < crate::fhirpath::value::Precision::Second {
            return None;
        }
        t.precision = crate::fhirpath::value::Precision::Millisecond;
        if t.tz.is_none() {
            t.tz = Some(0);
        }
        t.z = false;
        Some(Clock { now: t })
    }

    /// A clock from milliseconds since the Unix epoch and a timezone offset in minutes.
    pub fn from_unix_millis(ms: i64, tz_minutes: i16) -> Clock {
        let base = Temporal::parse_datetime("1970-01-01T00:00:00.000Z").map(|t| Temporal {
            tz: Some(tz_minutes),
            z: false,
            ..t
        });
        let base = base.unwrap_or(Temporal {
            kind: crate::fhirpath::value::TKind::DateTime,
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            millis: 0,
            precision: crate::fhirpath::value::Precision::Millisecond,
            tz: Some(tz_minutes),
            z: false,
        });
        Clock {
            now: base.with_epoch_millis(ms),
        }
    }
}

/// Behaviour switches. The default is fhirpath.js-compatible (`lenient_polymorphics` on);
/// [`Options::spec`] gives the exact semantics the official test suite checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Strict mode: an element name none of the (typed) items of a collection has is an error,
    /// and so are non-boolean `iif` criteria and ordered functions on unordered input.
    pub strict: bool,
    /// Allow `valueQuantity`-style access to choice elements (fhirpath.js behaviour; on by
    /// default because real forms use `answer.valueCoding`; the static pass still flags it).
    pub lenient_polymorphics: bool,
    /// Reject ordered functions (`first`, `skip`, `[i]`...) applied directly to unordered `children()`/`descendants()`.
    pub check_ordered: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            lenient_polymorphics: true,
            check_ordered: false,
        }
    }
}

impl Options {
    /// Spec semantics: `valueQuantity`-style paths are errors (as the conformance suite expects).
    pub fn spec() -> Self {
        Options {
            strict: false,
            lenient_polymorphics: false,
            check_ordered: false,
        }
    }

    /// Spec semantics with every check on: strict paths and `iif`, ordered functions only on
    /// ordered collections (`intake fhirpath --strict`).
    pub fn strict() -> Self {
        Options {
            strict: true,
            lenient_polymorphics: false,
            check_ordered: true,
        }
    }

    /// What `intake fhirpath` evaluates with: [`Options::strict`] with `--strict`, else
    /// [`Options::spec`]. The conformance test runs the official suite with these same
    /// options, in process and through the command.
    pub fn command(strict: bool) -> Self {
        if strict { Self::strict() } else { Self::spec() }
    }
}

/// Everything an evaluation reads besides the input: `%`-variables, SDC roles and the clock.
#[derive(Debug, Clone)]
pub struct EvalContext<'a> {
    /// `%resource` (defaults to the input).
    pub resource: Option<&'a Json>,
    /// `%rootResource` (defaults to `%resource`).
    pub root_resource: Option<&'a Json>,
    /// `%context` (defaults to the input).
    pub context: Option<&'a Json>,
    /// `%questionnaire` (SDC) — also used by `weight()`.
    pub questionnaire: Option<&'a Json>,
    /// `%qitem` (SDC): the questionnaire item of the current context.
    pub qitem: Option<&'a Json>,
    /// Caller-supplied variables (`%patient`, SDC `variable` extensions...).
    pub variables: HashMap<String, Coll<'a>>,
    /// Clock for `now()`/`today()`/`timeOfDay()`.
    pub clock: Clock,
    /// Options.
    pub options: Options,
}

impl<'a> EvalContext<'a> {
    /// A context with the given clock and nothing else.
    pub fn new(clock: Clock) -> Self {
        EvalContext {
            resource: None,
            root_resource: None,
            context: None,
            questionnaire: None,
            qitem: None,
            variables: HashMap::new(),
            clock,
            options: Options::default(),
        }
    }

    /// Sets a variable to a JSON value (arrays become collections).
    pub fn set_json_var(&mut self, name: &str, v: &'a Json) {
        self.variables.insert(name.to_string(), json_to_coll(v));
    }

    /// Sets a variable to a collection of values.
    pub fn set_var(&mut self, name: &str, v: Coll<'a>) {
        self.variables.insert(name.to_string(), v);
    }
}

/// Turns JSON into a collection (arrays flatten, `null` is empty).
pub fn json_to_coll(v: &Json) -> Coll<'_> {
    match v {
        Json::Null => Coll::new(),
        Json::Array(a) => a
            .iter()
            .filter(|x| !x.is_null())
            .map(|x| Value::Node(Node::new(x, UNKNOWN)))
            .collect(),
        x => crate::fhirpath::value::coll::coll![Value::Node(Node::new(x, UNKNOWN))],
    }
}
