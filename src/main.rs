//! The `intake` binary.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // reqwest is built on rustls without a default crypto provider: use ring, process-wide.
    drop(rustls::crypto::ring::default_provider().install_default());
    intake::cli::run().await
}
