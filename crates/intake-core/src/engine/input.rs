//! What a patient typed on one page, turned into typed answers or precise field errors.

use std::collections::BTreeMap;

use time::{Date, macros::format_description};

use super::{Answer, Answers, FileRef};
use crate::{
    domain::Message,
    forms::{Item, ItemKind, Section},
};

/// The longest free-text answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// The raw fields of one submitted page, by field: `a.<item id>`, or `a.<group>.<N>.<item id>`
/// for an item of instance `N` of a repeating group (a checkbox group sends several values).
/// Each instance the page showed sends `g.<group>` with its number, so an instance whose
/// questions were all left blank is still known; one the patient removed (`nav=remove:<group>:<N>`)
/// is left out.
#[derive(Clone, Default)]
pub struct PageInput {
    fields: BTreeMap<String, Vec<String>>,
    instances: BTreeMap<String, Vec<usize>>,
    /// The files sent with the page, already checked and stored, by field.
    files: BTreeMap<String, FileRef>,
}

/// The fields' names (item ids) and the instances, never what was typed in them.
impl std::fmt::Debug for PageInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: BTreeMap<&str, &str> = self
            .fields
            .keys()
            .map(|name| (name.as_str(), "[redacted]"))
            .collect();
        f.debug_struct("PageInput")
            .field("fields", &fields)
            .field("instances", &self.instances)
            .field("files", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl PageInput {
    /// Collects the answer fields of a submitted HTML form; other fields are ignored.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut input = Self::default();
        let removed = fields.iter().find_map(|(name, value)| {
            let (group, index) = value.strip_prefix("remove:")?.rsplit_once(':')?;
            (name == "nav").then(|| (group.to_owned(), index.parse::<usize>().ok()))
        });
        for (name, value) in fields {
            if let Some(field) = name.strip_prefix("a.") {
                input
                    .fields
                    .entry(field.to_owned())
                    .or_default()
                    .push(value.clone());
            } else if let (Some(group), Ok(index)) = (name.strip_prefix("g."), value.parse()) {
                let gone = removed
                    .as_ref()
                    .is_some_and(|(g, i)| g == group && *i == Some(index));
                let shown = input.instances.entry(group.to_owned()).or_default();
                if !gone && !shown.contains(&index) {
                    shown.push(index);
                }
            }
        }
        input
    }

    /// Adds the files sent with the page (checked and stored), by field: `<item id>`, or
    /// `<group>.<N>.<item id>` in instance `N` of a repeating group, numbered as sent.
    pub fn with_files(mut self, files: BTreeMap<String, FileRef>) -> Self {
        self.files = files;
        self
    }

    /// The file sent for a field, if one was.
    pub fn file(&self, field: &str) -> Option<&FileRef> {
        self.files.get(field)
    }

    /// The raw values sent for a field.
    pub fn get(&self, field: &str) -> &[String] {
        self.fields.get(field).map_or(&[], Vec::as_slice)
    }

    /// The instances of a repeating group the page sent, in the order shown.
    pub fn instances(&self, group: &str) -> &[usize] {
        self.instances.get(group).map_or(&[], Vec::as_slice)
    }

    /// Keeps only the instances `kept` (as sent) of `group`, numbered 0, 1, ... in that order.
    fn renumber(&mut self, group: &str, kept: &[usize]) {
        self.fields = renumbered(std::mem::take(&mut self.fields), group, kept);
        self.files = renumbered(std::mem::take(&mut self.files), group, kept);
        self.instances
            .insert(group.to_owned(), (0..kept.len()).collect());
    }
}

/// `map` with the keys of `group`'s instances `kept` (as sent) numbered 0, 1, ... in that
/// order, and those of the other instances gone.
fn renumbered<T>(map: BTreeMap<String, T>, group: &str, kept: &[usize]) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    for (field, value) in map {
        let instance = field
            .strip_prefix(group)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(index, item)| Some((index.parse::<usize>().ok()?, item)));
        match instance {
            None => {
                out.insert(field, value);
            }
            Some((posted, item)) => {
                if let Some(now) = kept.iter().position(|k| *k == posted) {
                    out.insert(format!("{group}.{now}.{item}"), value);
                }
            }
        }
    }
    out
}

/// The value of an attachment item's field that removes the file sent before.
pub const REMOVE_FILE: &str = "remove";

/// A field whose input could not be read as an answer; the message is for the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field: the item id, or `group.N.item` in instance `N` of a repeating group.
    pub field: String,
    /// What to fix.
    pub problem: InputProblem,
}

/// Why a field's input is not an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputProblem {
    /// Several values for a question that takes one.
    OnlyOne,
    /// A yes/no question got something else.
    YesOrNo,
    /// Not a whole number.
    WholeNumber,
    /// Not a number.
    Number,
    /// Not a date.
    Date,
    /// Not a date and time.
    DateTime,
    /// Not a time of day.
    Time,
    /// Longer than any answer may be.
    TooLong,
    /// Not a web address.
    WebAddress,
    /// Not one of the choices.
    NotListed,
    /// The question takes no answer on this page.
    NotAnswerable,
    /// A character no one types on purpose (NUL, an escape): nothing of the field is saved.
    ControlCharacter,
    /// A file larger than the question takes.
    FileTooLarge,
    /// A file whose content is not a kind the question takes (whatever its name says).
    FileType,
    /// A file that starts like a photo but cannot be read as one.
    FileUnreadable,
    /// A drawn signature larger than its question takes.
    DrawingTooLarge,
    /// A drawn signature that is not a PNG (whatever its name says).
    DrawingType,
    /// A drawn signature that starts like a PNG but cannot be read as one.
    DrawingUnreadable,
}

/// Why a file a patient sent was refused (`intake::media` checks the file); each has its
/// message next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Larger than the item takes.
    #[error("the file is larger than the item takes")]
    TooLarge,
    /// Its content is not one of the kinds the item takes (whatever its name says).
    #[error("the file's content is not of a kind the item takes")]
    WrongType,
    /// It starts like an image the item takes but does not decode as one.
    #[error("the file could not be read as an image")]
    Unreadable,
}

impl From<MediaError> for InputProblem {
    fn from(error: MediaError) -> Self {
        match error {
            MediaError::TooLarge => Self::FileTooLarge,
            MediaError::WrongType => Self::FileType,
            MediaError::Unreadable => Self::FileUnreadable,
        }
    }
}

impl InputProblem {
    /// Why a drawn signature was refused: the same checks as a photo's, said of a drawing.
    pub fn drawing(error: MediaError) -> Self {
        match error {
            MediaError::TooLarge => Self::DrawingTooLarge,
            MediaError::WrongType => Self::DrawingType,
            MediaError::Unreadable => Self::DrawingUnreadable,
        }
    }

    /// Every problem, for the check that each has its words in every language.
    pub const ALL: [Self; 18] = [
        Self::OnlyOne,
        Self::YesOrNo,
        Self::WholeNumber,
        Self::Number,
        Self::Date,
        Self::DateTime,
        Self::Time,
        Self::TooLong,
        Self::WebAddress,
        Self::NotListed,
        Self::NotAnswerable,
        Self::ControlCharacter,
        Self::FileTooLarge,
        Self::FileType,
        Self::FileUnreadable,
        Self::DrawingTooLarge,
        Self::DrawingType,
        Self::DrawingUnreadable,
    ];

    /// What the patient reads next to the field (`locales/*/answers.ftl`).
    pub fn message(self) -> Message {
        Message::new(match self {
            Self::OnlyOne => "input-only-one",
            Self::YesOrNo => "input-yes-or-no",
            Self::WholeNumber => "input-whole-number",
            Self::Number => "input-number",
            Self::Date => "input-date",
            Self::DateTime => "input-date-time",
            Self::Time => "input-time",
            Self::TooLong => "input-too-long",
            Self::WebAddress => "input-web-address",
            Self::NotListed => "input-not-listed",
            Self::NotAnswerable => "input-not-answerable",
            Self::ControlCharacter => "input-control-character",
            Self::FileTooLarge => "input-file-too-large",
            Self::FileType => "input-file-type",
            Self::FileUnreadable => "input-file-unreadable",
            Self::DrawingTooLarge => "input-drawing-too-large",
            Self::DrawingType => "input-drawing-type",
            Self::DrawingUnreadable => "input-drawing-unreadable",
        })
    }
}

/// Parses one page: every item of `section` gets the answers sent (blank clears it). Fields
/// that do not parse keep their previous answer and are reported. A repeating group on the page
/// gets the instances sent, in order; an instance whose questions were all left blank is
/// dropped, unless it holds answers the page does not show. A group about what is on file
/// keeps every chart entry it has.
/// `input` is left as the page should show it again: dropped instances gone, the others
/// numbered as they are now saved (and as the errors name them).
pub fn parse_page(
    section: &Section,
    input: &mut PageInput,
    answers: &mut Answers,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    parse_fields(&section.items, input, "", answers, &mut errors);
    for group in page_groups(&section.items) {
        let before = answers.get(&group.id).to_vec();
        if group.on_file.is_some() {
            // The chart's entries, every one: the patient answers about them, never adds or
            // removes one.
            let mut instances = before;
            for (index, instance) in instances.iter_mut().enumerate() {
                if let Answer::Group(inner) = instance {
                    let prefix = format!("{}.{index}.", group.id);
                    parse_fields(&group.items, input, &prefix, inner, &mut errors);
                }
            }
            answers.set(&group.id, instances);
            continue;
        }
        let shown = page_fields(&group.items);
        let mut kept = Vec::new();
        for &posted in input.instances(&group.id) {
            let inner = match before.get(posted) {
                Some(Answer::Group(inner)) => inner.clone(),
                _ => Answers::default(),
            };
            let blank = shown.iter().all(|item| {
                let field = format!("{}.{posted}.{}", group.id, item.id);
                if item.kind == ItemKind::Attachment {
                    // A file sent now, or one sent before and not removed, is an answer.
                    let removed = input.get(&field).iter().any(|v| v == REMOVE_FILE);
                    return input.file(&field).is_none()
                        && (removed || inner.get(&item.id).is_empty());
                }
                input
                    .get(&field)
                    .iter()
                    .all(|value| value.trim().is_empty())
            });
            let holds_more = inner.iter().any(|(id, _)| {
                group.items.iter().any(|item| {
                    &item.id == id
                        && item.calculated.is_none()
                        && !shown.iter().any(|s| &s.id == id)
                })
            });
            if !blank || holds_more {
                kept.push((posted, inner));
            }
        }
        let order: Vec<usize> = kept.iter().map(|(posted, _)| *posted).collect();
        input.renumber(&group.id, &order);
        let mut instances = Vec::new();
        for (index, (_, mut inner)) in kept.into_iter().enumerate() {
            let prefix = format!("{}.{index}.", group.id);
            parse_fields(&group.items, input, &prefix, &mut inner, &mut errors);
            instances.push(Answer::Group(inner));
        }
        answers.set(&group.id, instances);
    }
    errors
}

/// Reads the fields of `items` sent under `prefix` into `answers`.
fn parse_fields(
    items: &[Item],
    input: &PageInput,
    prefix: &str,
    answers: &mut Answers,
    errors: &mut Vec<FieldError>,
) {
    for item in page_fields(items) {
        let field = format!("{prefix}{}", item.id);
        if item.kind == ItemKind::Attachment {
            // A file arrives as an upload, stored before the page is parsed; the field itself
            // only says to remove the file sent before. Otherwise the file stays.
            if let Some(file) = input.file(&field) {
                answers.set(&item.id, vec![Answer::Attachment(file.clone())]);
            } else if input.get(&field).iter().any(|v| v == REMOVE_FILE) {
                answers.set(&item.id, Vec::new());
            }
            continue;
        }
        match parse_item(item, input.get(&field)) {
            Ok(parsed) => answers.set(&item.id, parsed),
            Err(problem) => errors.push(FieldError { field, problem }),
        }
    }
}

/// The repeating groups a page shows, each with its instances: those among its items and those
/// of its non-repeating groups. (A repeating group inside another is asked at the visit.)
pub fn page_groups(items: &[Item]) -> Vec<&Item> {
    let mut groups = Vec::new();
    for item in items.iter().filter(|i| !i.hidden) {
        match (item.kind, item.repeats) {
            (ItemKind::Group, false) => groups.extend(page_groups(&item.items)),
            (ItemKind::Group, true) => groups.push(item),
            _ => {}
        }
    }
    groups
}

/// The answerable items a page shows as fields: its items and those of its non-repeating groups.
/// Calculated and read-only items are shown, never taken from the request.
pub fn page_fields(items: &[Item]) -> Vec<&Item> {
    let mut fields = Vec::new();
    for item in items {
        match item.kind {
            ItemKind::Group if !item.repeats => fields.extend(page_fields(&item.items)),
            ItemKind::Group | ItemKind::Display => {}
            _ if item.calculated.is_some() || item.read_only || item.hidden => {}
            _ => fields.push(item),
        }
    }
    fields
}

fn parse_item(item: &Item, raw: &[String]) -> Result<Vec<Answer>, InputProblem> {
    if raw.iter().any(|v| crate::domain::has_control_character(v)) {
        return Err(InputProblem::ControlCharacter);
    }
    let values: Vec<&str> =
        if item.repeats && matches!(item.kind, ItemKind::String | ItemKind::Text) {
            // A repeating text item is one textarea, one answer per line.
            raw.iter()
                .flat_map(|v| v.lines())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect()
        } else {
            raw.iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect()
        };
    if !item.repeats && values.len() > 1 {
        return Err(InputProblem::OnlyOne);
    }
    values
        .into_iter()
        .map(|value| parse_answer(item, value))
        .collect()
}

/// One typed value as an answer to `item`, or what to fix; the same reading a form page gives.
pub fn parse_answer(item: &Item, value: &str) -> Result<Answer, InputProblem> {
    match item.kind {
        ItemKind::Boolean => match value {
            "yes" => Ok(Answer::Boolean(true)),
            "no" => Ok(Answer::Boolean(false)),
            _ => Err(InputProblem::YesOrNo),
        },
        ItemKind::Integer => value
            .parse()
            .map(Answer::Integer)
            .map_err(|_| InputProblem::WholeNumber),
        ItemKind::Decimal => parse_decimal(value)
            .map(Answer::Decimal)
            .ok_or(InputProblem::Number),
        ItemKind::Quantity => parse_decimal(value)
            .map(|value| Answer::Quantity {
                value,
                unit: item
                    .unit
                    .as_ref()
                    .map(|u| u.code.clone())
                    .unwrap_or_default(),
            })
            .ok_or(InputProblem::Number),
        ItemKind::Date => Date::parse(value, format_description!("[year]-[month]-[day]"))
            .map(Answer::Date)
            .map_err(|_| InputProblem::Date),
        ItemKind::DateTime => crate::fhirpath::value::Temporal::parse_datetime(value)
            .map(|_| Answer::DateTime(value.to_owned()))
            .ok_or(InputProblem::DateTime),
        ItemKind::Time => crate::fhirpath::value::Temporal::parse_time(value)
            .map(|_| Answer::Time(value.to_owned()))
            .ok_or(InputProblem::Time),
        _ if value.chars().count() > MAX_TEXT_CHARS => Err(InputProblem::TooLong),
        ItemKind::String | ItemKind::Text => Ok(Answer::String(value.to_owned())),
        ItemKind::Url if value.starts_with("https://") || value.starts_with("http://") => {
            Ok(Answer::Url(value.to_owned()))
        }
        ItemKind::Url => Err(InputProblem::WebAddress),
        ItemKind::Choice if item.searched_on_server => {
            Answer::coding_from_input(value).ok_or(InputProblem::NotListed)
        }
        // A computed list is checked against the answers' list when they are evaluated.
        ItemKind::Choice | ItemKind::OpenChoice
            if item.option(value).is_some() || item.answer_expression.is_some() =>
        {
            Ok(Answer::Choice(value.to_owned()))
        }
        ItemKind::OpenChoice => Ok(Answer::String(value.to_owned())),
        ItemKind::Choice => Err(InputProblem::NotListed),
        ItemKind::Reference => Ok(Answer::Reference(value.to_owned())),
        ItemKind::Display | ItemKind::Group | ItemKind::Attachment => {
            Err(InputProblem::NotAnswerable)
        }
    }
}

/// Accepts `72`, `72.5`, `-0.25` (a comma as the decimal mark too) and returns canonical text.
fn parse_decimal(value: &str) -> Option<String> {
    let normalized = value.replace(',', ".");
    let (whole, fraction) = normalized.split_once('.').unwrap_or((&normalized, ""));
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(normalized.contains('.') && fraction.is_empty());
    ok.then_some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::load_yaml;

    fn section() -> Section {
        let form = load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
             \x20     - { id: pain, type: integer, text: Pain }\n\
             \x20     - { id: weight, type: decimal, text: Weight }\n\
             \x20     - { id: seen, type: date, text: Seen }\n\
             \x20     - { id: allergies, type: string, repeats: true, text: Allergies }\n\
             \x20     - { id: ok, type: boolean, text: OK }\n\
             \x20     - id: smoke\n        type: choice\n        text: Smoke\n        options: [{ code: never, display: Never }]\n",
        )
        .unwrap();
        form.sections[0].clone()
    }

    fn fields(pairs: &[(&str, &str)]) -> PageInput {
        PageInput::from_fields(
            &pairs
                .iter()
                .map(|(k, v)| (format!("a.{k}"), (*v).to_owned()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn a_control_character_refuses_its_field_and_keeps_every_other_answer() {
        let mut answers = Answers::default();
        answers.set("allergies", vec![Answer::String("before".into())]);
        let mut input = fields(&[("pain", "4"), ("allergies", "pea\0nuts"), ("ok", "yes")]);
        let errors = parse_page(&section(), &mut input, &mut answers);
        assert_eq!(
            errors,
            [FieldError {
                field: "allergies".into(),
                problem: InputProblem::ControlCharacter
            }]
        );
        assert_eq!(answers.get("pain"), &[Answer::Integer(4)]);
        assert_eq!(answers.get("ok"), &[Answer::Boolean(true)]);
        assert_eq!(answers.get("allergies"), &[Answer::String("before".into())]);
    }

    #[test]
    fn what_a_patient_typed_never_shows_in_debug() {
        let input = fields(&[("allergies", "ZZQ-peanuts")]);
        let shown = format!("{input:?}");
        assert!(!shown.contains("ZZQ"), "{shown}");
        assert!(
            shown.contains("allergies") && shown.contains("[redacted]"),
            "{shown}"
        );
    }

    #[test]
    fn each_item_type_parses_what_its_input_sends() {
        let mut answers = Answers::default();
        let mut input = fields(&[
            ("pain", "4"),
            ("weight", "72,5"),
            ("seen", "2026-10-01"),
            ("allergies", "penicillin\n\n  latex \n"),
            ("ok", "yes"),
            ("smoke", "never"),
        ]);
        assert_eq!(parse_page(&section(), &mut input, &mut answers), vec![]);
        assert_eq!(answers.get("pain"), &[Answer::Integer(4)]);
        assert_eq!(answers.get("weight"), &[Answer::Decimal("72.5".into())]);
        assert_eq!(
            answers.get("allergies"),
            &[
                Answer::String("penicillin".into()),
                Answer::String("latex".into())
            ]
        );
        assert_eq!(answers.get("ok"), &[Answer::Boolean(true)]);
        assert_eq!(answers.get("smoke"), &[Answer::Choice("never".into())]);
    }

    #[test]
    fn bad_input_is_reported_per_field_and_keeps_the_earlier_answer() {
        let mut answers = Answers::default();
        answers.set("pain", vec![Answer::Integer(2)]);
        let mut input = fields(&[
            ("pain", "four"),
            ("weight", "7."),
            ("seen", "2026-02-30"),
            ("smoke", "daily"),
        ]);
        let errors = parse_page(&section(), &mut input, &mut answers);
        let ids: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(ids, ["pain", "weight", "seen", "smoke"]);
        assert_eq!(answers.get("pain"), &[Answer::Integer(2)]);
    }

    #[test]
    fn a_blank_field_clears_the_answer() {
        let mut answers = Answers::default();
        answers.set("pain", vec![Answer::Integer(2)]);
        assert!(parse_page(&section(), &mut fields(&[("pain", "  ")]), &mut answers).is_empty());
        assert!(answers.get("pain").is_empty());
    }

    fn with_group() -> Section {
        let form = load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
             \x20     - id: meds\n        type: group\n        repeats: true\n        text: Medicine\n        items:\n\
             \x20         - { id: name, type: string, text: Name }\n\
             \x20         - { id: dose, type: integer, text: Dose }\n\
             \x20         - { id: chart_ref, type: string, hidden: true, text: On file }\n",
        )
        .unwrap();
        form.sections[0].clone()
    }

    fn posted(pairs: &[(&str, &str)]) -> PageInput {
        PageInput::from_fields(
            &pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>(),
        )
    }

    fn instance(pairs: &[(&str, Answer)]) -> Answer {
        let mut inner = Answers::default();
        for (id, answer) in pairs {
            inner.set(id, vec![answer.clone()]);
        }
        Answer::Group(inner)
    }

    #[test]
    fn a_groups_instances_are_read_in_order_and_blank_ones_are_dropped() {
        let mut answers = Answers::default();
        let mut input = posted(&[
            ("g.meds", "0"),
            ("a.meds.0.name", "ibuprofen"),
            ("a.meds.0.dose", "200"),
            ("g.meds", "1"),
            ("a.meds.1.name", " "),
            ("a.meds.1.dose", ""),
            ("g.meds", "2"),
            ("a.meds.2.name", "vitamin D"),
            ("a.meds.2.dose", "lots"),
        ]);
        let errors = parse_page(&with_group(), &mut input, &mut answers);
        assert_eq!(
            answers.get("meds"),
            &[
                instance(&[
                    ("name", Answer::String("ibuprofen".into())),
                    ("dose", Answer::Integer(200))
                ]),
                instance(&[("name", Answer::String("vitamin D".into()))]),
            ]
        );
        // The error and what was typed follow the instance to its new number.
        assert_eq!(
            errors,
            vec![FieldError {
                field: "meds.1.dose".into(),
                problem: InputProblem::WholeNumber
            }]
        );
        assert_eq!(input.get("meds.1.dose"), ["lots"]);
        assert_eq!(input.instances("meds"), [0, 1]);
    }

    #[test]
    fn a_removed_instance_goes_and_the_others_keep_what_the_page_does_not_show() {
        let mut answers = Answers::default();
        let on_file = Answer::String("MedicationStatement/m1".into());
        answers.set(
            "meds",
            vec![
                instance(&[("name", Answer::String("aspirin".into()))]),
                instance(&[
                    ("name", Answer::String("lisinopril".into())),
                    ("chart_ref", on_file.clone()),
                ]),
            ],
        );
        let mut input = posted(&[
            ("g.meds", "0"),
            ("a.meds.0.name", "aspirin"),
            ("g.meds", "1"),
            // Even left blank, the instance about an entry on file stays.
            ("a.meds.1.name", ""),
            ("nav", "remove:meds:0"),
        ]);
        assert!(parse_page(&with_group(), &mut input, &mut answers).is_empty());
        assert_eq!(answers.get("meds"), &[instance(&[("chart_ref", on_file)])]);
    }

    #[test]
    fn a_group_the_page_did_not_show_has_no_instances_left() {
        let mut answers = Answers::default();
        answers.set(
            "meds",
            vec![instance(&[("name", Answer::String("x".into()))])],
        );
        assert!(parse_page(&with_group(), &mut posted(&[]), &mut answers).is_empty());
        assert!(answers.get("meds").is_empty());
    }
}
