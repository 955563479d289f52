//! Which answers stand out for the clinician: the form says what is normal, or the answer's
//! weight or free text does.

use crate::{
    engine::Answer,
    forms::{ExtractHook, Item, ItemKind, NormalAnswer},
};

/// Whether `answer` to `item` is positive or abnormal. An item's `normal:` decides when it has
/// one; otherwise a weighted option above 0 (a PHQ-9 "several days"), free text (the patient's
/// own words) and a new allergy, medicine or condition the patient names stand out, and
/// everything else (a phone number, an unweighted choice, a yes/no without a normal answer)
/// does not.
pub fn notable(item: &Item, answer: &Answer) -> bool {
    if item
        .extract
        .is_some_and(|hook| hook != ExtractHook::Observation)
        && !matches!(answer, Answer::String(text) if text.trim().is_empty())
    {
        return true;
    }
    match (&item.normal, answer) {
        (Some(NormalAnswer::Boolean(normal)), Answer::Boolean(given)) => given != normal,
        (Some(NormalAnswer::Codes(normal)), Answer::Choice(code)) => !normal.contains(code),
        // Free text in an open choice is not one of the normal options.
        (Some(_), _) => true,
        (None, Answer::Choice(code)) => item
            .option(code)
            .and_then(|option| option.weight)
            .is_some_and(|weight| weight > 0.0),
        (None, Answer::String(text)) => item.kind == ItemKind::Text && !text.trim().is_empty(),
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::load_yaml;

    #[test]
    fn the_normal_answer_weights_and_free_text_decide_what_stands_out() {
        let form = load_yaml(
            "t.yaml",
            "id: t\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n\
             \x20     - { id: fell, type: boolean, normal: false, text: Fell }\n\
             \x20     - { id: ok, type: boolean, normal: true, text: Details correct }\n\
             \x20     - { id: mood, type: choice, text: Mood, options: [{ code: no, weight: 0, display: Not at all }, { code: some, weight: 1, display: Several days }] }\n\
             \x20     - { id: smoke, type: choice, normal: never, text: Smoke, options: [{ code: never, display: Never }, { code: now, display: \"Yes\" }] }\n\
             \x20     - { id: words, type: text, text: Anything else }\n\
             \x20     - { id: phone, type: string, text: Phone }\n\
             \x20     - { id: new_allergies, type: string, repeats: true, extract: allergy-intolerance, text: New allergies }\n",
        )
        .unwrap();
        let item = |id: &str| form.item(id).unwrap();
        let cases = [
            ("fell", Answer::Boolean(true), true),
            ("fell", Answer::Boolean(false), false),
            ("ok", Answer::Boolean(false), true),
            ("mood", Answer::Choice("some".into()), true),
            ("mood", Answer::Choice("no".into()), false),
            ("smoke", Answer::Choice("now".into()), true),
            ("smoke", Answer::Choice("never".into()), false),
            ("words", Answer::String("my knee hurts".into()), true),
            ("phone", Answer::String("555-0101".into()), false),
            ("new_allergies", Answer::String("Latex".into()), true),
            ("new_allergies", Answer::String(" ".into()), false),
        ];
        for (id, answer, expected) in cases {
            assert_eq!(notable(item(id), &answer), expected, "{id} {answer:?}");
        }
    }
}
