//! The form loader on arbitrary text: parsing and compiling a form file must return a form or
//! a diagnostic, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        if let Ok(form) = intake::forms::load_yaml("fuzz.yaml", source) {
            // A form that compiles also exports as an SDC Questionnaire.
            let _ = intake::forms::sdc::export(&form);
        }
    }
});
