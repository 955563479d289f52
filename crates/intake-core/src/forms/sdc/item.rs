//! One Questionnaire item → the YAML shape of a form item, with ids mapped and every SDC feature
//! either translated or refused by name.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use super::{
    ImportError,
    import::{list, str_of},
    map_link_id, url,
    value_sets::{ValueSetError, ValueSetSource, external_value_sets},
};
use crate::forms::{Coding, ItemKind};

/// Item conversion state: the linkId mapping, translations met, value sets used.
pub(super) struct ItemImporter {
    /// Every id in use (items, variables, sections).
    pub ids: BTreeSet<String>,
    /// linkId → item id, for linkIds that had to change.
    pub renamed: BTreeMap<String, String>,
    /// Languages of the translations met.
    pub languages: BTreeSet<String>,
    /// Item-level variables, raised to the form.
    pub hoisted: Vec<Json>,
    /// The variables of each repeating group being converted, innermost last: those of the
    /// group and of the items inside it, worked out in each instance.
    pub instance_variables: Vec<Vec<Json>>,
    /// Value sets items use: id → options.
    pub used_value_sets: BTreeMap<String, Vec<Json>>,
    /// Question linkId → item id, for translating answer paths into `%id`.
    questions: BTreeMap<String, String>,
    /// Question linkId → its Questionnaire `type`.
    question_types: BTreeMap<String, String>,
    /// `item.where(linkId='x').answer.value` and its `%resource` forms.
    answer_path: Option<regex_lite::Regex>,
    answer_each: Option<regex_lite::Regex>,
    /// linkIds of string, integer, date and time items with an answer list: imported as
    /// choices whose options keep their type (`value_type`).
    plain_choices: BTreeSet<String>,
    /// Contained ValueSets by `#id` and by url: (value set id, options) or why not.
    pub contained: BTreeMap<String, Result<(String, Vec<Json>), String>>,
    /// Value sets outside the Questionnaire by canonical URL: options, or why none.
    pub external: BTreeMap<String, Result<Vec<Json>, ValueSetError>>,
}

fn unsupported<T>(item: &str, feature: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError::Unsupported {
        item: Some(item.to_owned()),
        feature: feature.into(),
    })
}

fn weight_of(value: &Json) -> Option<Json> {
    list(value, "extension")
        .find(|e| {
            let u = str_of(e, "url").unwrap_or_default();
            u == url::ITEM_WEIGHT || u == url::ORDINAL_VALUE
        })
        .and_then(|e| e.get("valueDecimal").or_else(|| e.get("valueInteger")))
        .cloned()
}

pub(super) fn coding(value: &Json) -> Option<Json> {
    let mut m = Map::new();
    if let Some(s) = str_of(value, "system") {
        m.insert("system".into(), json!(s));
    }
    m.insert("code".into(), json!(str_of(value, "code")?));
    if let Some(d) = str_of(value, "display") {
        m.insert("display".into(), json!(d));
    }
    Some(Json::Object(m))
}

impl ItemImporter {
    pub fn new(q: &Json, source: &dyn ValueSetSource) -> Result<Self, ImportError> {
        let mut this = Self {
            ids: BTreeSet::new(),
            renamed: BTreeMap::new(),
            languages: BTreeSet::new(),
            hoisted: Vec::new(),
            instance_variables: Vec::new(),
            used_value_sets: BTreeMap::new(),
            contained: BTreeMap::new(),
            external: BTreeMap::new(),
            plain_choices: BTreeSet::new(),
            questions: BTreeMap::new(),
            question_types: BTreeMap::new(),
            answer_path: regex_lite::Regex::new(ANSWER_PATH).ok(),
            answer_each: regex_lite::Regex::new(ANSWER_EACH).ok(),
        };
        let mut stack: Vec<&Json> = list(q, "item").collect();
        let mut order = Vec::new();
        while let Some(item) = stack.pop() {
            order.push(item);
            stack.extend(list(item, "item"));
        }
        let groups: BTreeSet<&str> = order
            .iter()
            .filter(|i| matches!(str_of(i, "type"), Some("group" | "display") | None))
            .filter_map(|i| str_of(i, "linkId"))
            .collect();
        // R4 lists answers for integer, date, time and string items too (answerOption.value[x]):
        // the patient picks one, and the response answers it as the Questionnaire wrote it.
        // Spec: <https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item.answerOption>
        for item in &order {
            if matches!(
                str_of(item, "type"),
                Some("string" | "text" | "integer" | "date" | "time")
            ) && item.get("answerOption").is_some()
                && let Some(link) = str_of(item, "linkId")
            {
                this.plain_choices.insert(link.to_owned());
            }
        }
        for item in &order {
            if let (Some(link), Some(kind)) = (str_of(item, "linkId"), str_of(item, "type")) {
                this.question_types.insert(link.to_owned(), kind.to_owned());
            }
        }
        let mut link_ids: Vec<&str> = order.iter().filter_map(|i| str_of(i, "linkId")).collect();
        link_ids.sort_unstable();
        for link in link_ids {
            let mut id = map_link_id(link);
            while this.ids.contains(&id) {
                id.push('_');
            }
            this.ids.insert(id.clone());
            if id != link {
                this.renamed.insert(link.to_owned(), id.clone());
            }
            this.questions.insert(link.to_owned(), id);
        }
        this.questions
            .retain(|link, _| !groups.contains(link.as_str()));
        for vs in list(q, "contained").filter(|c| str_of(c, "resourceType") == Some("ValueSet")) {
            let raw = str_of(vs, "id").unwrap_or_default();
            let id: String = raw
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let concepts = this.concepts(vs, source).map(|c| (id.clone(), c));
            if let Some(u) = str_of(vs, "url") {
                this.contained.insert(u.to_owned(), concepts.clone());
            }
            this.contained.insert(format!("#{raw}"), concepts);
        }
        for url in external_value_sets(q) {
            let options = source
                .expand(&url)
                .map(|codings| codings.iter().map(|c| this.option_of(c)).collect());
            this.external.insert(url, options);
        }
        Ok(this)
    }

    /// An option from a concept a value set source gave.
    fn option_of(&mut self, coding: &Coding) -> Json {
        self.option(
            &serde_json::to_value(coding).unwrap_or_default(),
            &Json::Null,
        )
    }

    fn concepts(&mut self, vs: &Json, source: &dyn ValueSetSource) -> Result<Vec<Json>, String> {
        let mut out = Vec::new();
        let mut stack: Vec<&Json> = list(&vs["expansion"], "contains").rev().collect();
        while let Some(c) = stack.pop() {
            stack.extend(list(c, "contains").rev());
            if str_of(c, "code").is_some() {
                out.push(self.option(c, c));
            }
        }
        let enumerated = list(&vs["compose"], "include").all(|include| {
            include.get("filter").is_none()
                && include.get("valueSet").is_none()
                && include.get("concept").is_some()
        }) && vs["compose"].get("exclude").is_none();
        if out.is_empty() && !enumerated {
            // Whole code systems, filters or other value sets: expanded by the source.
            return match source.expand_definition(vs) {
                Ok(codings) => Ok(codings.iter().map(|c| self.option_of(c)).collect()),
                Err(why) => Err(format!(
                    "a ValueSet defined by filter or a whole code system that cannot be expanded: {why}"
                )),
            };
        }
        if out.is_empty() {
            for include in list(&vs["compose"], "include") {
                for c in list(include, "concept") {
                    let mut c = c.clone();
                    if let (Some(s), Some(m)) = (include.get("system"), c.as_object_mut()) {
                        m.insert("system".into(), s.clone());
                    }
                    out.push(self.option(&c, &c));
                }
            }
        }
        if out.is_empty() {
            return Err("an empty ValueSet".into());
        }
        Ok(out)
    }

    /// An option from a Coding-like value (`code`, `system`, `display`, `_display`).
    pub(super) fn option(&mut self, value: &Json, weights: &Json) -> Json {
        let code = str_of(value, "code").unwrap_or_default();
        let mut m = Map::new();
        m.insert("code".into(), json!(code));
        if let Some(s) = str_of(value, "system") {
            m.insert("system".into(), json!(s));
        }
        let display = self
            .text(value, "display")
            .unwrap_or_else(|| json!({ "en": code }));
        m.insert("display".into(), display);
        if let Some(w) = weight_of(weights).or_else(|| weight_of(value)) {
            m.insert("weight".into(), w);
        }
        Json::Object(m)
    }

    /// Text from `key` and the translations in `_key`, as `{ en: ..., es: ... }`.
    pub fn text(&mut self, value: &Json, key: &str) -> Option<Json> {
        let main = str_of(value, key)?;
        let mut m = Map::new();
        m.insert("en".into(), json!(main));
        for t in list(&value[format!("_{key}")], "extension") {
            if str_of(t, "url") != Some(url::TRANSLATION) {
                continue;
            }
            let part = |name: &str| {
                list(t, "extension")
                    .find(|e| str_of(e, "url") == Some(name))
                    .and_then(|e| str_of(e, "valueCode").or_else(|| str_of(e, "valueString")))
            };
            if let (Some(lang), Some(content)) = (part("lang"), part("content"))
                && lang != "en"
            {
                self.languages.insert(lang.to_owned());
                m.insert(lang.into(), json!(content));
            }
        }
        Some(Json::Object(m))
    }

    /// An expression's text, with the answer paths of questions as `%id`.
    pub(super) fn rewrite(&self, expression: &str) -> String {
        let mut out = super::import::response_alias(&super::import::repair_escapes(expression));
        if !out.contains("linkId") {
            return out;
        }
        if let Some(each) = &self.answer_each {
            out = each
                .replace_all(&out, |c: &regex_lite::Captures<'_>| {
                    let before = c.get(1).map_or("", |m| m.as_str());
                    match self.questions.get(&c[2]) {
                        Some(id) => format!("{before}%{id}.{}($this.", &c[3]),
                        None => c[0].to_owned(),
                    }
                })
                .into_owned();
        }
        if let Some(path) = &self.answer_path {
            out = path
                .replace_all(&out, |c: &regex_lite::Captures<'_>| {
                    let before = c.get(1).map_or("", |m| m.as_str());
                    let Some(id) = self.questions.get(&c[2]) else {
                        return c[0].to_owned();
                    };
                    match c.get(3).map(|m| m.as_str()) {
                        // Read through a type key: the answer when it has that type, else none.
                        Some(key) => {
                            let kind = self.question_types.get(&c[2]).map_or("", String::as_str);
                            let plain = self.plain_choices.contains(&c[2]);
                            if aidbox_keys(kind).contains(&key) && !(plain && key == "Coding") {
                                format!("{before}%{id}")
                            } else {
                                format!("{before}{{}}")
                            }
                        }
                        None => format!("{before}%{id}"),
                    }
                })
                .into_owned();
        }
        // Other `linkId = '...'` literals stay: `%resource` and `%questionnaire` keep the
        // Questionnaire's linkIds (`Item::link_id`).
        out
    }

    /// The FHIRPath of an expression extension (`what` names it in errors).
    pub(super) fn expression(
        &self,
        ext: &Json,
        item: &str,
        what: &str,
    ) -> Result<String, ImportError> {
        let e = &ext["valueExpression"];
        match (str_of(e, "language"), str_of(e, "expression")) {
            (Some("text/fhirpath") | None, Some(source)) => Ok(self.rewrite(source)),
            (Some(language), Some(_)) => unsupported(item, format!("{what} in {language}")),
            (_, None) => unsupported(item, format!("{what} by reference (no expression)")),
        }
    }

    /// A `variable` extension as `{ name, expression }`.
    pub fn variable(&mut self, ext: &Json, item: Option<&str>) -> Result<Json, ImportError> {
        let name = str_of(&ext["valueExpression"], "name").unwrap_or_default();
        let at = item.unwrap_or("(questionnaire)");
        let expression = self.expression(ext, at, &format!("variable `{name}`"))?;
        if map_link_id(name) != name || !self.ids.insert(name.to_owned()) {
            return unsupported(at, format!("variable `{name}` (its name is not a free id)"));
        }
        Ok(json!({ "name": name, "expression": expression }))
    }

    /// An `x-fhir-query` variable as a query `{ name, search }`.
    pub fn query(&mut self, ext: &Json) -> Result<Json, ImportError> {
        let e = &ext["valueExpression"];
        let name = str_of(e, "name").unwrap_or_default();
        let Some(search) = str_of(e, "expression") else {
            return unsupported("(questionnaire)", format!("variable `{name}` by reference"));
        };
        if map_link_id(name) != name || !self.ids.insert(name.to_owned()) {
            return unsupported(
                "(questionnaire)",
                format!("variable `{name}` (its name is not a free id)"),
            );
        }
        Ok(json!({ "name": name, "search": search }))
    }

    pub(super) fn answer(
        &self,
        value: &Json,
        link: &str,
        prefix: &str,
    ) -> Result<Json, ImportError> {
        let Some((key, v)) = value
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.starts_with(prefix)))
        else {
            return Err(ImportError::Invalid(format!(
                "item `{link}`: no {prefix}[x]"
            )));
        };
        match &key[prefix.len()..] {
            "Boolean" | "Integer" | "Decimal" | "String" | "Date" | "DateTime" | "Time" | "Uri" => {
                Ok(v.clone())
            }
            // A quantity condition compares the number (the unit is the item's).
            "Quantity" if v.get("value").is_some_and(Json::is_number) => Ok(v["value"].clone()),
            "Coding" => {
                let mut c = coding(v).unwrap_or_else(|| json!({}));
                if let Some(m) = c.as_object_mut() {
                    m.remove("display");
                }
                Ok(c)
            }
            other => unsupported(link, format!("{prefix}{other}")),
        }
    }

    /// Converts one item (and its children): the item, followed by the items nested under it
    /// when it is a question (SDC `answer.item`), which become its following siblings.
    pub fn item(&mut self, it: &Json, in_repeating: bool) -> Result<Vec<Json>, ImportError> {
        let link = str_of(it, "linkId")
            .ok_or_else(|| ImportError::Invalid("an item has no linkId".into()))?;
        let id = self
            .renamed
            .get(link)
            .cloned()
            .unwrap_or_else(|| link.to_owned());
        // A string, integer, date or time item with an answer list is a choice of those values.
        let type_name = match str_of(it, "type").unwrap_or("group") {
            "coding" => "choice",
            _ if self.plain_choices.contains(link) => "choice",
            other => other,
        };
        let Ok(kind) = serde_json::from_value::<ItemKind>(json!(type_name)) else {
            return unsupported(link, format!("type `{type_name}`"));
        };
        self.refuse(it, link)?;
        let answerable = !matches!(kind, ItemKind::Group | ItemKind::Display);
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        if id != link {
            m.insert("link_id".into(), json!(link));
        }
        m.insert("type".into(), json!(kind.as_str()));
        let text = self.text(it, "text").unwrap_or_else(|| json!({ "en": "" }));
        m.insert("text".into(), text);
        let codes: Vec<Json> = list(it, "code").filter_map(coding).collect();
        if !codes.is_empty() {
            m.insert("code".into(), Json::from(codes));
        }
        if let Some(definition) = str_of(it, "definition") {
            m.insert("definition".into(), json!(definition));
        }
        if let Some(ext) = list(it, "extension").find(|e| super::extraction::is_context(e)) {
            let context = super::extraction::import_context(ext, it, Some(link))?;
            m.insert("extraction_context".into(), context);
        }
        let flag = |key: &str| it.get(key).and_then(Json::as_bool).unwrap_or(false);
        let repeats = flag("repeats") && kind != ItemKind::Display;
        for (key, on) in [
            ("required", flag("required") && answerable),
            ("repeats", repeats),
            ("read_only", flag("readOnly") && answerable),
        ] {
            if on {
                m.insert(key.into(), json!(true));
            }
        }
        if let Some(n) = it.get("maxLength").filter(|_| kind.is_textual()) {
            m.insert("max_length".into(), n.clone());
        }
        self.choices(it, link, kind, &mut m)?;
        if let Some(initial) = list(it, "initial").next().filter(|_| answerable) {
            match initial.get("valueQuantity") {
                // A unit without a number only preselects the unit: the item starts empty.
                Some(quantity) if quantity.get("value").is_none() => {}
                // The literal of a quantity is the FHIR Quantity (its `code` is the unit).
                Some(quantity) => {
                    m.insert("initial_value".into(), quantity.clone());
                }
                None => {
                    m.insert("initial_value".into(), self.answer(initial, link, "value")?);
                }
            }
        }
        if let Some(when) = it.get("enableWhen").and_then(Json::as_array) {
            let mut conditions = Vec::new();
            for c in when {
                let original = str_of(c, "question").unwrap_or_default();
                // A modular sub-questionnaire's conditions may name its parent's questions.
                if !self.questions.contains_key(original) {
                    return unsupported(
                        link,
                        format!(
                            "enableWhen on a question the Questionnaire does not have: `{original}`"
                        ),
                    );
                }
                let question = self.renamed.get(original).map_or(original, String::as_str);
                // STU3 wrote `hasAnswer` for `exists` and left `=` implicit.
                let (operator, answer) = match (str_of(c, "operator"), c.get("hasAnswer")) {
                    (None, Some(has)) => ("exists", has.clone()),
                    // On a choice of plain values the answer stays a value (`34`, `'B'`).
                    (operator, _) => (operator.unwrap_or("="), self.answer(c, link, "answer")?),
                };
                conditions
                    .push(json!({"question": question, "operator": operator, "answer": answer}));
            }
            let behavior = if str_of(it, "enableBehavior") == Some("any") {
                "any"
            } else {
                "all"
            };
            m.insert("enable_when".into(), json!({ behavior: conditions }));
        }
        let repeating_group = kind == ItemKind::Group && repeats;
        if repeating_group {
            self.instance_variables.push(Vec::new());
        }
        let converted = self
            .extensions(it, link, kind, in_repeating, &mut m)
            .and_then(|()| self.children(it, &id, kind, in_repeating || repeats, &mut m));
        if repeating_group {
            let variables = self.instance_variables.pop().unwrap_or_default();
            if !variables.is_empty() {
                m.insert("variables".into(), Json::from(variables));
            }
        }
        let mut children = converted?;
        if !repeats {
            m.remove("min_occurs");
            m.remove("max_occurs");
        }
        if kind != ItemKind::Group {
            children.insert(0, Json::Object(m));
            return Ok(children);
        }
        // A group about entries on file has the product's own questions, built when compiled.
        if m.contains_key("on_file") {
            for key in ["repeats", "required"] {
                m.remove(key);
            }
            return Ok(vec![Json::Object(m)]);
        }
        if children.is_empty() {
            return unsupported(link, "a group with no items");
        }
        m.insert("items".into(), Json::from(children));
        Ok(vec![Json::Object(m)])
    }

    /// The items under `it`, converted: display children of a question become its help (in
    /// `m`), other children follow it `child_of` it (a question) or are its items (a group).
    fn children(
        &mut self,
        it: &Json,
        id: &str,
        kind: ItemKind,
        in_repeating: bool,
        m: &mut Map<String, Json>,
    ) -> Result<Vec<Json>, ImportError> {
        let answerable = !matches!(kind, ItemKind::Group | ItemKind::Display);
        let mut children = Vec::new();
        for child in list(it, "item") {
            let display = str_of(child, "type") == Some("display");
            let help = list(child, "extension").any(|e| {
                str_of(e, "url") == Some(url::ITEM_CONTROL) && e.to_string().contains("\"help\"")
            });
            if display && (help || kind != ItemKind::Group) {
                if !m.contains_key("help") && kind != ItemKind::Display {
                    let text = self
                        .text(child, "text")
                        .unwrap_or_else(|| json!({"en": ""}));
                    m.insert("help".into(), text);
                }
            } else {
                let mut converted = self.item(child, in_repeating)?;
                // The child itself comes first; what follows it is already nested under it.
                if let (true, Some(Json::Object(first))) = (answerable, converted.first_mut()) {
                    first.insert("child_of".into(), json!(id));
                }
                children.extend(converted);
            }
        }
        Ok(children)
    }
}

/// The answers of one question as SDC expressions reach them, from `%resource` or from the
/// response root: `%resource.item.where(linkId='x').answer.value`,
/// `%resource.repeat(item).where(linkId = 'x').answer.valueCoding`, `item.where(linkId='x').answer.value`.
/// Intake binds these answers as `%x`, so the importer writes that.
///
/// [`ANSWER_EACH`] is the same for a test on each answer, `….answer.all(value.matches(…))`,
/// which becomes `%x.all($this.matches(…))`.
const ANSWER_EACH: &str = r"(?:%resource\.(?:repeat\(item\)|item(?:\.item)*)|(^|[^.\w%'])item(?:\.item)*)\.where\(linkId\s*=\s*'([^']+)'\)\.answer\.(all|exists|where)\(value\.";

/// The third group is the type key Aidbox and Beda forms read the answer through
/// (`answer.value.integer`: their JSON keeps `value[x]` as `value: {integer: 5}`).
const ANSWER_PATH: &str = r"(?:%resource\.(?:repeat\(item\)|item(?:\.item)*)|(^|[^.\w%'])item(?:\.item)*)\.where\(linkId\s*=\s*'([^']+)'\)\.answer\.value(?:Coding|Decimal|Integer|String|Boolean|DateTime|Date|Time|Quantity)?(?:\.(integer|decimal|string|boolean|dateTime|date|time|uri|Coding|Quantity|Reference|Attachment)\b)?";

/// The Aidbox type keys an answer of a question of `type` can be read through.
fn aidbox_keys(question_type: &str) -> &'static [&'static str] {
    match question_type {
        "boolean" => &["boolean"],
        "decimal" => &["decimal"],
        "integer" => &["integer"],
        "date" => &["date"],
        "dateTime" => &["dateTime"],
        "time" => &["time"],
        "string" | "text" => &["string"],
        "url" => &["uri"],
        "choice" => &["Coding"],
        "open-choice" => &["Coding", "string"],
        "quantity" => &["Quantity"],
        "reference" => &["Reference"],
        "attachment" => &["Attachment"],
        _ => &[],
    }
}
