//! Flags as staff and clinicians read them: those meant for them, most severe first, each with
//! its severity in words (not colour alone).

use crate::{
    engine::RaisedFlag,
    forms::{Audience, Severity},
};

/// One flag on a staff or clinician page.
#[derive(Debug, Clone)]
pub struct FlagLine {
    /// `urgent`, `error`, `warning` or `info`: the badge's words and class.
    pub severity: &'static str,
    /// What the flag says, in English (the staff pages' language).
    pub message: String,
}

/// The flags of `flags` meant for `audience`, in their recorded order (most severe first).
pub fn for_audience(flags: &[RaisedFlag], audience: Audience) -> Vec<FlagLine> {
    flags
        .iter()
        .filter(|f| f.audience.contains(&audience))
        .map(|f| FlagLine {
            severity: match f.severity {
                Severity::Urgent => "urgent",
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            },
            message: f.message.en().to_owned(),
        })
        .collect()
}
