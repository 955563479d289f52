//! The evaluator: runs a compiled tree over borrowed JSON input.

mod arith;
pub mod compile;
pub mod context;
mod dedup;
mod fn_aggr;
mod fn_boundary;
mod fn_coll;
mod fn_conv;
mod fn_math;
mod fn_misc;
mod fn_string;
pub mod fold;
pub mod functions;
pub mod nav;
mod ops;
pub mod tree;

use crate::fhirpath::model::{self, UNKNOWN};
use crate::fhirpath::value::{Coll, Node as VNode, Value};
use compile::{Node, TypeSpec, VarRef};
pub use context::{Clock, EvalContext, Options};
use functions::Func;
use serde_json::Value as Json;

/// An evaluation (execution-time) error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// Description.
    pub message: String,
    /// Byte offset in the expression, when known.
    pub offset: Option<usize>,
}

impl EvalError {
    /// A new error without position.
    pub fn new(m: impl Into<String>) -> Self {
        EvalError {
            message: m.into(),
            offset: None,
        }
    }
}

/// Largest collection an evaluation may build (guards against exponential expressions).
pub const MAX_ITEMS: usize = 1_000_000;

/// Longest string an evaluation may build.
pub const MAX_STRING: usize = 16 * 1024 * 1024;

/// Errors when a collection grew past [`MAX_ITEMS`].
pub fn check_items(n: usize) -> Result<(), EvalError> {
    if n > MAX_ITEMS {
        Err(EvalError::new(format!(
            "collection larger than {MAX_ITEMS} items"
        )))
    } else {
        Ok(())
    }
}

/// Errors when a string grew past [`MAX_STRING`].
pub fn check_len(n: usize) -> Result<(), EvalError> {
    if n > MAX_STRING {
        Err(EvalError::new(format!(
            "string longer than {MAX_STRING} bytes"
        )))
    } else {
        Ok(())
    }
}

/// Result of evaluating a node.
pub type R<'a> = Result<Coll<'a>, EvalError>;

/// Variables bound inside a lambda (`$this` is the focus).
#[derive(Debug, Clone, Copy)]
pub struct Frame<'f, 'a> {
    /// Focus collection (`$this` for lambdas).
    pub focus: &'f [Value<'a>],
    /// `$index`.
    pub index: Option<i64>,
    /// `$total`.
    pub total: Option<&'f [Value<'a>]>,
}

/// Evaluator state for one evaluation.
#[derive(Debug)]
pub struct Evaluator<'c, 'a> {
    /// The context.
    pub ctx: &'c EvalContext<'a>,
    /// The input (for `%context` default).
    pub input: &'c [Value<'a>],
}

fn json_node(j: &Json) -> Value<'_> {
    Value::Node(VNode::new(j, UNKNOWN))
}

impl<'c, 'a> Evaluator<'c, 'a> {
    /// Evaluates `n` with `frame`.
    pub fn eval(&self, n: &Node, f: Frame<'_, 'a>) -> R<'a> {
        match n {
            Node::Empty => Ok(Coll::new()),
            Node::Lit(v) => Ok(crate::fhirpath::value::coll::coll![v.clone()]),
            Node::Lits(v) => Ok(Coll::Many(v.clone())),
            Node::This => Ok(Coll::from_slice(f.focus)),
            Node::Index => Ok(f.index.map(Value::Int).into_iter().collect()),
            Node::Total => Ok(f.total.map(Coll::from_slice).unwrap_or_default()),
            Node::Ident(mem, ty) => self.ident(mem, *ty, f.focus),
            Node::Member(t, mem) => {
                let base = self.eval(t, f)?;
                self.members_cached(&base, mem)
            }
            Node::Var(v) => self.var(v),
            Node::Indexer(t, i) => {
                let base = self.eval(t, f)?;
                let idx = self.eval(i, f)?;
                let Some(i) = single(&idx)?.and_then(|v| v.as_int()) else {
                    return Ok(Coll::new());
                };
                Ok(usize::try_from(i)
                    .ok()
                    .and_then(|i| base.into_iter().nth(i))
                    .into_iter()
                    .collect())
            }
            Node::Neg(x, _) => arith::negate(self.eval(x, f)?),
            Node::Bin(op, l, r, span) => self.binary(*op, l, r, f).map_err(|mut e| {
                e.offset.get_or_insert(span.start);
                e
            }),
            Node::Is(x, t) => {
                let v = self.eval(x, f)?;
                match single(&v)? {
                    None => Ok(Coll::new()),
                    Some(v) => Ok(crate::fhirpath::value::coll::coll![Value::Bool(is_type(
                        v, t, false
                    ))]),
                }
            }
            Node::As(x, t) => {
                let v = self.eval(x, f)?;
                if v.len() > 1 && self.ctx.options.strict {
                    return Err(EvalError::new("'as' requires a single item"));
                }
                Ok(v.into_iter().filter(|v| is_type(v, t, true)).collect())
            }
            Node::Call(func, target, args, ts, span) => {
                if self.ctx.options.check_ordered
                    && matches!(
                        func,
                        Func::First
                            | Func::Last
                            | Func::Tail
                            | Func::Skip
                            | Func::Take
                            | Func::Single
                    )
                    && matches!(
                        target.as_deref(),
                        Some(Node::Call(Func::Children | Func::Descendants, ..))
                    )
                {
                    return Err(EvalError {
                        message: "ordered function applied to an unordered collection".into(),
                        offset: Some(span.start),
                    });
                }
                let input = match target {
                    Some(t) => self.eval(t, f)?,
                    None => Coll::from_slice(f.focus),
                };
                self.call(*func, input, args, ts.as_ref(), f)
                    .map_err(|mut e| {
                        e.offset.get_or_insert(span.start);
                        e
                    })
            }
        }
    }

    fn ident(
        &self,
        mem: &compile::Member,
        ty: Option<model::TypeId>,
        focus: &[Value<'a>],
    ) -> R<'a> {
        let name: &str = &mem.name;
        if let Some(t) = ty {
            // `Patient.name...`: a type name filters the focus when it matches
            let m = model::r4();
            if let [Value::Node(n)] = focus
                && n.ty != UNKNOWN
                && m.is_subtype(n.ty, t)
            {
                return Ok(Coll::One(Value::Node(*n)));
            }
            if m.kind(t) == Some(model::TypeKind::Resource) {
                let matched: Coll<'a> = focus
                    .iter()
                    .filter(
                        |v| matches!(v, Value::Node(n) if n.ty != UNKNOWN && m.is_subtype(n.ty, t)),
                    )
                    .cloned()
                    .collect();
                if !matched.is_empty() {
                    return Ok(matched);
                }
                if self.ctx.options.strict && focus.iter().any(|v| matches!(v, Value::Node(n) if n.ty != UNKNOWN && m.kind(n.ty) == Some(model::TypeKind::Resource))) {
                    return Err(EvalError::new(format!("the context is not a {name}")));
                }
                if focus.iter().all(|v| matches!(v, Value::Node(n) if n.json.and_then(|j| j.get("resourceType")).is_some())) {
                    return Ok(Coll::new());
                }
            }
        }
        self.members_cached(focus, mem)
    }

    /// Member access using the node's lookup cache.
    pub fn members_cached(&self, base: &[Value<'a>], mem: &compile::Member) -> R<'a> {
        let mut out = Coll::with_capacity(if base.len() > 1 { base.len() * 2 } else { 0 });
        let o = self.ctx.options;
        // Strict checking errs on a path no item of the collection has: a collection of mixed
        // types (`descendants()`) may name an element some of its items have, as a path is
        // checked against every type the collection may hold.
        let mut refused = None;
        let mut found = false;
        for v in base {
            match v {
                Value::Node(n) => {
                    match nav::member_cached(n, mem, &mut out, o.strict, o.lenient_polymorphics) {
                        Ok(()) => found = true,
                        Err(e) if o.strict => refused = refused.or(Some(e)),
                        Err(e) => return Err(e),
                    }
                }
                Value::Type(..) => out.extend(self.members(std::slice::from_ref(v), &mem.name)?),
                _ => {}
            }
        }
        match refused {
            Some(e) if !found => Err(e),
            _ => Ok(out),
        }
    }

    /// Member access on every item of a collection.
    pub fn members(&self, base: &[Value<'a>], name: &str) -> R<'a> {
        let mut out = Coll::new();
        let o = self.ctx.options;
        for v in base {
            match v {
                Value::Node(n) => nav::member(n, name, &mut out, o.strict, o.lenient_polymorphics)?,
                Value::Type(ns, n) => match name {
                    "namespace" => out.push(Value::Str(crate::fhirpath::value::Str::B(ns))),
                    "name" => out.push(Value::Str(crate::fhirpath::value::Str::B(n))),
                    _ => {}
                },
                _ => {}
            }
        }
        Ok(out)
    }

    fn var(&self, v: &VarRef) -> R<'a> {
        let c = self.ctx;
        Ok(match v {
            VarRef::Resource => c
                .resource
                .map(|j| crate::fhirpath::value::coll::coll![json_node(j)])
                .unwrap_or_else(|| Coll::from_slice(self.input)),
            VarRef::RootResource => c
                .root_resource
                .or(c.resource)
                .map(|j| crate::fhirpath::value::coll::coll![json_node(j)])
                .unwrap_or_else(|| Coll::from_slice(self.input)),
            VarRef::Context => c
                .context
                .map(|j| crate::fhirpath::value::coll::coll![json_node(j)])
                .unwrap_or_else(|| Coll::from_slice(self.input)),
            VarRef::Questionnaire => c
                .questionnaire
                .map(|j| crate::fhirpath::value::coll::coll![json_node(j)])
                .unwrap_or_default(),
            VarRef::QItem => c
                .qitem
                .map(|j| {
                    let ty = model::r4().type_id("Questionnaire.item").unwrap_or(UNKNOWN);
                    crate::fhirpath::value::coll::coll![Value::Node(VNode::new(j, ty))]
                })
                .unwrap_or_default(),
            VarRef::Ucum => {
                crate::fhirpath::value::coll::coll![Value::string("http://unitsofmeasure.org")]
            }
            VarRef::Sct => {
                crate::fhirpath::value::coll::coll![Value::string("http://snomed.info/sct")]
            }
            VarRef::Loinc => crate::fhirpath::value::coll::coll![Value::string("http://loinc.org")],
            VarRef::Url(n) => match c.variables.get(n.as_str()) {
                Some(v) => v.clone(),
                None => {
                    let (kind, id) = n.split_once('-').unwrap_or(("", n));
                    let base = if kind == "vs" {
                        "http://hl7.org/fhir/ValueSet/"
                    } else {
                        "http://hl7.org/fhir/StructureDefinition/"
                    };
                    crate::fhirpath::value::coll::coll![Value::string(format!("{base}{id}"))]
                }
            },
            VarRef::Named(n) => match c.variables.get(n.as_str()) {
                Some(v) => v.clone(),
                None => return Err(EvalError::new(format!("undefined variable %{n}"))),
            },
        })
    }

    /// Evaluates a lambda argument for one item.
    pub fn lambda(
        &self,
        n: &Node,
        item: &Value<'a>,
        index: usize,
        total: Option<&[Value<'a>]>,
    ) -> R<'a> {
        let focus = std::slice::from_ref(item);
        self.eval(
            n,
            Frame {
                focus,
                index: Some(index as i64),
                total,
            },
        )
    }
}

/// The single item of a collection; error if more than one.
pub fn single<'v, 'a>(c: &'v [Value<'a>]) -> Result<Option<&'v Value<'a>>, EvalError> {
    match c.len() {
        0 => Ok(None),
        1 => Ok(Some(&c[0])),
        n => Err(EvalError::new(format!("expected a single item, got {n}"))),
    }
}

/// Boolean value of a collection for logic (`None` = empty).
pub fn to_bool(c: &[Value<'_>]) -> Result<Option<bool>, EvalError> {
    match single(c)? {
        None => Ok(None),
        Some(v) => Ok(Some(v.as_bool().unwrap_or(true))),
    }
}

/// Whether a value is of the given type.
/// With `exact`, primitive FHIR types must match exactly (`as`/`ofType`); otherwise subtypes match (`is`).
pub fn is_type(v: &Value<'_>, t: &TypeSpec, exact: bool) -> bool {
    use compile::Ns;
    if let Value::Node(n) = v
        && n.ty != UNKNOWN
    {
        if t.ns == Ns::System {
            return false;
        }
        let m = model::r4();
        return t.fhir.is_some_and(|ft| {
            if exact && m.kind(n.ty) == Some(model::TypeKind::Primitive) {
                n.ty == ft
            } else {
                m.is_subtype(n.ty, ft)
            }
        });
    }
    let rv = v.resolved();
    if let Value::Node(_) = rv {
        return false;
    }
    if t.ns == Ns::Fhir {
        return false;
    }
    let (_, name) = rv.type_info();
    name == t.name
}
