//! The `intake` binary.

use std::process::ExitCode;

/// mimalloc, not the system allocator: glibc's kept the memory of a burst (the demo booking
/// 10,000 visits held 190 MB idle, 73 MB once trimmed) and spent a third of a page save's
/// instructions in malloc and free. `intake_alloc` says why freed memory goes back at once.
#[global_allocator]
static ALLOCATOR: intake_alloc::Allocator = intake_alloc::Allocator;

fn main() -> ExitCode {
    // Before the runtime starts its threads.
    intake_alloc::return_freed_memory_at_once();
    // reqwest is built on rustls without a default crypto provider: use ring, process-wide.
    drop(rustls::crypto::ring::default_provider().install_default());
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(intake::cli::run()),
        Err(error) => {
            eprintln!("intake: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}
