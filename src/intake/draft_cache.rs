//! Drafts and chart reads kept in memory between a patient's saves, so that a save reads only
//! the session and writes the draft once, instead of reading the chart read and the draft
//! again and parsing their JSON on every page.
//!
//! Safe with many processes on one database: a chart read never changes once kept (the first
//! one wins), and a kept draft is written over only while its version is still the one stored
//! (`Store::save_draft_over`); a save that finds another one came first (another tab, another
//! process) forgets what it kept and reads again. Pages shown, the review and the submission
//! read the draft from the database as before.

use std::{
    num::NonZeroUsize,
    sync::{Arc, MutexGuard},
};

use lru::LruCache;
use uuid::Uuid;

use super::kept::Kept;
use crate::{
    mapping::{ChartContext, ChartSnapshot},
    store::Draft,
};

/// How many invitations are kept; the least recently used go first. An entry is a few
/// kilobytes (the chart read is most of it), so memory stays near 10 MB however many patients
/// are answering, and a clinic's patients answering at one time all fit.
pub const DRAFTS_KEPT: usize = 1024;

/// The drafts and chart reads kept, by invitation.
#[derive(Debug)]
pub struct DraftCache {
    entries: Kept<Uuid, Entry>,
}

#[derive(Default)]
struct Entry {
    chart: Option<Arc<ChartSnapshot>>,
    /// What expressions see of `chart`, made from it once.
    context: Option<Arc<ChartContext>>,
    /// The draft as last saved by this process, with its stored version.
    draft: Option<(i64, Draft)>,
}

impl Default for DraftCache {
    fn default() -> Self {
        Self::new(NonZeroUsize::new(DRAFTS_KEPT).unwrap_or(NonZeroUsize::MIN))
    }
}

impl DraftCache {
    /// An empty cache keeping at most `capacity` invitations.
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self {
            entries: Kept::new(capacity),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<Uuid, Entry>> {
        self.entries.lock()
    }

    /// The chart read kept for an invitation.
    pub fn chart(&self, invitation_id: Uuid) -> Option<Arc<ChartSnapshot>> {
        self.lock().get(&invitation_id)?.chart.clone()
    }

    /// Keeps an invitation's chart read (as stored: it never changes after).
    pub fn keep_chart(&self, invitation_id: Uuid, chart: Arc<ChartSnapshot>) {
        let mut entries = self.lock();
        let entry = entries.get_or_insert_mut(invitation_id, Entry::default);
        entry.chart = Some(chart);
        entry.context = None;
    }

    /// What expressions see of the chart read kept for an invitation (`chart`), made the
    /// first time and shared by every save after.
    pub fn chart_context(&self, invitation_id: Uuid, chart: &ChartSnapshot) -> Arc<ChartContext> {
        if let Some(kept) = self
            .lock()
            .get(&invitation_id)
            .and_then(|e| e.context.clone())
        {
            return kept;
        }
        let made = Arc::new(ChartContext::of(Some(chart)));
        // Kept only beside the very chart it was made from.
        if let Some(entry) = self.lock().get_mut(&invitation_id)
            && entry
                .chart
                .as_deref()
                .is_some_and(|kept| std::ptr::eq(kept, chart))
        {
            entry.context = Some(Arc::clone(&made));
        }
        made
    }

    /// Takes the draft kept for an invitation, with its version, out of the cache: the caller
    /// saves over that version and keeps the result again. A save racing it for the same
    /// invitation finds nothing and reads the database.
    pub fn take_draft(&self, invitation_id: Uuid) -> Option<(i64, Draft)> {
        self.lock().get_mut(&invitation_id)?.draft.take()
    }

    /// Keeps the draft just saved, at the version the save returned.
    pub fn keep_draft(&self, invitation_id: Uuid, version: i64, draft: Draft) {
        let mut entries = self.lock();
        entries
            .get_or_insert_mut(invitation_id, Entry::default)
            .draft = Some((version, draft));
    }

    /// How many invitations are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        engine::Answers,
        forms::{ContentHash, FormId},
        store::FormState,
    };

    fn draft() -> Draft {
        Draft {
            form_id: FormId::parse("previsit-basic").unwrap(),
            form_hash: ContentHash::from_stored("h".to_owned()),
            answers: Answers::default(),
            form_state: FormState::default(),
            sent_at: None,
        }
    }

    #[test]
    fn a_kept_draft_is_taken_once_so_a_racing_save_reads_the_database() {
        let cache = DraftCache::default();
        let id = Uuid::now_v7();
        cache.keep_draft(id, 3, draft());
        assert_eq!(cache.take_draft(id).map(|(v, _)| v), Some(3));
        assert!(cache.take_draft(id).is_none());
    }

    #[test]
    fn a_charts_context_is_made_once_and_only_kept_beside_that_chart() {
        let cache = DraftCache::default();
        let id = Uuid::now_v7();
        let chart: Arc<ChartSnapshot> = Arc::default();
        cache.keep_chart(id, Arc::clone(&chart));
        let first = cache.chart_context(id, &chart);
        assert!(Arc::ptr_eq(&first, &cache.chart_context(id, &chart)));
        // A chart that is not the one kept gets a context of its own, which is not kept.
        let other = ChartSnapshot::default();
        assert!(!Arc::ptr_eq(
            &first,
            &cache.chart_context(Uuid::now_v7(), &other)
        ));
        // A chart kept anew makes its context anew.
        cache.keep_chart(id, Arc::default());
        let kept = cache.chart(id).unwrap();
        assert!(!Arc::ptr_eq(&first, &cache.chart_context(id, &kept)));
    }

    #[test]
    fn the_least_recently_used_invitation_goes_first_past_the_capacity() {
        let cache = DraftCache::new(NonZeroUsize::new(2).unwrap());
        let [a, b, c] = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        cache.keep_chart(a, Arc::default());
        cache.keep_chart(b, Arc::default());
        assert!(cache.chart(a).is_some());
        cache.keep_draft(c, 1, draft());
        assert_eq!(cache.len(), 2);
        assert!(cache.chart(b).is_none(), "b was used least recently");
        assert!(cache.chart(a).is_some());
        assert!(cache.take_draft(c).is_some());
    }
}
