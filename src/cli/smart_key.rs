//! `intake smart-key [--alg ES384|RS384] (--out FILE | --from FILE) [--kid KID]`: the key Intake
//! signs SMART client assertions with, and the public JWK set clinic IT registers with the EHR.

use std::{io::Write, path::Path, process::ExitCode};

use super::{print, usage_error};
use crate::ehr::{SigningAlgorithm, SigningKey, pkcs8_pem};

/// Makes a new ES384 key into `out` (mode 0600, never overwriting), or reads the key in `from`;
/// prints the public JWK set on stdout and what to configure on stderr.
pub fn run(alg: &str, out: Option<&Path>, from: Option<&Path>, kid: Option<&str>) -> ExitCode {
    let algorithm = match alg.parse::<SigningAlgorithm>() {
        Ok(algorithm) => algorithm,
        Err(e) => return usage_error(&format!("--alg: {e}")),
    };
    let (key, path) = match (out, from) {
        (Some(out), None) => match generate(algorithm, out, kid) {
            Ok(key) => (key, out),
            Err(message) => return usage_error(&message),
        },
        (None, Some(from)) => match SigningKey::load(from, algorithm, kid) {
            Ok(key) => (key, from),
            Err(e) => return usage_error(&e.to_string()),
        },
        _ => {
            return usage_error(
                "smart-key: give --out FILE to make a new key, or --from FILE to read one",
            );
        }
    };
    let jwks = serde_json::to_string_pretty(&key.public_jwks()).unwrap_or_default();
    print(&jwks);
    drop(writeln!(
        std::io::stderr(),
        "intake: register the key set above with the EHR, then set \
         INTAKE_SMART_KEY_FILE={} INTAKE_SMART_ALG={} INTAKE_SMART_KEY_ID={}",
        path.display(),
        key.algorithm(),
        key.kid()
    ));
    ExitCode::SUCCESS
}

fn generate(
    algorithm: SigningAlgorithm,
    out: &Path,
    kid: Option<&str>,
) -> Result<SigningKey, String> {
    if algorithm == SigningAlgorithm::Rs384 {
        return Err(format!(
            "smart-key: Intake cannot make RSA keys; make one with \
             `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {}` \
             and pass it with --from",
            out.display()
        ));
    }
    let (key, der) = SigningKey::generate_es384(kid).map_err(|e| e.to_string())?;
    write_private(out, pkcs8_pem(&der).as_bytes())
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(key)
}

/// Creates `path` readable by its owner only; fails if it exists, so no key is ever replaced.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}
