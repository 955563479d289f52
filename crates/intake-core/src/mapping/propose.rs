//! Everything a submission proposes for the chart, in one place: extraction, the chart diff,
//! the identity check and the Provenance.

use super::{
    ChartSnapshot, Compared, ExtractContext, compare_with_chart, identity_mismatch, provenance,
};
use crate::{engine::Answers, forms::Form};

/// The changes a submission of `answers` proposes against the chart the patient saw: the
/// QuestionnaireResponse, what differs from the chart, a held Patient update when the patient's
/// name or date of birth differs, and the Provenance of them all.
pub fn propose(
    form: &Form,
    answers: &Answers,
    context: &ExtractContext<'_>,
    chart: &ChartSnapshot,
) -> Compared {
    let extracted = super::extract::extract_against(form, answers, context, Some(chart));
    let mut compared = compare_with_chart(extracted, chart);
    if let Some(patient) = &chart.patient {
        compared
            .changes
            .extend(identity_mismatch(form, answers, patient, context));
    }
    let provenance = provenance(context, &compared.changes);
    compared.changes.push(provenance);
    compared
}
