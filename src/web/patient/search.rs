//! Searching a long answer list on a patient's page: the words typed in a list's search box
//! (`q.<key>`) are run when the page is posted with `nav=search:<key>` (its Search button, or
//! Enter in the box without JavaScript) or saved live (htmx, as the patient types); the page
//! comes back with every answer kept and the matches to pick from.

use super::{posted_field, views::Searches};
use crate::{
    intake::DraftView,
    terminology::searched,
    web::{
        AppState,
        i18n::{Language, Texts},
    },
};

/// The search a posted page asks for, if any: its Search button (`search:<key>`), or, when the
/// page was sent by its default button (Enter in a field), a search box whose words differ from
/// those its matches are for (`s.<key>`): Enter pressed in the box to search, without
/// JavaScript.
pub(super) fn asked(posted: &[(String, String)]) -> Option<String> {
    match posted_field(posted, "nav") {
        Some(nav) if nav.starts_with("search:") => {
            return Some(nav.trim_start_matches("search:").to_owned());
        }
        None | Some("next") => {}
        Some(_) => return None,
    }
    posted.iter().find_map(|(name, typed)| {
        let key = name.strip_prefix("q.")?;
        let before = posted_field(posted, &format!("s.{key}")).unwrap_or("");
        (!typed.trim().is_empty() && typed.trim() != before.trim()).then(|| key.to_owned())
    })
}

/// Runs every search box of a posted page that has words in it, for the form's long lists.
pub(super) async fn run(
    state: &AppState,
    view: &DraftView,
    posted: &[(String, String)],
    language: Language,
) -> Searches {
    let code = Texts::for_form(language, &view.form.languages)
        .language()
        .code();
    let mut searches = Searches::new();
    for (name, typed) in posted {
        let Some(key) = name.strip_prefix("q.") else {
            continue;
        };
        // `<item>`, or `<group>.<N>.<item>` inside a repeating group's instance.
        let id = key.rsplit('.').next().unwrap_or(key);
        let Some(item) = view.form.item(id).filter(|item| searched(item)) else {
            continue;
        };
        let found = state.services.search_answers(item, code, typed).await;
        searches.insert(key.to_owned(), found);
    }
    searches
}

/// The HTML id of the field of `key`, as the page builds it.
pub(super) fn field_id(key: &str) -> String {
    format!("f-{}", key.replace('.', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_search_button_or_enter_in_a_box_with_new_words_asks_for_a_search() {
        let button = posted(&[("nav", "search:condition"), ("q.condition", "asth")]);
        assert_eq!(asked(&button).as_deref(), Some("condition"));
        // Enter in the box presses the page's first button, Next: new words mean a search.
        let enter = posted(&[
            ("nav", "next"),
            ("q.condition", "asth"),
            ("s.condition", ""),
        ]);
        assert_eq!(asked(&enter).as_deref(), Some("condition"));
        // The words the matches are for: Next goes on.
        let next = posted(&[
            ("nav", "next"),
            ("q.condition", "asth"),
            ("s.condition", "asth "),
        ]);
        assert_eq!(asked(&next), None);
        let back = posted(&[("nav", "back"), ("q.condition", "asth")]);
        assert_eq!(asked(&back), None);
        assert_eq!(asked(&posted(&[("q.condition", "  ")])), None);
    }
}
