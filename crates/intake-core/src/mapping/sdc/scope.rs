//! The `%`-variables in force at one point of the Questionnaire, and the FHIRPath calls
//! extraction makes: each expression compiled once, every failure recorded as an issue.
//! Spec: <https://build.fhir.org/ig/HL7/sdc/expressions.html#variables>

use std::collections::HashMap;

use serde_json::Value as Json;

use super::{ExtractIssue, ExtractRequest, IdSource, extensions, link_id, url};
use crate::fhirpath::{
    CompiledExpression, Value, compile,
    model::{self, UNKNOWN},
    sdc::form_context,
    value::{Coll, Node},
    {EvalContext, json_to_coll},
};

/// Where an expression is evaluated: its focus and the variables in force.
#[derive(Debug, Clone)]
pub(super) struct Scope<'a> {
    /// `%resource`, `%questionnaire`, `%context` and the variables.
    pub ctx: EvalContext<'a>,
    /// The focus: the response, or one response item.
    pub focus: Coll<'a>,
    /// The response item this scope belongs to (`None` at the response root).
    pub item: Option<&'a Json>,
}

/// An SDC expression read from an extension.
#[derive(Debug, Clone, Copy)]
pub(super) struct Expression<'j> {
    /// The FHIRPath source.
    pub source: &'j str,
    /// The variable name it binds, if any (`valueExpression.name`).
    pub name: Option<&'j str>,
}

impl<'j> Expression<'j> {
    /// The FHIRPath expression of an extension (`valueString`, or a `valueExpression` in
    /// `text/fhirpath`); `Err` names the language when it is another one.
    pub fn of(extension: &'j Json) -> Option<Result<Self, String>> {
        if let Some(source) = extension.get("valueString").and_then(Json::as_str) {
            return Some(Ok(Self { source, name: None }));
        }
        let expression = extension.get("valueExpression")?;
        let language = expression.get("language").and_then(Json::as_str);
        if language.is_some_and(|l| l != "text/fhirpath") {
            return Some(Err(language.unwrap_or_default().to_owned()));
        }
        let source = expression.get("expression").and_then(Json::as_str)?;
        let name = expression.get("name").and_then(Json::as_str);
        Some(Ok(Self { source, name }))
    }
}

/// One extraction run: the request, the ids, the issues found so far and compiled expressions.
pub(super) struct Run<'r, 'a> {
    pub request: &'r ExtractRequest<'a>,
    pub ids: &'r mut dyn IdSource,
    pub issues: &'r mut Vec<ExtractIssue>,
    compiled: HashMap<&'a str, Option<CompiledExpression>>,
}

impl<'r, 'a> Run<'r, 'a> {
    pub fn new(
        request: &'r ExtractRequest<'a>,
        ids: &'r mut dyn IdSource,
        issues: &'r mut Vec<ExtractIssue>,
    ) -> Self {
        Self {
            request,
            ids,
            issues,
            compiled: HashMap::new(),
        }
    }

    /// Records an issue.
    pub fn issue(&mut self, location: &str, message: impl Into<String>) {
        self.issues.push(ExtractIssue {
            location: location.to_owned(),
            message: message.into(),
        });
    }

    /// Evaluates `source` on `focus`; a compile or evaluation error is an issue and gives empty.
    pub fn eval(
        &mut self,
        source: &'a str,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        location: &str,
    ) -> Coll<'a> {
        if !self.compiled.contains_key(source) {
            let compiled = match compile(source) {
                Ok(compiled) => Some(compiled),
                Err(error) => {
                    self.issue(location, format!("`{source}` does not compile: {error}"));
                    None
                }
            };
            self.compiled.insert(source, compiled);
        }
        let Some(Some(compiled)) = self.compiled.get(source) else {
            return Coll::new();
        };
        match compiled.evaluate_values(focus, ctx) {
            Ok(result) => result,
            Err(error) => {
                self.issue(location, format!("`{source}` failed: {error}"));
                Coll::new()
            }
        }
    }

    /// Evaluates an extension's expression in `scope`; other languages are an issue.
    pub fn eval_extension(
        &mut self,
        extension: &'a Json,
        focus: &[Value<'a>],
        ctx: &EvalContext<'a>,
        location: &str,
    ) -> Coll<'a> {
        match Expression::of(extension) {
            Some(Ok(expression)) => self.eval(expression.source, focus, ctx, location),
            Some(Err(language)) => {
                self.issue(
                    location,
                    format!("expressions in `{language}` are not supported"),
                );
                Coll::new()
            }
            None => Coll::new(),
        }
    }

    /// The scope at the response root: the caller's variables, then the Questionnaire's
    /// allocated ids and `variable` extensions, evaluated on the response.
    pub fn root_scope(&mut self) -> Scope<'a> {
        let request = self.request;
        let mut ctx = form_context(request.questionnaire, request.response, request.clock);
        // Launch contexts and queries the caller did not supply are empty, as a query that
        // returned nothing would be, rather than undefined.
        for name in declared_names(request.questionnaire) {
            ctx.set_var(name, Coll::new());
        }
        for (name, value) in request.variables {
            ctx.set_var(name, json_to_coll(value));
        }
        let mut scope = Scope {
            ctx,
            focus: json_to_coll(request.response),
            item: None,
        };
        self.declare(request.questionnaire, &mut scope, "Questionnaire");
        scope
    }

    /// The scope of one response item answering `qitem`, inside `parent`.
    pub fn item_scope(&mut self, parent: &Scope<'a>, qitem: &'a Json, item: &'a Json) -> Scope<'a> {
        let mut scope = parent.clone();
        scope.ctx.context = Some(item);
        scope.ctx.qitem = Some(qitem);
        scope.focus = item_focus(item);
        scope.item = Some(item);
        self.declare(qitem, &mut scope, &format!("item `{}`", link_id(qitem)));
        scope
    }

    /// Adds the ids an element allocates (`extractAllocateId`) and its `variable`s to `scope`.
    fn declare(&mut self, element: &'a Json, scope: &mut Scope<'a>, location: &str) {
        for allocate in extensions(element, &url::sdc("extractAllocateId")) {
            if let Some(name) = allocate.get("valueString").and_then(Json::as_str) {
                let id = self.ids.next_id().to_string();
                scope
                    .ctx
                    .set_var(name, [Value::string(id)].into_iter().collect());
            }
        }
        for variable in extensions(element, url::VARIABLE) {
            let Some(expression) = variable.get("valueExpression") else {
                continue;
            };
            let Some(name) = expression.get("name").and_then(Json::as_str) else {
                continue;
            };
            let language = expression.get("language").and_then(Json::as_str);
            // Queries (`application/x-fhir-query`) are for the caller to run; their results
            // arrive as variables in the request, which stay as given.
            if language != Some("text/fhirpath") {
                continue;
            }
            let value = self.eval_extension(variable, &scope.focus, &scope.ctx, location);
            scope.ctx.set_var(name, value);
        }
    }
}

/// The names the Questionnaire declares for the caller to fill: its launch contexts and its
/// `x-fhir-query` variables.
fn declared_names(questionnaire: &Json) -> Vec<&str> {
    let launch_url = url::sdc("launchContext");
    let launch = extensions(questionnaire, &launch_url).filter_map(|e| {
        let name = super::sub_extension(e, "name")?;
        name.pointer("/valueCoding/code")
            .or_else(|| name.get("valueId"))
            .or_else(|| name.get("valueString"))
            .and_then(Json::as_str)
    });
    let queries = extensions(questionnaire, url::VARIABLE).filter_map(|e| {
        let expression = e.get("valueExpression")?;
        let query =
            expression.get("language").and_then(Json::as_str) == Some("application/x-fhir-query");
        query
            .then(|| expression.get("name").and_then(Json::as_str))
            .flatten()
    });
    launch.chain(queries).collect()
}

/// A response item as a typed FHIRPath focus, so `answer.value` resolves its choice type.
pub(super) fn item_focus(item: &Json) -> Coll<'_> {
    let ty = model::r4()
        .type_id("QuestionnaireResponse.item")
        .unwrap_or(UNKNOWN);
    [Value::Node(Node::new(item, ty))].into_iter().collect()
}
