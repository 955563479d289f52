//! The form rules file (`INTAKE_FORM_RULES`, `deploy/form-rules.yaml`): which form a visit gets,
//! from the appointment's service and appointment types and the patient's age and sex. Rules
//! are tried in order and the first whose every condition holds wins; `default` is the form
//! when none does. The format is documented in `docs/form-rules.md`.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::visit::{Code, Sex, VisitFacts};
use crate::{
    domain::{Joiner, Message, Phrase},
    forms::{FormId, LoadError, parse_yaml},
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    default: Option<Spanned<String>>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    form: Spanned<String>,
    #[serde(default)]
    when: RawWhen,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    #[serde(default)]
    service_type: Vec<Spanned<String>>,
    #[serde(default)]
    appointment_type: Vec<Spanned<String>>,
    age_at_least: Option<i32>,
    age_under: Option<i32>,
    sex: Option<Sex>,
}

/// One rule: a name for people, the form, and conditions that must all hold.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRule {
    /// What the rule is for, e.g. "adults with a mental-health visit".
    pub name: String,
    /// The form it gives.
    pub form: FormId,
    /// Any of these service types (none: any visit).
    pub service_types: Vec<Code>,
    /// Any of these appointment types (none: any visit).
    pub appointment_types: Vec<Code>,
    /// The patient is at least this old on the day of the visit.
    pub age_at_least: Option<i32>,
    /// The patient is younger than this on the day of the visit.
    pub age_under: Option<i32>,
    /// The patient's sex on the chart.
    pub sex: Option<Sex>,
}

/// The rules, in order, and the default form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormRules {
    /// Tried in order.
    pub rules: Vec<FormRule>,
    /// The form when no rule matches; without one such a visit is a schedule problem.
    pub default: Option<FormId>,
}

/// The form the rules picked, and why, in words for staff and the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormChoice {
    /// The form.
    pub form: FormId,
    /// E.g. `rule 2 (adults with a mental-health visit): serviceType urn:x|mh and age 42 ≥ 18`,
    /// in message ids of `locales/<language>/staff.ftl` ([`REASON_MESSAGE_IDS`]).
    pub reason: Phrase,
}

/// Every message id a [`FormChoice`]'s reason uses, for the tests that hold them against
/// `locales/`.
pub const REASON_MESSAGE_IDS: [&str; 8] = [
    "form-rule-matched",
    "form-rule-no-conditions",
    "form-rule-default",
    "form-rule-service-type",
    "form-rule-appointment-type",
    "form-rule-age-at-least",
    "form-rule-age-under",
    "form-rule-sex",
];

/// A condition that held, as the message `id` with `args` shown as they are.
fn held(id: &'static str, args: &[(&'static str, String)]) -> Phrase {
    let mut message = Message::new(id);
    for (name, value) in args {
        message = message.with(name, value.as_str());
    }
    Phrase::Said(message)
}

/// The shipped rules file, the default when `INTAKE_FORM_RULES` is unset.
pub const SHIPPED_RULES: &str = include_str!("../../deploy/form-rules.yaml");

impl FormRules {
    /// Reads a rules file. `in_service` says whether a form id is among the forms in service;
    /// a rule naming another form, like any mistake, is an error naming file, line and column.
    pub fn from_yaml(
        file: &str,
        source: &str,
        in_service: impl Fn(&FormId) -> bool,
    ) -> Result<Self, LoadError> {
        let raw: RawRules = parse_yaml(file, source)?;
        let form = |spanned: &Spanned<String>| {
            let at = spanned.referenced;
            FormId::parse(&spanned.value)
                .filter(&in_service)
                .ok_or_else(|| {
                    LoadError::at(
                        file,
                        source,
                        at.line(),
                        at.column(),
                        format!("`{}` is not among the forms in service", spanned.value),
                    )
                })
        };
        let codes = |list: &[Spanned<String>]| {
            list.iter()
                .map(|spanned| {
                    Code::parse(&spanned.value).ok_or_else(|| {
                        let at = spanned.referenced;
                        LoadError::at(
                            file,
                            source,
                            at.line(),
                            at.column(),
                            "a code is `system|code` or `code`",
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let mut rules = Vec::with_capacity(raw.rules.len());
        for rule in &raw.rules {
            if let (Some(low), Some(high)) = (rule.when.age_at_least, rule.when.age_under)
                && low >= high
            {
                let at = rule.form.referenced;
                return Err(LoadError::at(
                    file,
                    source,
                    at.line(),
                    at.column(),
                    format!(
                        "rule `{}` can never match: age_at_least {low} is not below age_under {high}",
                        rule.name
                    ),
                ));
            }
            rules.push(FormRule {
                name: rule.name.clone(),
                form: form(&rule.form)?,
                service_types: codes(&rule.when.service_type)?,
                appointment_types: codes(&rule.when.appointment_type)?,
                age_at_least: rule.when.age_at_least,
                age_under: rule.when.age_under,
                sex: rule.when.sex,
            });
        }
        let default = raw.default.as_ref().map(form).transpose()?;
        Ok(Self { rules, default })
    }

    /// The form for a visit: the first rule whose every condition holds, else the default;
    /// `None` when neither.
    pub fn choose(&self, visit: &VisitFacts) -> Option<FormChoice> {
        self.rules
            .iter()
            .enumerate()
            .find_map(|(index, rule)| {
                let because = rule.matches(visit)?;
                let because = if because.is_empty() {
                    Phrase::said("form-rule-no-conditions")
                } else {
                    Phrase::Joined {
                        items: because,
                        by: Joiner::And,
                    }
                };
                Some(FormChoice {
                    form: rule.form.clone(),
                    reason: Phrase::composed(
                        "form-rule-matched",
                        vec![
                            ("number", Phrase::verbatim((index + 1).to_string())),
                            ("name", Phrase::verbatim(rule.name.clone())),
                            ("because", because),
                        ],
                    ),
                })
            })
            .or_else(|| {
                self.default.as_ref().map(|form| FormChoice {
                    form: form.clone(),
                    reason: Phrase::said("form-rule-default"),
                })
            })
    }
}

impl FormRule {
    /// Why the rule holds for `visit` (one phrase per condition), or `None` when it does not.
    fn matches(&self, visit: &VisitFacts) -> Option<Vec<Phrase>> {
        let mut because = Vec::new();
        if !self.service_types.is_empty() {
            let coding = visit
                .service_types
                .iter()
                .find(|c| self.service_types.iter().any(|rule| rule.names(c)))?;
            because.push(held(
                "form-rule-service-type",
                &[("coding", coding.to_string())],
            ));
        }
        if !self.appointment_types.is_empty() {
            let coding = visit
                .appointment_types
                .iter()
                .find(|c| self.appointment_types.iter().any(|rule| rule.names(c)))?;
            because.push(held(
                "form-rule-appointment-type",
                &[("coding", coding.to_string())],
            ));
        }
        if let Some(low) = self.age_at_least {
            let age = visit.age.filter(|age| *age >= low)?;
            because.push(held(
                "form-rule-age-at-least",
                &[("age", age.to_string()), ("low", low.to_string())],
            ));
        }
        if let Some(high) = self.age_under {
            let age = visit.age.filter(|age| *age < high)?;
            because.push(held(
                "form-rule-age-under",
                &[("age", age.to_string()), ("high", high.to_string())],
            ));
        }
        if let Some(sex) = self.sex {
            visit.sex.filter(|s| *s == sex)?;
            because.push(held("form-rule-sex", &[("sex", sex.as_str().to_owned())]));
        }
        Some(because)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = "\
default: previsit-basic
rules:
  - name: children
    form: pediatric-sick-visit
    when:
      age_under: 18
  - name: adults with a mental-health visit
    form: adult-previsit
    when:
      service_type: [\"urn:clinic:service|mental-health\", behavioral]
      age_at_least: 18
  - name: blood pressure follow-ups
    form: hypertension-followup
    when:
      appointment_type: [FOLLOWUP]
      service_type: [hypertension]
  - name: women's health
    form: new-patient-registration
    when:
      sex: female
      service_type: [womens-health]
";

    /// The reason as the front desk and the command line read it.
    fn in_english(reason: &Phrase) -> String {
        crate::i18n::Language::english().phrase(reason)
    }

    fn any_form(_: &FormId) -> bool {
        true
    }

    fn rules() -> FormRules {
        FormRules::from_yaml("r.yaml", RULES, any_form).unwrap()
    }

    fn visit(
        service: &[&str],
        appointment: &[&str],
        age: Option<i32>,
        sex: Option<Sex>,
    ) -> VisitFacts {
        VisitFacts {
            service_types: service.iter().map(|c| Code::parse(c).unwrap()).collect(),
            appointment_types: appointment
                .iter()
                .map(|c| Code::parse(c).unwrap())
                .collect(),
            age,
            sex,
        }
    }

    #[test]
    fn the_first_rule_whose_every_condition_holds_picks_the_form() {
        let table: [(VisitFacts, &str, &str); 8] = [
            (
                visit(&[], &[], Some(7), None),
                "pediatric-sick-visit",
                "rule 1 (children): age 7 < 18",
            ),
            (
                visit(&["urn:clinic:service|mental-health"], &[], Some(42), None),
                "adult-previsit",
                "rule 2 (adults with a mental-health visit): serviceType urn:clinic:service|mental-health and age 42 ≥ 18",
            ),
            // A child with a mental-health visit: rule 1 comes first.
            (
                visit(&["urn:clinic:service|mental-health"], &[], Some(15), None),
                "pediatric-sick-visit",
                "rule 1 (children): age 15 < 18",
            ),
            // A code alone in the rule matches it in any system.
            (
                visit(&["urn:other|behavioral"], &[], Some(30), None),
                "adult-previsit",
                "rule 2 (adults with a mental-health visit): serviceType urn:other|behavioral and age 30 ≥ 18",
            ),
            // The mental-health code in another system than the rule names does not count.
            (
                visit(&["urn:other|mental-health"], &[], Some(30), None),
                "previsit-basic",
                "no rule matched, so the default form",
            ),
            (
                visit(
                    &["hypertension"],
                    &["http://terminology.hl7.org/CodeSystem/v2-0276|FOLLOWUP"],
                    Some(60),
                    None,
                ),
                "hypertension-followup",
                "rule 3 (blood pressure follow-ups): serviceType hypertension and appointmentType http://terminology.hl7.org/CodeSystem/v2-0276|FOLLOWUP",
            ),
            (
                visit(&["womens-health"], &[], Some(30), Some(Sex::Female)),
                "new-patient-registration",
                "rule 4 (women's health): serviceType womens-health and sex female",
            ),
            (
                visit(&["womens-health"], &[], Some(30), Some(Sex::Male)),
                "previsit-basic",
                "no rule matched, so the default form",
            ),
        ];
        let rules = rules();
        for (facts, form, reason) in table {
            let choice = rules.choose(&facts).unwrap();
            assert_eq!(
                (choice.form.as_str(), in_english(&choice.reason).as_str()),
                (form, reason)
            );
        }
    }

    #[test]
    fn the_reason_names_the_rule_and_each_condition_that_held() {
        let rules = rules();
        let choice = rules
            .choose(&visit(
                &["urn:clinic:service|mental-health"],
                &[],
                Some(42),
                None,
            ))
            .unwrap();
        assert_eq!(
            in_english(&choice.reason),
            "rule 2 (adults with a mental-health visit): serviceType urn:clinic:service|mental-health and age 42 ≥ 18"
        );
        let child = rules.choose(&visit(&[], &[], Some(7), None)).unwrap();
        assert_eq!(in_english(&child.reason), "rule 1 (children): age 7 < 18");
    }

    #[test]
    fn an_unknown_age_satisfies_no_age_condition() {
        let rules = rules();
        let choice = rules
            .choose(&visit(&["mental-health"], &[], None, None))
            .unwrap();
        assert_eq!(choice.form.as_str(), "previsit-basic");
    }

    #[test]
    fn without_a_default_a_visit_no_rule_matches_gets_no_form() {
        let rules = FormRules::from_yaml(
            "r.yaml",
            "rules:\n  - name: children\n    form: pediatric-sick-visit\n    when: {age_under: 18}\n",
            any_form,
        )
        .unwrap();
        assert_eq!(rules.choose(&visit(&[], &[], Some(40), None)), None);
        let everyone = FormRules::from_yaml(
            "r.yaml",
            "rules:\n  - name: everyone\n    form: previsit-basic\n",
            any_form,
        )
        .unwrap();
        assert_eq!(
            in_english(&everyone.choose(&VisitFacts::default()).unwrap().reason),
            "rule 1 (everyone): no conditions"
        );
    }

    #[test]
    fn a_rule_naming_a_form_not_in_service_is_an_error_at_its_line_and_column() {
        let error = FormRules::from_yaml(
            "r.yaml",
            "default: previsit-basic\nrules:\n  - name: x\n    form: no-such-form\n",
            |id| id.as_str() == "previsit-basic",
        )
        .unwrap_err();
        assert_eq!((error.line, error.column), (4, 11), "{error}");
        assert!(
            error
                .message
                .contains("`no-such-form` is not among the forms in service"),
            "{error}"
        );
        let error = FormRules::from_yaml("r.yaml", "default: gone\n", |_| false).unwrap_err();
        assert_eq!((error.line, error.column), (1, 10), "{error}");
    }

    #[test]
    fn mistakes_in_the_file_name_line_and_column() {
        let unknown_key = FormRules::from_yaml(
            "r.yaml",
            "rules:\n  - name: x\n    form: previsit-basic\n    when:\n      age_over: 3\n",
            any_form,
        )
        .unwrap_err();
        assert_eq!(unknown_key.line, 5, "{unknown_key}");
        assert!(
            unknown_key.to_string().starts_with("r.yaml:5:"),
            "{unknown_key}"
        );
        let bad_sex = FormRules::from_yaml(
            "r.yaml",
            "rules:\n  - name: x\n    form: previsit-basic\n    when: {sex: woman}\n",
            any_form,
        )
        .unwrap_err();
        assert_eq!(bad_sex.line, 4, "{bad_sex}");
        let never = FormRules::from_yaml(
            "r.yaml",
            "rules:\n  - name: x\n    form: previsit-basic\n    when: {age_at_least: 18, age_under: 18}\n",
            any_form,
        )
        .unwrap_err();
        assert!(never.message.contains("can never match"), "{never}");
        let broken = FormRules::from_yaml("r.yaml", "rules: [\n", any_form).unwrap_err();
        assert!(broken.line >= 1, "{broken}");
    }

    #[test]
    fn the_shipped_rules_name_only_forms_in_forms() {
        let shipped = [
            "adult-previsit",
            "hypertension-followup",
            "new-patient-registration",
            "pediatric-sick-visit",
            "previsit-basic",
        ];
        let rules = FormRules::from_yaml("deploy/form-rules.yaml", SHIPPED_RULES, |id| {
            shipped.contains(&id.as_str())
        })
        .unwrap();
        assert!(rules.default.is_some());
    }
}
