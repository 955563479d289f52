//! Searching a long answer list the way a patient does: a list longer than [`SEARCH_FROM`]
//! options is not laid out as radio buttons to scroll through; the patient types part of the
//! answer and picks among the matches (the same word search staff use, on the displays in the
//! page's language).

use super::{Concept, search};
use crate::forms::{AnswerOption, Item, ItemKind};

/// The most options a choice lays out in full; a longer list gets a search field.
pub const SEARCH_FROM: usize = 25;

/// The most matches a patient's search shows at once: a list to read on a phone.
pub const PATIENT_MATCHES: usize = 10;

/// Whether the patient answers `item` by searching its list: a choice (one answer or several)
/// with more than [`SEARCH_FROM`] options, or one whose value set only the terminology server
/// searches (too large to list).
pub fn searched(item: &Item) -> bool {
    item.kind == ItemKind::Choice && (item.options.len() > SEARCH_FROM || item.searched_on_server)
}

/// The options of `options` whose display (in `language`) matches `query`, best first, at most
/// `cap`. A query with no letters or digits matches nothing.
pub fn search_options<'a>(
    options: &'a [AnswerOption],
    language: &str,
    query: &str,
    cap: usize,
) -> Vec<&'a AnswerOption> {
    let concepts: Vec<Concept> = options
        .iter()
        .enumerate()
        .map(|(index, option)| Concept {
            // The index stands for the option: two options may share a code across systems.
            system: String::new(),
            code: index.to_string(),
            display: option.display.in_language(language).to_owned(),
        })
        .collect();
    search(&concepts, query, cap)
        .into_iter()
        .filter_map(|c| c.code.parse::<usize>().ok())
        .filter_map(|index| options.get(index))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{OptionType, Text};

    fn options(displays: &[(&str, &str)]) -> Vec<AnswerOption> {
        displays
            .iter()
            .enumerate()
            .map(|(i, (en, es))| AnswerOption {
                code: format!("c{i}"),
                system: None,
                display: Text::translated([("en", *en), ("es", *es)]),
                weight: None,
                value_type: OptionType::Coding,
            })
            .collect()
    }

    fn codes(found: &[&AnswerOption]) -> Vec<String> {
        found.iter().map(|o| o.code.clone()).collect()
    }

    #[test]
    fn a_patients_words_find_options_by_their_display_in_the_pages_language() {
        let list = options(&[
            ("Heart disease", "Enfermedad del corazón"),
            ("Diabetes", "Diabetes"),
            ("Heartburn", "Acidez estomacal"),
        ]);
        assert_eq!(
            codes(&search_options(&list, "en", "heart", 10)),
            ["c2", "c0"]
        );
        assert_eq!(codes(&search_options(&list, "es", "CORAZON", 10)), ["c0"]);
        assert_eq!(codes(&search_options(&list, "es", "acidez", 10)), ["c2"]);
        // The code is no display: a patient does not type it.
        assert!(search_options(&list, "en", "c1", 10).is_empty());
        assert!(search_options(&list, "en", "  ", 10).is_empty());
        assert_eq!(search_options(&list, "en", "d", 1).len(), 1);
    }

    #[test]
    fn only_a_choice_longer_than_the_threshold_is_searched() {
        let form = crate::forms::load_yaml("forms/f.yaml", FORM).unwrap();
        let mut item = form.item("x").unwrap().clone();
        item.options = options(&[("a", "a"); SEARCH_FROM]);
        assert!(!searched(&item));
        item.options = options(&[("a", "a"); SEARCH_FROM + 1]);
        assert!(searched(&item));
        item.kind = ItemKind::OpenChoice;
        assert!(!searched(&item));
    }

    const FORM: &str = "id: f\nversion: \"1\"\ntitle: F\nsections:\n  - id: s\n    title: S\n    items:\n      - id: x\n        type: choice\n        text: X\n        options: [{ code: a, display: A }]\n";
}
