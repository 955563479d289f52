//! The process's allocator, mimalloc, and the settings Intake changes.
//!
//! mimalloc 3 keeps a page that has become free for its purge delay (1 second) before giving it
//! back to the system, and only checks that delay when the thread that owns the page next
//! allocates or frees. A thread that goes quiet after a burst (a tokio worker once the patients
//! stop, a blocking thread that read a chart, the thread that booked the demo's visits) keeps
//! its freed pages resident for as long as it stays quiet: measured with 10,000 patients in the
//! middle of a form, about 45 MB of a 110 MB server was such memory. With no delay the free
//! that empties a page hands it back itself (one `madvise` per emptied page), so the server's
//! resident memory follows what it holds.
//!
//! Built with `no_thp`, mimalloc does not ask for transparent huge pages either: with them, a
//! 2 MiB page stays resident while any of it is used (26 MB of huge pages with 10,000 patients
//! mid-form), for no measurable gain to a server whose heap is tens of megabytes.

use std::ffi::c_long;

/// The allocator: `#[global_allocator] static ALLOCATOR: Allocator = Allocator;`.
pub use mimalloc::MiMalloc as Allocator;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (`mimalloc.h`); libmimalloc-sys
/// names only some options. A test checks it is the option whose default is mimalloc 3's
/// documented purge delay.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The environment variable with which an operator sets the purge delay themselves, which this
/// then leaves alone.
pub const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// Has the allocator give memory back to the system as soon as a page of it is free, unless
/// the environment sets [`PURGE_DELAY_VARIABLE`]. Call it first thing in `main`, before any
/// thread starts (mimalloc's option setters are not thread-safe).
pub fn return_freed_memory_at_once() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_none() {
        set_purge_delay(0);
    }
}

#[allow(
    unsafe_code,
    reason = "the C call has no safe wrapper in the mimalloc crate"
)]
fn set_purge_delay(milliseconds: c_long) {
    // SAFETY: `mi_option_set` writes one option slot of mimalloc's static option table; the
    // option is in range (see `PURGE_DELAY`), and the callers run before other threads exist.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, milliseconds);
    }
}

/// The allocator's purge delay, in milliseconds.
#[allow(
    unsafe_code,
    reason = "the C call has no safe wrapper in the mimalloc crate"
)]
pub fn purge_delay() -> c_long {
    // SAFETY: `mi_option_get` reads one option slot of mimalloc's static option table (reading
    // the environment once, the first time); the option is in range.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option is the purge delay (mimalloc 3's default, 1,000 ms, which no neighbouring
    /// option has), and setting it takes.
    #[test]
    fn freed_memory_goes_back_at_once_unless_the_environment_says_otherwise() {
        let before = purge_delay();
        return_freed_memory_at_once();
        if std::env::var_os(PURGE_DELAY_VARIABLE).is_some() {
            assert_eq!(purge_delay(), before, "the operator's setting is kept");
        } else {
            assert_eq!(before, 1000, "mimalloc 3's default purge delay");
            assert_eq!(purge_delay(), 0);
        }
        set_purge_delay(before);
    }
}
