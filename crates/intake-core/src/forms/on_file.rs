//! Groups about what the chart already holds (`on_file: medication-statement`): one instance per
//! active entry on file, each asking whether it is still true, so the patient confirms, changes
//! or retires what the clinic has instead of listing it again. The questions are the product's
//! own, in every language of `locales/*/forms.ftl`, because their answers map to chart updates
//! (`mapping::on_file`).

use serde_json::{Value, json};

use super::{AnswerOption, Condition, EnableWhen, ExtractHook, Item, ItemKind, Operator, Text};

/// What the patient says of a medicine on file.
pub mod medication {
    /// Still taking it as listed.
    pub const TAKING: &str = "taking";
    /// No longer taking it.
    pub const STOPPED: &str = "stopped";
    /// Taking it differently (dose, how often).
    pub const CHANGED: &str = "changed";
}

/// What the patient says of an allergy or condition on file.
pub mod finding {
    /// Still true.
    pub const STILL: &str = "still";
    /// No longer true.
    pub const NO_LONGER: &str = "no-longer";
}

/// The name SDC `itemPopulationContext` gives the entry an instance of `group` is about, in the
/// exported Questionnaire (`%medsOnFileEntry`): one per group, as populate engines bind the
/// names of every group's context side by side.
pub fn context_name(group: &str) -> String {
    // An Expression's name is a FHIR `id`, which has no `_`: `meds_on_file` → `medsOnFileEntry`.
    let mut name = String::new();
    for (index, part) in group.split('_').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            if index == 0 {
                name.push(first);
            } else {
                name.extend(first.to_uppercase());
            }
            name.extend(chars);
        }
    }
    name + "Entry"
}

/// The SDC `itemPopulationContext` of a group about entries of `kind` on file: the current ones
/// in the chart read, as [`is_current`] decides. Spec:
/// <https://build.fhir.org/ig/HL7/sdc/populate.html#itemPopulationContext>
pub fn population_context(kind: ExtractHook) -> String {
    let bundle = format!("%{}.entry.resource", kind.resource_type());
    if kind == ExtractHook::MedicationStatement {
        format!(
            "{bundle}.where(status.empty() or status = 'active' or status = 'intended' or status = 'unknown')"
        )
    } else {
        format!(
            "{bundle}.where(clinicalStatus.empty() or clinicalStatus.coding.code.intersect('active' | 'recurrence' | 'relapse').exists())"
        )
    }
}

/// The SDC `initialExpression`s of the hidden items of `group`'s instances, by item id, over
/// the group's population context: the entry's reference, and its name as [`name`] reads it.
pub fn initial_expressions(group: &str, kind: ExtractHook) -> [(String, String); 2] {
    let entry = format!("%{}", context_name(group));
    let concept = if kind == ExtractHook::MedicationStatement {
        format!("{entry}.medication.ofType(CodeableConcept)")
    } else {
        format!("{entry}.code")
    };
    [
        (
            entry_id(group),
            format!("'{}/' + {entry}.id", kind.resource_type()),
        ),
        (
            name_id(group),
            format!("({concept}.text | {concept}.coding.display).first()"),
        ),
    ]
}

/// The id of the hidden item holding the chart entry's reference (`MedicationStatement/12`).
pub fn entry_id(group: &str) -> String {
    format!("{group}_entry")
}

/// The id of the hidden item holding the entry's name as the chart writes it.
pub fn name_id(group: &str) -> String {
    format!("{group}_name")
}

/// The id of the question whether it is still true.
pub fn status_id(group: &str) -> String {
    format!("{group}_status")
}

/// The id of the patient's words about the change.
pub fn details_id(group: &str) -> String {
    format!("{group}_details")
}

/// The compiled group `id` about entries of `kind` on file.
pub fn group(
    id: &str,
    kind: ExtractHook,
    text: Text,
    help: Option<Text>,
    enable_when: Option<EnableWhen>,
) -> Item {
    let medicine = kind == ExtractHook::MedicationStatement;
    let (question, options, details, details_when) = if medicine {
        (
            words("on-file-still-taking"),
            vec![
                option(medication::TAKING, "on-file-taking"),
                option(medication::STOPPED, "on-file-stopped"),
                option(medication::CHANGED, "on-file-changed"),
            ],
            words("on-file-how-now"),
            medication::CHANGED,
        )
    } else {
        (
            words("on-file-still-true"),
            vec![
                option(finding::STILL, "on-file-still"),
                option(finding::NO_LONGER, "on-file-no-longer"),
            ],
            words("on-file-what-changed"),
            finding::NO_LONGER,
        )
    };
    let status = status_id(id);
    let details_required = medicine;
    Item {
        repeats: true,
        enable_when,
        on_file: Some(kind),
        items: vec![
            Item {
                hidden: true,
                ..plain(&entry_id(id), ItemKind::String, words("on-file-entry"))
            },
            Item {
                hidden: true,
                ..plain(&name_id(id), ItemKind::String, words("on-file-name"))
            },
            Item {
                required: true,
                options,
                ..plain(&status, ItemKind::Choice, question)
            },
            Item {
                required: details_required,
                max_length: Some(500),
                enable_when: Some(EnableWhen::Conditions {
                    any: false,
                    conditions: vec![Condition {
                        question: status,
                        operator: Operator::Equal,
                        answer: json!({ "code": details_when }),
                    }],
                }),
                ..plain(&details_id(id), ItemKind::Text, details)
            },
        ],
        help,
        ..plain(id, ItemKind::Group, text)
    }
}

fn plain(id: &str, kind: ItemKind, text: Text) -> Item {
    Item {
        id: id.to_owned(),
        link_id: None,
        child_of: None,
        kind,
        text,
        help: None,
        codes: Vec::new(),
        required: false,
        repeats: false,
        min_occurs: None,
        max_occurs: None,
        read_only: false,
        hidden: false,
        options: Vec::new(),
        value_set: None,
        searched_on_server: false,
        min: None,
        max: None,
        min_length: None,
        max_length: None,
        regex: None,
        unit: None,
        constraints: Vec::new(),
        enable_when: None,
        calculated: None,
        initial: None,
        candidates: None,
        definition: None,
        extraction_context: None,
        answer_expression: None,
        initial_value: None,
        flags: Vec::new(),
        extract: None,
        on_file: None,
        consent: None,
        attachment: None,
        drawn_signature_of: None,
        bands: Vec::new(),
        normal: None,
        audience: Vec::new(),
        marker: None,
        interpreter: false,
        input: super::InputHints::default(),
        observation_link: None,
        population_context: None,
        variables: Vec::new(),
        items: Vec::new(),
    }
}

// `PRODUCT_TEXTS`: the texts of `locales/*/forms.ftl`, compiled in by build.rs.
include!(concat!(env!("OUT_DIR"), "/product_texts.rs"));

/// Every id of `locales/*/forms.ftl` the questions above use.
pub const TEXT_IDS: [&str; 11] = [
    "on-file-entry",
    "on-file-name",
    "on-file-still-taking",
    "on-file-taking",
    "on-file-stopped",
    "on-file-changed",
    "on-file-how-now",
    "on-file-still-true",
    "on-file-still",
    "on-file-no-longer",
    "on-file-what-changed",
];

/// The product's own text `id`, in every language that has it (`locales/*/forms.ftl`): a
/// form that declares a language without it fails `intake forms check`.
fn words(id: &str) -> Text {
    let texts = PRODUCT_TEXTS
        .iter()
        .find(|(known, _)| *known == id)
        .map_or(&[][..], |(_, texts)| *texts);
    Text::translated(texts.iter().copied())
}

fn option(code: &str, id: &str) -> AnswerOption {
    AnswerOption {
        code: code.to_owned(),
        system: None,
        display: words(id),
        weight: None,
        value_type: super::OptionType::Coding,
    }
}

/// The current entries of a searchset Bundle of the chart (`%MedicationStatement`): each one's
/// reference (`MedicationStatement/12`) and name as the chart writes it.
pub fn current_entries(bundle: &Value) -> Vec<(String, String)> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| &entry["resource"])
        .filter(|resource| is_current(resource))
        .filter_map(|resource| {
            let reference = format!(
                "{}/{}",
                resource["resourceType"].as_str()?,
                resource["id"].as_str()?
            );
            Some((reference, name(resource)?))
        })
        .collect()
}

/// Whether a chart entry says the thing is current: an active clinical status, or a medicine
/// being taken (a missing status counts as current).
pub fn is_current(resource: &Value) -> bool {
    if let Some(status) = resource["status"].as_str() {
        return matches!(status, "active" | "intended" | "unknown");
    }
    let codes: Vec<&str> = resource["clinicalStatus"]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["code"].as_str())
        .collect();
    codes.is_empty()
        || codes
            .iter()
            .any(|c| matches!(*c, "active" | "recurrence" | "relapse"))
}

/// What a chart entry is about, in words: its concept's text, else its first coding's display.
pub fn name(resource: &Value) -> Option<String> {
    let concept = resource
        .get("medicationCodeableConcept")
        .unwrap_or(&resource["code"]);
    concept["text"]
        .as_str()
        .or_else(|| concept["coding"][0]["display"].as_str())
        .or_else(|| resource["medicationReference"]["display"].as_str())
        .map(str::to_owned)
}
