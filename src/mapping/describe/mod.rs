//! A proposed change in clinical words, beside what the chart holds now: "Penicillin allergy —
//! active → resolved; patient says: stopped reacting in 2019". Staff decide from this; the FHIR
//! JSON is a technical detail behind a disclosure.
//!
//! Each resource type Intake proposes has its rows (`rows.rs`); a comparison pairs the rows of
//! the proposal with those of the chart's current resource and marks what differs.

mod rows;
mod words;

use serde_json::Value;

pub use rows::describe;

/// A resource as staff read it: what it is about, and its facts in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicalView {
    /// What kind of entry, e.g. "Allergy", "Medicine", "Demographics".
    pub kind: &'static str,
    /// What it is about, e.g. "Penicillin" or "Rosa Delgado".
    pub subject: String,
    /// The facts, in the order a clinician reads them.
    pub rows: Vec<ClinicalRow>,
}

/// One fact: a label and its value in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicalRow {
    /// E.g. "Status".
    pub label: String,
    /// E.g. "Active".
    pub value: String,
}

/// A proposal beside the chart's current value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeComparison {
    /// What kind of entry.
    pub kind: &'static str,
    /// What it is about.
    pub subject: String,
    /// The change in one line: "Penicillin allergy — active → resolved; patient says: …".
    pub headline: String,
    /// Every fact either side has, in order.
    pub rows: Vec<ComparedRow>,
    /// Whether the chart has a current value to compare with.
    pub on_file: bool,
}

/// One fact on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedRow {
    /// E.g. "Status".
    pub label: String,
    /// As proposed; `None` when the proposal does not say.
    pub proposed: Option<String>,
    /// As on the chart; `None` when the chart does not say (or there is no chart value).
    pub on_file: Option<String>,
    /// Whether the two differ (always false without a chart value: everything is new then).
    pub differs: bool,
}

/// Labels whose change is the headline's "from → to" (the entry's state), in order of weight.
const STATUS_LABELS: [&str; 3] = ["Status", "Clinical status", "Value"];
/// The label of the notes; what a proposal adds to the chart's notes are the patient's words,
/// quoted at the end of the headline.
pub(crate) const NOTE_LABEL: &str = "Notes";

/// Compares a proposal with the chart's current resource (`None` for a new entry).
pub fn compare(proposed: &Value, on_file: Option<&Value>) -> ChangeComparison {
    let new = describe(proposed);
    let old = on_file.map(describe);
    let mut rows: Vec<ComparedRow> = new
        .rows
        .iter()
        .map(|row| {
            let before = old
                .as_ref()
                .and_then(|old| old.rows.iter().find(|r| r.label == row.label))
                .map(|r| r.value.clone());
            ComparedRow {
                differs: old.is_some() && before.as_deref() != Some(row.value.as_str()),
                label: row.label.clone(),
                proposed: Some(row.value.clone()),
                on_file: before,
            }
        })
        .collect();
    if let Some(old) = &old {
        for row in &old.rows {
            if !new.rows.iter().any(|r| r.label == row.label) {
                rows.push(ComparedRow {
                    label: row.label.clone(),
                    proposed: None,
                    on_file: Some(row.value.clone()),
                    differs: false,
                });
            }
        }
    }
    ChangeComparison {
        headline: headline(&new, &rows, old.is_some()),
        kind: new.kind,
        subject: new.subject,
        rows,
        on_file: old.is_some(),
    }
}

/// "Penicillin allergy — active → resolved; patient says: stopped reacting in 2019", or for a
/// new entry "Penicillin allergy — new, as the patient reported it".
fn headline(view: &ClinicalView, rows: &[ComparedRow], on_file: bool) -> String {
    let title = words::title(view.kind, &view.subject);
    let what = if on_file {
        let moved = STATUS_LABELS.iter().find_map(|label| {
            rows.iter()
                .find(|r| r.label == *label && r.differs)
                .and_then(|r| Some((r.on_file.as_deref()?, r.proposed.as_deref()?)))
        });
        match moved {
            Some((from, to)) => format!("{} → {}", from.to_lowercase(), to.to_lowercase()),
            None => {
                let changed: Vec<String> = rows
                    .iter()
                    .filter(|r| r.differs && r.label != NOTE_LABEL)
                    .map(|r| {
                        format!(
                            "{} {} → {}",
                            r.label.to_lowercase(),
                            r.on_file.as_deref().unwrap_or("none"),
                            r.proposed.as_deref().unwrap_or("none")
                        )
                    })
                    .collect();
                if changed.is_empty() {
                    "no change".to_owned()
                } else {
                    changed.join(", ")
                }
            }
        }
    } else {
        "new, as the patient reported it".to_owned()
    };
    let said = rows
        .iter()
        .find(|r| r.label == NOTE_LABEL && (r.differs || !on_file))
        .and_then(|r| r.proposed.as_deref())
        .map(|note| {
            // Only what this proposal adds: the chart's notes are kept before it.
            let old = rows
                .iter()
                .find(|r| r.label == NOTE_LABEL)
                .and_then(|r| r.on_file.as_deref())
                .unwrap_or_default();
            note.strip_prefix(old).unwrap_or(note).trim().to_owned()
        })
        .filter(|note| !note.is_empty());
    match said {
        Some(note) => format!("{title} — {what}; patient says: {note}"),
        None => format!("{title} — {what}"),
    }
}

#[cfg(test)]
mod tests;
