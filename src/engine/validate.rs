//! The checks on one enabled item's answers. What stops a submission has severity `error`.

use super::{Answer, Answers, iso_date};
use crate::forms::{Bound, Constraint, Form, Item, ItemKind, Severity, Text};

/// Something about an answer the patient (or the form designer) must see.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The item.
    pub item_id: String,
    /// Where a page shows it: the item id, or `group.N.item` in instance `N` of a repeating
    /// group.
    pub field: String,
    /// What is wrong.
    pub kind: IssueKind,
    /// `error` stops submission; `warning` only tells.
    pub severity: Severity,
}

/// The kinds of issue.
#[derive(Debug, Clone, PartialEq)]
pub enum IssueKind {
    /// A required item has no answer.
    Required,
    /// Fewer answers than `min_occurs`.
    TooFew(u32),
    /// More answers than allowed.
    TooMany(u32),
    /// Below `min`, which the message states.
    BelowMin(Bound),
    /// Above `max`, which the message states.
    AboveMax(Bound),
    /// Shorter than `min_length`.
    TooShort(u32),
    /// Longer than `max_length`.
    TooLong(u32),
    /// Does not match `regex`; the designer's message.
    Pattern(Text),
    /// A constraint is false; its id and message.
    Constraint(String, Text),
    /// The answers would propose more chart changes than the form's `max_changes`.
    TooManyChanges(u32),
}

impl Issue {
    fn error(item: &Item, kind: IssueKind) -> Self {
        Self {
            item_id: item.id.clone(),
            field: item.id.clone(),
            kind,
            severity: Severity::Error,
        }
    }

    /// A violated constraint.
    pub fn constraint(item: &Item, constraint: &Constraint) -> Self {
        Self {
            item_id: item.id.clone(),
            field: item.id.clone(),
            kind: IssueKind::Constraint(constraint.id.clone(), constraint.message.clone()),
            severity: constraint.severity,
        }
    }

    /// Whether it stops submission.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Whether it says an answer is missing (rather than wrong): the review page asks for
    /// those, while a page shows what is wrong with answers given as soon as they are saved.
    pub fn is_missing_answer(&self) -> bool {
        matches!(self.kind, IssueKind::Required | IssueKind::TooFew(_))
    }
}

impl IssueKind {
    /// The message the patient sees next to the field, in `language` (`en` or `es`).
    pub fn message(&self, language: &str) -> String {
        let spanish = language == "es";
        match (self, spanish) {
            (Self::Pattern(message) | Self::Constraint(_, message), _) => {
                message.in_language(language).to_owned()
            }
            (Self::Required, false) => "This question needs an answer.".to_owned(),
            (Self::Required, true) => "Esta pregunta necesita una respuesta.".to_owned(),
            (Self::TooFew(n), false) => format!("Give at least {n} answers."),
            (Self::TooFew(n), true) => format!("Dé al menos {n} respuestas."),
            (Self::TooMany(1), false) => "Give only one answer.".to_owned(),
            (Self::TooMany(1), true) => "Dé solo una respuesta.".to_owned(),
            (Self::TooMany(n), false) => format!("Give at most {n} answers."),
            (Self::TooMany(n), true) => format!("Dé como máximo {n} respuestas."),
            (Self::TooManyChanges(n), false) => format!(
                "This form can add at most {n} entries to your record at once. Remove some \
                 here and bring the rest to your visit."
            ),
            (Self::TooManyChanges(n), true) => format!(
                "Este formulario puede añadir como máximo {n} datos a su expediente a la vez. \
                 Quite algunos aquí y traiga el resto a su cita."
            ),
            (Self::BelowMin(bound), _) => bound_message(bound, false, spanish),
            (Self::AboveMax(bound), _) => bound_message(bound, true, spanish),
            (Self::TooShort(n), false) => format!("Use at least {n} characters."),
            (Self::TooShort(n), true) => format!("Use al menos {n} caracteres."),
            (Self::TooLong(n), false) => format!("Use at most {n} characters."),
            (Self::TooLong(n), true) => format!("Use como máximo {n} caracteres."),
        }
    }
}

/// What a bound says, with the bound (issue 17): "must be at most 3", "on or before
/// 04/12/2026". Dates read in the language's own order (month first in US English).
fn bound_message(bound: &Bound, upper: bool, spanish: bool) -> String {
    match (bound, upper, spanish) {
        (Bound::Number(n), false, false) => format!("The answer must be at least {n}."),
        (Bound::Number(n), true, false) => format!("The answer must be at most {n}."),
        (Bound::Number(n), false, true) => format!("La respuesta debe ser como mínimo {n}."),
        (Bound::Number(n), true, true) => format!("La respuesta debe ser como máximo {n}."),
        (Bound::Date(d), false, false) => {
            format!("Enter a date on or after {}.", local_date(d, false))
        }
        (Bound::Date(d), true, false) => {
            format!("Enter a date on or before {}.", local_date(d, false))
        }
        (Bound::Date(d), false, true) => {
            format!(
                "Escriba una fecha igual o posterior al {}.",
                local_date(d, true)
            )
        }
        (Bound::Date(d), true, true) => {
            format!(
                "Escriba una fecha igual o anterior al {}.",
                local_date(d, true)
            )
        }
    }
}

/// `YYYY-MM-DD` as `MM/DD/YYYY` (US English) or `DD/MM/YYYY` (Spanish); anything else as is.
fn local_date(iso: &str, day_first: bool) -> String {
    let mut parts = iso.get(..10).unwrap_or(iso).splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            if day_first {
                format!("{d}/{m}/{y}")
            } else {
                format!("{m}/{d}/{y}")
            }
        }
        _ => iso.to_owned(),
    }
}

/// The issue that refuses a submission whose answers would propose `changes` chart changes,
/// more than `limit` (the form's `max_changes`): shown next to the repeating question or group
/// holding the most answers, where removing some helps. `None` within the limit.
pub fn too_many_changes(
    form: &Form,
    answers: &Answers,
    limit: u32,
    changes: usize,
) -> Option<Issue> {
    if usize::try_from(limit).is_ok_and(|limit| changes <= limit) {
        return None;
    }
    let mut candidates = Vec::new();
    collect_repeating(
        form.sections.iter().flat_map(|s| &s.items),
        answers,
        &mut candidates,
    );
    let item = candidates
        .into_iter()
        .max_by_key(|(item, count)| (*count, std::cmp::Reverse(item.id.clone())))
        .map(|(item, _)| item)
        .or_else(|| form.items().find(|item| item.is_answerable()))?;
    Some(Issue::error(item, IssueKind::TooManyChanges(limit)))
}

/// The repeating items a page shows at its top (through plain groups), with their answers
/// counted.
fn collect_repeating<'f>(
    items: impl Iterator<Item = &'f Item>,
    answers: &Answers,
    out: &mut Vec<(&'f Item, usize)>,
) {
    for item in items {
        if item.repeats {
            out.push((item, answers.get(&item.id).len()));
        } else if item.kind == ItemKind::Group {
            collect_repeating(item.items.iter(), answers, out);
        }
    }
}

/// The issues of one enabled item's answers (constraints are the evaluator's, as they need
/// expressions).
pub fn check_item(item: &Item, answers: &[Answer]) -> Vec<Issue> {
    let counted = item.is_answerable() || (item.kind == ItemKind::Group && item.repeats);
    if !counted {
        return vec![];
    }
    let mut issues = Vec::new();
    let count = u32::try_from(answers.len()).unwrap_or(u32::MAX);
    if item.required && answers.is_empty() {
        issues.push(Issue::error(item, IssueKind::Required));
    }
    if let Some(min) = item.min_occurs.filter(|min| count < *min) {
        issues.push(Issue::error(item, IssueKind::TooFew(min)));
    }
    let most = if item.repeats {
        item.max_occurs
    } else {
        Some(1)
    };
    if let Some(max) = most.filter(|max| count > *max) {
        issues.push(Issue::error(item, IssueKind::TooMany(max)));
    }
    for answer in answers {
        if let Some(kind) = out_of_bounds(item, answer) {
            issues.push(Issue::error(item, kind));
        }
        if let Answer::String(text) | Answer::Url(text) = answer {
            let length = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
            if let Some(min) = item.min_length.filter(|min| length < *min) {
                issues.push(Issue::error(item, IssueKind::TooShort(min)));
            }
            if let Some(max) = item.max_length.filter(|max| length > *max) {
                issues.push(Issue::error(item, IssueKind::TooLong(max)));
            }
            if let Some(pattern) = item.regex.as_ref().filter(|p| !p.matches(text)) {
                issues.push(Issue::error(
                    item,
                    IssueKind::Pattern(pattern.message.clone()),
                ));
            }
        }
    }
    issues
}

fn out_of_bounds(item: &Item, answer: &Answer) -> Option<IssueKind> {
    let number = match answer {
        Answer::Integer(n) => Some(*n as f64),
        Answer::Decimal(d) | Answer::Quantity { value: d, .. } => d.parse::<f64>().ok(),
        _ => None,
    };
    let date = match answer {
        Answer::Date(d) => Some(iso_date(*d)),
        Answer::DateTime(d) => Some(d.clone()),
        _ => None,
    };
    let below = |bound: &Bound| match (bound, number, &date) {
        (Bound::Number(min), Some(n), _) => n < *min,
        (Bound::Date(min), _, Some(d)) => d.as_str() < min.as_str(),
        _ => false,
    };
    let above = |bound: &Bound| match (bound, number, &date) {
        (Bound::Number(max), Some(n), _) => n > *max,
        (Bound::Date(max), _, Some(d)) => d.as_str() > max.as_str(),
        _ => false,
    };
    if let Some(min) = item.min.as_ref().filter(|b| below(b)) {
        Some(IssueKind::BelowMin(min.clone()))
    } else {
        item.max
            .as_ref()
            .filter(|b| above(b))
            .map(|max| IssueKind::AboveMax(max.clone()))
    }
}
