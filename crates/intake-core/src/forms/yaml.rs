//! The YAML front end: parses form and value-set files and compiles them to the model, every
//! error naming file, line and column with the offending line and what was expected.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    sync::Arc,
};

use serde_saphyr::{Location, Spanned};

use super::{
    AnswerOption, AttachmentRules, Bound, Condition, ConsentTerms, Constraint, EnableWhen,
    Expression, ExtractHook, Flag, Form, FormId, Item, ItemKind, NormalAnswer, Pattern, Query,
    QueryKind, ScoreBand, Section, Severity, Text, Variable,
    raw::{RawBand, RawEnableWhen, RawForm, RawItem, RawOption, RawSection, RawValueSet},
    sdc::{NoValueSets, ValueSetSource},
};

/// A file that could not be compiled. Displays like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: error: {message}\n{snippet}")]
pub struct LoadError {
    /// The file, as the caller named it.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// What was wrong, and what was expected.
    pub message: String,
    /// The offending line with a caret under the column.
    pub snippet: String,
}

impl LoadError {
    /// An error at `line` and `column` of `file`, with the line and a caret under the column:
    /// for any YAML file read by the same rules (forms, posting policies, schedules).
    pub fn at(
        file: &str,
        source: &str,
        line: u64,
        column: u64,
        message: impl fmt::Display,
    ) -> Self {
        let (line, column) = (line.max(1), column.max(1));
        let text = source
            .lines()
            .nth(usize::try_from(line - 1).unwrap_or(0))
            .unwrap_or("");
        let pad = " ".repeat(usize::try_from(column - 1).unwrap_or(0));
        Self {
            file: file.to_owned(),
            line,
            column,
            message: message.to_string(),
            snippet: format!("{line:>4} | {text}\n     | {pad}^"),
        }
    }
}

/// A value set: the concepts a choice item may offer.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSet {
    /// Its id (the file name).
    pub id: String,
    /// Its canonical URL, if it has one.
    pub url: Option<String>,
    /// Its title.
    pub title: Text,
    /// The concepts, in order.
    pub concepts: Vec<AnswerOption>,
}

/// Parses YAML into `T`, turning a parse error into a located [`LoadError`].
pub fn parse<T: serde::de::DeserializeOwned>(file: &str, source: &str) -> Result<T, LoadError> {
    serde_saphyr::from_str(source).map_err(|error| {
        let location = error.location().unwrap_or(Location::UNKNOWN);
        let message = error.without_snippet().to_string();
        let message = message.lines().next().unwrap_or(&message);
        let message = match message.split_once(": ") {
            Some((prefix, rest)) if prefix.starts_with("line ") => rest,
            _ => message,
        };
        let message = message.split(" at line ").next().unwrap_or(message);
        LoadError::at(file, source, location.line(), location.column(), message)
    })
}

/// Parses and compiles a value-set file.
pub fn load_value_set(file: &str, source: &str) -> Result<ValueSet, LoadError> {
    let raw: RawValueSet = parse(file, source)?;
    let none = BTreeMap::new();
    let compiler = Compiler::new(file, source, &none, &NoValueSets);
    compiler.check_id(
        &raw.id,
        "a value set id uses only letters, digits, `-` and `_`",
        true,
    )?;
    Ok(ValueSet {
        id: raw.id.value,
        url: raw.url,
        title: raw.title,
        concepts: options(raw.concepts),
    })
}

/// Parses and compiles one form file that uses no value sets. `file` names it in errors.
pub fn load_yaml(file: &str, source: &str) -> Result<Form, LoadError> {
    load_form(file, source, &BTreeMap::new())
}

/// Parses and compiles one form file, resolving `value_set` against `value_sets` (the files
/// of `forms/valuesets/`) only: a canonical URL is an error here. See [`load_form_with`].
pub fn load_form(
    file: &str,
    source: &str,
    value_sets: &BTreeMap<String, ValueSet>,
) -> Result<Form, LoadError> {
    load_form_with(file, source, value_sets, &NoValueSets)
}

/// Parses and compiles one form file, resolving `value_set` against `value_sets` (an id, or
/// the `url` of one of them), else a canonical URL through `answer_lists`: the same answer
/// lists an imported Questionnaire's `answerValueSet` resolves through (the HL7 core value
/// sets, a site's folder, a terminology server's expansions fetched beforehand).
pub fn load_form_with(
    file: &str,
    source: &str,
    value_sets: &BTreeMap<String, ValueSet>,
    answer_lists: &dyn ValueSetSource,
) -> Result<Form, LoadError> {
    let raw: RawForm = parse(file, source)?;
    Compiler::new(file, source, value_sets, answer_lists).form(raw)
}

/// Whether two canonical URLs name the same value set, a `|version` suffix aside.
fn same_url(a: &str, b: &str) -> bool {
    let bare = |u: &str| u.split('|').next().unwrap_or(u).to_owned();
    bare(a) == bare(b)
}

/// The canonical URLs a form file's items name in `value_set` (those with a `:`; the others
/// are files of `forms/valuesets/`), each once, sorted: what the edge resolves (asking the
/// terminology server where nothing else expands one) before the form compiles. A file that
/// does not parse names none: its load reports why.
pub fn value_set_urls(source: &str) -> Vec<String> {
    fn walk(items: &[RawItem], out: &mut BTreeSet<String>) {
        for item in items {
            if let Some(vs) = item.value_set.as_ref().filter(|vs| vs.value.contains(':')) {
                out.insert(vs.value.trim().to_owned());
            }
            walk(&item.items, out);
        }
    }
    let Ok(raw) = serde_saphyr::from_str::<RawForm>(source) else {
        return Vec::new();
    };
    let mut out = BTreeSet::new();
    for section in &raw.sections {
        walk(&section.items, &mut out);
    }
    out.into_iter().collect()
}

fn options(raw: Vec<RawOption>) -> Vec<AnswerOption> {
    raw.into_iter()
        .map(|o| AnswerOption {
            code: o.code,
            system: o.system,
            display: o.display,
            weight: o.weight,
            value_type: o.value_type,
        })
        .collect()
}

mod extraction;

pub use extraction::{definition_type, extractable_by_definition};

struct Compiler<'a> {
    file: &'a str,
    source: &'a str,
    value_sets: &'a BTreeMap<String, ValueSet>,
    /// Where a `value_set` given as a canonical URL is expanded.
    answer_lists: &'a dyn ValueSetSource,
    ids: BTreeSet<String>,
    /// The SDC linkIds taken: sections' and items' ids, or an item's `link_id`.
    link_ids: BTreeSet<String>,
    /// The consents (item id and terms), with where, their signature items checked once every
    /// item is known.
    signatures: Vec<(String, ConsentTerms, Location)>,
    /// Whether the form has a `crisis` text, which a flag for the patient needs.
    has_crisis: bool,
}

impl<'a> Compiler<'a> {
    fn new(
        file: &'a str,
        source: &'a str,
        value_sets: &'a BTreeMap<String, ValueSet>,
        answer_lists: &'a dyn ValueSetSource,
    ) -> Self {
        Self {
            file,
            source,
            value_sets,
            answer_lists,
            ids: BTreeSet::new(),
            link_ids: BTreeSet::new(),
            signatures: Vec::new(),
            has_crisis: false,
        }
    }

    fn error(&self, at: Location, message: impl fmt::Display) -> LoadError {
        LoadError::at(self.file, self.source, at.line(), at.column(), message)
    }

    fn check_id(&self, id: &Spanned<String>, message: &str, dashes: bool) -> Result<(), LoadError> {
        let valid = !id.value.is_empty()
            && id.value.len() <= 64
            && id
                .value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || (dashes && b == b'-'));
        if valid {
            Ok(())
        } else {
            Err(self.error(id.referenced, message))
        }
    }

    fn unique_id(&mut self, id: &Spanned<String>) -> Result<String, LoadError> {
        self.check_id(
            id,
            "an id uses only letters, digits and `_` (it is used as %id in expressions)",
            false,
        )?;
        if !self.ids.insert(id.value.clone()) {
            return Err(self.error(id.referenced, format!("duplicate id `{}`", id.value)));
        }
        Ok(id.value.clone())
    }

    /// Takes an id the compiler made, refusing one the form already uses.
    fn claim_id(&mut self, id: &str, at: Location) -> Result<(), LoadError> {
        if self.ids.insert(id.to_owned()) {
            Ok(())
        } else {
            Err(self.error(
                at,
                format!("duplicate id `{id}` (made for the group on file)"),
            ))
        }
    }

    /// Compiles an expression; a FHIRPath error points into the YAML string.
    fn expression(&self, source: &Spanned<String>) -> Result<Expression, LoadError> {
        Expression::compile(&source.value).map_err(|error| {
            let at = source.referenced;
            let offset = error.offset().unwrap_or(0).min(source.value.len());
            let line_text = self
                .source
                .lines()
                .nth(usize::try_from(at.line().max(1) - 1).unwrap_or(0))
                .unwrap_or("");
            let start = usize::try_from(at.column().max(1) - 1).unwrap_or(0);
            let quoted = line_text
                .get(start..)
                .is_some_and(|rest| rest.starts_with(['"', '\'']));
            let within = u64::try_from(source.value[..offset].chars().count()).unwrap_or(0);
            let column = if source.value.contains('\n') {
                at.column()
            } else {
                at.column() + u64::from(quoted) + within
            };
            LoadError::at(
                self.file,
                self.source,
                at.line(),
                column,
                format!("in FHIRPath `{}`: {error}", source.value),
            )
        })
    }

    /// Parses a `notify` list, each bad entry located.
    fn contacts(
        &self,
        raw: &[Spanned<String>],
    ) -> Result<Vec<crate::domain::UrgentContact>, LoadError> {
        raw.iter()
            .map(|entry| {
                crate::domain::UrgentContact::parse(&entry.value)
                    .map_err(|e| self.error(entry.referenced, e))
            })
            .collect()
    }

    fn form(mut self, raw: RawForm) -> Result<Form, LoadError> {
        self.has_crisis = raw.crisis.is_some();
        self.check_id(
            &raw.id,
            "a form id uses only letters, digits, `-` and `_`",
            true,
        )?;
        let id = FormId::parse(&raw.id.value)
            .ok_or_else(|| self.error(raw.id.referenced, "bad form id"))?;
        if raw.sections.is_empty() {
            return Err(self.error(raw.id.referenced, "a form needs at least one section"));
        }
        let variables = raw
            .variables
            .iter()
            .map(|v| {
                let name = self.unique_id(&v.name)?;
                Ok(Variable {
                    name,
                    expression: self.expression(&v.expression)?,
                })
            })
            .collect::<Result<_, LoadError>>()?;
        let queries = raw
            .queries
            .iter()
            .map(|q| self.query(q))
            .collect::<Result<_, LoadError>>()?;
        let sections: Vec<Section> = raw
            .sections
            .into_iter()
            .map(|s| self.section(s))
            .collect::<Result<_, _>>()?;
        let mut sections = sections;
        self.signatures_known(&mut sections)?;
        let all_items: Vec<Item> = sections.iter().flat_map(|s| s.items.clone()).collect();
        let extraction_context =
            self.extraction_context("the form", raw.extraction_context, &all_items)?;
        if let Some(limit) = &raw.max_changes
            && !(1..=super::model::MAX_CHANGES_CEILING).contains(&limit.value)
        {
            return Err(self.error(
                limit.referenced,
                format!(
                    "`max_changes` is {}: a submission may propose from 1 to {} chart changes",
                    limit.value,
                    super::model::MAX_CHANGES_CEILING
                ),
            ));
        }
        let languages = if raw.languages.is_empty() {
            vec!["en".to_owned()]
        } else {
            raw.languages
        };
        Ok(Form {
            url: raw
                .url
                .unwrap_or_else(|| format!("urn:intake:questionnaire:{id}")),
            id,
            version: raw.version,
            title: raw.title,
            description: raw.description,
            languages,
            variables,
            max_changes: raw.max_changes.map(|limit| limit.value),
            sections,
            notify: self.contacts(&raw.notify)?,
            crisis: raw.crisis,
            launch: raw.launch,
            queries,
            contained: raw.contained,
            extraction_context,
            content_hash: super::ContentHash::from_stored(String::new()),
            prepared: super::Prepared::default(),
        }
        .seal())
    }

    /// A query: its name free like a variable's, and exactly one of `search` or `batch`.
    fn query(&mut self, raw: &super::raw::RawQuery) -> Result<Query, LoadError> {
        let name = self.unique_id(&raw.name)?;
        let kind = match (&raw.search, &raw.batch) {
            (Some(url), None) => QueryKind::Search(url.clone()),
            (None, Some(urls)) if !urls.is_empty() => QueryKind::Batch(urls.clone()),
            _ => {
                return Err(self.error(
                    raw.name.referenced,
                    format!("query `{name}` needs either `search` or a non-empty `batch`"),
                ));
            }
        };
        Ok(Query { name, kind })
    }

    fn section(&mut self, raw: RawSection) -> Result<Section, LoadError> {
        let id = self.unique_id(&raw.id)?;
        if raw.items.is_empty() {
            return Err(self.error(raw.id.referenced, format!("section `{id}` has no items")));
        }
        let enable_when = raw
            .enable_when
            .as_ref()
            .map(|e| self.enable_when(e))
            .transpose()?;
        let link_id = if raw.page_only {
            if let Some(when) = &raw.enable_when {
                return Err(self.error(
                    when.referenced,
                    format!("page-only section `{id}` has no group in the Questionnaire to carry `enable_when`; put it on its items"),
                ));
            }
            if let Some(link) = &raw.link_id {
                return Err(self.error(
                    link.referenced,
                    format!("page-only section `{id}` has no group in the Questionnaire to carry a `link_id`"),
                ));
            }
            None
        } else {
            self.own_link_id(&id, &raw.id, raw.link_id)?
        };
        let items = self.items(raw.items)?;
        let definition = self.definition(raw.definition)?;
        let extraction_context =
            self.extraction_context(&format!("section `{id}`"), raw.extraction_context, &items)?;
        Ok(Section {
            id,
            link_id,
            title: raw.title,
            enable_when,
            page_only: raw.page_only,
            definition,
            extraction_context,
            items,
        })
    }

    /// Claims the `linkId` of the item or section `id`: its `link_id` when it has one (kept),
    /// else its id.
    fn own_link_id(
        &mut self,
        id: &str,
        raw_id: &Spanned<String>,
        link_id: Option<Spanned<String>>,
    ) -> Result<Option<String>, LoadError> {
        match link_id {
            Some(link) => {
                self.claim_link_id(&link.value, link.referenced)?;
                Ok(Some(link.value))
            }
            None => {
                self.claim_link_id(id, raw_id.referenced)?;
                Ok(None)
            }
        }
    }

    /// Takes the SDC `linkId` of an item or section, refusing one already taken: a linkId
    /// names one item of the Questionnaire.
    fn claim_link_id(&mut self, link_id: &str, at: Location) -> Result<(), LoadError> {
        if link_id.trim().is_empty() {
            return Err(self.error(at, "a `link_id` is not empty"));
        }
        if self.link_ids.insert(link_id.to_owned()) {
            Ok(())
        } else {
            Err(self.error(at, format!("linkId `{link_id}` names two items")))
        }
    }

    /// Compiles the items of one page or group. An item `child_of` a question is nested under
    /// it in the Questionnaire (SDC `answer.item`), so it names a question before it in the
    /// same list.
    fn items(&mut self, raw: Vec<RawItem>) -> Result<Vec<Item>, LoadError> {
        let mut items: Vec<Item> = Vec::with_capacity(raw.len());
        for raw_item in raw {
            if let Some(question) = &raw_item.child_of {
                let earlier = items.iter().find(|i| i.id == question.value);
                if !earlier.is_some_and(Item::is_answerable) {
                    return Err(self.error(
                        question.referenced,
                        format!(
                            "`child_of` names `{}`, which is not a question before `{}` in the same list",
                            question.value, raw_item.id.value
                        ),
                    ));
                }
            }
            items.push(self.item(raw_item)?);
        }
        Ok(items)
    }

    fn enable_when(&self, raw: &Spanned<RawEnableWhen>) -> Result<EnableWhen, LoadError> {
        let conditions = |list: &[super::raw::RawCondition]| {
            list.iter()
                .map(|c| {
                    let code = c.answer.value.get("code");
                    if code.is_some_and(|code| !code.is_string()) {
                        return Err(self.error(
                            c.answer.referenced,
                            "a code is text: quote it (code: \"yes\"); YAML reads yes, no, on and off as true or false",
                        ));
                    }
                    Ok(Condition { question: c.question.clone(), operator: c.operator, answer: c.answer.value.clone() })
                })
                .collect::<Result<Vec<_>, LoadError>>()
        };
        Ok(match &raw.value {
            RawEnableWhen::Expression(source) => EnableWhen::Expression(
                self.expression(&Spanned::new(source.clone(), raw.referenced, raw.defined))?,
            ),
            RawEnableWhen::Any { any } => EnableWhen::Conditions {
                any: true,
                conditions: conditions(any)?,
            },
            RawEnableWhen::All { all } => EnableWhen::Conditions {
                any: false,
                conditions: conditions(all)?,
            },
        })
    }

    fn item(&mut self, raw: RawItem) -> Result<Item, LoadError> {
        let id = self.unique_id(&raw.id)?;
        let kind = raw.kind.value;
        let at = raw.kind.referenced;
        let refuse = |key: &str, what: &str| {
            self.error(at, format!("`{key}` does not apply to {what} item `{id}`"))
        };
        let type_name = kind.as_str();
        if !kind.has_options() && (!raw.options.is_empty() || raw.value_set.is_some()) {
            return Err(refuse("options", type_name));
        }
        if !kind.has_bounds() && (raw.min.is_some() || raw.max.is_some()) {
            return Err(refuse("min/max", type_name));
        }
        if !kind.is_textual()
            && (raw.min_length.is_some() || raw.max_length.is_some() || raw.regex.is_some())
        {
            return Err(refuse("min_length/max_length/regex", type_name));
        }
        if kind != ItemKind::Quantity && raw.unit.is_some() {
            return Err(refuse("unit", type_name));
        }
        if let Some(on_file) = &raw.on_file {
            if !raw.items.is_empty() {
                return Err(self.error(
                    on_file.referenced,
                    format!(
                        "the questions of `on_file` group `{id}` are built in; remove its `items`"
                    ),
                ));
            }
            self.claim_link_id(&id, raw.id.referenced)?;
            return self.on_file_group(
                id,
                raw.kind.value,
                on_file,
                raw.text,
                raw.help,
                raw.enable_when.as_ref(),
            );
        }
        if (kind == ItemKind::Group) == raw.items.is_empty() {
            return Err(self.error(
                at,
                if kind == ItemKind::Group {
                    format!("group `{id}` needs `items`")
                } else {
                    format!("only groups have `items`; `{id}` is a {type_name} item")
                },
            ));
        }
        let answerable = !matches!(kind, ItemKind::Group | ItemKind::Display);
        let answers_only = raw.required
            || raw.calculated.is_some()
            || raw.initial.is_some()
            || raw.initial_value.is_some()
            || raw.extract.is_some();
        if !answerable && answers_only {
            return Err(self.error(at, format!("{type_name} item `{id}` takes no answer, so it cannot be required, calculated, initial or extracted")));
        }
        if (raw.min_occurs.is_some() || raw.max_occurs.is_some()) && !raw.repeats {
            return Err(self.error(
                at,
                format!("`min_occurs`/`max_occurs` need `repeats: true` on `{id}`"),
            ));
        }
        if let (Some(min), Some(max)) = (raw.min_occurs, raw.max_occurs)
            && min > max
        {
            return Err(self.error(
                at,
                format!("`min_occurs` {min} is more than `max_occurs` {max} on `{id}`"),
            ));
        }
        let consent = match raw.consent {
            Some(terms) if kind != ItemKind::Boolean => {
                return Err(self.error(
                    terms.referenced,
                    format!("`consent` is for a yes/no item; `{id}` is a {type_name} item"),
                ));
            }
            Some(terms) if terms.value.version.trim().is_empty() => {
                return Err(self.error(
                    terms.referenced,
                    "a consent needs the `version` of its text",
                ));
            }
            Some(terms) => {
                self.signatures
                    .push((id.clone(), terms.value.clone(), terms.referenced));
                Some(terms.value)
            }
            None => None,
        };
        let attachment = self.attachment(&id, kind, raw.mime_types, raw.max_size)?;
        let computed = raw.answer_expression.is_some();
        let (options, value_set) =
            self.choices(&id, kind, at, raw.options, raw.value_set, computed)?;
        if let Some(option) = options
            .iter()
            .find(|o| o.value_type == super::OptionType::Integer && o.code.parse::<i64>().is_err())
        {
            return Err(self.error(
                at,
                format!(
                    "option `{}` of `{id}` has `value_type: integer`, so its code is a whole number",
                    option.code
                ),
            ));
        }
        let regex = raw
            .regex
            .map(|r| {
                let compiled = regex_lite::Regex::new(&r.pattern.value).map_err(|e| {
                    self.error(r.pattern.referenced, format!("bad regular expression: {e}"))
                })?;
                Ok::<_, LoadError>(Pattern {
                    pattern: r.pattern.value,
                    message: r.message,
                    compiled: Arc::new(compiled),
                })
            })
            .transpose()?;
        let constraints =
            raw.constraints
                .iter()
                .map(|c| {
                    // Exported as a FHIR `id` (see `sdc::constraint_key`).
                    self.check_id(
                        &c.id,
                        "a constraint id uses only letters, digits and `_`",
                        false,
                    )?;
                    Ok(Constraint {
                        id: c.id.value.clone(),
                        expression: self.expression(&c.expression)?,
                        message: c.message.clone(),
                        severity: match c.severity.as_ref().map(|s| (s.value, s.referenced)) {
                            None | Some((Severity::Error, _)) => Severity::Error,
                            Some((Severity::Warning, _)) => Severity::Warning,
                            Some((_, at)) => {
                                return Err(self
                                    .error(at, "a constraint's severity is `error` or `warning`"));
                            }
                        },
                    })
                })
                .collect::<Result<_, LoadError>>()?;
        let flags = raw
            .flags
            .iter()
            .map(|f| {
                self.check_id(&f.id, "a flag id uses only letters, digits and `_`", false)?;
                if !f.notify.is_empty() && f.severity != Severity::Urgent {
                    return Err(self.error(
                        f.id.referenced,
                        format!("flag `{}` has a `notify` list, but only urgent flags alert anyone", f.id.value),
                    ));
                }
                if f.audience.contains(&super::Audience::Patient) && !self.has_crisis {
                    return Err(self.error(
                        f.id.referenced,
                        format!("flag `{}` is for the patient: the form needs a `crisis:` text (what to do now, in every language) to show them", f.id.value),
                    ));
                }
                Ok(Flag {
                    notify: self.contacts(&f.notify)?,
                    id: f.id.value.clone(),
                    severity: f.severity,
                    when: self.expression(&f.when)?,
                    message: f.message.clone(),
                    audience: if f.audience.is_empty() {
                        vec![super::Audience::Clinician, super::Audience::Staff]
                    } else {
                        f.audience.clone()
                    },
                })
            })
            .collect::<Result<_, LoadError>>()?;
        let enable_when = raw
            .enable_when
            .as_ref()
            .map(|e| self.enable_when(e))
            .transpose()?;
        let calculated = raw
            .calculated
            .as_ref()
            .map(|e| self.expression(e))
            .transpose()?;
        let initial = raw
            .initial
            .as_ref()
            .map(|e| self.expression(e))
            .transpose()?;
        let candidates = self.candidates(&id, kind, raw.repeats, raw.candidates.as_ref())?;
        let answer_expression =
            self.answer_expression(&id, kind, &options, raw.answer_expression.as_ref())?;
        let min = raw.min.as_ref().map(|b| self.bound(b, kind)).transpose()?;
        let max = raw.max.as_ref().map(|b| self.bound(b, kind)).transpose()?;
        let bands = self.bands(&id, kind, at, raw.calculated.is_some(), &raw.bands)?;
        let normal = raw
            .normal
            .as_ref()
            .map(|n| self.normal(&id, kind, &options, n))
            .transpose()?;
        let staff = raw.audience.contains(&super::Audience::Staff);
        if staff != raw.marker.is_some() {
            return Err(self.error(
                at,
                format!("`{id}`: an item `for: [staff]` needs a `marker`, the front desk's words for a notable answer, and a `marker` needs `for: [staff]`"),
            ));
        }
        let interpreter = match raw.interpreter {
            Some(flag) if flag.value && kind != ItemKind::Boolean => {
                return Err(self.error(
                    flag.referenced,
                    format!("`interpreter` is for a yes/no item; `{id}` is a {type_name} item"),
                ));
            }
            Some(flag) => flag.value,
            None => false,
        };
        let input = self.input_hints(&id, raw.autocomplete.as_ref(), raw.inputmode.as_ref())?;
        let population_context = raw
            .population_context
            .as_ref()
            .map(|v| {
                Ok::<_, LoadError>(Variable {
                    name: self.unique_id(&v.name)?,
                    expression: self.expression(&v.expression)?,
                })
            })
            .transpose()?;
        let variables = self.group_variables(&id, kind, raw.repeats, &raw.variables)?;
        let link_id = self.own_link_id(&id, &raw.id, raw.link_id)?;
        let items = self.items(raw.items)?;
        let definition = self.definition(raw.definition)?;
        let extraction_context =
            self.extraction_context(&format!("`{id}`"), raw.extraction_context, &items)?;
        Ok(Item {
            id,
            link_id,
            child_of: raw.child_of.map(|question| question.value),
            kind,
            text: raw.text,
            help: raw.help,
            codes: raw.code,
            required: raw.required,
            repeats: raw.repeats,
            min_occurs: raw.min_occurs,
            max_occurs: raw.max_occurs,
            read_only: raw.read_only,
            hidden: raw.hidden,
            // Only a value set too large to list leaves a choice without options.
            searched_on_server: kind == ItemKind::Choice
                && options.is_empty()
                && value_set.is_some(),
            options,
            value_set,
            min,
            max,
            min_length: raw.min_length,
            max_length: raw.max_length,
            regex,
            unit: raw.unit,
            constraints,
            enable_when,
            calculated,
            initial,
            initial_value: raw.initial_value,
            candidates,
            definition,
            extraction_context,
            answer_expression,
            flags,
            extract: raw.extract,
            on_file: None,
            consent,
            attachment,
            drawn_signature_of: None,
            bands,
            normal,
            audience: raw.audience,
            marker: raw.marker,
            interpreter,
            input,
            observation_link: raw.observation_link,
            population_context,
            variables,
            items,
        })
    }

    /// The answers an item offers (`candidates`): only where the patient types one answer in,
    /// which is where the page can offer them.
    fn candidates(
        &self,
        id: &str,
        kind: ItemKind,
        repeats: bool,
        raw: Option<&Spanned<String>>,
    ) -> Result<Option<Expression>, LoadError> {
        let Some(raw) = raw else { return Ok(None) };
        if !Item::offers_candidates(kind, repeats) {
            return Err(self.error(
                raw.referenced,
                format!("`candidates` of `{id}`: only a one-answer string, integer, decimal, date, time or url item offers candidates"),
            ));
        }
        self.expression(raw).map(Some)
    }

    /// The computed answer list of a choice (`answer_expression`), in place of `options`.
    fn answer_expression(
        &self,
        id: &str,
        kind: ItemKind,
        options: &[super::AnswerOption],
        raw: Option<&Spanned<String>>,
    ) -> Result<Option<Expression>, LoadError> {
        let Some(raw) = raw else { return Ok(None) };
        if !matches!(kind, ItemKind::Choice | ItemKind::OpenChoice) || !options.is_empty() {
            return Err(self.error(
                raw.referenced,
                format!("`answer_expression` of `{id}`: only a choice or open-choice item without `options` or `value_set` computes its answer list"),
            ));
        }
        self.expression(raw).map(Some)
    }

    /// The variables of a repeating group, worked out in each instance: named like any
    /// variable, and refused elsewhere (a form's own `variables` serve the rest).
    fn group_variables(
        &mut self,
        id: &str,
        kind: ItemKind,
        repeats: bool,
        raw: &[super::raw::RawVariable],
    ) -> Result<Vec<Variable>, LoadError> {
        if let (Some(first), false) = (raw.first(), kind == ItemKind::Group && repeats) {
            return Err(self.error(
                first.name.referenced,
                format!("`variables` of `{id}`: only a repeating group has variables of its own; put them in the form's `variables`"),
            ));
        }
        raw.iter()
            .map(|v| {
                Ok(Variable {
                    name: self.unique_id(&v.name)?,
                    expression: self.expression(&v.expression)?,
                })
            })
            .collect()
    }

    /// An item's `autocomplete` and `inputmode`: known values only, on items typed into.
    fn input_hints(
        &self,
        id: &str,
        autocomplete: Option<&Spanned<String>>,
        inputmode: Option<&Spanned<String>>,
    ) -> Result<super::InputHints, LoadError> {
        let check = |field: Option<&Spanned<String>>, name: &str, known: &[&str]| match field {
            Some(value)
                if !(known.contains(&value.value.as_str())
                    || name == "autocomplete" && super::InputHints::is_known(&value.value)) =>
            {
                Err(self.error(
                    value.referenced,
                    format!(
                        "`{id}`: `{name}: {}` is not one of {}",
                        value.value,
                        known.join(", ")
                    ),
                ))
            }
            Some(value) => Ok(Some(value.value.clone())),
            None => Ok(None),
        };
        Ok(super::InputHints {
            autocomplete: check(autocomplete, "autocomplete", super::AUTOCOMPLETE_TOKENS)?,
            inputmode: check(inputmode, "inputmode", super::INPUT_MODES)?,
        })
    }

    /// What an `attachment` item takes: `mime_types` among those Intake can check and clean,
    /// and `max_size` up to the ceiling; both only on attachment items.
    /// Each consent's typed-name item is a string item of the form; its drawn signature, if
    /// any, an attachment item on the consent's page that takes a small PNG, is not required
    /// (without JavaScript there is nothing to draw with) and does not repeat. The drawn item
    /// is marked with the consent it signs.
    fn signatures_known(&self, sections: &mut [Section]) -> Result<(), LoadError> {
        for (consent, terms, at) in &self.signatures {
            let signature = &terms.signature;
            let signs = sections
                .iter()
                .flat_map(|s| s.items.iter().flat_map(Item::walk))
                .any(|item| &item.id == signature && item.kind == ItemKind::String);
            if !signs {
                return Err(self.error(
                    *at,
                    format!("the consent's `signature` names `{signature}`, which is not a string item of this form"),
                ));
            }
            let Some(drawn) = &terms.drawn else {
                continue;
            };
            let error = |message: String| Err(self.error(*at, message));
            let page_of = |id: &str| {
                sections
                    .iter()
                    .position(|s| s.items.iter().flat_map(Item::walk).any(|i| i.id == id))
            };
            let same_page = page_of(drawn) == page_of(consent);
            let Some(item) = sections
                .iter_mut()
                .find_map(|s| find_mut(&mut s.items, drawn, false))
            else {
                return error(format!(
                    "the consent's `drawn` names `{drawn}`, which is not an item of this form"
                ));
            };
            let (item, in_repeat) = item;
            if item.kind != ItemKind::Attachment {
                return error(format!(
                    "the consent's `drawn` names `{drawn}`, a {} item; a signature is drawn into an `attachment` item",
                    item.kind.as_str()
                ));
            }
            if in_repeat || item.repeats {
                return error(format!(
                    "`{drawn}`, where the signature of `{consent}` is drawn, cannot repeat or sit in a repeating group"
                ));
            }
            if item.required {
                return error(format!(
                    "`{drawn}`, where the signature of `{consent}` is drawn, cannot be `required`: without JavaScript there is nothing to draw with, and the typed name in `{signature}` signs"
                ));
            }
            if !item
                .attachment
                .as_ref()
                .is_some_and(AttachmentRules::fit_a_drawing)
            {
                return error(format!(
                    "`{drawn}`, where the signature of `{consent}` is drawn, takes a PNG (what a drawing is sent as) of at most {} bytes: set `mime_types: [image/png]` and a `max_size`",
                    AttachmentRules::SIGNATURE_MAX_SIZE_CEILING
                ));
            }
            if let Some(other) = &item.drawn_signature_of {
                return error(format!(
                    "`{drawn}` is already where the signature of `{other}` is drawn"
                ));
            }
            if !same_page {
                return error(format!(
                    "`{drawn}`, where the signature of `{consent}` is drawn, must be on the same page (section) as `{consent}`"
                ));
            }
            item.drawn_signature_of = Some(consent.clone());
        }
        Ok(())
    }

    fn attachment(
        &self,
        id: &str,
        kind: ItemKind,
        mime_types: Option<Spanned<Vec<String>>>,
        max_size: Option<Spanned<u64>>,
    ) -> Result<Option<AttachmentRules>, LoadError> {
        if kind != ItemKind::Attachment {
            if let Some(at) = mime_types
                .map(|m| m.referenced)
                .or(max_size.map(|m| m.referenced))
            {
                return Err(self.error(
                    at,
                    format!("`mime_types` and `max_size` are for an attachment item; `{id}` is a {} item", kind.as_str()),
                ));
            }
            return Ok(None);
        }
        let mut rules = AttachmentRules::default();
        if let Some(types) = mime_types {
            if types.value.is_empty() {
                return Err(
                    self.error(types.referenced, format!("`mime_types` of `{id}` is empty"))
                );
            }
            if let Some(other) = types
                .value
                .iter()
                .find(|m| !AttachmentRules::SUPPORTED.contains(&m.as_str()))
            {
                return Err(self.error(
                    types.referenced,
                    format!("`{other}` cannot be checked and cleaned of its metadata; `mime_types` may list {}", AttachmentRules::SUPPORTED.join(", ")),
                ));
            }
            rules.mime_types = types.value;
        }
        if let Some(size) = max_size {
            if size.value == 0 || size.value > AttachmentRules::MAX_SIZE_CEILING {
                return Err(self.error(
                    size.referenced,
                    format!(
                        "`max_size` of `{id}` must be from 1 to {} bytes",
                        AttachmentRules::MAX_SIZE_CEILING
                    ),
                ));
            }
            rules.max_size = size.value;
        }
        Ok(Some(rules))
    }

    /// A score's bands, each a range with a label and a meaning. Whether they cover the
    /// score's range without gaps is the linter's to say (`intake forms check`).
    fn bands(
        &self,
        id: &str,
        kind: ItemKind,
        at: Location,
        calculated: bool,
        raw: &[RawBand],
    ) -> Result<Vec<ScoreBand>, LoadError> {
        let score = calculated && matches!(kind, ItemKind::Integer | ItemKind::Decimal);
        if !raw.is_empty() && !score {
            return Err(self.error(
                at,
                format!(
                    "`bands` are for a score (a calculated integer or decimal); `{id}` is not one"
                ),
            ));
        }
        raw.iter()
            .map(|band| {
                if band.min.value > band.max.value {
                    return Err(self.error(
                        band.min.referenced,
                        format!("a band of `{id}` runs from {} down to {}; `min` comes first", band.min.value, band.max.value),
                    ));
                }
                if kind == ItemKind::Integer
                    && (band.min.value.fract() != 0.0 || band.max.value.fract() != 0.0)
                {
                    return Err(self.error(
                        band.min.referenced,
                        format!("`{id}` is a whole number; its bands' `min` and `max` are whole numbers too"),
                    ));
                }
                Ok(ScoreBand {
                    min: band.min.value,
                    max: band.max.value,
                    label: band.label.clone(),
                    meaning: band.meaning.clone(),
                })
            })
            .collect()
    }

    /// `normal:` a yes/no item's `true` or `false`, or a choice item's code or list of codes.
    fn normal(
        &self,
        id: &str,
        kind: ItemKind,
        options: &[AnswerOption],
        raw: &Spanned<serde_json::Value>,
    ) -> Result<NormalAnswer, LoadError> {
        use serde_json::Value;
        let at = raw.referenced;
        match (kind, &raw.value) {
            (ItemKind::Boolean, Value::Bool(normal)) => Ok(NormalAnswer::Boolean(*normal)),
            (ItemKind::Boolean, _) => Err(self.error(
                at,
                format!("`normal` of yes/no item `{id}` is `true` or `false`"),
            )),
            (ItemKind::Choice | ItemKind::OpenChoice, value) => {
                let codes: Vec<String> = match value {
                    Value::String(code) => vec![code.clone()],
                    Value::Array(codes) => codes
                        .iter()
                        .map(|c| c.as_str().map(str::to_owned))
                        .collect::<Option<_>>()
                        .ok_or_else(|| self.error(at, "`normal` lists option codes, quoted"))?,
                    _ => return Err(self.error(at, "`normal` is an option code or a list of them")),
                };
                if let Some(unknown) = codes
                    .iter()
                    .find(|c| !options.iter().any(|o| &o.code == *c))
                {
                    return Err(self.error(
                        at,
                        format!("`normal` names `{unknown}`, which is not an option of `{id}`"),
                    ));
                }
                Ok(NormalAnswer::Codes(codes))
            }
            _ => Err(self.error(
                at,
                format!(
                    "`normal` is for yes/no and choice items; `{id}` is a {} item",
                    kind.as_str()
                ),
            )),
        }
    }

    /// A group about what is on file (`on_file: medication-statement`): its questions are the
    /// product's own (`forms::on_file`), so it takes nothing but a text, help and `enable_when`.
    fn on_file_group(
        &mut self,
        id: String,
        kind: ItemKind,
        on_file: &Spanned<ExtractHook>,
        text: Text,
        help: Option<Text>,
        enable_when: Option<&Spanned<RawEnableWhen>>,
    ) -> Result<Item, LoadError> {
        if kind != ItemKind::Group {
            return Err(self.error(
                on_file.referenced,
                format!(
                    "`on_file` is for a group; `{id}` is a {} item",
                    kind.as_str()
                ),
            ));
        }
        if on_file.value == ExtractHook::Observation {
            return Err(self.error(
                on_file.referenced,
                "`on_file` takes allergy-intolerance, medication-statement or condition",
            ));
        }
        let enable_when = enable_when.map(|e| self.enable_when(e)).transpose()?;
        let group = super::on_file::group(&id, on_file.value, text, help, enable_when);
        for child in &group.items {
            self.claim_id(&child.id, on_file.referenced)?;
            self.claim_link_id(&child.id, on_file.referenced)?;
        }
        Ok(group)
    }

    fn choices(
        &self,
        id: &str,
        kind: ItemKind,
        at: Location,
        raw: Vec<RawOption>,
        value_set: Option<Spanned<String>>,
        computed: bool,
    ) -> Result<(Vec<AnswerOption>, Option<String>), LoadError> {
        match (kind.has_options(), raw.is_empty(), value_set) {
            (false, _, _) => Ok((vec![], None)),
            (true, false, Some(vs)) => Err(self.error(
                vs.referenced,
                format!("`{id}` has both `options` and `value_set`; keep one"),
            )),
            (true, false, None) => Ok((options(raw), None)),
            (true, true, Some(vs)) => self.value_set(vs, kind).map(|(o, v)| (o, Some(v))),
            (true, true, None) if kind == ItemKind::OpenChoice || computed => Ok((vec![], None)),
            (true, true, None) => Err(self.error(
                at,
                format!("choice item `{id}` needs `options` or a `value_set`"),
            )),
        }
    }

    /// The concepts of the value set `vs` names and the name the item keeps: a file of
    /// `forms/valuesets/` by id (or by its `url`), else a canonical URL expanded by the answer
    /// lists (the item keeps the URL, which export writes as `answerValueSet`).
    fn value_set(
        &self,
        vs: Spanned<String>,
        kind: ItemKind,
    ) -> Result<(Vec<AnswerOption>, String), LoadError> {
        let name = vs.value.trim();
        let local = self.value_sets.get(name).or_else(|| {
            self.value_sets
                .values()
                .find(|set| set.url.as_deref().is_some_and(|url| same_url(url, name)))
        });
        if let Some(set) = local {
            return Ok((set.concepts.clone(), name.to_owned()));
        }
        if !name.contains(':') {
            return Err(self.error(
                vs.referenced,
                format!("no value set `{name}` (expected forms/valuesets/{name}.yaml)"),
            ));
        }
        match self.answer_lists.expand(name) {
            Ok(codings) => Ok((
                codings
                    .into_iter()
                    .map(|c| AnswerOption {
                        display: Text::english(c.display.clone().unwrap_or_else(|| c.code.clone())),
                        code: c.code,
                        system: c.system,
                        weight: None,
                        value_type: super::OptionType::Coding,
                    })
                    .collect(),
                name.to_owned(),
            )),
            // Too large to list: a choice (not an open one) asks it by searching the server,
            // with no options of its own.
            Err(error)
                if error.failure == super::sdc::ValueSetFailure::SearchedOnServer
                    && kind == ItemKind::Choice =>
            {
                Ok((Vec::new(), name.to_owned()))
            }
            Err(error) => Err(self.error(
                vs.referenced,
                format!("the value set {name} gives no answer list: {error}"),
            )),
        }
    }

    fn bound(&self, raw: &Spanned<serde_json::Value>, kind: ItemKind) -> Result<Bound, LoadError> {
        let dated = matches!(kind, ItemKind::Date | ItemKind::DateTime);
        match (&raw.value, dated) {
            (serde_json::Value::Number(n), false) => n
                .as_f64()
                .map(Bound::Number)
                .ok_or_else(|| self.error(raw.referenced, "not a number")),
            (serde_json::Value::String(s), true)
                if crate::fhirpath::value::Temporal::parse_date(s).is_some()
                    || crate::fhirpath::value::Temporal::parse_datetime(s).is_some() =>
            {
                Ok(Bound::Date(s.clone()))
            }
            (_, true) => Err(self.error(raw.referenced, "expected a date like 2026-01-31")),
            (_, false) => Err(self.error(raw.referenced, "expected a number")),
        }
    }
}

/// The item `id` among `items` and their descendants, and whether it sits in a repeating group.
fn find_mut<'i>(items: &'i mut [Item], id: &str, in_repeat: bool) -> Option<(&'i mut Item, bool)> {
    for item in items {
        if item.id == id {
            return Some((item, in_repeat));
        }
        let repeats = in_repeat || item.kind == ItemKind::Group && item.repeats;
        if let Some(found) = find_mut(&mut item.items, id, repeats) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
id: demo
version: \"1\"
title: Demo
sections:
  - id: about
    title: { en: About you, es: Sobre usted }
    items:
      - id: reason
        type: text
        text: Why are you coming in?
        required: true
      - id: smoker
        type: choice
        text: Do you smoke?
        options:
          - { code: never, display: Never }
          - { code: current, display: \"Yes\" }
";

    fn fails(source: &str) -> LoadError {
        load_yaml("forms/demo.yaml", source).unwrap_err()
    }

    #[test]
    fn a_good_form_compiles_with_a_stable_hash() {
        let form = load_yaml("forms/demo.yaml", GOOD).unwrap();
        assert_eq!(form.id.as_str(), "demo");
        assert_eq!(form.sections[0].title.in_language("es"), "Sobre usted");
        assert_eq!(form.sections[0].title.in_language("fr"), "About you");
        assert_eq!(form.item("smoker").unwrap().options.len(), 2);
        let again = load_yaml(
            "other/name.yaml",
            &GOOD.replace("{ code: never", "{code: never"),
        )
        .unwrap();
        assert_eq!(form.content_hash, again.content_hash);
        let changed =
            load_yaml("forms/demo.yaml", &GOOD.replace("Do you smoke?", "Smoke?")).unwrap();
        assert_ne!(form.content_hash, changed.content_hash);
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_line_and_column() {
        let error = fails(&GOOD.replace("        required: true", "        requird: true"));
        assert_eq!((error.line, error.column), (11, 9));
        assert!(error.message.contains("requird"), "{}", error.message);
        assert!(
            error
                .to_string()
                .starts_with("forms/demo.yaml:11:9: error: "),
            "{error}"
        );
        assert!(error.snippet.contains("requird: true"), "{}", error.snippet);
    }

    #[test]
    fn a_duplicate_id_names_the_second_one() {
        let error = fails(&GOOD.replace("id: smoker", "id: reason"));
        assert_eq!(
            (error.line, error.message.as_str()),
            (12, "duplicate id `reason`")
        );
    }

    #[test]
    fn a_choice_without_options_and_options_on_a_number_are_errors() {
        let error = fails(&GOOD.replace("type: text", "type: choice"));
        assert_eq!(error.line, 9);
        assert!(
            error.message.contains("needs `options` or a `value_set`"),
            "{}",
            error.message
        );
        let error = fails(&GOOD.replace("type: choice", "type: integer"));
        assert!(
            error
                .message
                .contains("`options` does not apply to integer item `smoker`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_wrong_type_name_says_what_was_expected() {
        let error = fails(&GOOD.replace("type: text", "type: essay"));
        assert_eq!((error.line, error.column), (9, 15));
        assert!(error.message.contains("essay"), "{}", error.message);
    }

    #[test]
    fn an_unquoted_yes_as_text_says_to_quote_it() {
        let error = fails(&GOOD.replace("display: \"Yes\"", "display: Yes"));
        assert_eq!(error.line, 17);
        assert!(
            error.message.contains("quote words such as"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_fhirpath_error_points_into_the_expression() {
        let source = GOOD.replace(
            "        required: true",
            "        enable_when: \"%smoker.code = \"",
        );
        let error = fails(&source);
        // The string starts at column 22; its content at 23; the error is at its end (offset 15).
        assert_eq!((error.line, error.column), (11, 23 + 15), "{error}");
        assert!(
            error.message.starts_with("in FHIRPath `%smoker.code = `"),
            "{}",
            error.message
        );
    }

    #[test]
    fn value_sets_are_resolved_by_id_and_a_missing_one_is_named() {
        let set = load_value_set(
            "forms/valuesets/yes-no.yaml",
            "id: yes-no\ntitle: Yes or no\nconcepts:\n  - { code: Y, display: \"Yes\", weight: 1 }\n  - { code: N, display: \"No\", weight: 0 }\n",
        )
        .unwrap();
        let sets = BTreeMap::from([(set.id.clone(), set)]);
        let source = GOOD.replace(
            "        options:\n          - { code: never, display: Never }\n          - { code: current, display: \"Yes\" }\n",
            "        value_set: yes-no\n",
        );
        let form = load_form("forms/demo.yaml", &source, &sets).unwrap();
        let smoker = form.item("smoker").unwrap();
        assert_eq!(
            (smoker.options.len(), smoker.options[0].weight),
            (2, Some(1.0))
        );
        let error = load_form("forms/demo.yaml", &source, &BTreeMap::new()).unwrap_err();
        assert_eq!(error.line, 15);
        assert!(
            error.message.contains("forms/valuesets/yes-no.yaml"),
            "{}",
            error.message
        );
    }

    #[test]
    fn an_unquoted_yes_as_a_condition_code_says_to_quote_it() {
        let source = GOOD.replace(
            "        required: true",
            "        enable_when:\n          any:\n            - { question: smoker, operator: \"=\", answer: { code: yes } }",
        );
        let error = fails(&source);
        assert_eq!(error.line, 13);
        assert!(error.message.contains("quote it"), "{}", error.message);
    }

    #[test]
    fn groups_need_items_and_bounds_must_fit_the_type() {
        let group = GOOD.replace("type: text", "type: group");
        assert!(
            fails(&group)
                .message
                .contains("group `reason` needs `items`")
        );
        let bounded = GOOD.replace("        required: true", "        min: 3");
        assert!(
            fails(&bounded)
                .message
                .contains("`min/max` does not apply to text item")
        );
        let bad_regex = GOOD.replace(
            "        required: true",
            "        regex: { pattern: \"[\", message: Bad }",
        );
        assert!(fails(&bad_regex).message.contains("bad regular expression"));
    }

    #[test]
    fn a_questionnaires_link_ids_nesting_and_pages_are_checked() {
        let page_only = GOOD.replace(
            "    title: { en: About you, es: Sobre usted }\n",
            "    title: { en: About you, es: Sobre usted }\n    page_only: true\n",
        );
        let form = load_yaml("forms/demo.yaml", &page_only).unwrap();
        assert!(form.sections[0].page_only);
        assert_eq!(
            form.link_id_of("about"),
            None,
            "a page-only section has no linkId"
        );
        assert_eq!(form.link_id_of("reason"), Some("reason"));
        let with_condition = page_only.replace(
            "    page_only: true\n",
            "    page_only: true\n    enable_when: \"true\"\n",
        );
        assert!(
            fails(&with_condition)
                .message
                .contains("page-only section `about`")
        );

        let renamed = GOOD.replace(
            "      - id: smoker\n",
            "      - id: smoker\n        link_id: \"/72166-2\"\n        child_of: reason\n",
        );
        let form = load_yaml("forms/demo.yaml", &renamed).unwrap();
        let smoker = form.item("smoker").unwrap();
        assert_eq!(smoker.link_id(), "/72166-2");
        assert_eq!(smoker.child_of.as_deref(), Some("reason"));
        assert_eq!(form.link_id_of("smoker"), Some("/72166-2"));
        // Unset, they are left out of what the hash is taken of, so forms keep their hashes.
        let hashed = serde_json::to_string(&load_yaml("forms/demo.yaml", GOOD).unwrap()).unwrap();
        for key in ["page_only", "link_id", "child_of", "value_type"] {
            assert!(!hashed.contains(key), "{key} in {hashed}");
        }

        let taken = GOOD.replace(
            "      - id: smoker\n",
            "      - id: smoker\n        link_id: reason\n",
        );
        assert!(
            fails(&taken)
                .message
                .contains("linkId `reason` names two items")
        );
        let not_before = GOOD.replace(
            "        required: true",
            "        required: true\n        child_of: smoker",
        );
        assert!(
            fails(&not_before)
                .message
                .contains("`child_of` names `smoker`, which is not a question before `reason`")
        );
        let integers = GOOD.replace(
            "{ code: never, display: Never }",
            "{ code: never, display: Never, value_type: integer }",
        );
        assert!(
            fails(&integers)
                .message
                .contains("its code is a whole number")
        );
    }
}
