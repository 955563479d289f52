//! Finding concepts by the words people type (staff coding an entry, a patient searching a
//! long answer list): every typed word must begin a word of the concept's display (or be its
//! code), case and accents aside ("cafe" finds "Café", "ÑANDU" finds "ñandú"); the closest
//! matches come first, at most a page of them.

use unicode_normalization::{UnicodeNormalization as _, char::is_combining_mark};

use super::Concept;

/// The most concepts one search returns: a list a person reads, not a catalogue.
pub const MAX_RESULTS: usize = 10;

/// The concepts of `concepts` matching `query`, best first, at most `cap`. A query with no
/// letters or digits matches nothing.
///
/// Ranking: the display equal to the query; then the display starting with it; then every
/// typed word in order from the display's first word; then the rest. Within a rank, shorter
/// displays first (the plain ingredient before its strengths), then alphabetical.
pub fn search<'a>(concepts: &'a [Concept], query: &str, cap: usize) -> Vec<&'a Concept> {
    let query_words = words(query);
    if query_words.is_empty() {
        return Vec::new();
    }
    let joined = query_words.join(" ");
    let mut ranked: Vec<(u8, &Concept)> = concepts
        .iter()
        .filter_map(|concept| rank(concept, &query_words, &joined).map(|r| (r, concept)))
        .collect();
    ranked.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then(a.display.len().cmp(&b.display.len()))
            .then_with(|| a.display.to_lowercase().cmp(&b.display.to_lowercase()))
            .then_with(|| a.code.cmp(&b.code))
    });
    ranked.dedup_by(|(_, a), (_, b)| a.system == b.system && a.code == b.code);
    ranked.into_iter().take(cap).map(|(_, c)| c).collect()
}

/// How well `concept` matches, lower is better; `None` when it does not.
fn rank(concept: &Concept, query_words: &[String], joined: &str) -> Option<u8> {
    if query_words.len() == 1 && concept.code.eq_ignore_ascii_case(&query_words[0]) {
        return Some(0);
    }
    let display_words = words(&concept.display);
    let all_match = query_words
        .iter()
        .all(|q| display_words.iter().any(|d| d.starts_with(q.as_str())));
    if !all_match {
        return None;
    }
    let display = display_words.join(" ");
    Some(if display == joined {
        0
    } else if display.starts_with(joined) {
        1
    } else if in_order_from_start(&display_words, query_words) {
        2
    } else {
        3
    })
}

/// Whether the typed words begin the display's words one after another from its first.
fn in_order_from_start(display_words: &[String], query_words: &[String]) -> bool {
    query_words.len() <= display_words.len()
        && query_words
            .iter()
            .zip(display_words)
            .all(|(q, d)| d.starts_with(q.as_str()))
}

/// The lower-cased words of `text` without their accents: runs of letters and digits (`5/325`
/// is two words, `co-amoxiclav` two).
fn words(text: &str) -> Vec<String> {
    let bare: String = text.nfd().filter(|c| !is_combining_mark(*c)).collect();
    bare.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts(displays: &[&str]) -> Vec<Concept> {
        displays
            .iter()
            .enumerate()
            .map(|(i, d)| Concept {
                system: "http://snomed.info/sct".into(),
                code: format!("{}", 1000 + i),
                display: (*d).into(),
            })
            .collect()
    }

    fn found(list: &[Concept], query: &str) -> Vec<String> {
        search(list, query, MAX_RESULTS)
            .into_iter()
            .map(|c| c.display.clone())
            .collect()
    }

    #[test]
    fn words_match_as_prefixes_of_words_in_any_case() {
        let list = concepts(&[
            "Metformin hydrochloride 500 MG Oral Tablet",
            "Allergy to penicillin",
            "Penicillin V",
            "Amoxicillin",
        ]);
        for (query, expected) in [
            ("metf", vec!["Metformin hydrochloride 500 MG Oral Tablet"]),
            (
                "METFORMIN 500",
                vec!["Metformin hydrochloride 500 MG Oral Tablet"],
            ),
            (
                "oral metf",
                vec!["Metformin hydrochloride 500 MG Oral Tablet"],
            ),
            ("penic", vec!["Penicillin V", "Allergy to penicillin"]),
            // Inside a word is no match: "cillin" is not how anyone starts typing a name.
            ("cillin", vec![]),
            ("metformin 850", vec![]),
            ("  ,;  ", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(found(&list, query), expected, "{query:?}");
        }
    }

    #[test]
    fn accents_and_case_are_set_aside_on_both_sides() {
        let list = concepts(&[
            "Café con leche",
            "Ñandú",
            "Diabetes mellitus",
            "Hernia de disco",
        ]);
        assert_eq!(found(&list, "cafe"), ["Café con leche"]);
        assert_eq!(found(&list, "CAFÉ LECHE"), ["Café con leche"]);
        assert_eq!(found(&list, "nandu"), ["Ñandú"]);
        assert_eq!(found(&list, "diabétes"), ["Diabetes mellitus"]);
        assert_eq!(found(&list, "dísco"), ["Hernia de disco"]);
    }

    #[test]
    fn the_closest_match_comes_first() {
        let list = concepts(&[
            "Asthma in pregnancy",
            "Allergic asthma",
            "Childhood asthma",
            "Asthma",
            "Asthmatic bronchitis",
        ]);
        assert_eq!(
            found(&list, "asthma"),
            [
                "Asthma",              // the display is the query
                "Asthma in pregnancy", // starts with it
                "Asthmatic bronchitis",
                "Allergic asthma", // the word elsewhere, shorter first
                "Childhood asthma",
            ]
        );
    }

    #[test]
    fn a_code_finds_its_concept_first() {
        let list = concepts(&["Asthma", "Code 1000 lookalike"]);
        assert_eq!(found(&list, "1001"), ["Code 1000 lookalike"]);
        assert_eq!(found(&list, "1000")[0], "Asthma");
    }

    #[test]
    fn results_are_capped_and_repeats_dropped() {
        let mut list = concepts(&["Aspirin"; 3]);
        list[1].code = list[0].code.clone();
        assert_eq!(search(&list, "asp", MAX_RESULTS).len(), 2);
        let many = concepts(&["Ibuprofen"; 40]);
        assert_eq!(search(&many, "ibu", MAX_RESULTS).len(), MAX_RESULTS);
        assert_eq!(search(&many, "ibu", 3).len(), 3);
    }

    #[test]
    fn the_shipped_lists_find_what_clinicians_type() {
        use crate::terminology::{CodeList, Expansion};
        let list = |l: CodeList| {
            Expansion::from_fhir(&serde_json::from_str(l.shipped()).unwrap())
                .unwrap()
                .concepts
        };
        let medications = list(CodeList::Medications);
        let first = search(&medications, "metformin", MAX_RESULTS)[0];
        assert_eq!(
            (first.code.as_str(), first.display.as_str()),
            ("6809", "metformin")
        );
        let allergies = list(CodeList::AllergySubstances);
        let latex = search(&allergies, "latex", MAX_RESULTS)[0];
        assert_eq!(latex.code, "111088007");
        assert!(
            search(&allergies, "penicillin", MAX_RESULTS)
                .iter()
                .any(|c| c.code == "91936005")
        );
        let conditions = list(CodeList::Conditions);
        assert_eq!(
            search(&conditions, "hypert", MAX_RESULTS)[0].code,
            "38341003"
        );
    }
}
