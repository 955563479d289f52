//! Logging: `tracing` to stderr, as text or JSON. Spans carry ids and route templates, never
//! patient data (see LOGGING.md).

pub mod metrics;

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub use metrics::{Metrics, Scraped};

/// Installs the global subscriber. `filter` is an `EnvFilter` directive such as `info`.
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(fmt::layer().json().with_writer(std::io::stderr))
            .try_init()
    } else {
        // Colours only on a terminal: a log file or journal would keep the escape codes.
        registry
            .with(
                fmt::layer()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init()
    };
    // Already installed (tests start several apps in one process): keep the first.
    drop(result);
}
