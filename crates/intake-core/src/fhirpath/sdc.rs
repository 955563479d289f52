//! SDC support: `weight()` / `ordinal()` lookups against the questionnaire.

use crate::fhirpath::eval::Evaluator;
use crate::fhirpath::value::{Value, json_num_to_dec};
use serde_json::Value as Json;

/// Extension URL for answer option weights.
pub const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";
/// Extension URL for ordinal values on Codings.
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";

fn ext_weight(j: &Json) -> Option<Value<'static>> {
    let exts = j.get("extension")?.as_array()?;
    for e in exts {
        let url = e.get("url").and_then(Json::as_str);
        if (url == Some(ITEM_WEIGHT) || url == Some(ORDINAL_VALUE))
            && let Some(n) = e
                .get("valueDecimal")
                .or_else(|| e.get("valueInteger"))
                .and_then(Json::as_number)
        {
            return json_num_to_dec(n).map(Value::Dec);
        }
    }
    None
}

fn same_coding(a: &Json, b: &Json) -> bool {
    let code = |j: &Json| j.get("code").and_then(Json::as_str).map(str::to_string);
    let sys = |j: &Json| j.get("system").and_then(Json::as_str).map(str::to_string);
    code(a).is_some()
        && code(a) == code(b)
        && (sys(a).is_none() || sys(b).is_none() || sys(a) == sys(b))
}

fn search_items(items: &Json, coding: &Json, depth: usize) -> Option<Value<'static>> {
    if depth > 64 {
        return None;
    }
    for item in items.as_array()? {
        if let Some(opts) = item.get("answerOption").and_then(Json::as_array) {
            for o in opts {
                if let Some(c) = o.get("valueCoding")
                    && same_coding(c, coding)
                    && let Some(w) = ext_weight(o).or_else(|| ext_weight(c))
                {
                    return Some(w);
                }
            }
        }
        if let Some(children) = item.get("item")
            && let Some(w) = search_items(children, coding, depth + 1)
        {
            return Some(w);
        }
    }
    None
}

fn search_valuesets(q: &Json, coding: &Json) -> Option<Value<'static>> {
    for c in q.get("contained")?.as_array()? {
        let concepts = c
            .pointer("/compose/include")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .flat_map(|inc| {
                let sys = inc.get("system").cloned();
                inc.get("concept")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(move |cn| (sys.clone(), cn))
            });
        for (sys, cn) in concepts {
            let mut cd = cn.clone();
            if let (Some(s), Some(o)) = (sys, cd.as_object_mut()) {
                o.insert("system".into(), s);
            }
            if same_coding(&cd, coding)
                && let Some(w) = ext_weight(cn)
            {
                return Some(w);
            }
        }
        for cn in c
            .pointer("/expansion/contains")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if same_coding(cn, coding)
                && let Some(w) = ext_weight(cn)
            {
                return Some(w);
            }
        }
    }
    None
}

impl<'a> Evaluator<'_, 'a> {
    /// The weight of one answer: Coding extensions first, then `%qitem`, then the questionnaire.
    pub(crate) fn weight(&self, v: &Value<'a>) -> Option<Value<'a>> {
        let Value::Node(n) = v else { return None };
        let j = n.json?;
        let coding = if j.get("code").is_some() {
            j
        } else {
            j.get("valueCoding")?
        };
        if let Some(w) = ext_weight(coding) {
            return Some(w);
        }
        if let Some(qi) = self.ctx.qitem
            && let Some(w) = search_items(&Json::Array(vec![qi.clone()]), coding, 0)
        {
            return Some(w);
        }
        let q = self.ctx.questionnaire?;
        q.get("item")
            .and_then(|items| search_items(items, coding, 0))
            .or_else(|| search_valuesets(q, coding))
    }
}

/// An evaluation context for SDC form expressions: `%resource` is the QuestionnaireResponse,
/// `%questionnaire` the Questionnaire (also used by `weight()`).
pub fn form_context<'a>(
    questionnaire: &'a Json,
    response: &'a Json,
    clock: crate::fhirpath::Clock,
) -> crate::fhirpath::EvalContext<'a> {
    let mut ctx = crate::fhirpath::EvalContext::new(clock);
    ctx.questionnaire = Some(questionnaire);
    ctx.resource = Some(response);
    ctx.root_resource = Some(response);
    ctx
}

/// A copy of `base` for one (possibly repeated) item instance: `%context` is the response item,
/// `%qitem` its Questionnaire item (looked up by linkId when not given).
pub fn item_context<'a>(
    base: &crate::fhirpath::EvalContext<'a>,
    response_item: &'a Json,
    qitem: Option<&'a Json>,
) -> crate::fhirpath::EvalContext<'a> {
    let mut ctx = base.clone();
    ctx.context = Some(response_item);
    ctx.qitem = qitem.or_else(|| {
        let link = response_item.get("linkId")?.as_str()?;
        find_item(base.questionnaire?, link)
    });
    ctx
}

/// Finds a Questionnaire item by linkId (depth-first, bounded depth).
pub fn find_item<'a>(questionnaire: &'a Json, link_id: &str) -> Option<&'a Json> {
    fn walk<'a>(items: &'a Json, link_id: &str, depth: usize) -> Option<&'a Json> {
        if depth > 64 {
            return None;
        }
        for it in items.as_array()? {
            if it.get("linkId").and_then(Json::as_str) == Some(link_id) {
                return Some(it);
            }
            if let Some(found) = it.get("item").and_then(|c| walk(c, link_id, depth + 1)) {
                return Some(found);
            }
        }
        None
    }
    walk(questionnaire.get("item")?, link_id, 0)
}
