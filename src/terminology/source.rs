//! Where expansions come from: the value-set files (the shipped ones in `terminology/`, or a
//! folder of replacements named by `INTAKE_TERMINOLOGY_DIR`), and, with
//! `INTAKE_TERMINOLOGY_URL`, a terminology server's `ValueSet/$expand` with `filter` and
//! `count`, its answers cached a while in a bounded least-recently-used table.
//! Spec: <https://hl7.org/fhir/R4/valueset-operation-expand.html>

use std::{
    collections::HashMap,
    num::NonZeroUsize,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use lru::LruCache;
use url::Url;

use super::{
    AnswerLists, CodeList, Concept, Definitions, Expansion, MAX_ANSWER_LIST, hl7_core, search,
};

/// How long one `$expand` may take: a person is waiting on each keystroke's answer.
const SERVER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a server's answer is reused.
const CACHE_TTL: Duration = Duration::from_secs(600);
/// How many answers are kept.
const CACHE_ENTRIES: usize = 512;
/// How much of a server's error text is kept for the message.
const REASON_CHARS: usize = 300;

/// Where code lists come from, as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminologySettings {
    /// `INTAKE_TERMINOLOGY_DIR`: a folder with `medications.json`, `allergy-substances.json`
    /// and `conditions.json` (FHIR ValueSets with an expansion) replacing the shipped ones.
    pub dir: Option<PathBuf>,
    /// `INTAKE_VALUESETS_DIR`: a folder of FHIR ValueSets and CodeSystems (JSON) that answer
    /// lists may name, beside the HL7 core ones.
    pub value_sets_dir: Option<PathBuf>,
    /// `INTAKE_TERMINOLOGY_URL`: a FHIR terminology server's base URL.
    pub server: Option<Url>,
}

/// Why a code list could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// A value-set file is missing or is no expansion.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The terminology server did not expand the value set.
    #[error("The terminology server could not expand the value set {url}: {reason}")]
    Server {
        /// The value set's canonical URL.
        url: String,
        /// The server's words, or why there were none.
        reason: String,
    },
    /// Nothing configured expands the value set.
    #[error(
        "No code list expands the value set {0}: it is not among the value-set files and no terminology server is configured (INTAKE_TERMINOLOGY_URL)"
    )]
    NoSource(String),
}

/// What a search found, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The matches, best first.
    pub concepts: Vec<Concept>,
    /// Whether they came from the terminology server (else from the value-set files).
    pub from_server: bool,
    /// The server's failure when the files answered in its place.
    pub problem: Option<LookupError>,
}

/// The code lists of this site.
#[derive(Debug)]
pub struct CodeLookup {
    files: HashMap<CodeList, Expansion>,
    /// The value sets answer lists may name: the HL7 core ones and the site's.
    definitions: Definitions,
    server: Option<Server>,
}

impl CodeLookup {
    /// Reads the value-set files (a missing or unreadable one stops start-up, naming it) and
    /// prepares the server's client.
    pub fn load(settings: &TerminologySettings) -> Result<Self, LookupError> {
        let mut files = HashMap::new();
        for list in CodeList::ALL {
            let expansion = match &settings.dir {
                Some(dir) => read_file(&dir.join(format!("{}.json", list.file_stem())))?,
                None => parse(
                    list.shipped(),
                    &format!("terminology/{}.json", list.file_stem()),
                )?,
            };
            files.insert(list, expansion);
        }
        let server = match &settings.server {
            Some(base) => Some(Server::new(base)?),
            None => None,
        };
        let mut definitions = Definitions::on_top_of(hl7_core());
        if let Some(dir) = &settings.value_sets_dir {
            read_definitions(dir, &mut definitions)?;
        }
        Ok(Self {
            files,
            definitions,
            server,
        })
    }

    /// The value sets answer lists may name without a server.
    pub fn definitions(&self) -> &Definitions {
        &self.definitions
    }

    /// The answer lists `questionnaire`'s import may use: every `answerValueSet` outside it
    /// that the definitions cannot expand is asked of the terminology server first, once.
    pub async fn answer_lists(&self, questionnaire: &serde_json::Value) -> AnswerLists<'_> {
        self.answer_lists_for(crate::forms::sdc::external_value_sets(questionnaire))
            .await
    }

    /// The answer lists form files may use: every `value_set` they give as a canonical URL
    /// resolved as an import's `answerValueSet` is ([`CodeLookup::answer_lists`]), so a YAML
    /// form and an imported Questionnaire naming the same value set get the same list.
    pub async fn answer_lists_for_forms<'s>(
        &self,
        sources: impl IntoIterator<Item = &'s str>,
    ) -> AnswerLists<'_> {
        let urls: std::collections::BTreeSet<String> = sources
            .into_iter()
            .flat_map(crate::forms::value_set_urls)
            .collect();
        self.answer_lists_for(urls).await
    }

    /// The answer lists of the value sets `urls`: those the definitions cannot expand are
    /// asked of the terminology server, once each.
    async fn answer_lists_for(&self, urls: impl IntoIterator<Item = String>) -> AnswerLists<'_> {
        let mut fetched = HashMap::new();
        if let Some(server) = &self.server {
            for url in urls {
                if self.definitions.expand(&url).is_err() {
                    let answer = server.expand(&url, "", MAX_ANSWER_LIST + 1).await;
                    fetched.insert(url, answer.map_err(|problem| problem.to_string()));
                }
            }
        }
        AnswerLists::with_fetched(&self.definitions, fetched)
    }

    /// Whether the value set `url` is expanded by the terminology server (none of the
    /// definitions at hand expands it): its search on a patient's page asks the server.
    pub fn served(&self, url: &str) -> bool {
        self.server.is_some() && self.definitions.expand(url).is_err()
    }

    /// The canonical URL of `list`'s value set.
    pub fn value_set_url(&self, list: CodeList) -> &str {
        self.files.get(&list).map_or("", |e| e.url.as_str())
    }

    /// The concepts of `list` matching `query`, at most `cap`: from the server when one is
    /// configured, else (or when it fails, saying so) from the files.
    pub async fn search(&self, list: CodeList, query: &str, cap: usize) -> Found {
        let url = self.value_set_url(list).to_owned();
        let problem = match &self.server {
            Some(server) => match server.expand(&url, query, cap).await {
                Ok(concepts) => {
                    return Found {
                        concepts: rerank(&concepts, query, cap),
                        from_server: true,
                        problem: None,
                    };
                }
                Err(problem) => Some(problem),
            },
            None => None,
        };
        let concepts = self
            .files
            .get(&list)
            .map(|e| {
                search(&e.concepts, query, cap)
                    .into_iter()
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Found {
            concepts,
            from_server: false,
            problem,
        }
    }

    /// The concepts of the value set `url` matching `query`: the server's expansion when one is
    /// configured, else a value-set file with that URL. An error names the value set.
    pub async fn expand(
        &self,
        url: &str,
        query: &str,
        cap: usize,
    ) -> Result<Vec<Concept>, LookupError> {
        if let Some(server) = &self.server {
            return server
                .expand(url, query, cap)
                .await
                .map(|c| rerank(&c, query, cap));
        }
        self.files
            .values()
            .find(|e| e.url == url)
            .map(|e| {
                search(&e.concepts, query, cap)
                    .into_iter()
                    .cloned()
                    .collect()
            })
            .ok_or_else(|| LookupError::NoSource(url.to_owned()))
    }
}

/// The server's matches in this site's order; its own when the words match none of them
/// (a server may match more loosely, e.g. inside words or by synonym).
fn rerank(concepts: &[Concept], query: &str, cap: usize) -> Vec<Concept> {
    let ours: Vec<Concept> = search(concepts, query, cap).into_iter().cloned().collect();
    if ours.is_empty() {
        concepts.iter().take(cap).cloned().collect()
    } else {
        ours
    }
}

/// Adds every ValueSet and CodeSystem of the `*.json` files in `dir` (single resources or
/// Bundles; other resources are skipped).
fn read_definitions(dir: &Path, definitions: &mut Definitions) -> Result<(), LookupError> {
    let failed = |path: &Path, reason: String| LookupError::File {
        path: path.display().to_string(),
        reason,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| failed(dir, e.to_string()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| failed(&path, e.to_string()))?;
        let resource: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| failed(&path, format!("not JSON: {e}")))?;
        definitions.add(&resource);
    }
    Ok(())
}

fn read_file(path: &Path) -> Result<Expansion, LookupError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LookupError::File {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    parse(&text, &name)
}

fn parse(text: &str, name: &str) -> Result<Expansion, LookupError> {
    let file_error = |reason: String| LookupError::File {
        path: name.to_owned(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| file_error(e.to_string()))?;
    Expansion::from_fhir(&value).map_err(|e| file_error(e.to_string()))
}

/// A cached answer's key: the value set, the words (spaces collapsed, lower case), the count.
type CacheKey = (String, String, usize);

/// A cached answer with when it came.
type Cached = (Instant, Arc<Vec<Concept>>);

/// A terminology server and its cache.
struct Server {
    base: String,
    client: reqwest::Client,
    cache: Mutex<LruCache<CacheKey, Cached>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("base", &self.base).finish()
    }
}

impl Server {
    fn new(base: &Url) -> Result<Self, LookupError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(SERVER_TIMEOUT)
            .user_agent(concat!("intake/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LookupError::Server {
                url: base.to_string(),
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        let capacity = NonZeroUsize::new(CACHE_ENTRIES).unwrap_or(NonZeroUsize::MIN);
        Ok(Self {
            base: base.as_str().trim_end_matches('/').to_owned(),
            client,
            cache: Mutex::new(LruCache::new(capacity)),
        })
    }

    async fn expand(
        &self,
        url: &str,
        query: &str,
        cap: usize,
    ) -> Result<Vec<Concept>, LookupError> {
        let filter = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = (url.to_owned(), filter.to_lowercase(), cap);
        if let Some(hit) = self.cached(&key) {
            return Ok(hit.as_ref().clone());
        }
        let concepts = Arc::new(self.fetch(url, &filter, cap).await?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(key, (Instant::now(), concepts.clone()));
        }
        Ok(concepts.as_ref().clone())
    }

    fn cached(&self, key: &CacheKey) -> Option<Arc<Vec<Concept>>> {
        let mut cache = self.cache.lock().ok()?;
        match cache.get(key) {
            Some((at, concepts)) if at.elapsed() < CACHE_TTL => Some(concepts.clone()),
            Some(_) => {
                cache.pop(key);
                None
            }
            None => None,
        }
    }

    #[tracing::instrument(skip_all, fields(value_set = url))]
    async fn fetch(
        &self,
        url: &str,
        filter: &str,
        cap: usize,
    ) -> Result<Vec<Concept>, LookupError> {
        let failed = |reason: String| LookupError::Server {
            url: url.to_owned(),
            reason,
        };
        let count = cap.to_string();
        let mut query = vec![("url", url), ("count", count.as_str())];
        // No words: the whole list (an answer list), not a search.
        if !filter.is_empty() {
            query.push(("filter", filter));
        }
        let response = self
            .client
            .get(format!("{}/ValueSet/$expand", self.base))
            .header(reqwest::header::ACCEPT, "application/fhir+json")
            .query(&query)
            .send()
            .await
            .map_err(|e| {
                failed(if e.is_timeout() {
                    "it did not answer in time".to_owned()
                } else {
                    "it could not be reached".to_owned()
                })
            })?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|_| failed(format!("it answered {status} with no FHIR resource")))?;
        if !status.is_success() {
            return Err(failed(format!("{status}: {}", outcome_words(&body))));
        }
        Expansion::from_fhir(&body)
            .map(|e| e.concepts)
            .map_err(|e| failed(e.to_string()))
    }
}

/// What an OperationOutcome says, shortened.
fn outcome_words(body: &serde_json::Value) -> String {
    let words: Vec<&str> = body["issue"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i["diagnostics"]
                .as_str()
                .or_else(|| i["details"]["text"].as_str())
        })
        .collect();
    let text = if words.is_empty() {
        "no reason given".to_owned()
    } else {
        words.join("; ")
    };
    text.chars().take(REASON_CHARS).collect()
}
