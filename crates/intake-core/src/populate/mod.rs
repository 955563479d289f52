//! SDC `$populate` on the form model: the first answers a draft starts with
//! ([`engine::initial_answers`]: `initialExpression`, `itemPopulationContext`,
//! `observationLinkPeriod`, literal `initial`) as an in-progress QuestionnaireResponse built
//! like every response of the form ([`engine::response_items`]: the Questionnaire's exact
//! linkIds, nesting, texts and repeats), naming the subject, author and encounter of the launch
//! context. The launch context (the chart read, the form's queries) is gathered at the edge the
//! same way for the patient pages and `intake populate`; nothing here waits on the chart.
//! Spec: <https://hl7.org/fhir/uv/sdc/populate.html#expression-based-population>

mod terminology;

use serde_json::{Value as Json, json};

pub use terminology::{Displays, Terminology};

use crate::{
    engine::{self, LaunchContext},
    fhirpath::Clock,
    forms::Form,
};

/// The in-progress QuestionnaireResponse `$populate` gives for `form` in `launch`: its items are
/// the answers a patient's draft starts with; coded answers without a display take one from
/// `terminology`. `%patient` gives the response's subject, `%user` its author (and the clock
/// `authored`) and `%encounter` its encounter.
pub fn populate(form: &Form, launch: &LaunchContext, terminology: &dyn Terminology) -> Json {
    let answers = engine::initial_answers(form, launch);
    let mut items = engine::response_items(form, &answers);
    terminology::fill_displays(&mut items, terminology);
    let mut out = json!({
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "questionnaire": questionnaire_reference(form),
        "item": items,
    });
    if let Some(subject) = launch.patient.as_deref().and_then(reference_to) {
        out["subject"] = subject;
    }
    if let Some(author) = launch.variables.get("user").and_then(|u| reference_to(u)) {
        out["author"] = author;
        out["authored"] = Json::from(instant(launch));
    }
    if let Some(encounter) = launch
        .variables
        .get("encounter")
        .and_then(|e| reference_to(e))
    {
        out["encounter"] = json!({"type": "Encounter", "reference": encounter["reference"]});
    }
    out
}

/// The launch context's time as a FHIR instant in UTC (`2025-08-07T07:38:03.107Z`).
fn instant(launch: &LaunchContext) -> String {
    let clock = Clock::from_unix_millis(launch.now_millis, launch.utc_offset.whole_minutes());
    let mut utc = clock.now.to_utc();
    utc.z = true;
    utc.fmt_plain()
}

/// `url|version`, as a response names its Questionnaire.
fn questionnaire_reference(form: &Form) -> String {
    format!("{}|{}", form.url, form.version)
}

/// A Reference to a resource (the first of a list), with the person's name as its display.
fn reference_to(resource: &Json) -> Option<Json> {
    let resource = match resource {
        Json::Array(list) => list.first()?,
        single => single,
    };
    let kind = resource["resourceType"].as_str()?;
    let id = resource["id"].as_str()?;
    let mut out = json!({"type": kind, "reference": format!("{kind}/{id}")});
    if matches!(kind, "Patient" | "Practitioner" | "RelatedPerson")
        && let Some(name) = display_name(&resource["name"])
    {
        out["display"] = Json::from(name);
    }
    Some(out)
}

/// A HumanName list as one line: its `text`, else prefix, given and family names.
fn display_name(names: &Json) -> Option<String> {
    let name = names.as_array()?.first()?;
    if let Some(text) = name["text"].as_str() {
        return Some(text.to_owned());
    }
    let strings = |v: &Json| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let mut parts = strings(&name["prefix"]);
    parts.extend(strings(&name["given"]));
    parts.extend(name["family"].as_str().map(str::to_owned));
    (!parts.is_empty()).then(|| parts.join(" "))
}
