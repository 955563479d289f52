//! The FHIRPath parser on arbitrary text: an expression compiles or is refused with an error
//! that points inside it, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        if let Err(error) = intake::fhirpath::compile(source) {
            if let Some(offset) = error.offset() {
                assert!(offset <= source.len(), "an error offset past the end");
            }
        }
    }
});
