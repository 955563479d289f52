//! Tree navigation over FHIR JSON: members (with choice types), children, descendants.

use super::EvalError;
use super::compile::Member;
use crate::fhirpath::model::{self, TypeId, TypeKind, UNKNOWN};
use crate::fhirpath::value::{Coll, Node, Value};
use serde_json::Value as Json;
use std::sync::atomic::Ordering;

/// Something values can be pushed to (a [`Coll`] or a plain vector).
pub trait Sink<'a> {
    /// Appends a value.
    fn put(&mut self, v: Value<'a>);
    /// Reserves room.
    fn room(&mut self, n: usize);
}

impl<'a> Sink<'a> for Coll<'a> {
    #[inline]
    fn put(&mut self, v: Value<'a>) {
        self.push(v);
    }
    fn room(&mut self, n: usize) {
        self.reserve(n);
    }
}

impl<'a> Sink<'a> for Vec<Value<'a>> {
    #[inline]
    fn put(&mut self, v: Value<'a>) {
        self.push(v);
    }
    fn room(&mut self, n: usize) {
        self.reserve(n);
    }
}

pub(super) fn push_json<'a>(
    out: &mut impl Sink<'a>,
    j: Option<&'a Json>,
    ext: Option<&'a Json>,
    ty: TypeId,
) {
    match (j, ext) {
        (Some(Json::Array(a)), e) => {
            out.room(a.len());
            let ea = e.and_then(Json::as_array);
            for (i, x) in a.iter().enumerate() {
                let ex = ea.and_then(|ea| ea.get(i)).filter(|x| !x.is_null());
                if x.is_null() {
                    if ex.is_some() {
                        out.put(Value::Node(Node {
                            json: None,
                            ext: ex,
                            ty,
                        }));
                    }
                } else {
                    let mut n = Node::new(x, ty);
                    n.ext = ex;
                    out.put(Value::Node(n));
                }
            }
        }
        (None | Some(Json::Null), Some(Json::Array(ea))) => {
            for ex in ea.iter().filter(|x| !x.is_null()) {
                out.put(Value::Node(Node {
                    json: None,
                    ext: Some(ex),
                    ty,
                }));
            }
        }
        (Some(Json::Null) | None, Some(e)) => out.put(Value::Node(Node {
            json: None,
            ext: Some(e),
            ty,
        })),
        (Some(Json::Null) | None, None) => {}
        (Some(x), e) => {
            let mut n = Node::new(x, ty);
            n.ext = e;
            out.put(Value::Node(n));
        }
    }
}

/// Looks up the `_name` sibling without allocating.
pub(super) fn ext_get<'a>(obj: &'a serde_json::Map<String, Json>, name: &str) -> Option<&'a Json> {
    let mut buf = [0u8; 64];
    let n = name.len();
    if n < buf.len() {
        buf[0] = b'_';
        buf[1..=n].copy_from_slice(name.as_bytes());
        std::str::from_utf8(&buf[..=n])
            .ok()
            .and_then(|k| crate::fhirpath::value::obj_get(obj, k))
    } else {
        obj.get(&format!("_{name}"))
    }
}

const VALID: u64 = 1 << 32;
const CHOICE: u64 = 1 << 33;
const PRIM: u64 = 1 << 34;
const NOT_FOUND: u64 = 1 << 36;
const CHOICE_EXP: u64 = 1 << 37;

/// Whether a JSON object can hold `_name` keys (they sort before lowercase keys).
pub(super) fn may_have_ext(obj: &serde_json::Map<String, Json>) -> bool {
    obj.keys()
        .next()
        .is_some_and(|k| k.as_bytes().first().is_some_and(|b| *b <= b'_'))
}

/// Like [`member`], but caches the model lookup in the compiled node.
pub fn member_cached<'a>(
    node: &Node<'a>,
    mem: &Member,
    out: &mut Coll<'a>,
    strict: bool,
    lenient: bool,
) -> Result<(), EvalError> {
    let Some(Json::Object(obj)) = node.json else {
        return member(node, &mem.name, out, strict, lenient);
    };
    if node.ty == UNKNOWN {
        return member(node, &mem.name, out, strict, lenient);
    }
    let slot = &mem.cache[usize::from(node.ty & 3)];
    let mut c = slot.load(Ordering::Relaxed);
    if c & VALID == 0 || (c & 0xffff) as TypeId != node.ty {
        let m = model::r4();
        c = match m.element(node.ty, &mem.name) {
            None if m.is_choice_expansion(node.ty, &mem.name) => NOT_FOUND | CHOICE_EXP,
            None => NOT_FOUND,
            Some(el) if el.choice => CHOICE,
            Some(el) => {
                let ty = el.types.first().copied().unwrap_or(UNKNOWN);
                let k = m.kind(ty);
                if ty == UNKNOWN || k == Some(TypeKind::Resource) {
                    NOT_FOUND
                } else {
                    (u64::from(ty) << 16)
                        | if k == Some(TypeKind::Primitive) {
                            PRIM
                        } else {
                            0
                        }
                }
            }
        } | VALID
            | u64::from(node.ty);
        slot.store(c, Ordering::Relaxed);
    }
    if c & NOT_FOUND != 0 && c & CHOICE_EXP == 0 && !strict && !lenient {
        // not an element of the type: only raw JSON keys can match
        let j = crate::fhirpath::value::obj_get(obj, &mem.name);
        let ext = if may_have_ext(obj) {
            crate::fhirpath::value::obj_get(obj, &mem.ext_key)
        } else {
            None
        };
        if j.is_some() || ext.is_some() {
            push_json(out, j, ext, UNKNOWN);
        }
        return Ok(());
    }
    if c & CHOICE != 0 {
        // keys are sorted: the `value...` keys are contiguous
        let m = model::r4();
        let name: &str = &mem.name;
        let first = name.as_bytes().first().copied().unwrap_or(0);
        for (k, v) in obj.iter() {
            let kf = k.as_bytes().first().copied().unwrap_or(0);
            if kf < first || (kf == first && k.as_str() < name) {
                continue;
            }
            if !k.starts_with(name) {
                break;
            }
            if let Some(t) = m.choice_key(node.ty, k) {
                let ext = if may_have_ext(obj) {
                    ext_get(obj, k)
                } else {
                    None
                };
                push_json(out, Some(v), ext, t);
            }
        }
        return Ok(());
    }
    if c & NOT_FOUND != 0 {
        return member(node, &mem.name, out, strict, lenient);
    }
    let ty = ((c >> 16) & 0xffff) as TypeId;
    let j = crate::fhirpath::value::obj_get(obj, &mem.name);
    let ext = if c & PRIM != 0 && may_have_ext(obj) {
        crate::fhirpath::value::obj_get(obj, &mem.ext_key)
    } else {
        None
    };
    match (j, ext) {
        (Some(Json::Array(a)), None) => {
            out.reserve(a.len());
            for x in a.iter().filter(|x| !x.is_null()) {
                out.push(Value::Node(Node {
                    json: Some(x),
                    ext: None,
                    ty,
                }));
            }
        }
        (Some(x), None) if !x.is_null() => out.push(Value::Node(Node {
            json: Some(x),
            ext: None,
            ty,
        })),
        (None, None) => {}
        (j, ext) => push_json(out, j, ext, ty),
    }
    Ok(())
}

/// Pushes the members called `name` of `node` onto `out`.
pub fn member<'a>(
    node: &Node<'a>,
    name: &str,
    out: &mut Coll<'a>,
    strict: bool,
    lenient: bool,
) -> Result<(), EvalError> {
    let obj = match node.json {
        Some(Json::Object(o)) => o,
        _ => {
            // primitive: only `id` / `extension` via the `_name` sibling
            if let Some(Json::Object(e)) = node.ext {
                let ty = if name == "extension" {
                    model::r4().type_id("Extension").unwrap_or(UNKNOWN)
                } else {
                    UNKNOWN
                };
                push_json(out, e.get(name), None, ty);
            }
            return Ok(());
        }
    };
    let m = model::r4();
    if node.ty != UNKNOWN {
        if let Some(el) = m.element(node.ty, name) {
            if el.choice {
                for (k, v) in obj.iter() {
                    if let Some(rest) = k.strip_prefix(name)
                        && let Some(t) = el
                            .types
                            .iter()
                            .find(|t| model::capitalized_eq(m.name(**t), rest))
                    {
                        push_json(out, Some(v), ext_get(obj, k), *t);
                    }
                }
            } else {
                let ty = el.types.first().copied().unwrap_or(UNKNOWN);
                let ext = if m.kind(ty) == Some(TypeKind::Primitive) {
                    ext_get(obj, name)
                } else {
                    None
                };
                push_json(out, crate::fhirpath::value::obj_get(obj, name), ext, ty);
            }
            return Ok(());
        }
        if !lenient && m.is_choice_expansion(node.ty, name) {
            return Err(EvalError::new(format!(
                "'{name}' is not a valid path on {}: use the choice element name instead",
                m.name(node.ty)
            )));
        }
        if strict {
            return Err(EvalError::new(format!(
                "'{name}' is not an element of {}",
                m.name(node.ty)
            )));
        }
    }
    let ext = ext_get(obj, name);
    if obj.contains_key(name) || ext.is_some() {
        push_json(
            out,
            crate::fhirpath::value::obj_get(obj, name),
            ext,
            UNKNOWN,
        );
    } else if node.ty == UNKNOWN || lenient {
        // untyped choice fallback: `value` finds `valueString`, `valueCoding`, ...
        for (k, v) in obj.iter() {
            if let Some(rest) = k.strip_prefix(name)
                && rest.starts_with(|c: char| c.is_ascii_uppercase())
            {
                let ty = m
                    .type_id(rest)
                    .or_else(|| m.type_id(&lower_first(rest)))
                    .unwrap_or(UNKNOWN);
                push_json(out, Some(v), ext_get(obj, k), ty);
            }
        }
    }
    Ok(())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}
