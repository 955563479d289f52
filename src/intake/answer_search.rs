//! A patient's search of a long answer list (more than `SEARCH_FROM` options, or a value set
//! the terminology server expands to more than a form lists): the words matched in the list
//! the form holds, or, for a value set the terminology server expands, by the server's
//! `ValueSet/$expand?filter=` (cached). A server that is slow or down never holds the page:
//! past [`SERVER_WAIT`] the list the form holds answers (when it has one), and the page says so.

use std::time::Duration;

use super::Services;
use crate::{
    engine::Answer,
    forms::{Form, Item},
    store::PatientSession,
    terminology::{Concept, PATIENT_MATCHES, search_options},
};

/// How long a patient's search waits for the terminology server before giving up on it.
pub const SERVER_WAIT: Duration = Duration::from_secs(3);

/// The most characters of a search that are used: words, not a document.
const QUERY_CHARS: usize = 100;

/// What a patient's search of an answer list found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnswerSearch {
    /// What was typed, trimmed.
    pub query: String,
    /// The matching concepts, best first, at most [`PATIENT_MATCHES`]: of the form's options
    /// (their code, and display in the page's language), or, for a list searched on the server
    /// only, as the server gave them.
    pub matches: Vec<Concept>,
    /// Whether more match than are shown.
    pub more: bool,
    /// The terminology server was asked and did not answer.
    pub unavailable: Option<Unavailable>,
}

/// What the page has when the terminology server did not answer a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The form's own list answered instead.
    FormListInstead,
    /// The list is searched on the server only: nothing to pick from until it answers.
    NothingToSearch,
}

impl Services {
    /// The concepts of `item`'s list matching `query`, read in `language`.
    pub async fn search_answers(&self, item: &Item, language: &str, query: &str) -> AnswerSearch {
        let query: String = query.trim().chars().take(QUERY_CHARS).collect();
        if query.is_empty() {
            return AnswerSearch::default();
        }
        let served = item
            .value_set
            .as_deref()
            .filter(|url| item.searched_on_server || self.codes.served(url));
        if let Some(url) = served {
            let asked = self.codes.expand(url, &query, 4 * PATIENT_MATCHES);
            match tokio::time::timeout(SERVER_WAIT, asked).await {
                Ok(Ok(concepts)) if item.searched_on_server => {
                    return found(query, concepts, None);
                }
                Ok(Ok(concepts)) => {
                    // Kept to the form's list, which the answer must be one of.
                    let listed = concepts
                        .into_iter()
                        .filter(|c| {
                            item.options.iter().any(|o| {
                                o.code == c.code
                                    && o.system.as_deref().is_none_or(|s| s == c.system)
                            })
                        })
                        .collect();
                    return found(query, listed, None);
                }
                _ => {
                    // The value set, never what was typed.
                    tracing::warn!(
                        value_set = url,
                        "the terminology server did not answer a patient's search"
                    );
                    if item.searched_on_server {
                        return found(query, Vec::new(), Some(Unavailable::NothingToSearch));
                    }
                }
            }
        }
        let unavailable = served.map(|_| Unavailable::FormListInstead);
        let concepts = search_options(&item.options, language, &query, PATIENT_MATCHES + 1)
            .into_iter()
            .map(|o| Concept {
                system: o.system.clone().unwrap_or_default(),
                code: o.code.clone(),
                display: o.display.in_language(language).to_owned(),
            })
            .collect();
        found(query, concepts, unavailable)
    }
}

impl Services {
    /// The posted `fields` of a page of `session`'s form, each Coding picked from a list
    /// searched on the server checked with the server: a Coding the server gives for its
    /// display keeps the server's display; one it does not give becomes a bare code, which the
    /// page refuses ("choose one of the answers"). A server that does not answer in time
    /// leaves them as posted (most are the answer saved before, posted again with the page).
    pub(super) async fn vet_picked_codings(
        &self,
        session: &PatientSession,
        fields: &[(String, String)],
    ) -> Vec<(String, String)> {
        let form = self.forms.get(&session.appointment.details.form_id);
        let mut out = fields.to_vec();
        let Some(form) = form else {
            return out;
        };
        for (name, value) in &mut out {
            let Some((url, system, code, display)) = picked_coding(&form, name, value) else {
                continue;
            };
            let asked = self.codes.expand(&url, &display, 4 * PATIENT_MATCHES);
            if let Ok(Ok(concepts)) = tokio::time::timeout(SERVER_WAIT, asked).await {
                *value = match concepts
                    .iter()
                    .find(|c| c.code == code && c.system == system)
                {
                    Some(c) => Answer::coding_input(&c.system, &c.code, &c.display),
                    None => code,
                };
            }
        }
        out
    }
}

/// The value set and Coding of a posted answer field naming an item searched on the server.
fn picked_coding(form: &Form, name: &str, value: &str) -> Option<(String, String, String, String)> {
    let key = name.strip_prefix("a.")?;
    let item = form.item(key.rsplit('.').next().unwrap_or(key))?;
    let url = item.value_set.clone().filter(|_| item.searched_on_server)?;
    match Answer::coding_from_input(value)? {
        Answer::Coding {
            system,
            code,
            display,
        } => Some((url, system, code, display)),
        _ => None,
    }
}

fn found(
    query: String,
    mut matches: Vec<Concept>,
    unavailable: Option<Unavailable>,
) -> AnswerSearch {
    matches.dedup_by(|a, b| a.system == b.system && a.code == b.code);
    let more = matches.len() > PATIENT_MATCHES;
    matches.truncate(PATIENT_MATCHES);
    AnswerSearch {
        query,
        matches,
        more,
        unavailable,
    }
}
