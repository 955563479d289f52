//! Reading the patient's chart for prefill, once per invitation.

use std::{collections::BTreeMap, sync::Arc};

use super::Services;
use crate::{
    ehr::{form_queries, read_chart},
    fhirpath::Clock,
    forms::Form,
    mapping::ChartSnapshot,
    store::PatientSession,
};

impl Services {
    /// The chart as it was when the patient started: read from the EHR the first time and kept,
    /// so every page and the comparison at submit see the same chart. `None` when the EHR cannot
    /// be read now; the form then works without prefill and the next page tries again.
    /// Kept in memory once read (it never changes after), so later pages parse it no more.
    pub(super) async fn chart(&self, session: &PatientSession) -> Option<Arc<ChartSnapshot>> {
        if let Some(chart) = self.drafts.chart(session.invitation_id) {
            return Some(chart);
        }
        let chart = Arc::new(self.chart_read(session).await?);
        self.drafts
            .keep_chart(session.invitation_id, Arc::clone(&chart));
        Some(chart)
    }

    /// The chart read from the database, or else from the EHR (and kept).
    async fn chart_read(&self, session: &PatientSession) -> Option<ChartSnapshot> {
        match self.store.load_chart_read(session.invitation_id).await {
            Ok(Some(chart)) => return Some(chart),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "could not load the chart read");
                return None;
            }
        }
        let patient_ref = &session.appointment.details.patient_ref;
        match read_chart(self.ehr.as_ref(), patient_ref).await {
            Ok(mut chart) => {
                if let Some(form) = self.forms.get(&session.appointment.details.form_id) {
                    chart.queries = self.form_queries(&form, &chart).await;
                }
                let saved = self
                    .store
                    .save_chart_read(session.invitation_id, &chart, self.clock.now_millis())
                    .await;
                if let Err(error) = saved {
                    tracing::warn!(%error, "could not keep the chart read");
                }
                // A second tab may have saved first: show what was kept.
                self.store
                    .load_chart_read(session.invitation_id)
                    .await
                    .ok()
                    .flatten()
                    .or(Some(chart))
            }
            Err(error) => {
                tracing::warn!(
                    transient = error.is_transient(),
                    "could not read the chart for prefill; the form goes on without it"
                );
                None
            }
        }
    }
}

impl Services {
    /// Runs the form's own queries (SDC `x-fhir-query` variables and `sourceQueries`) for the
    /// patient: their results by name. A query that fails is left out (its `%name` then holds
    /// nothing) and logged by name, never by its URL, which names the patient.
    async fn form_queries(
        &self,
        form: &Form,
        chart: &ChartSnapshot,
    ) -> BTreeMap<String, serde_json::Value> {
        let clock = Clock::from_unix_millis(self.clock.now_millis(), 0);
        let (results, failed) = form_queries(
            self.ehr.as_ref(),
            form,
            chart.patient.as_ref(),
            clock,
            |_| false,
        )
        .await;
        for failure in failed {
            tracing::warn!(query = %failure.name, transient = failure.error.is_transient(),
                "a form query failed; its result is left empty");
        }
        results
    }
}
