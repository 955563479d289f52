//! Proposed changes and their states's words: the ids of `locales/en/changes.ftl`.

staff_texts! {
    page {}
    words {
        kind_allergy = "kind-allergy";
        kind_medication = "kind-medication";
        kind_condition = "kind-condition";
        kind_observation = "kind-observation";
        kind_patient = "kind-patient";
        kind_answers = "kind-answers";
        kind_provenance = "kind-provenance";
        kind_flag = "kind-flag";
        kind_task = "kind-task";
        kind_consent = "kind-consent";
        kind_photo = "kind-photo";
        change_waiting(who) = "change-waiting";
        change_unavailable(who) = "change-unavailable";
        change_chart_changed(who) = "change-chart-changed";
        change_refused(who) = "change-refused";
        change_sending = "change-sending";
        change_sending_accepted(by) = "change-sending-accepted";
        change_posted = "change-posted";
        change_posted_accepted(by) = "change-posted-accepted";
        change_rejected = "change-rejected";
        change_rejected_by(by) = "change-rejected-by";
        change_rejected_why(by, reason) = "change-rejected-why";
    }
}
