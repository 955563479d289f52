//! Form-POST decoding on arbitrary bodies: the control-character check and the decoding every
//! handler's form goes through, then a patient's page of answers read by the engine against
//! every section of a real form. Each step refuses or accepts, never panics.
#![no_main]

use std::sync::LazyLock;

use intake::{
    engine::{Answers, PageInput, parse_page},
    forms::Form,
    web::{Fields, decode_form},
};
use libfuzzer_sys::fuzz_target;

static FORM: LazyLock<Form> = LazyLock::new(|| {
    intake::forms::load_yaml(
        "previsit-basic.yaml",
        include_str!("../../forms/previsit-basic.yaml"),
    )
    .unwrap_or_else(|error| panic!("the form in the repository compiles: {error}"))
});

fuzz_target!(|data: &[u8]| {
    let _ = decode_form::<Vec<(String, String)>>(data, Fields::NoControlCharacters);
    let Ok(fields) = decode_form::<Vec<(String, String)>>(data, Fields::FreeText) else {
        return;
    };
    for section in &FORM.sections {
        let mut input = PageInput::from_fields(&fields);
        let mut answers = Answers::default();
        let _ = parse_page(section, &mut input, &mut answers);
    }
});
