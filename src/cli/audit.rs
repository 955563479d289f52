//! `intake audit verify`: walks the audit log's hash chains, and checks heads kept elsewhere.

use std::{io::Write, process::ExitCode};

use super::{operations::config, print, usage_error};
use crate::{app, store::Store};

/// A head kept from an earlier run: event `seq` of `chain` had hash `hash` (hex).
#[derive(Debug, PartialEq, Eq)]
struct Anchor<'a> {
    chain: &'a str,
    seq: i64,
    hash: String,
}

impl<'a> Anchor<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, ':');
        let chain = parts.next().filter(|c| !c.is_empty())?;
        let seq = parts.next()?.parse().ok().filter(|n| *n > 0)?;
        let hash = parts.next()?.to_ascii_lowercase();
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Self {
            chain,
            seq,
            hash,
        })
    }
}

/// Walks every chain and checks `anchors`; prints each chain's length and anchor, and each
/// problem on stderr. Exit 0 when intact, 1 when tampered with, 2 when it cannot tell.
pub async fn verify(database: Option<String>, anchors: &[String]) -> ExitCode {
    let mut parsed = Vec::new();
    for text in anchors {
        match Anchor::parse(text) {
            Some(anchor) => parsed.push(anchor),
            None => {
                return usage_error(&format!(
                    "--anchor {text}: expected CHAIN:NUMBER:HASH as `intake audit verify` prints it"
                ));
            }
        }
    }
    let config = match config(database) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let store = match app::open_store(&config).await {
        Ok(store) => store,
        Err(error) => return usage_error(&error.to_string()),
    };
    let result = check(&store, &parsed).await;
    store.close().await;
    let problems = match result {
        Ok(problems) => problems,
        Err(error) => return usage_error(&format!("database: {error}")),
    };
    if problems.is_empty() {
        print("audit log intact");
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    for problem in &problems {
        drop(writeln!(stderr, "intake: {problem}"));
    }
    drop(writeln!(
        stderr,
        "intake: the audit log was tampered with ({} problem(s) above)",
        problems.len()
    ));
    ExitCode::FAILURE
}

/// The walk and the anchors; prints each chain as it stands.
async fn check(
    store: &Store,
    anchors: &[Anchor<'_>],
) -> Result<Vec<String>, crate::store::StoreError> {
    let verdict = store.verify_audit().await?;
    for chain in &verdict.chains {
        print(&format!(
            "{}: {} events, anchor {}:{}:{}",
            chain.chain, chain.events, chain.chain, chain.seq, chain.head
        ));
    }
    let mut problems: Vec<String> = verdict.problems.iter().map(ToString::to_string).collect();
    for anchor in anchors {
        let now = store.audit_hash_at(anchor.chain, anchor.seq).await?;
        if now.as_deref() != Some(anchor.hash.as_str()) {
            problems.push(format!(
                "{} #{} no longer has the hash kept for it: the chain was rewritten from there or before",
                anchor.chain, anchor.seq
            ));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::Anchor;

    #[test]
    fn an_anchor_reads_as_printed_and_refuses_anything_else() {
        let hash = "ab".repeat(32);
        assert_eq!(
            Anchor::parse(&format!("staff:12:{}", hash.to_uppercase())),
            Some(Anchor {
                chain: "staff",
                seq: 12,
                hash: hash.clone()
            })
        );
        for bad in [
            format!("staff:0:{hash}"),
            format!(":12:{hash}"),
            "staff:12:abc".to_owned(),
            format!("staff:x:{hash}"),
            format!("staff:12:{}", "zz".repeat(32)),
        ] {
            assert_eq!(Anchor::parse(&bad), None, "{bad}");
        }
    }
}
