//! The clinician's words: the ids of `locales/en/clinician.ftl`.

staff_texts! {
    page {
        urgent_flags = "urgent-flags";
        urgent = "urgent";
        urgent_raised(raised) = "urgent-raised";
        urgent_raised_escalated(raised, escalated) = "urgent-raised-escalated";
        urgent_note = "urgent-note";
        urgent_acknowledge = "urgent-acknowledge";
        urgent_open(count) = "urgent-open";
        urgent_oldest_first = "urgent-oldest-first";
        summaries_appointment = "summaries-appointment";
        summaries_submitted = "summaries-submitted";
        summaries_reviewed = "summaries-reviewed";
        summaries_urgent_count(count) = "summaries-urgent-count";
        summaries_not_acknowledged = "summaries-not-acknowledged";
        summaries_acknowledged = "summaries-acknowledged";
        summaries_none = "summaries-none";
        summaries_pages = "summaries-pages";
        summaries_earlier = "summaries-earlier";
        summaries_later = "summaries-later";
        summary_submitted(form, submitted) = "summary-submitted";
        summary_trail = "summary-trail";
        summary_print = "summary-print";
        summary_mark_reviewed = "summary-mark-reviewed";
        summary_flags = "summary-flags";
        summary_scores = "summary-scores";
        summary_score = "summary-score";
        summary_result = "summary-result";
        summary_band = "summary-band";
        summary_meaning = "summary-meaning";
        summary_out_of(max) = "summary-out-of";
        summary_differences = "summary-differences";
        summary_no_differences = "summary-no-differences";
        summary_positive = "summary-positive";
        summary_nothing_positive = "summary-nothing-positive";
        summary_photos = "summary-photos";
        summary_consent = "summary-consent";
        summary_consent_version(version) = "summary-consent-version";
        summary_consent_drawn(signed, at) = "summary-consent-drawn";
        summary_consent_typed(signed, at) = "summary-consent-typed";
        summary_declined = "summary-declined";
        summary_declined_on(at) = "summary-declined-on";
        summary_signature_alt(consent) = "summary-signature-alt";
        summary_other_answers = "summary-other-answers";
        summary_other_changes(count) = "summary-other-changes";
        summary_reason_for_rejecting(change) = "summary-reason-for-rejecting";
        summary_compare = "summary-compare";
    }
    words {
        summaries_not_yet = "summaries-not-yet";
        summaries_reviewed_by(names) = "summaries-reviewed-by";
        summary_reviewed_by(name, when) = "summary-reviewed-by";
        interpreter_requested = "interpreter-requested";
        interpreter_not_wanted = "interpreter-not-wanted";
        interpreter_needed = "interpreter-needed";
        interpreter_no_request = "interpreter-no-request";
        summary_age(years) = "summary-age";
        summary_no_sex = "summary-no-sex";
        summary_born(date) = "summary-born";
        urgent_acknowledged(name, when) = "urgent-acknowledged";
        urgent_acknowledged_note(name, when, note) = "urgent-acknowledged-note";
    }
}
