//! Function dispatch plus utility, tree-navigation, type and FHIR-specific functions.

use super::compile::{Node, TypeSpec};
use super::fn_conv::{conversion, type_of};
use super::functions::Func;
use super::{EvalError, Evaluator, Frame, R, is_type, single, to_bool};
use crate::fhirpath::model;
use crate::fhirpath::value::{self as fv, Coll, TKind, Temporal, Value};
use serde_json::Value as Json;

impl<'a> Evaluator<'_, 'a> {
    /// Runs a function on its input collection.
    pub(super) fn call(
        &self,
        func: Func,
        input: Coll<'a>,
        args: &[Node],
        ts: Option<&TypeSpec>,
        f: Frame<'_, 'a>,
    ) -> R<'a> {
        use Func::*;
        match func {
            Empty | Exists | All | AllTrue | AnyTrue | AllFalse | AnyFalse | SubsetOf
            | SupersetOf | Count | Distinct | IsDistinct | Where | Select | Repeat | Single
            | First | Last | Tail | Skip | Take | Intersect | Exclude | Union | Combine
            | Aggregate | Sort => self.coll_fn(func, input, args, f),
            IndexOf | Substring | StartsWith | EndsWith | Contains | Upper | Lower | Replace
            | Matches | MatchesFull | ReplaceMatches | Length | ToChars | Trim | Split | Join
            | Encode | Decode | Escape | Unescape => self.string_fn(func, input, args, f),
            Abs | Ceiling | Exp | Floor | Ln | Log | Power | Round | Sqrt | Truncate => {
                self.math_fn(func, input, args, f)
            }
            ToBoolean | ConvertsToBoolean | ToInteger | ConvertsToInteger | ToDate
            | ConvertsToDate | ToDateTime | ConvertsToDateTime | ToDecimal | ConvertsToDecimal
            | ToString | ConvertsToString | ToTime | ConvertsToTime => {
                conversion(func, &input, None)
            }
            ToQuantity | ConvertsToQuantity => {
                let unit = match args.first() {
                    Some(_) => {
                        let u = self.arg(args, 0, f)?;
                        single(&u)?.and_then(|v| v.as_str().map(str::to_string))
                    }
                    None => None,
                };
                conversion(func, &input, unit.as_deref())
            }
            Iif => {
                if input.len() > 1 {
                    return Err(EvalError::new(
                        "iif() requires an input of at most one item",
                    ));
                }
                let fr = Frame {
                    focus: &input,
                    index: f.index,
                    total: f.total,
                };
                let c = self.eval(&args[0], fr)?;
                if self.ctx.options.strict && c.iter().any(|v| v.as_bool().is_none()) {
                    return Err(EvalError::new("iif() criterion must be a boolean"));
                }
                if to_bool(&c)? == Some(true) {
                    self.eval(&args[1], fr)
                } else {
                    match args.get(2) {
                        Some(o) => self.eval(o, fr),
                        None => Ok(Coll::new()),
                    }
                }
            }
            Not => match single(&input)? {
                None => Ok(Coll::new()),
                Some(v) => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                    !v.as_bool().unwrap_or(true)
                )]),
            },
            Is => match single(&input)? {
                None => Ok(Coll::new()),
                Some(v) => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                    ts.is_some_and(|t| is_type(v, t, false))
                )]),
            },
            As if input.len() > 1 => Err(EvalError::new("as() requires a single item")),
            As | OfType => Ok(input
                .into_iter()
                .filter(|v| ts.is_some_and(|t| is_type(v, t, true)))
                .collect()),
            Type => type_of(&input),
            Trace => Ok(input),
            Now => Ok(crate::fhirpath::value::coll::coll![Value::Temporal(
                self.ctx.clock.now
            )]),
            Today => {
                let t = self.ctx.clock.now.truncate(fv::Precision::Day);
                Ok(crate::fhirpath::value::coll::coll![Value::Temporal(
                    Temporal {
                        kind: TKind::Date,
                        tz: None,
                        ..t
                    }
                )])
            }
            TimeOfDay => {
                let n = self.ctx.clock.now;
                Ok(crate::fhirpath::value::coll::coll![Value::Temporal(
                    Temporal {
                        kind: TKind::Time,
                        tz: None,
                        ..n
                    }
                )])
            }
            Children => {
                let mut out = Coll::new();
                for v in &input {
                    if let Value::Node(n) = v {
                        super::tree::children(n, &mut out);
                    }
                }
                Ok(out)
            }
            Descendants => {
                let mut out = Coll::new();
                super::tree::descendants(&input, &mut out);
                Ok(out)
            }
            Extension => {
                let url = self.arg(args, 0, f)?;
                let Some(url) = single(&url)?.and_then(|u| u.as_str().map(str::to_string)) else {
                    return Ok(Coll::new());
                };
                let exts = self.members(&input, "extension")?;
                Ok(exts
                    .into_iter()
                    .filter(|e| matches!(e, Value::Node(n) if n.json.and_then(|j| j.get("url")).and_then(Json::as_str) == Some(url.as_str())))
                    .collect())
            }
            HasValue => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                input.len() == 1
                    && matches!(&input[0], Value::Node(n) if n.json.is_some_and(|j| !j.is_object() && !j.is_array())),
            )]),
            GetValue => Ok(match single(&input)? {
                Some(Value::Node(n)) if n.json.is_some_and(|j| !j.is_object()) => {
                    n.prim().into_iter().collect()
                }
                _ => Coll::new(),
            }),
            Resolve => Ok(self.resolve(&input)),
            ConformsTo => {
                let url = self.arg(args, 0, f)?;
                let Some(url) = single(&url)?.and_then(|u| u.as_str().map(str::to_string)) else {
                    return Ok(Coll::new());
                };
                let Some(Value::Node(n)) = single(&input)? else {
                    return Ok(Coll::new());
                };
                let tn = n.type_name();
                if let Some(rest) = url.strip_prefix("http://hl7.org/fhir/StructureDefinition/")
                    && model::r4().type_id(rest).is_some()
                {
                    return Ok(crate::fhirpath::value::coll::coll![Value::Bool(rest == tn)]);
                }
                let declared = n
                    .json
                    .and_then(|j| j.pointer("/meta/profile"))
                    .and_then(Json::as_array)
                    .is_some_and(|a| a.iter().any(|p| p.as_str() == Some(url.as_str())));
                if declared {
                    Ok(crate::fhirpath::value::coll::coll![Value::Bool(true)])
                } else {
                    Err(EvalError::new(format!("unknown profile {url}")))
                }
            }
            // need a terminology server / profile registry: known, but evaluate to empty
            MemberOf | Subsumes | SubsumedBy | ElementDefinition | Slice => Ok(Coll::new()),
            CheckModifiers => Ok(input),
            HtmlChecks => Ok(crate::fhirpath::value::coll::coll![Value::Bool(true)]),
            LowBoundary | HighBoundary => {
                let p = self.int_arg(args, 0, f)?;
                let Some(v) = single(&input)? else {
                    return Ok(Coll::new());
                };
                Ok(
                    super::fn_boundary::boundary(&v.resolved(), p, func == HighBoundary)
                        .into_iter()
                        .collect(),
                )
            }
            Precision => {
                let Some(v) = single(&input)? else {
                    return Ok(Coll::new());
                };
                Ok(match v.resolved() {
                    Value::Dec(d) => {
                        crate::fhirpath::value::coll::coll![Value::Int(i64::from(d.scale()))]
                    }
                    Value::Int(_) => crate::fhirpath::value::coll::coll![Value::Int(0)],
                    Value::Temporal(t) => {
                        crate::fhirpath::value::coll::coll![Value::Int(t.precision_digits())]
                    }
                    _ => Coll::new(),
                })
            }
            Comparable => {
                let o = self.arg(args, 0, f)?;
                let (Some(Value::Quantity(a)), Some(Value::Quantity(b))) = (
                    single(&input)?.map(Value::resolved),
                    single(&o)?.map(Value::resolved),
                ) else {
                    return Ok(Coll::new());
                };
                Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                    a.compare(&b).is_some()
                )])
            }
            Weight | Ordinal => Ok(input.iter().filter_map(|v| self.weight(v)).collect()),
            Sum | Min | Max | Avg => super::fn_aggr::aggregate_fn(func, &input),
            Answers => {
                // SDC answers(): every QuestionnaireResponse answer below the input
                let mut all = Coll::new();
                super::tree::descendants(&input, &mut all);
                Ok(all
                    .into_iter()
                    .filter(|v| matches!(v, Value::Node(n) if n.type_name() == "QuestionnaireResponse.item.answer"))
                    .collect())
            }
        }
    }

    fn resolve(&self, input: &[Value<'a>]) -> Coll<'a> {
        let mut out = Coll::new();
        let root = self.ctx.resource.or_else(|| match self.input.first() {
            Some(Value::Node(n)) => n.json,
            _ => None,
        });
        for v in input {
            let r = match v {
                Value::Node(n) => n
                    .json
                    .and_then(|j| j.get("reference"))
                    .and_then(Json::as_str),
                Value::Str(s) => Some(&**s).map(|_| "").filter(|_| false),
                _ => None,
            };
            let (Some(r), Some(root)) = (r, root) else {
                continue;
            };
            if let Some(id) = r.strip_prefix('#') {
                if let Some(c) = root.get("contained").and_then(Json::as_array) {
                    out.extend(
                        c.iter()
                            .filter(|x| x.get("id").and_then(Json::as_str) == Some(id))
                            .map(|x| {
                                Value::Node(crate::fhirpath::value::Node::new(x, model::UNKNOWN))
                            }),
                    );
                }
            } else if let Some(entries) = root.get("entry").and_then(Json::as_array) {
                for e in entries {
                    let Some(res) = e.get("resource") else {
                        continue;
                    };
                    let full = e.get("fullUrl").and_then(Json::as_str);
                    let rel = format!(
                        "{}/{}",
                        res.get("resourceType").and_then(Json::as_str).unwrap_or(""),
                        res.get("id").and_then(Json::as_str).unwrap_or("")
                    );
                    if full == Some(r) || rel == r || r.ends_with(&format!("/{rel}")) {
                        out.push(Value::Node(crate::fhirpath::value::Node::new(
                            res,
                            model::UNKNOWN,
                        )));
                    }
                }
            }
        }
        out
    }
}
