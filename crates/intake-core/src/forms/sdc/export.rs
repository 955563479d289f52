//! Form → R4 SDC Questionnaire. Deterministic: the same form always gives the same JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::{
    bindings,
    nesting::{nest_children, push_item},
    url,
};
use crate::forms::{
    AnswerOption, Audience, Bound, Coding, EnableWhen, Expression, ExtractHook, Form, Item,
    ItemKind, LaunchName, NormalAnswer, Operator, OptionType, Query, QueryKind, Section, Severity,
    Text, on_file,
};

/// The R4 SDC Questionnaire for `form`: sections become top-level `group` items, value-set items
/// point at `contained` ValueSets, and every language after the first is a `translation`.
pub fn export(form: &Form) -> Json {
    let kinds: BTreeMap<&str, ItemKind> = form
        .items()
        .map(|i| (i.id.as_str(), i.answer_kind()))
        .collect();
    let links: BTreeMap<&str, &str> = form
        .items()
        .filter_map(|i| Some((i.id.as_str(), i.link_id.as_deref()?)))
        .collect();
    let out = Exporter {
        languages: &form.languages,
        kinds,
        links,
    };
    let mut q = Map::new();
    q.insert("resourceType".into(), json!("Questionnaire"));
    q.insert("id".into(), json!(form.id.as_str()));
    q.insert("url".into(), json!(form.url));
    q.insert("version".into(), json!(form.version));
    q.insert("name".into(), json!(form.id.as_str()));
    out.text(&mut q, "title", &form.title);
    q.insert("status".into(), json!("active"));
    if let Some(language) = form.languages.first() {
        q.insert("language".into(), json!(language));
    }
    if let Some(description) = &form.description {
        out.text(&mut q, "description", description);
    }
    let mut contained = BTreeMap::new();
    // A page-only section is no group of the Questionnaire: its items are top-level items.
    let items: Vec<Json> = form
        .sections
        .iter()
        .flat_map(|s| {
            if s.page_only {
                out.items(&s.items, &mut contained)
            } else {
                vec![out.section(s, &mut contained)]
            }
        })
        .collect();
    let own_variables: Vec<Json> = form
        .variables
        .iter()
        .map(|v| {
            json!({"url": url::VARIABLE, "valueExpression": {
                "name": v.name, "language": "text/fhirpath", "expression": v.expression.source(),
            }})
        })
        .collect();
    // The launch resources and answers the expressions read come first: the form's own
    // variables may read them.
    let queries = chart_queries(&items);
    let read: Vec<&Json> = items.iter().chain(&own_variables).chain(&queries).collect();
    let declarations = bindings::declarations(form, &read);
    let languages = form
        .languages
        .iter()
        .map(|l| json!({"url": url::LANGUAGES, "valueCode": l}));
    let extensions: Vec<Json> = languages
        .chain(declarations)
        .chain(own_variables)
        .chain(form.crisis.iter().map(|c| out.text_value(url::CRISIS, c)))
        .chain(
            form.max_changes
                .map(|most| json!({"url": url::MAX_CHANGES, "valueInteger": most})),
        )
        .chain(
            form.notify
                .iter()
                .map(|c| json!({"url": url::NOTIFY, "valueString": c.address()})),
        )
        // The chart data the form reads, declared as the SDC queries that fetch it.
        .chain(queries)
        .chain(form.launch.iter().map(launch_context))
        .chain(form.queries.iter().map(query))
        .chain(
            form.extraction_context
                .iter()
                .map(super::extraction::export_context),
        )
        .collect();
    if !extensions.is_empty() {
        q.insert("extension".into(), Json::from(extensions));
    }
    let batches = form.queries.iter().filter_map(|q| match &q.kind {
        QueryKind::Batch(urls) => Some(batch(&q.name, urls)),
        QueryKind::Search(_) => None,
    });
    let contained: Vec<Json> = contained
        .into_values()
        .chain(batches)
        .chain(form.contained.iter().cloned())
        .collect();
    if !contained.is_empty() {
        q.insert("contained".into(), Json::from(contained));
    }
    q.insert("item".into(), Json::from(items));
    Json::Object(q)
}

/// The chart reads (`%AllergyIntolerance`...) the items use, as the `x-fhir-query` variables
/// that fetch them.
fn chart_queries(items: &[Json]) -> Vec<Json> {
    let text = Json::from(items).to_string();
    crate::domain::PREFILL_TYPES
        .iter()
        .filter(|t| text.contains(&format!("%{t}")))
        .map(|t| {
            json!({"url": url::VARIABLE, "valueExpression": {
                "name": t.as_str(), "language": "application/x-fhir-query",
                "expression": crate::domain::chart_query(*t),
            }})
        })
        .collect()
}

/// A declared launch context. SDC's own names are codes of its code system; others are ids.
/// Spec: <https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-launchContext.html>
fn launch_context(launch: &LaunchName) -> Json {
    const CODES: [&str; 5] = ["patient", "encounter", "location", "user", "study"];
    let name = if CODES.contains(&launch.name.as_str()) {
        json!({"url": "name", "valueCoding": {
            "system": "http://hl7.org/fhir/uv/sdc/CodeSystem/launchContext", "code": launch.name,
        }})
    } else {
        json!({"url": "name", "valueId": launch.name})
    };
    let types = launch
        .types
        .iter()
        .map(|t| json!({"url": "type", "valueCode": t}));
    json!({
        "url": format!("{}launchContext", url::SDC),
        "extension": std::iter::once(name).chain(types).collect::<Vec<_>>(),
    })
}

/// A query: an `x-fhir-query` variable, or `sourceQueries` naming its batch Bundle.
fn query(query: &Query) -> Json {
    match &query.kind {
        QueryKind::Search(search) => json!({"url": url::VARIABLE, "valueExpression": {
            "name": query.name, "language": "application/x-fhir-query", "expression": search,
        }}),
        QueryKind::Batch(_) => json!({
            "url": format!("{}sourceQueries", url::SDC),
            "valueReference": {"reference": format!("#{}", query.name)},
        }),
    }
}

/// The contained batch Bundle of a `sourceQueries` query.
fn batch(name: &str, urls: &[String]) -> Json {
    let entries: Vec<Json> = urls
        .iter()
        .map(|u| json!({"request": {"method": "GET", "url": u}}))
        .collect();
    json!({"resourceType": "Bundle", "id": name, "type": "batch", "entry": entries})
}

struct Exporter<'a> {
    languages: &'a [String],
    kinds: BTreeMap<&'a str, ItemKind>,
    /// Item id → the Questionnaire's linkId, for items whose linkId is not their id.
    links: BTreeMap<&'a str, &'a str>,
}

/// A group about entries on file, as other SDC tools populate it: one instance per current
/// entry (`itemPopulationContext`), its hidden items filled from that entry.
fn on_file_population(
    group_id: &str,
    kind: ExtractHook,
    group: &mut Map<String, Json>,
    children: &mut [Json],
) {
    let context = json!({"url": format!("{}itemPopulationContext", url::SDC), "valueExpression": {
        "name": on_file::context_name(group_id), "language": "text/fhirpath",
        "expression": on_file::population_context(kind),
    }});
    if let Some(Json::Array(ext)) = group.get_mut("extension") {
        ext.push(context);
    }
    for (id, source) in on_file::initial_expressions(group_id, kind) {
        let child = children.iter_mut().find(|c| c["linkId"] == json!(id));
        if let Some(Json::Object(child)) = child {
            let initial = json!({"url": format!("{}initialExpression", url::SDC), "valueExpression": {
                "language": "text/fhirpath", "expression": source,
            }});
            match child.get_mut("extension") {
                Some(Json::Array(ext)) => ext.push(initial),
                _ => {
                    child.insert("extension".into(), json!([initial]));
                }
            }
        }
    }
}

fn coding(c: &Coding) -> Json {
    let mut m = Map::new();
    if let Some(system) = &c.system {
        m.insert("system".into(), json!(system));
    }
    m.insert("code".into(), json!(c.code));
    if let Some(display) = &c.display {
        m.insert("display".into(), json!(display));
    }
    Json::Object(m)
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Urgent => "urgent",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

impl Exporter<'_> {
    fn expression(&self, url: &str, e: &Expression) -> Json {
        json!({"url": url, "valueExpression": {"language": "text/fhirpath", "expression": e.source()}})
    }

    /// The Questionnaire items of one list of sibling items, those `child_of` a question
    /// nested under it.
    fn items(&self, items: &[Item], contained: &mut BTreeMap<String, Json>) -> Vec<Json> {
        let entries = items
            .iter()
            .map(|i| (i, vec![self.item(i, contained)]))
            .collect();
        nest_children(entries, |i| json!({ "linkId": i.link_id() }), push_item)
    }

    fn first(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
    }

    /// The Coding of an answer option (system, code, and its display with translations).
    fn coding(&self, option: &AnswerOption) -> Map<String, Json> {
        let mut coding = Map::new();
        if let Some(system) = &option.system {
            coding.insert("system".into(), json!(system));
        }
        coding.insert("code".into(), json!(option.code));
        self.text(&mut coding, "display", &option.display);
        coding
    }

    /// `key` with the text in the first language, and `_key` with the translations; nothing
    /// for an empty text (an imported item without `text`: FHIR strings are never empty).
    fn text(&self, into: &mut Map<String, Json>, key: &str, text: &Text) {
        let main = text.in_language(self.first());
        if main.is_empty() {
            return;
        }
        into.insert(key.into(), json!(main));
        // Every language the text has after the first, declared or not, so nothing is lost.
        let all: BTreeMap<String, String> = text.clone().into();
        let translations: Vec<Json> = all
            .keys()
            .filter(|l| l.as_str() != self.first())
            .map(|l| {
                json!({"url": url::TRANSLATION, "extension": [
                    {"url": "lang", "valueCode": l},
                    {"url": "content", "valueString": text.in_language(l)},
                ]})
            })
            .collect();
        if !translations.is_empty() {
            into.insert(format!("_{key}"), json!({ "extension": translations }));
        }
    }

    /// What the clinician's summary and the front desk read from an item: score bands, the
    /// normal answer, the staff marker, the interpreter question. Intake's own extensions.
    fn summary_extensions(&self, item: &Item, ext: &mut Vec<Json>) {
        for band in &item.bands {
            ext.push(json!({"url": url::SCORE_BAND, "extension": [
                {"url": "min", "valueDecimal": band.min},
                {"url": "max", "valueDecimal": band.max},
                self.text_value("label", &band.label),
                self.text_value("meaning", &band.meaning),
            ]}));
        }
        match &item.normal {
            None => {}
            Some(NormalAnswer::Boolean(normal)) => {
                ext.push(json!({"url": url::NORMAL_ANSWER, "valueBoolean": normal}));
            }
            Some(NormalAnswer::Codes(codes)) => {
                for code in codes {
                    ext.push(json!({"url": url::NORMAL_ANSWER, "valueCode": code}));
                }
            }
        }
        if item.for_staff() {
            ext.push(json!({"url": url::AUDIENCE, "valueCode": "staff"}));
        }
        if let Some(marker) = &item.marker {
            ext.push(self.text_value(url::STAFF_MARKER, marker));
        }
        if item.interpreter {
            ext.push(json!({"url": url::INTERPRETER, "valueBoolean": true}));
        }
        if let Some(token) = &item.input.autocomplete {
            ext.push(json!({"url": url::AUTOCOMPLETE, "valueCode": token}));
        }
        if let Some(mode) = &item.input.inputmode {
            ext.push(json!({"url": url::INPUT_MODE, "valueCode": mode}));
        }
    }

    fn text_value(&self, url: &str, text: &Text) -> Json {
        let mut m = Map::new();
        m.insert("url".into(), json!(url));
        self.text(&mut m, "valueString", text);
        Json::Object(m)
    }

    fn section(&self, section: &Section, contained: &mut BTreeMap<String, Json>) -> Json {
        let mut m = Map::new();
        m.insert("linkId".into(), json!(section.link_id()));
        self.text(&mut m, "text", &section.title);
        m.insert("type".into(), json!("group"));
        let mut extensions = Vec::new();
        self.enable_when(&mut m, &mut extensions, section.enable_when.as_ref());
        if !extensions.is_empty() {
            m.insert("extension".into(), Json::from(extensions));
        }
        m.insert(
            "item".into(),
            Json::from(self.items(&section.items, contained)),
        );
        super::extraction::export_into(
            &mut m,
            section.definition.as_ref(),
            section.extraction_context.as_ref(),
        );
        Json::Object(m)
    }

    fn enable_when(
        &self,
        m: &mut Map<String, Json>,
        extensions: &mut Vec<Json>,
        enable_when: Option<&EnableWhen>,
    ) {
        match enable_when {
            None => {}
            Some(EnableWhen::Expression(e)) => {
                extensions.push(self.expression(&format!("{}enableWhenExpression", url::SDC), e));
            }
            Some(EnableWhen::Conditions { any, conditions }) => {
                let list: Vec<Json> = conditions
                    .iter()
                    .map(|c| {
                        let kind = self.kinds.get(c.question.as_str()).copied();
                        let (key, value) = answer(c.operator, kind, &c.answer);
                        let operator = serde_json::to_value(c.operator).unwrap_or_default();
                        let question = self.links.get(c.question.as_str()).copied();
                        json!({"question": question.unwrap_or(&c.question), "operator": operator, key: value})
                    })
                    .collect();
                m.insert("enableWhen".into(), Json::from(list));
                m.insert(
                    "enableBehavior".into(),
                    json!(if *any { "any" } else { "all" }),
                );
            }
        }
    }

    fn item(&self, item: &Item, contained: &mut BTreeMap<String, Json>) -> Json {
        let mut m = Map::new();
        m.insert("linkId".into(), json!(item.link_id()));
        self.text(&mut m, "text", &item.text);
        m.insert("type".into(), json!(item.kind.as_str()));
        if !item.codes.is_empty() {
            m.insert(
                "code".into(),
                Json::from(item.codes.iter().map(coding).collect::<Vec<_>>()),
            );
        }
        for (key, on) in [
            ("required", item.required),
            ("repeats", item.repeats),
            ("readOnly", item.read_only),
        ] {
            if on {
                m.insert(key.into(), json!(true));
            }
        }
        if let Some(n) = item.max_length {
            m.insert("maxLength".into(), json!(n));
        }
        let mut ext = Vec::new();
        if item.hidden {
            ext.push(json!({"url": url::HIDDEN, "valueBoolean": true}));
        }
        if let Some(n) = item.min_occurs {
            ext.push(json!({"url": url::MIN_OCCURS, "valueInteger": n}));
        }
        if let Some(n) = item.max_occurs {
            ext.push(json!({"url": url::MAX_OCCURS, "valueInteger": n}));
        }
        for (url, bound) in [(url::MIN_VALUE, &item.min), (url::MAX_VALUE, &item.max)] {
            if let Some(bound) = bound {
                let (key, value) = match bound {
                    Bound::Number(n) if item.kind == ItemKind::Integer => {
                        ("valueInteger", json!(*n as i64))
                    }
                    Bound::Number(n) => ("valueDecimal", json!(n)),
                    Bound::Date(d) if d.contains('T') => ("valueDateTime", json!(d)),
                    Bound::Date(d) => ("valueDate", json!(d)),
                };
                ext.push(json!({"url": url, key: value}));
            }
        }
        if let Some(n) = item.min_length {
            ext.push(json!({"url": url::MIN_LENGTH, "valueInteger": n}));
        }
        if let Some(regex) = &item.regex {
            ext.push(json!({"url": url::REGEX, "valueString": regex.pattern}));
            ext.push(self.text_value(url::VALIDATION_MESSAGE, &regex.message));
        }
        if let Some(unit) = &item.unit {
            let url = match item.kind {
                ItemKind::Quantity => url::UNIT_OPTION,
                _ => url::UNIT,
            };
            ext.push(json!({"url": url, "valueCoding": coding(unit)}));
        }
        self.enable_when(&mut m, &mut ext, item.enable_when.as_ref());
        if let Some(e) = &item.calculated {
            ext.push(self.expression(&format!("{}calculatedExpression", url::SDC), e));
        }
        if let Some(e) = &item.initial {
            ext.push(self.expression(&format!("{}initialExpression", url::SDC), e));
        }
        if let Some(e) = &item.candidates {
            ext.push(self.expression(&format!("{}candidateExpression", url::SDC), e));
        }
        if let Some(e) = &item.answer_expression {
            ext.push(self.expression(&format!("{}answerExpression", url::SDC), e));
        }
        if let Some(period) = &item.observation_link {
            ext.push(json!({"url": format!("{}observationLinkPeriod", url::SDC), "valueDuration": {
                "value": period.value, "system": "http://unitsofmeasure.org", "code": period.unit,
            }}));
        }
        for variable in &item.variables {
            ext.push(json!({"url": url::VARIABLE, "valueExpression": {
                "name": variable.name, "language": "text/fhirpath",
                "expression": variable.expression.source(),
            }}));
        }
        if let Some(context) = &item.population_context {
            ext.push(
                json!({"url": format!("{}itemPopulationContext", url::SDC), "valueExpression": {
                    "name": context.name, "language": "text/fhirpath",
                    "expression": context.expression.source(),
                }}),
            );
        }
        for c in &item.constraints {
            ext.push(json!({"url": url::TARGET_CONSTRAINT, "extension": [
                {"url": "key", "valueId": super::constraint_key(&c.id)},
                {"url": "severity", "valueCode": severity(c.severity)},
                {"url": "expression", "valueExpression": {"language": "text/fhirpath", "expression": c.expression.source()}},
                self.text_value("human", &c.message),
            ]}));
        }
        for f in &item.flags {
            let mut sub = vec![
                // Our own extension: the id as a string, since a FHIR `id` has no `_`.
                json!({"url": "id", "valueString": f.id}),
                json!({"url": "severity", "valueCode": severity(f.severity)}),
                json!({"url": "when", "valueExpression": {"language": "text/fhirpath", "expression": f.when.source()}}),
                self.text_value("message", &f.message),
            ];
            for a in &f.audience {
                let code = match a {
                    Audience::Clinician => "clinician",
                    Audience::Staff => "staff",
                    Audience::Patient => "patient",
                };
                sub.push(json!({"url": "for", "valueCode": code}));
            }
            for contact in &f.notify {
                sub.push(json!({"url": "notify", "valueString": contact.address()}));
            }
            ext.push(json!({"url": url::FLAG, "extension": sub}));
        }
        match item.extract {
            None => {}
            Some(ExtractHook::Observation) => {
                ext.push(
                    json!({"url": format!("{}observationExtract", url::SDC), "valueBoolean": true}),
                );
            }
            Some(hook) => {
                let code = serde_json::to_value(hook).unwrap_or_default();
                ext.push(json!({"url": url::EXTRACT, "valueCode": code}));
            }
        }
        if let Some(rules) = &item.attachment {
            for media_type in &rules.mime_types {
                ext.push(json!({"url": url::MIME_TYPE, "valueCode": media_type}));
            }
            ext.push(json!({"url": url::MAX_SIZE, "valueDecimal": rules.max_size}));
        }
        if let Some(terms) = &item.consent {
            let mut parts = vec![
                json!({"url": "version", "valueString": terms.version}),
                json!({"url": "signature", "valueString": terms.signature}),
            ];
            if let Some(drawn) = &terms.drawn {
                parts.push(json!({"url": "drawn", "valueString": drawn}));
            }
            ext.push(json!({"url": url::CONSENT, "extension": parts}));
        }
        if let Some(kind) = item.on_file {
            let code = serde_json::to_value(kind).unwrap_or_default();
            ext.push(json!({"url": url::ON_FILE, "valueCode": code}));
        }
        self.summary_extensions(item, &mut ext);
        if !ext.is_empty() {
            m.insert("extension".into(), Json::from(ext));
        }
        self.options(item, &mut m, contained);
        if let Some(value) = &item.initial_value {
            let (key, value) = answer(Operator::Equal, Some(item.answer_kind()), value);
            let key = key.replacen("answer", "value", 1);
            m.insert("initial".into(), json!([{ key: value }]));
        }
        let mut children = Vec::new();
        if let Some(help) = &item.help {
            let mut h = Map::new();
            h.insert("linkId".into(), json!(format!("{}_help", item.id)));
            self.text(&mut h, "text", help);
            h.insert("type".into(), json!("display"));
            h.insert(
                "extension".into(),
                json!([{"url": url::ITEM_CONTROL, "valueCodeableConcept": {"coding": [{
                "system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]}}]),
            );
            children.push(Json::Object(h));
        }
        children.extend(self.items(&item.items, contained));
        if let Some(kind) = item.on_file {
            on_file_population(&item.id, kind, &mut m, &mut children);
        }
        if !children.is_empty() {
            m.insert("item".into(), Json::from(children));
        }
        super::extraction::export_into(
            &mut m,
            item.definition.as_ref(),
            item.extraction_context.as_ref(),
        );
        Json::Object(m)
    }

    fn options(
        &self,
        item: &Item,
        m: &mut Map<String, Json>,
        contained: &mut BTreeMap<String, Json>,
    ) {
        // A value set outside the form (its id is its canonical URL) is named, not contained;
        // one searched on the terminology server has no options to list.
        if let Some(url) = item.value_set.as_ref().filter(|id| id.contains(':')) {
            m.insert("answerValueSet".into(), json!(url));
            return;
        }
        if item.options.is_empty() {
            return;
        }
        let weight = |w: Option<f64>, url: &str| {
            w.map(|w| json!({"extension": [{"url": url, "valueDecimal": w}]}))
        };
        if let Some(id) = &item.value_set {
            let concepts: Vec<Json> = item
                .options
                .iter()
                .map(|o| {
                    let mut c = self.coding(o);
                    if let Some(Json::Object(e)) = weight(o.weight, url::ITEM_WEIGHT) {
                        c.extend(e);
                    }
                    Json::Object(c)
                })
                .collect();
            contained.insert(
                id.clone(),
                json!({
                    "resourceType": "ValueSet", "id": id, "name": id, "status": "active",
                    "expansion": {"timestamp": "2026-01-01T00:00:00Z", "contains": concepts},
                }),
            );
            m.insert("answerValueSet".into(), json!(format!("#{id}")));
            return;
        }
        let options: Vec<Json> = item
            .options
            .iter()
            .map(|o| {
                let mut option = Map::new();
                let key = o.value_type.value_key();
                let value = match o.value_type {
                    OptionType::Coding => Json::Object(self.coding(o)),
                    plain => plain.value(&o.code),
                };
                option.insert(key.into(), value);
                if let Some(Json::Object(e)) = weight(o.weight, url::ITEM_WEIGHT) {
                    option.extend(e);
                }
                Json::Object(option)
            })
            .collect();
        m.insert("answerOption".into(), Json::from(options));
    }
}

/// The `answerX` (or `initial.valueX`) element for a literal of the model, by the question's type.
fn answer(operator: Operator, kind: Option<ItemKind>, value: &Json) -> (&'static str, Json) {
    if operator == Operator::Exists {
        return ("answerBoolean", json!(value.as_bool().unwrap_or(true)));
    }
    let key = match (value, kind) {
        (Json::Bool(_), _) => "Boolean",
        (Json::Number(_), Some(ItemKind::Integer)) => "Integer",
        (Json::Number(n), None) if n.is_i64() => "Integer",
        (Json::Number(_), Some(ItemKind::Quantity)) => {
            return ("answerQuantity", json!({ "value": value }));
        }
        (Json::Number(_), _) => "Decimal",
        (Json::String(_), Some(ItemKind::Date)) => "Date",
        (Json::String(_), Some(ItemKind::DateTime)) => "DateTime",
        (Json::String(_), Some(ItemKind::Time)) => "Time",
        (Json::Object(_), _) => "Coding",
        _ => "String",
    };
    let key: &'static str = match key {
        "Boolean" => "answerBoolean",
        "Integer" => "answerInteger",
        "Decimal" => "answerDecimal",
        "Date" => "answerDate",
        "DateTime" => "answerDateTime",
        "Time" => "answerTime",
        "Coding" => "answerCoding",
        _ => "answerString",
    };
    (key, value.clone())
}
