//! The text of a FHIR OperationOutcome, as staff should read it.
//! Spec: <https://hl7.org/fhir/R4/operationoutcome.html>

/// Joins each issue's severity, location and diagnostics (or details text). Falls back to the
/// raw body, shortened, when it is not an OperationOutcome.
pub fn operation_outcome_text(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let issues = parsed
        .as_ref()
        .filter(|v| v["resourceType"] == "OperationOutcome")
        .and_then(|v| v["issue"].as_array());
    let Some(issues) = issues else {
        let trimmed = body.trim();
        return if trimmed.is_empty() {
            "no details given".to_owned()
        } else {
            trimmed.chars().take(500).collect()
        };
    };
    issues
        .iter()
        .map(|issue| {
            let text = issue["diagnostics"]
                .as_str()
                .or_else(|| issue["details"]["text"].as_str())
                .unwrap_or("no details given");
            let severity = issue["severity"].as_str().unwrap_or("error");
            match issue["expression"]
                .get(0)
                .or_else(|| issue["location"].get(0))
                .and_then(|l| l.as_str())
            {
                Some(location) => format!("{severity} at {location}: {text}"),
                None => format!("{severity}: {text}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_are_joined_with_severity_and_location() {
        let body = r#"{"resourceType":"OperationOutcome","issue":[
            {"severity":"error","code":"invalid","diagnostics":"Unknown code 'F'","expression":["Patient.gender"]},
            {"severity":"warning","code":"informational","details":{"text":"Stale"}}]}"#;
        assert_eq!(
            operation_outcome_text(body),
            "error at Patient.gender: Unknown code 'F'; warning: Stale"
        );
    }

    #[test]
    fn a_body_that_is_not_an_outcome_is_passed_on_shortened() {
        assert_eq!(operation_outcome_text("  Bad Gateway \n"), "Bad Gateway");
        assert_eq!(operation_outcome_text(""), "no details given");
        assert_eq!(operation_outcome_text(&"x".repeat(900)).len(), 500);
    }
}
