//! Tree navigation: `children()` and `descendants()` over FHIR JSON.

use super::nav::{Sink, ext_get, may_have_ext, push_json};
use crate::fhirpath::model::{self, TypeId, UNKNOWN};
use crate::fhirpath::value::{Coll, Node, Value};
use serde_json::Value as Json;

/// Pushes all children of a node (in document order).
pub fn children<'a>(node: &Node<'a>, out: &mut impl Sink<'a>) {
    let Some(Json::Object(obj)) = node.json else {
        if let Some(Json::Object(e)) = node.ext {
            for (k, v) in e {
                push_json(
                    out,
                    Some(v),
                    None,
                    if k == "extension" {
                        ext_type()
                    } else {
                        UNKNOWN
                    },
                );
            }
        }
        return;
    };
    let m = model::r4();
    // `_x` keys sort before lowercase keys: collect them first, then match without lookups
    let mut exts: [(&str, &'a Json); 8] = [("", &Json::Null); 8];
    let mut n_ext = 0;
    let mut many_ext = false;
    if may_have_ext(obj) {
        for (k, v) in obj.iter() {
            if let Some(b) = k.strip_prefix('_') {
                if n_ext < exts.len() {
                    exts[n_ext] = (b, v);
                    n_ext += 1;
                } else {
                    many_ext = true;
                }
            } else if k.as_bytes().first().is_some_and(|c| *c > b'_') {
                break;
            }
        }
    }
    out.room(obj.len());
    for (k, v) in obj.iter() {
        if k == "resourceType" {
            continue;
        }
        if let Some(base) = k.strip_prefix('_') {
            if !obj.contains_key(base) {
                push_json(out, None, Some(v), child_type(m, node.ty, base, obj));
            }
            continue;
        }
        let ty = child_type(m, node.ty, k, obj);
        let ext = if many_ext {
            ext_get(obj, k)
        } else {
            exts[..n_ext].iter().find(|(b, _)| *b == k).map(|(_, v)| *v)
        };
        push_json(out, Some(v), ext, ty);
    }
}

fn ext_type() -> TypeId {
    model::r4().type_id("Extension").unwrap_or(UNKNOWN)
}

fn child_type(
    m: &model::Model,
    ty: TypeId,
    key: &str,
    _obj: &serde_json::Map<String, Json>,
) -> TypeId {
    if ty == UNKNOWN {
        return UNKNOWN;
    }
    m.key_type(ty, key).unwrap_or(UNKNOWN)
}

/// Pushes all descendants (depth-first, iterative so deep input cannot overflow the stack).
pub fn descendants<'a>(start: &[Value<'a>], out: &mut Coll<'a>) {
    let mut stack: Vec<Value<'a>> = Vec::new();
    for v in start.iter().rev() {
        if let Value::Node(n) = v {
            let at = stack.len();
            children(n, &mut stack);
            stack[at..].reverse();
        }
    }
    let mut all: Vec<Value<'a>> = Vec::with_capacity(stack.len() * 4);
    while let Some(v) = stack.pop() {
        if let Value::Node(n) = &v {
            let at = stack.len();
            children(n, &mut stack);
            stack[at..].reverse();
        }
        all.push(v);
    }
    if out.is_empty() {
        *out = Coll::from(all);
    } else {
        out.extend(all);
    }
}
