//! Runtime values: System primitives, quantities, temporals and borrowed FHIR JSON nodes.

pub mod coll;
pub mod compare;
pub mod quantity;
pub mod temporal;
pub mod temporal_ops;
pub mod ucum;

use crate::fhirpath::model::{self, TypeId, UNKNOWN};
pub use quantity::Quantity;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;
pub use temporal::{Precision, TKind, Temporal};

/// A string that is either borrowed from the input or shared.
#[derive(Debug, Clone)]
pub enum Str<'a> {
    /// Borrowed from input JSON.
    B(&'a str),
    /// Owned, reference counted.
    R(Arc<str>),
}

impl Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Str::B(s) => s,
            Str::R(s) => s,
        }
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str::R(Arc::from(s))
    }
}

/// A node of the FHIR JSON input with its FHIR type.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// The JSON value (absent for primitives that only have extensions).
    pub json: Option<&'a Json>,
    /// The `_name` sibling holding `id`/`extension` of a primitive.
    pub ext: Option<&'a Json>,
    /// FHIR type, or [`UNKNOWN`].
    pub ty: TypeId,
}

/// A FHIRPath value.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// System.Boolean
    Bool(bool),
    /// System.Integer
    Int(i64),
    /// System.Decimal
    Dec(Decimal),
    /// System.String
    Str(Str<'a>),
    /// System.Date / DateTime / Time
    Temporal(Temporal),
    /// System.Quantity
    Quantity(Arc<Quantity>),
    /// An element of the input (FHIR typed).
    Node(Node<'a>),
    /// A type specifier result of `type()`: (namespace, name).
    Type(&'static str, &'static str),
}

pub use coll::Coll;

/// Parses a decimal from a JSON number.
pub fn json_num_to_dec(n: &serde_json::Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        return Some(Decimal::from(i));
    }
    Decimal::from_str(&n.to_string())
        .ok()
        .or_else(|| n.as_f64().and_then(|f| Decimal::try_from(f).ok()))
}

impl<'a> Node<'a> {
    /// A node for a JSON value with a given type (resources infer their own type).
    pub fn new(json: &'a Json, ty: TypeId) -> Self {
        let ty = if ty == UNKNOWN || model::r4().kind(ty) == Some(model::TypeKind::Resource) {
            resource_type(json).unwrap_or(ty)
        } else {
            ty
        };
        Node {
            json: Some(json),
            ext: None,
            ty,
        }
    }

    /// The FHIR type name, if known.
    pub fn type_name(&self) -> &'static str {
        model::r4().name(self.ty)
    }

    /// Converts a primitive node into a System value.
    pub fn prim(&self) -> Option<Value<'a>> {
        use model::PrimKind;
        let j = self.json?;
        let pk = model::r4().prim_kind(self.ty);
        Some(match j {
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match (pk, n.as_i64()) {
                (PrimKind::Decimal, _) | (_, None) => Value::Dec(json_num_to_dec(n)?),
                (_, Some(i)) => Value::Int(i),
            },
            Json::String(s) => match pk {
                PrimKind::Date => {
                    Temporal::parse_date(s).map_or(Value::Str(Str::B(s)), Value::Temporal)
                }
                PrimKind::DateTime => {
                    Temporal::parse_datetime(s).map_or(Value::Str(Str::B(s)), Value::Temporal)
                }
                PrimKind::Time => {
                    Temporal::parse_time(s).map_or(Value::Str(Str::B(s)), Value::Temporal)
                }
                _ => Value::Str(Str::B(s)),
            },
            Json::Object(_) if pk == PrimKind::Quantity => {
                Value::Quantity(Arc::new(Quantity::from_json(j)?))
            }
            _ => return None,
        })
    }
}

/// Whether a type is Quantity or one of its profiles (Age, Duration...).
pub fn is_quantity_type(ty: TypeId) -> bool {
    model::r4().prim_kind(ty) == model::PrimKind::Quantity
}

/// Object key lookup tuned for small FHIR objects: a linear scan over the sorted keys that
/// compares the first byte and length before the bytes, and stops once past the key.
#[inline]
pub fn obj_get<'j>(obj: &'j serde_json::Map<String, Json>, key: &str) -> Option<&'j Json> {
    let kb = key.as_bytes();
    let first = *kb.first()?;
    if obj.len() > 24 {
        return obj.get(key);
    }
    for (k, v) in obj {
        let b = k.as_bytes();
        match b.first() {
            Some(c) if *c < first => continue,
            // Past the key in sorted order: absent. Only where maps keep their keys sorted
            // (serde_json without `preserve_order`, which any dependency could switch on).
            Some(c) if *c > first && keys_sorted() => return None,
            Some(c) if *c != first => continue,
            _ => {}
        }
        if b.len() == kb.len() && b == kb {
            return Some(v);
        }
    }
    None
}

/// Whether `serde_json::Map` iterates its keys in sorted order in this build.
fn keys_sorted() -> bool {
    static SORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SORTED.get_or_init(|| {
        let mut probe = serde_json::Map::new();
        probe.insert("b".into(), Json::Null);
        probe.insert("a".into(), Json::Null);
        probe.keys().next().is_some_and(|k| k == "a")
    })
}

/// The type of a JSON resource from its `resourceType`.
pub fn resource_type(j: &Json) -> Option<TypeId> {
    let Json::Object(o) = j else { return None };
    obj_get(o, "resourceType")
        .and_then(Json::as_str)
        .and_then(|n| model::r4().type_id(n))
}

impl<'a> Value<'a> {
    /// A shared string value.
    pub fn string(s: impl Into<String>) -> Self {
        Value::Str(Str::from(s.into()))
    }

    /// Resolves nodes to System primitives (complex nodes stay nodes).
    pub fn resolved(&self) -> Value<'a> {
        match self {
            Value::Node(n) => n.prim().unwrap_or_else(|| self.clone()),
            v => v.clone(),
        }
    }

    /// The string payload if this is (or resolves to) a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Node(Node {
                json: Some(Json::String(s)),
                ..
            }) => Some(s),
            _ => None,
        }
    }

    /// The string if this is a System string or a FHIR string-like node (not a date/time).
    #[inline]
    pub fn plain_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Node(Node {
                json: Some(Json::String(s)),
                ty,
                ..
            }) if *ty == UNKNOWN || model::r4().prim_kind(*ty) == model::PrimKind::Plain => Some(s),
            _ => None,
        }
    }

    /// The boolean payload.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Node(Node {
                json: Some(Json::Bool(b)),
                ..
            }) => Some(*b),
            _ => None,
        }
    }

    /// The integer payload.
    pub fn as_int(&self) -> Option<i64> {
        match self.resolved() {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// (namespace, name) of the value's type.
    pub fn type_info(&self) -> (&'static str, &'static str) {
        match self {
            Value::Bool(_) => ("System", "Boolean"),
            Value::Int(_) => ("System", "Integer"),
            Value::Dec(_) => ("System", "Decimal"),
            Value::Str(_) => ("System", "String"),
            Value::Temporal(t) => (
                "System",
                match t.kind {
                    TKind::Date => "Date",
                    TKind::DateTime => "DateTime",
                    TKind::Time => "Time",
                },
            ),
            Value::Quantity(_) => ("System", "Quantity"),
            Value::Type(..) => ("System", "TypeInfo"),
            Value::Node(n) => {
                if n.ty == UNKNOWN {
                    match n.prim() {
                        Some(v) => v.type_info(),
                        None => ("FHIR", "Element"),
                    }
                } else {
                    ("FHIR", n.type_name())
                }
            }
        }
    }
}

/// Formats a decimal the FHIRPath way (keeps scale, no exponent).
pub fn fmt_decimal(d: &Decimal) -> String {
    d.to_string()
}

impl fmt::Display for Value<'_> {
    /// The `toString()` rendering of the value (complex nodes render as JSON).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => f.write_str(&fmt_decimal(d)),
            Value::Str(s) => f.write_str(s),
            Value::Temporal(t) => f.write_str(&t.fmt_plain()),
            Value::Quantity(q) => write!(f, "{q}"),
            Value::Type(ns, n) => write!(f, "{ns}.{n}"),
            Value::Node(n) => match n.prim() {
                Some(v) => write!(f, "{v}"),
                None => match n.json {
                    Some(j) => write!(f, "{j}"),
                    None => Ok(()),
                },
            },
        }
    }
}
