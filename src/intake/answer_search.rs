//! A patient's search of a long answer list (more than `SEARCH_FROM` options): the words
//! matched in the list the form holds, or, for a value set the terminology server expands,
//! by the server's `ValueSet/$expand?filter=` (cached), kept to the form's list. A server that
//! is slow or down never holds the page: past [`SERVER_WAIT`] the list the form holds answers,
//! and the page says so.

use std::time::Duration;

use super::Services;
use crate::{
    forms::Item,
    terminology::{PATIENT_MATCHES, search_options},
};

/// How long a patient's search waits for the terminology server before the form's own list
/// answers instead.
pub const SERVER_WAIT: Duration = Duration::from_secs(3);

/// The most characters of a search that are used: words, not a document.
const QUERY_CHARS: usize = 100;

/// What a patient's search of an answer list found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnswerSearch {
    /// What was typed, trimmed.
    pub query: String,
    /// The codes of the matching options, best first, at most [`PATIENT_MATCHES`].
    pub codes: Vec<String>,
    /// Whether more options match than are shown.
    pub more: bool,
    /// Whether the terminology server was asked and did not answer (the form's list did).
    pub server_unavailable: bool,
}

impl Services {
    /// The options of `item` matching `query`, read in `language`.
    pub async fn search_answers(&self, item: &Item, language: &str, query: &str) -> AnswerSearch {
        let query: String = query.trim().chars().take(QUERY_CHARS).collect();
        if query.is_empty() {
            return AnswerSearch::default();
        }
        let mut server_unavailable = false;
        if let Some(url) = item
            .value_set
            .as_deref()
            .filter(|url| self.codes.served(url))
        {
            let asked = self.codes.expand(url, &query, 4 * PATIENT_MATCHES);
            match tokio::time::timeout(SERVER_WAIT, asked).await {
                Ok(Ok(concepts)) => {
                    let codes: Vec<String> = concepts
                        .iter()
                        .filter(|c| {
                            item.options.iter().any(|o| {
                                o.code == c.code
                                    && o.system.as_deref().is_none_or(|s| s == c.system)
                            })
                        })
                        .map(|c| c.code.clone())
                        .collect();
                    return found(query, codes, false);
                }
                _ => {
                    // The value set, never what was typed.
                    tracing::warn!(
                        value_set = url,
                        "the terminology server did not answer a patient's search; the form's list did"
                    );
                    server_unavailable = true;
                }
            }
        }
        let codes = search_options(&item.options, language, &query, PATIENT_MATCHES + 1)
            .into_iter()
            .map(|o| o.code.clone())
            .collect();
        found(query, codes, server_unavailable)
    }
}

fn found(query: String, mut codes: Vec<String>, server_unavailable: bool) -> AnswerSearch {
    codes.dedup();
    let more = codes.len() > PATIENT_MATCHES;
    codes.truncate(PATIENT_MATCHES);
    AnswerSearch {
        query,
        codes,
        more,
        server_unavailable,
    }
}
