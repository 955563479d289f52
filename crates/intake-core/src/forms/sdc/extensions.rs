//! An item's answer list and extensions → keys of the form item's YAML shape.

use serde_json::{Map, Value as Json, json};

use super::{
    ImportError,
    import::{list, str_of},
    item::ItemImporter,
    map_link_id, url,
    value_sets::ValueSetFailure,
};
use crate::forms::ItemKind;

fn unsupported<T>(item: &str, feature: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError::Unsupported {
        item: Some(item.to_owned()),
        feature: feature.into(),
    })
}

/// The sub-extension `name` of a complex extension.
fn sub<'a>(ext: &'a Json, name: &str) -> Option<&'a Json> {
    list(ext, "extension").find(|e| str_of(e, "url") == Some(name))
}

/// Features SDC defines that change behaviour Intake does not have.
const REFUSED: &[(&str, &str)] = &[
    (
        "templateExtract",
        "templateExtract (template-based extraction)",
    ),
    (
        "templateExtractContext",
        "templateExtract (template-based extraction)",
    ),
    ("subQuestionnaire", "subQuestionnaire (modular forms)"),
    (
        "answerOptionsToggleExpression",
        "answerOptionsToggleExpression",
    ),
];

impl ItemImporter {
    /// Refuses an item using a feature Intake does not have.
    pub(super) fn refuse(&self, it: &Json, link: &str) -> Result<(), ImportError> {
        // A group about entries on file populates its instances the way Intake exports it.
        let on_file = list(it, "extension").any(|e| str_of(e, "url") == Some(url::ON_FILE));
        for ext in list(it, "extension") {
            let sdc = str_of(ext, "url")
                .and_then(|u| u.strip_prefix(url::SDC))
                .unwrap_or_default();
            if on_file && sdc == "itemPopulationContext" {
                continue;
            }
            if let Some((_, feature)) = REFUSED.iter().find(|(name, _)| *name == sdc) {
                return unsupported(link, *feature);
            }
        }
        Ok(())
    }

    /// `answerOption` / `answerValueSet` → `options` / `value_set` (and `initialSelected`).
    pub(super) fn choices(
        &mut self,
        it: &Json,
        link: &str,
        kind: ItemKind,
        m: &mut Map<String, Json>,
    ) -> Result<(), ImportError> {
        // `answerOption` wins where both are given (LHC-Forms exports both).
        let value_set = str_of(it, "answerValueSet").filter(|_| it.get("answerOption").is_none());
        if let Some(reference) = value_set {
            if !kind.has_options() {
                return unsupported(link, format!("answerValueSet on {} item", a(kind)));
            }
            match self.contained.get(reference).cloned() {
                Some(Ok((id, options))) => {
                    m.insert("value_set".into(), json!(id));
                    self.used_value_sets.insert(id, options);
                }
                Some(Err(why)) => return unsupported(link, format!("answerValueSet ({why})")),
                // Outside the Questionnaire: the value set is known by its canonical URL.
                None => match self.external.get(reference).cloned() {
                    Some(Ok(options)) => {
                        m.insert("value_set".into(), json!(reference));
                        self.used_value_sets.insert(reference.to_owned(), options);
                    }
                    // Too large to list: the form names it, and the patient searches it on
                    // the terminology server (the compile resolves it the same way).
                    Some(Err(error))
                        if error.failure == ValueSetFailure::SearchedOnServer
                            && kind == ItemKind::Choice =>
                    {
                        m.insert("value_set".into(), json!(reference));
                    }
                    Some(Err(error)) => {
                        return Err(ImportError::ValueSet {
                            item: Some(link.to_owned()),
                            url: reference.to_owned(),
                            error,
                        });
                    }
                    None => {
                        return unsupported(
                            link,
                            format!("answerValueSet `{reference}` (not resolved before import)"),
                        );
                    }
                },
            }
        }
        // `option` is the STU3 name of `answerOption`.
        let options = it.get("answerOption").or_else(|| it.get("option"));
        if let Some(options) = options.and_then(Json::as_array) {
            if !kind.has_options() {
                return unsupported(link, format!("answerOption on {} item", a(kind)));
            }
            let mut out = Vec::new();
            for o in options {
                let option = if let Some(coding) = o.get("valueCoding") {
                    let mut option = self.option(coding, o);
                    // A Coding with a display and no code is picked, and answered, by it.
                    if str_of(coding, "code").is_none()
                        && let Some(display) = str_of(coding, "display")
                    {
                        option["code"] = json!(display);
                        option["value_type"] = json!("display");
                    }
                    option
                } else if let Some((key, value)) = o.as_object().and_then(|m| {
                    m.iter().find(|(k, _)| {
                        matches!(
                            k.as_str(),
                            "valueString" | "valueInteger" | "valueDate" | "valueTime"
                        )
                    })
                }) {
                    let code = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    let mut option = json!({"code": code, "display": {"en": code}});
                    // Answered as written (`valueString`...), not as a Coding.
                    option["value_type"] = json!(key["value".len()..].to_lowercase());
                    if let Some(w) = self.option(&json!({"code": code}), o).get("weight") {
                        option["weight"] = w.clone();
                    }
                    option
                } else {
                    return unsupported(
                        link,
                        "answerOption other than a Coding, string, integer, date or time",
                    );
                };
                if o.get("initialSelected").and_then(Json::as_bool) == Some(true)
                    && !m.contains_key("initial_value")
                {
                    // A plain value is selected by that value, a Coding by its code.
                    let selected = match option.get("value_type").and_then(Json::as_str) {
                        Some("integer") => option["code"]
                            .as_str()
                            .and_then(|c| c.parse::<i64>().ok())
                            .map_or_else(|| option["code"].clone(), Json::from),
                        Some(_) => option["code"].clone(),
                        None => {
                            let mut selected = json!({"code": option["code"]});
                            if let Some(system) = option.get("system") {
                                selected["system"] = system.clone();
                            }
                            selected
                        }
                    };
                    m.insert("initial_value".into(), selected);
                }
                out.push(option);
            }
            m.insert("options".into(), Json::from(out));
        }
        let computed = list(it, "extension").any(|e| {
            str_of(e, "url").and_then(|u| u.strip_prefix(url::SDC)) == Some("answerExpression")
        });
        if kind == ItemKind::Choice
            && !computed
            && !m.contains_key("options")
            && !m.contains_key("value_set")
        {
            return unsupported(link, "a choice item without answerOption or answerValueSet");
        }
        Ok(())
    }

    /// The item's extensions.
    pub(super) fn extensions(
        &mut self,
        it: &Json,
        link: &str,
        kind: ItemKind,
        in_repeating: bool,
        m: &mut Map<String, Json>,
    ) -> Result<(), ImportError> {
        let answerable = !matches!(kind, ItemKind::Group | ItemKind::Display);
        // A group about entries on file populates its instances its own way.
        let on_file = list(it, "extension").any(|e| str_of(e, "url") == Some(url::ON_FILE));
        let mut message = None;
        for ext in list(it, "extension") {
            let u = str_of(ext, "url").unwrap_or_default();
            let sdc = u.strip_prefix(url::SDC).unwrap_or_default();
            let value = |key: &str| ext.get(key).cloned();
            match (u, sdc) {
                (url::HIDDEN, _) if value("valueBoolean") == Some(json!(true)) => {
                    m.insert("hidden".into(), json!(true));
                }
                (url::MIN_OCCURS, _) => set(m, "min_occurs", value("valueInteger")),
                (url::MAX_OCCURS, _) => set(m, "max_occurs", value("valueInteger")),
                (url::MIN_VALUE | url::MAX_VALUE, _) if kind.has_bounds() => {
                    let bound = ["valueInteger", "valueDecimal", "valueDate", "valueDateTime"]
                        .iter()
                        .find_map(|k| value(k))
                        .or_else(|| ext.pointer("/valueQuantity/value").cloned());
                    let key = if u == url::MIN_VALUE { "min" } else { "max" };
                    set(m, key, bound);
                }
                (url::MIN_LENGTH, _) if kind.is_textual() => {
                    set(m, "min_length", value("valueInteger"));
                }
                (url::REGEX, _) if kind.is_textual() => {
                    set(
                        m,
                        "regex",
                        value("valueString").map(|p| json!({ "pattern": p })),
                    );
                }
                (url::VALIDATION_MESSAGE, _) => message = self.text(ext, "valueString"),
                // A quantity's unit: `unitOption` as SDC has it (the first, where several are
                // offered: Intake asks in one unit), or `unit` as older exports wrote it.
                (url::UNIT_OPTION, _) if kind == ItemKind::Quantity && m.contains_key("unit") => {}
                (url::UNIT | url::UNIT_OPTION, _) if kind == ItemKind::Quantity => {
                    set(
                        m,
                        "unit",
                        ext.get("valueCoding").and_then(super::item::coding),
                    );
                }
                (_, "enableWhenExpression") => {
                    if m.contains_key("enable_when") {
                        return unsupported(link, "enableWhen together with enableWhenExpression");
                    }
                    let e = self.expression(ext, link, "enableWhenExpression")?;
                    m.insert("enable_when".into(), json!(e));
                }
                (_, "calculatedExpression") => {
                    if !answerable {
                        return unsupported(
                            link,
                            "calculatedExpression on a group or display item",
                        );
                    }
                    let e = self.expression(ext, link, "calculatedExpression")?;
                    m.insert("calculated".into(), json!(e));
                }
                // https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-observationLinkPeriod.html
                (_, "observationLinkPeriod") if answerable => {
                    let duration = &ext["valueDuration"];
                    let unit = str_of(duration, "code")
                        .or_else(|| str_of(duration, "unit"))
                        .map(|u| match u {
                            "year" | "years" => "a",
                            "month" | "months" => "mo",
                            "week" | "weeks" => "wk",
                            "day" | "days" => "d",
                            other => other,
                        });
                    let value = duration.get("value").and_then(|v| {
                        v.as_u64()
                            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                            .or_else(|| v.as_f64().map(|f| f.ceil() as u64))
                    });
                    match (value, unit) {
                        (Some(value), Some(unit)) => {
                            m.insert(
                                "observation_link".into(),
                                json!({"value": value, "unit": unit}),
                            );
                        }
                        _ => return unsupported(link, "observationLinkPeriod without a duration"),
                    }
                }
                // https://hl7.org/fhir/uv/sdc/STU3/StructureDefinition-sdc-questionnaire-itemPopulationContext.html
                // A named `initialExpression` on a group is how forms written for SDC before
                // `itemPopulationContext` said the same (the SDC test forms still do).
                (_, "itemPopulationContext") | (_, "initialExpression")
                    if !on_file
                        && (sdc == "itemPopulationContext"
                            || (kind == ItemKind::Group
                                && str_of(&ext["valueExpression"], "name").is_some())) =>
                {
                    if kind != ItemKind::Group {
                        return unsupported(link, "itemPopulationContext on a question");
                    }
                    let name = str_of(&ext["valueExpression"], "name").unwrap_or_default();
                    let expression = self.expression(ext, link, sdc)?;
                    if map_link_id(name) != name || !self.ids.insert(name.to_owned()) {
                        return unsupported(
                            link,
                            format!("itemPopulationContext `{name}` (its name is not a free id)"),
                        );
                    }
                    m.insert(
                        "population_context".into(),
                        json!({"name": name, "expression": expression}),
                    );
                }
                // An answer list worked out from the answers so far, in place of a fixed one.
                (_, "answerExpression") => {
                    if !matches!(kind, ItemKind::Choice | ItemKind::OpenChoice) {
                        return unsupported(link, format!("answerExpression on {} item", a(kind)));
                    }
                    if m.contains_key("options") || m.contains_key("value_set") {
                        return unsupported(
                            link,
                            "answerExpression beside answerOption or answerValueSet",
                        );
                    }
                    if ext["valueExpression"]["language"] == "application/x-fhir-query" {
                        return unsupported(
                            link,
                            "answerExpression in application/x-fhir-query (an answer list searched for while the patient answers)",
                        );
                    }
                    let e = self.expression(ext, link, "answerExpression")?;
                    m.insert("answer_expression".into(), json!(e));
                }
                // Candidate answers the patient may pick; for a group, SDC's candidates are
                // instances to pick, which Intake does not offer.
                (_, "candidateExpression") => {
                    let repeats = m.get("repeats") == Some(&json!(true));
                    if !crate::forms::Item::offers_candidates(kind, repeats) {
                        let what = if repeats { "a repeating" } else { "a" };
                        return unsupported(
                            link,
                            format!("candidateExpression on {what} {} item", kind.as_str()),
                        );
                    }
                    let e = self.expression(ext, link, "candidateExpression")?;
                    m.insert("candidates".into(), json!(e));
                }
                (url::OLD_INITIAL_EXPRESSION, _) | (_, "initialExpression") if answerable => {
                    let e = self.expression(ext, link, "initialExpression")?;
                    m.insert("initial".into(), json!(e));
                }
                (url::VARIABLE, _) => {
                    let repeating = in_repeating || m.get("repeats") == Some(&json!(true));
                    let mut variable = self.variable(ext, Some(link))?;
                    let source = variable["expression"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    if source.contains("%context") || source.contains("%qitem") {
                        return unsupported(link, "variable reading %context or %qitem");
                    }
                    if repeating {
                        // Worked out in each instance of the repeating group around it (or that
                        // it is), from that instance's answers.
                        if reads_focus(&source) {
                            return unsupported(
                                link,
                                "variable inside a repeating group that navigates from its item",
                            );
                        }
                        let Some(group) = self.instance_variables.last_mut() else {
                            return unsupported(link, "variable under a repeating question");
                        };
                        group.push(variable);
                        continue;
                    }
                    if reads_focus(&source) {
                        // Evaluated on the item: the form-level variable selects the item first
                        // (`%resource` keeps the Questionnaire's linkIds).
                        variable["expression"] = json!(format!(
                            "%resource.repeat(item).where(linkId = '{link}').select({source})"
                        ));
                    }
                    self.hoisted.push(variable);
                }
                (url::TARGET_CONSTRAINT, _) => {
                    let constraint = self.constraint(ext, link, m)?;
                    push(m, "constraints", constraint);
                }
                (url::FLAG, _) => {
                    let flag = self.flag(ext, link)?;
                    push(m, "flags", flag);
                }
                (url::EXTRACT, _) if answerable => set(m, "extract", value("valueCode")),
                (url::ON_FILE, _) if !answerable => set(m, "on_file", value("valueCode")),
                // https://hl7.org/fhir/R4/extension-mimetype.html and -maxsize.html
                // Only the types Intake can check and clean; a photo of a document the
                // Questionnaire wanted as a PDF still serves.
                (url::MIME_TYPE, _) => {
                    if let Some(code) = value("valueCode").filter(|code| {
                        code.as_str()
                            .is_some_and(|c| crate::forms::AttachmentRules::SUPPORTED.contains(&c))
                    }) {
                        push(m, "mime_types", code);
                    }
                }
                (url::MAX_SIZE, _) => set(
                    m,
                    "max_size",
                    value("valueDecimal").or_else(|| value("valueInteger")),
                ),
                (url::CONSENT, _) => {
                    let part = |name: &str| sub(ext, name).and_then(|e| str_of(e, "valueString"));
                    let mut terms = json!({
                        "version": part("version").unwrap_or_default(),
                        "signature": part("signature").unwrap_or_default(),
                    });
                    if let Some(drawn) = part("drawn") {
                        terms["drawn"] = json!(drawn);
                    }
                    m.insert("consent".into(), terms);
                }
                (url::SCORE_BAND, _) => {
                    let bound = |name: &str| {
                        sub(ext, name)
                            .and_then(|e| e.get("valueDecimal").or_else(|| e.get("valueInteger")))
                            .cloned()
                    };
                    let text = |this: &mut Self, name: &str| {
                        sub(ext, name)
                            .and_then(|e| this.text(e, "valueString"))
                            .unwrap_or_else(|| json!({"en": ""}))
                    };
                    let label = text(self, "label");
                    let meaning = text(self, "meaning");
                    let band = json!({
                        "min": bound("min").unwrap_or_default(), "max": bound("max").unwrap_or_default(),
                        "label": label, "meaning": meaning,
                    });
                    push(m, "bands", band);
                }
                (url::NORMAL_ANSWER, _) => match (value("valueBoolean"), value("valueCode")) {
                    (Some(normal), _) => set(m, "normal", Some(normal)),
                    (None, Some(code)) => push(m, "normal", code),
                    (None, None) => {}
                },
                (url::AUDIENCE, _) => set(m, "for", value("valueCode").map(|c| json!([c]))),
                (url::STAFF_MARKER, _) => set(m, "marker", self.text(ext, "valueString")),
                (url::INTERPRETER, _) => set(m, "interpreter", value("valueBoolean")),
                (url::AUTOCOMPLETE, _) => set(m, "autocomplete", value("valueCode")),
                (url::INPUT_MODE, _) => set(m, "inputmode", value("valueCode")),
                (_, "observationExtract")
                    if answerable && value("valueBoolean") == Some(json!(true)) =>
                {
                    m.insert("extract".into(), json!("observation"));
                }
                _ => {}
            }
        }
        if let Some(Json::Object(regex)) = m.get_mut("regex") {
            let message =
                message.unwrap_or_else(|| json!({"en": "Please check the format of this answer"}));
            regex.insert("message".into(), message);
        }
        Ok(())
    }

    fn constraint(
        &mut self,
        ext: &Json,
        link: &str,
        m: &Map<String, Json>,
    ) -> Result<Json, ImportError> {
        let n = m
            .get("constraints")
            .and_then(Json::as_array)
            .map_or(0, Vec::len)
            + 1;
        let key = sub(ext, "key")
            .and_then(|k| str_of(k, "valueId"))
            .map_or_else(|| format!("constraint_{n}"), super::constraint_id);
        let severity = match sub(ext, "severity").and_then(|s| str_of(s, "valueCode")) {
            Some("warning") => "warning",
            _ => "error",
        };
        let expression = sub(ext, "expression").ok_or_else(|| {
            ImportError::Invalid(format!(
                "item `{link}`: a targetConstraint has no expression"
            ))
        })?;
        let expression = self.expression(expression, link, "targetConstraint")?;
        let message = sub(ext, "human")
            .and_then(|h| self.text(h, "valueString"))
            .unwrap_or_else(|| json!({"en": key}));
        Ok(json!({"id": key, "expression": expression, "message": message, "severity": severity}))
    }

    fn flag(&mut self, ext: &Json, link: &str) -> Result<Json, ImportError> {
        let part = |name: &str, key: &str| sub(ext, name).and_then(|e| str_of(e, key));
        let when = sub(ext, "when")
            .ok_or_else(|| ImportError::Invalid(format!("item `{link}`: a flag has no `when`")))?;
        let when = self.expression(when, link, "flag")?;
        let message = sub(ext, "message")
            .and_then(|h| self.text(h, "valueString"))
            .unwrap_or_else(|| json!({"en": ""}));
        let audience: Vec<&str> = list(ext, "extension")
            .filter(|e| str_of(e, "url") == Some("for"))
            .filter_map(|e| str_of(e, "valueCode"))
            .collect();
        let notify: Vec<&str> = list(ext, "extension")
            .filter(|e| str_of(e, "url") == Some("notify"))
            .filter_map(|e| str_of(e, "valueString"))
            .collect();
        let mut flag = json!({
            // A string since flag ids have `_`; `valueId` as exports before that wrote it.
            "id": part("id", "valueString").or_else(|| part("id", "valueId")).unwrap_or("flag"),
            "severity": part("severity", "valueCode").unwrap_or("warning"),
            "when": when, "message": message, "for": audience,
        });
        if !notify.is_empty() {
            flag["notify"] = json!(notify);
        }
        Ok(flag)
    }
}

fn set(m: &mut Map<String, Json>, key: &str, value: Option<Json>) {
    if let Some(value) = value {
        m.insert(key.into(), value);
    }
}

fn push(m: &mut Map<String, Json>, key: &str, value: Json) {
    if let Json::Array(list) = m.entry(key).or_insert_with(|| json!([])) {
        list.push(value);
    }
}

/// Whether an expression starts by navigating from its focus (`item.where(...)`), rather than
/// from a `%`-variable, a literal or a function such as `iif(...)` or `today()`.
fn reads_focus(source: &str) -> bool {
    let source = source.trim_start();
    let name: String = source
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let first = source.chars().next().unwrap_or(' ');
    let literal = matches!(name.as_str(), "true" | "false");
    (first.is_ascii_alphabetic() || first == '$')
        && !literal
        && !source[name.len()..].trim_start().starts_with('(')
}

/// The type's name with its article: `a string`, `an integer`.
fn a(kind: ItemKind) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}
