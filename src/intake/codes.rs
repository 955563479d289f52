//! Coding a change staff edit: the words they type looked up in the code list of its kind of
//! entry, for whoever decides on it.

use uuid::Uuid;

use super::{ServiceError, Services};
use crate::{
    store::StaffSession,
    terminology::{CodeList, Found, MAX_RESULTS},
};

/// A search of the code list a change is coded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSearch {
    /// The list searched.
    pub list: CodeList,
    /// What was typed, trimmed.
    pub query: String,
    /// What it found.
    pub found: Found,
}

impl Services {
    /// Looks `query` up in the code list of change `id`, for the staff member who decides on
    /// it. `None` when the change takes no code (an update of a chart entry, an Observation)
    /// or nothing was typed.
    pub async fn search_codes(
        &self,
        staff: &StaffSession,
        id: Uuid,
        query: &str,
    ) -> Result<Option<CodeSearch>, ServiceError> {
        let change = self.change_to_decide(staff, id).await?;
        let query = query.trim();
        let Some(list) = CodeList::for_resource(change.resource_type) else {
            return Ok(None);
        };
        if change.resource.get("id").is_some() || query.is_empty() {
            return Ok(None);
        }
        let found = self.codes.search(list, query, MAX_RESULTS).await;
        if found.problem.is_some() {
            // The value set, never what was typed.
            tracing::warn!(
                change = %id,
                value_set = self.codes.value_set_url(list),
                "the terminology server did not expand the value set; the value-set files did"
            );
        }
        Ok(Some(CodeSearch {
            list,
            query: query.to_owned(),
            found,
        }))
    }
}
