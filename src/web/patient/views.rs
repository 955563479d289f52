//! View models for the patient's pages: what each field shows, built from the saved answers or,
//! after an error, from exactly what the patient typed.

use super::dates::{DatePartView, parts};
use std::collections::BTreeMap;

use crate::{
    domain::Translate as _,
    engine::{Answer, Answers, Evaluation, FieldError, Issue, PageInput, instance_heading},
    forms::{Item, ItemKind, Section},
    intake::{AnswerSearch, Unavailable},
    terminology::{PATIENT_MATCHES, searched},
    web::i18n::{Language, Texts},
};

/// The searches of long answer lists run for a page, by field key (`<item>`, or
/// `<group>.<N>.<item>`).
pub type Searches = BTreeMap<String, AnswerSearch>;

/// One question as the page renders it.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The input's HTML id.
    pub id: String,
    /// The input's name (`a.<item id>`, or `a.<group>.<N>.<item id>` in a group's instance).
    pub name: String,
    /// The question.
    pub label: String,
    /// Help under the question.
    pub help: Option<String>,
    /// Which control: `text`, `textarea`, `lines`, `integer`, `decimal`, `date`, `dateparts`
    /// (a date of birth as day, month and year), `radio`, `checkbox`, `file` (a photo),
    /// `signature` (a consent's drawn signature: a drawing pad with JavaScript),
    /// `search` (a long answer list: a search box and the matches to pick from),
    /// `display`, `heading`, `readonly`, `repeat` (a repeating group, with its instances) or
    /// `unsupported`.
    pub control: &'static str,
    /// For a `search` control: how its matches are picked, `radio` or `checkbox`.
    pub pick: &'static str,
    /// For a `search` control: the search box and what it found.
    pub search: Option<SearchView>,
    /// For a `search` control: the answers given so far, checked, shown above the box (the
    /// matches are in `options`).
    pub chosen: Vec<OptionView>,
    /// Whether an answer is needed.
    pub required: bool,
    /// The value of a single input.
    pub value: String,
    /// The choices of radio and checkbox controls.
    pub options: Vec<OptionView>,
    /// Answers offered for a typed-in answer (SDC `candidateExpression`, such as the chart's
    /// values): the browser lists them to pick from as the patient types; none is filled in.
    pub offered: Vec<OptionView>,
    /// What to fix, next to the field.
    pub error: Option<String>,
    /// A repeating group's instances.
    pub instances: Vec<InstanceView>,
    /// The button value that adds an instance (`add:<group>`), while more are allowed.
    pub add: Option<String>,
    /// A one-line input's `type`: `text`, `tel`, `email` or `url`.
    pub input_type: &'static str,
    /// Its `inputmode` (the keyboard a phone shows).
    pub inputmode: Option<String>,
    /// Its `autocomplete` token (what the browser may fill in).
    pub autocomplete: Option<String>,
    /// Whether the page opens with it focused (a review problem's link, an added instance).
    pub autofocus: bool,
    /// A date of birth's day, month and year boxes, in the language's order.
    pub parts: Vec<DatePartView>,
    /// For a `file` control: the media types its `accept` attribute lists.
    pub accept: String,
}

/// The search box of a long answer list, and what the last search found.
#[derive(Debug, Clone)]
pub struct SearchView {
    /// The search box's HTML id.
    pub id: String,
    /// Its name (`q.<key>`): never an answer.
    pub name: String,
    /// The hidden field holding the words the matches are for (`s.<key>`): a search typed but
    /// not run (Enter pressed in the box without JavaScript) is run instead of leaving the page.
    pub searched: String,
    /// The words typed, kept.
    pub query: String,
    /// The Search button's value (`search:<key>`).
    pub button: String,
    /// The box's label: to search, or to search for a different answer.
    pub label: String,
    /// The heading of the answers given so far.
    pub chosen_label: String,
    /// What the matches are: a hint before any search, how many matched, or none.
    pub status: String,
    /// The terminology server did not answer: the form's own list did.
    pub unavailable: Option<String>,
}

/// One instance of a repeating group: a medicine, an allergy.
#[derive(Debug, Clone)]
pub struct InstanceView {
    /// Its heading: the chart entry it is about, or the group's name and number.
    pub legend: String,
    /// The hidden field that says the page showed it (`g.<group>`).
    pub marker: String,
    /// Its number on the page.
    pub index: usize,
    /// Its questions.
    pub fields: Vec<FieldView>,
    /// The button value that removes it (`remove:<group>:<N>`), for instances the patient added.
    pub remove: Option<String>,
    /// Whether the page opens with it focused (the neighbour of one just removed).
    pub autofocus: bool,
}

impl FieldView {
    /// The ids of the text that describes the control, for `aria-describedby`: its help, the
    /// one-per-line hint of a list, and its error, in the order they show; empty if none.
    pub fn described_by(&self) -> String {
        let mut ids = vec![];
        if self.help.is_some() {
            ids.push(format!("{}-help", self.id));
        }
        if self.control == "lines" {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// One choice.
#[derive(Debug, Clone)]
pub struct OptionView {
    /// The input's HTML id.
    pub id: String,
    /// The submitted value.
    pub value: String,
    /// The label.
    pub label: String,
    /// Whether it is selected.
    pub checked: bool,
}

/// What a page's fields are built from.
#[derive(Debug, Clone, Copy)]
pub struct PageState<'a> {
    /// The form evaluated against the saved answers: those answers (calculated values written
    /// in) and what is enabled.
    pub evaluation: &'a Evaluation,
    /// After an error: exactly what was typed, shown instead of the saved answers.
    pub typed: Option<&'a PageInput>,
    /// Fields that did not parse.
    pub errors: &'a [FieldError],
    /// What is wrong with answers that did parse (a pattern, a bound, a constraint).
    pub issues: &'a [Issue],
    /// The group the patient asked to add an instance to.
    pub adding: Option<&'a str>,
    /// The page's language.
    pub language: Language,
    /// Searches of long answer lists run for this page.
    pub searches: &'a Searches,
}

/// The fields of a page. With `typed` (a page that came back with errors) every field shows
/// what was typed, so nothing is lost; otherwise the saved answers.
pub fn fields(section: &Section, state: &PageState<'_>) -> Vec<FieldView> {
    state.fields_of(&section.items, &state.evaluation.answers, "", false)
}

impl PageState<'_> {
    /// The fields of `items` under `prefix`. `fresh` marks an instance not saved yet, which no
    /// evaluation has seen: it shows the questions that apply unconditionally.
    fn fields_of(
        &self,
        items: &[Item],
        answers: &Answers,
        prefix: &str,
        fresh: bool,
    ) -> Vec<FieldView> {
        shown(items)
            .into_iter()
            .filter_map(|item| {
                let key = format!("{prefix}{}", item.id);
                let enabled = if fresh {
                    item.enable_when.is_none()
                } else {
                    self.evaluation.is_field_enabled(&key)
                };
                enabled.then_some((item, key))
            })
            .map(|(item, key)| {
                // A file is never typed: what was sent and kept shows even after an error.
                let values: Vec<String> = match self.typed {
                    Some(input) if item.kind != ItemKind::Attachment => input.get(&key).to_vec(),
                    _ => answers.get(&item.id).iter().map(|a| a.to_input()).collect(),
                };
                let mut view = field(item, &key, &values, self.error(&key), self.language);
                // A computed answer list, as the answers so far give it.
                if item.answer_expression.is_some() {
                    let listed = self.evaluation.answer_options.get(&item.id);
                    view.options = listed
                        .into_iter()
                        .flatten()
                        .map(|o| OptionView {
                            id: format!("{}-{}", view.id, o.code),
                            checked: values.contains(&o.code),
                            value: o.code.clone(),
                            label: o.display.in_language(self.language.code()).to_owned(),
                        })
                        .collect();
                }
                if let Some(offered) = self.evaluation.candidates.get(&item.id) {
                    view.offered = offered_views(item, &view.id, offered, self.language);
                }
                if searched(item) && matches!(view.control, "radio" | "checkbox") {
                    let found = self.searches.get(&key);
                    search_view(&mut view, item, &key, &values, found, self.language);
                }
                if view.control == "repeat" && prefix.is_empty() {
                    self.instances(item, &mut view);
                } else if view.control == "repeat" {
                    view.control = "unsupported";
                }
                view
            })
            .collect()
    }

    /// The message next to a field: what did not parse, else what is wrong with the answer.
    fn error(&self, key: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == key)
            .map(|e| self.language.say(&e.problem.message()))
            .or_else(|| {
                self.issues
                    .iter()
                    .find(|i| i.field == key)
                    .map(|i| i.kind.message(&self.language))
            })
    }

    /// Fills in a repeating group's instances: those saved (or typed), one more when the
    /// patient asked for it, and one to start with when there are none. A group about what is
    /// on file has exactly the chart's entries.
    fn instances(&self, group: &Item, view: &mut FieldView) {
        let saved = self.evaluation.answers.get(&group.id);
        let on_file = group.on_file.is_some();
        let mut count = match self.typed {
            Some(input) if !on_file => input.instances(&group.id).len(),
            _ => saved.len(),
        };
        if !on_file {
            count += usize::from(self.adding == Some(group.id.as_str()));
            count = count.max(1);
        }
        let empty = Answers::default();
        view.instances = (0..count)
            .map(|index| {
                let (inner, fresh) = match saved.get(index) {
                    Some(Answer::Group(inner)) => (inner, false),
                    _ => (&empty, true),
                };
                let prefix = format!("{}.{index}.", group.id);
                InstanceView {
                    legend: instance_heading(group, inner, index, self.language.code()),
                    marker: format!("g.{}", group.id),
                    index,
                    fields: self.fields_of(&group.items, inner, &prefix, fresh),
                    remove: (!on_file).then(|| format!("remove:{}:{index}", group.id)),
                    autofocus: false,
                }
            })
            .collect();
        let room = group
            .max_occurs
            .is_none_or(|max| usize::try_from(max).unwrap_or(usize::MAX) > count);
        view.add = (!on_file && room).then(|| format!("add:{}", group.id));
    }
}

/// What a page shows, in order: questions and display text, with non-repeating groups opened
/// up. Calculated values show as read-only text.
fn shown(items: &[Item]) -> Vec<&Item> {
    let mut out = Vec::new();
    for item in items.iter().filter(|i| !i.hidden) {
        match item.kind {
            ItemKind::Group if !item.repeats => {
                out.push(item);
                out.extend(shown(&item.items));
            }
            _ => out.push(item),
        }
    }
    out
}

fn field(
    item: &Item,
    key: &str,
    values: &[String],
    error: Option<String>,
    words: Language,
) -> FieldView {
    let language = words.code();
    let control = match (item.kind, item.repeats) {
        _ if item.calculated.is_some() || item.read_only => "readonly",
        (ItemKind::Group, false) => "heading",
        (ItemKind::Group, true) => "repeat",
        (ItemKind::Attachment, false) if item.drawn_signature_of.is_some() => "signature",
        (ItemKind::Attachment, false) => "file",
        (ItemKind::Attachment | ItemKind::Reference, _) => "unsupported",
        (ItemKind::Display, _) => "display",
        (ItemKind::OpenChoice, _) => "text",
        (ItemKind::DateTime, _) => "datetime",
        (ItemKind::Time, _) => "time",
        (ItemKind::Url, _) => "url",
        (ItemKind::Quantity, _) => "decimal",
        (ItemKind::Boolean, _) | (ItemKind::Choice, false) => "radio",
        (ItemKind::Choice, true) => "checkbox",
        (ItemKind::String | ItemKind::Text, true) => "lines",
        (ItemKind::Text, false) => "textarea",
        (ItemKind::String, false) => "text",
        (ItemKind::Integer, _) => "integer",
        (ItemKind::Decimal, _) => "decimal",
        (ItemKind::Date, false) if item.input.is_birth_date() => "dateparts",
        (ItemKind::Date, _) => "date",
    };
    let inputmode = match control {
        "integer" => Some("numeric"),
        "decimal" => Some("decimal"),
        "url" => Some("url"),
        _ => None,
    };
    let choices: Vec<(String, String)> = match item.kind {
        // The same words the review page reads the answer back with.
        ItemKind::Boolean => [Answer::Boolean(true), Answer::Boolean(false)]
            .iter()
            .map(|a| (a.to_input(), a.display(item, &words)))
            .collect(),
        ItemKind::Choice | ItemKind::OpenChoice => item
            .options
            .iter()
            .map(|o| (o.code.clone(), o.display.in_language(language).to_owned()))
            .collect(),
        _ => vec![],
    };
    // HTML ids may not hold the dots of a key inside a group's instance.
    let id = format!("f-{}", key.replace('.', "-"));
    let options = choices
        .into_iter()
        .map(|(value, label)| OptionView {
            id: format!("{id}-{value}"),
            checked: values.contains(&value),
            value,
            label,
        })
        .collect();
    let value = values.join("\n");
    let parts = if control == "dateparts" {
        parts(&id, key, &value, item.input.section(), &Texts::new(words))
    } else {
        Vec::new()
    };
    FieldView {
        name: format!("a.{key}"),
        label: item.text.in_language(language).to_owned(),
        help: item
            .help
            .as_ref()
            .map(|h| h.in_language(language).to_owned()),
        control,
        pick: control,
        search: None,
        chosen: Vec::new(),
        required: item.required,
        value,
        options,
        offered: Vec::new(),
        error,
        instances: Vec::new(),
        add: None,
        input_type: match control {
            "url" => "url",
            "text" => item.input.input_type(),
            _ => "text",
        },
        inputmode: item.input.inputmode(inputmode).map(str::to_owned),
        autocomplete: item.input.autocomplete.clone(),
        autofocus: false,
        parts,
        accept: item
            .attachment
            .as_ref()
            .map(|rules| rules.mime_types.join(","))
            .unwrap_or_default(),
        id,
    }
}

/// Turns a long list's radio buttons or checkboxes into a search: the answers given so far
/// (checked, so a search never loses them), the box with the words typed, then the matches.
/// A list searched on the server only has no options: its answers and matches carry their
/// Coding in the input (`Answer::coding_input`).
fn search_view(
    view: &mut FieldView,
    item: &Item,
    key: &str,
    values: &[String],
    found: Option<&AnswerSearch>,
    language: Language,
) {
    let m = Texts::new(language);
    let empty = AnswerSearch::default();
    let found = found.unwrap_or(&empty);
    let (chosen, others): (Vec<OptionView>, Vec<OptionView>) = if item.searched_on_server {
        let chosen = values
            .iter()
            .filter_map(|value| match Answer::coding_from_input(value) {
                Some(Answer::Coding { code, display, .. }) => Some(OptionView {
                    id: option_id(&view.id, &code),
                    value: value.clone(),
                    label: display,
                    checked: true,
                }),
                _ => None,
            })
            .collect();
        let matches = found
            .matches
            .iter()
            .map(|c| OptionView {
                id: option_id(&view.id, &c.code),
                value: Answer::coding_input(&c.system, &c.code, &c.display),
                label: c.display.clone(),
                checked: false,
            })
            .collect();
        (chosen, matches)
    } else {
        view.options.drain(..).partition(|o| o.checked)
    };
    let matches: Vec<OptionView> = if item.searched_on_server {
        others
            .into_iter()
            .filter(|o| !chosen.iter().any(|c| c.id == o.id))
            .collect()
    } else {
        found
            .matches
            .iter()
            .filter_map(|c| others.iter().find(|o| o.value == c.code).cloned())
            .collect()
    };
    let status = match (found.query.is_empty(), found.matches.len(), found.more) {
        (true, _, _) if chosen.is_empty() => m.search_hint(),
        (true, _, _) => m.search_hint_change(),
        (false, 0, _) if found.unavailable == Some(Unavailable::NothingToSearch) => {
            m.search_server_down()
        }
        (false, 0, _) => m.search_none(found.query.as_str()),
        (false, count, false) => m.search_found(count, found.query.as_str()),
        (false, _, true) => m.search_more(PATIENT_MATCHES, found.query.as_str()),
    };
    view.search = Some(SearchView {
        id: format!("{}-q", view.id),
        name: format!("q.{key}"),
        searched: format!("s.{key}"),
        query: found.query.clone(),
        button: format!("search:{key}"),
        label: if chosen.is_empty() {
            m.search_label()
        } else {
            m.search_label_change()
        },
        chosen_label: m.search_chosen(chosen.len()),
        status,
        unavailable: (found.unavailable == Some(Unavailable::FormListInstead))
            .then(|| m.search_unavailable()),
    });
    view.chosen = chosen;
    view.options = matches;
    view.pick = if item.repeats { "checkbox" } else { "radio" };
    view.control = "search";
}

/// The HTML id of the option with `code` of the field `field_id`: no spaces in an id.
fn option_id(field_id: &str, code: &str) -> String {
    format!("{field_id}-{}", code.replace(char::is_whitespace, "_"))
}

/// Marks the field or group instance whose HTML id is `target` to open focused; whether one
/// was found.
pub fn focus(fields: &mut [FieldView], target: &str) -> bool {
    for field in fields {
        if field.id == target {
            field.autofocus = true;
            return true;
        }
        for instance in &mut field.instances {
            if format!("{}-{}", field.id, instance.index) == target {
                instance.autofocus = true;
                return true;
            }
            if focus(&mut instance.fields, target) {
                return true;
            }
        }
    }
    false
}

/// Marks the first question of the repeating group `group`'s last instance to open focused:
/// the one "Add another" just added.
pub fn focus_added(fields: &mut [FieldView], group: &str) {
    let name = format!("a.{group}");
    let added = fields
        .iter_mut()
        .find(|field| field.name == name)
        .and_then(|field| field.instances.last_mut());
    if let Some(instance) = added {
        match instance
            .fields
            .iter_mut()
            .find(|f| !matches!(f.control, "display" | "heading" | "readonly"))
        {
            Some(first) => first.autofocus = true,
            None => instance.autofocus = true,
        }
    }
}

/// The answers offered for a field, each once, as the input holds them and as the review page
/// reads them back.
fn offered_views(
    item: &Item,
    field_id: &str,
    offered: &[Answer],
    words: Language,
) -> Vec<OptionView> {
    let mut views: Vec<OptionView> = Vec::with_capacity(offered.len());
    for answer in offered {
        let value = answer.to_input();
        if value.is_empty() || views.iter().any(|v| v.value == value) {
            continue;
        }
        views.push(OptionView {
            id: format!("{field_id}-offered-{}", views.len()),
            label: answer.display(item, &words),
            value,
            checked: false,
        });
    }
    views
}
