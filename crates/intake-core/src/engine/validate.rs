//! The checks on one enabled item's answers. What stops a submission has severity `error`.

use super::{Answer, Answers, iso_date};
use crate::{
    domain::{Arg, Message, Translate},
    forms::{Bound, Constraint, Form, Item, ItemKind, Severity, Text},
};

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
    /// The message the patient sees next to the field, in `words`' language: the form's own
    /// words for a pattern or a constraint, else the product's.
    pub fn message(&self, words: &dyn Translate) -> String {
        match self {
            Self::Pattern(message) | Self::Constraint(_, message) => {
                message.in_language(words.language()).to_owned()
            }
            other => other
                .product_message()
                .map_or_else(String::new, |m| words.say(&m)),
        }
    }

    /// The product's message for this issue (`locales/*/answers.ftl`), with the bound it
    /// states; `None` for a pattern or a constraint, which say what the form says.
    pub fn product_message(&self) -> Option<Message> {
        Some(match self {
            Self::Pattern(_) | Self::Constraint(..) => return None,
            Self::Required => Message::new("issue-required"),
            Self::TooFew(n) => Message::new("issue-too-few").with("min", *n),
            Self::TooMany(n) => Message::new("issue-too-many").with("max", *n),
            Self::TooManyChanges(n) => Message::new("issue-too-many-changes").with("max", *n),
            Self::BelowMin(bound) => bound_message(bound, false),
            Self::AboveMax(bound) => bound_message(bound, true),
            Self::TooShort(n) => Message::new("issue-too-short").with("min", *n),
            Self::TooLong(n) => Message::new("issue-too-long").with("max", *n),
        })
    }

    /// Every message id [`IssueKind::product_message`] gives, for the check that each has its
    /// words in every language.
    pub const MESSAGE_IDS: [&'static str; 10] = [
        "issue-required",
        "issue-too-few",
        "issue-too-many",
        "issue-too-many-changes",
        "issue-below-min",
        "issue-above-max",
        "issue-date-before-min",
        "issue-date-after-max",
        "issue-too-short",
        "issue-too-long",
    ];
}

/// What a bound says, with the bound (issue 17): "must be at most 3", "on or before
/// 04/12/2026" (dates in figures in the reader's order).
fn bound_message(bound: &Bound, upper: bool) -> Message {
    match (bound, upper) {
        (Bound::Number(n), false) => Message::new("issue-below-min").with("min", decimal(*n)),
        (Bound::Number(n), true) => Message::new("issue-above-max").with("max", decimal(*n)),
        (Bound::Date(d), false) => Message::new("issue-date-before-min").with("min", date(d)),
        (Bound::Date(d), true) => Message::new("issue-date-after-max").with("max", date(d)),
    }
}

/// A bound as a number: `10`, `72.5`.
fn decimal(n: f64) -> Arg {
    Arg::Decimal(n.to_string())
}

/// A date bound (`YYYY-MM-DD`, or the start of a date-time) as a date; anything else as is.
fn date(iso: &str) -> Arg {
    let day = iso.get(..10).unwrap_or(iso);
    time::Date::parse(
        day,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_or_else(|_| Arg::Text(iso.to_owned()), Arg::Date)
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
