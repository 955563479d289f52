//! The `intake` binary.

use std::process::ExitCode;

/// mimalloc, not the system allocator: glibc's kept the memory of a burst (the demo booking
/// 10,000 visits held 190 MB idle, 73 MB once trimmed) and spent a third of a page save's
/// instructions in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // reqwest is built on rustls without a default crypto provider: use ring, process-wide.
    drop(rustls::crypto::ring::default_provider().install_default());
    intake::cli::run().await
}
