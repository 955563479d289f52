//! The `INTAKE_SMART_*` variables: SMART Backend Services for the FHIR connector.

use std::path::PathBuf;

use super::{ConfigError, EhrLocation, bad};
use crate::ehr::SigningAlgorithm;

/// The scopes asked for when `INTAKE_SMART_SCOPE` is unset: read and search what prefill and the
/// write-back's look-ups need, create what the write-back posts, and update what it changes on
/// file (a medication the patient stopped, a Patient staff corrected, the Provenance).
pub const DEFAULT_SMART_SCOPE: &str = "system/Patient.rus system/AllergyIntolerance.crus \
    system/MedicationStatement.crus system/Condition.crus system/Observation.crs \
    system/QuestionnaireResponse.crs system/Provenance.crus";

/// SMART Backend Services: how Intake authorizes itself to the FHIR server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartSettings {
    /// `INTAKE_SMART_CLIENT_ID`: the client id the EHR registered.
    pub client_id: String,
    /// `INTAKE_SMART_KEY_FILE`: the PKCS#8 private key (PEM or DER).
    pub key_file: PathBuf,
    /// `INTAKE_SMART_KEY_ID`: the `kid`; unset, the key's JWK thumbprint (as `intake smart-key`
    /// prints it).
    pub key_id: Option<String>,
    /// `INTAKE_SMART_ALG`: `ES384` or `RS384`.
    pub algorithm: SigningAlgorithm,
    /// `INTAKE_SMART_SCOPE`: the scopes to request.
    pub scope: String,
}

/// The `INTAKE_SMART_*` variables: none set means no authorization; a client id needs a key file
/// and a FHIR URL.
pub(super) fn settings(
    lookup: &impl Fn(&str) -> Option<String>,
    ehr: &EhrLocation,
) -> Result<Option<SmartSettings>, ConfigError> {
    let client_id = lookup("INTAKE_SMART_CLIENT_ID");
    let key_file = lookup("INTAKE_SMART_KEY_FILE");
    let Some(client_id) = client_id else {
        let others = [
            "INTAKE_SMART_KEY_FILE",
            "INTAKE_SMART_KEY_ID",
            "INTAKE_SMART_ALG",
            "INTAKE_SMART_SCOPE",
        ];
        return match others.into_iter().find(|name| lookup(name).is_some()) {
            Some(name) => Err(bad(
                "INTAKE_SMART_CLIENT_ID",
                format!("{name} is set, so the client id is needed too"),
            )),
            None => Ok(None),
        };
    };
    if !matches!(ehr, EhrLocation::Fhir(_)) {
        return Err(bad(
            "INTAKE_SMART_CLIENT_ID",
            "SMART needs a FHIR server: set INTAKE_EHR_FHIR_URL".into(),
        ));
    }
    let key_file = key_file.ok_or_else(|| {
        bad(
            "INTAKE_SMART_KEY_FILE",
            "the private key file is needed (make one with `intake smart-key`)".into(),
        )
    })?;
    let algorithm = match lookup("INTAKE_SMART_ALG") {
        None => SigningAlgorithm::default(),
        Some(text) => text.parse().map_err(|e| bad("INTAKE_SMART_ALG", e))?,
    };
    Ok(Some(SmartSettings {
        client_id,
        key_file: PathBuf::from(key_file),
        key_id: lookup("INTAKE_SMART_KEY_ID"),
        algorithm,
        scope: lookup("INTAKE_SMART_SCOPE").unwrap_or_else(|| DEFAULT_SMART_SCOPE.to_owned()),
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::{Config, Overrides};

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        Config::from_lookup(
            |name| map.get(name).map(|v| (*v).to_owned()),
            &Overrides::default(),
        )
    }

    #[test]
    fn smart_is_off_unless_a_client_id_is_set_and_then_needs_a_key_and_a_fhir_url() {
        assert_eq!(config(&[]).unwrap().smart, None);
        let fhir = ("INTAKE_EHR_FHIR_URL", "https://ehr.example/fhir");
        let smart = config(&[
            fhir,
            ("INTAKE_SMART_CLIENT_ID", "intake"),
            ("INTAKE_SMART_KEY_FILE", "/etc/intake/key.pem"),
        ])
        .unwrap()
        .smart
        .unwrap();
        assert_eq!(smart.algorithm, SigningAlgorithm::Es384);
        assert_eq!(smart.scope, DEFAULT_SMART_SCOPE);
        assert!(!smart.scope.contains("  "));
        assert_eq!(smart.key_id, None);
        for (vars, variable) in [
            (
                vec![fhir, ("INTAKE_SMART_CLIENT_ID", "c")],
                "INTAKE_SMART_KEY_FILE",
            ),
            (
                vec![fhir, ("INTAKE_SMART_KEY_FILE", "k")],
                "INTAKE_SMART_CLIENT_ID",
            ),
            (
                vec![fhir, ("INTAKE_SMART_ALG", "RS384")],
                "INTAKE_SMART_CLIENT_ID",
            ),
            (
                vec![
                    ("INTAKE_SMART_CLIENT_ID", "c"),
                    ("INTAKE_SMART_KEY_FILE", "k"),
                ],
                "INTAKE_SMART_CLIENT_ID",
            ),
            (
                vec![
                    fhir,
                    ("INTAKE_SMART_CLIENT_ID", "c"),
                    ("INTAKE_SMART_KEY_FILE", "k"),
                    ("INTAKE_SMART_ALG", "HS256"),
                ],
                "INTAKE_SMART_ALG",
            ),
        ] {
            assert_eq!(config(&vars).unwrap_err().variable, variable, "{vars:?}");
        }
    }
}
