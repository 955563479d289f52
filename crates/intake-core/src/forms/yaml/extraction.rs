//! `definition` and `extraction_context` (SDC definition-based extraction): a definition names
//! an element (`…/Patient#Patient.name.given`), and a context makes a resource of a type Intake
//! posts from a patient's answers.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/extraction.html#definition-based-extraction>

use serde_saphyr::Spanned;

use super::{Compiler, LoadError};
use crate::{
    domain::{DEFINITION_TYPES, ResourceType},
    forms::{ExtractionContext, Item},
};

impl Compiler<'_> {
    /// A definition: a URL whose fragment is an element path (`Type.element...`).
    pub(super) fn definition(
        &self,
        raw: Option<Spanned<String>>,
    ) -> Result<Option<String>, LoadError> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        let path = raw.value.split_once('#').map(|(_, path)| path);
        if path.is_none_or(|p| p.split('.').next().is_none_or(str::is_empty)) {
            return Err(self.error(
                raw.referenced,
                format!("`definition` `{}` names no element: it is a StructureDefinition URL, `#`, and an element path such as `Patient.name.given`", raw.value),
            ));
        }
        Ok(Some(raw.value))
    }

    /// An extraction context of `whose` (the form, or the section or item with this id), whose
    /// items are `items`: exactly one of `resource` or `expression`, making a type Intake posts.
    pub(super) fn extraction_context(
        &self,
        whose: &str,
        raw: Option<Spanned<ExtractionContext>>,
        items: &[Item],
    ) -> Result<Option<ExtractionContext>, LoadError> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        let at = raw.referenced;
        let context = raw.value;
        let named = match (&context.resource, &context.expression) {
            (Some(resource), None) => Some(resource.as_str()),
            (None, Some(expression)) => {
                crate::fhirpath::compile(expression)
                    .map_err(|e| self.error(at, format!("`extraction_context` of {whose}: {e}")))?;
                Some(expression.as_str()).filter(|e| crate::fhirpath::model::r4().is_resource(e))
            }
            _ => {
                return Err(self.error(
                    at,
                    format!(
                        "`extraction_context` of {whose} has either `resource` or `expression`"
                    ),
                ));
            }
        };
        let resource_type = named.or_else(|| first_definition_type(items));
        let Some(resource_type) = resource_type else {
            return Err(self.error(
                at,
                format!("`extraction_context` of {whose}: no item below it has a `definition` saying which resource it makes"),
            ));
        };
        if !extractable_by_definition(resource_type) {
            let posted: Vec<&str> = DEFINITION_TYPES.iter().map(|t| t.as_str()).collect();
            return Err(self.error(
                at,
                format!(
                    "`extraction_context` of {whose} makes {resource_type} resources, which Intake does not post (it posts {})",
                    posted.join(", ")
                ),
            ));
        }
        Ok(Some(context))
    }
}

/// Whether definition-based extraction may make this resource type.
pub fn extractable_by_definition(resource_type: &str) -> bool {
    ResourceType::parse(resource_type).is_some_and(|t| DEFINITION_TYPES.contains(&t))
}

/// The resource type of the first definition among `items` and their descendants.
pub(crate) fn first_definition_type(items: &[Item]) -> Option<&str> {
    items.iter().find_map(|item| {
        item.definition
            .as_deref()
            .and_then(definition_type)
            .or_else(|| first_definition_type(&item.items))
    })
}

/// The resource type of a definition (`…/Patient#Patient.name.given` → `Patient`).
pub fn definition_type(definition: &str) -> Option<&str> {
    let path = definition.split_once('#')?.1;
    path.split('.').next().filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use crate::forms::load_yaml;

    fn form(context: &str) -> String {
        format!(
            "\
id: d
version: '1'
title: About you
sections:
  - id: about
    title: About you
    items:
      - id: allergy
        type: group
        repeats: true
        text: Allergy
        extraction_context: {context}
        items:
          - id: substance
            type: string
            text: To what
            definition: http://hl7.org/fhir/StructureDefinition/AllergyIntolerance#AllergyIntolerance.code
"
        )
    }

    #[test]
    fn an_extraction_context_loads_when_it_makes_a_type_intake_posts() {
        let loaded = load_yaml("d.yaml", &form("{ resource: AllergyIntolerance }")).unwrap();
        let group = loaded.item("allergy").unwrap();
        assert!(group.extraction_context.is_some());
        assert_eq!(
            loaded.item("substance").unwrap().definition.as_deref(),
            Some(
                "http://hl7.org/fhir/StructureDefinition/AllergyIntolerance#AllergyIntolerance.code"
            )
        );
        // An expression's type is the one its items define.
        load_yaml("d.yaml", &form("{ expression: \"%AllergyIntolerance\" }")).unwrap();
    }

    #[test]
    fn an_extraction_context_is_refused_with_its_line_for_a_type_intake_does_not_post_or_two_ways_to_say_it()
     {
        let error = load_yaml("d.yaml", &form("{ resource: Immunization }"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("d.yaml:12:"), "{error}");
        assert!(
            error.contains("makes Immunization resources, which Intake does not post"),
            "{error}"
        );
        let error = load_yaml(
            "d.yaml",
            &form("{ resource: Condition, expression: \"%patient\" }"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("either `resource` or `expression`"),
            "{error}"
        );
        let error = load_yaml(
            "d.yaml",
            &form("{ resource: Condition }").replace("#AllergyIntolerance.code", ""),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("names no element"), "{error}");
    }
}
