//! The admin's words: the ids of `locales/en/admin.ftl`.

staff_texts! {
    page {
        accounts_add_heading = "accounts-add-heading";
        accounts_add_intro = "accounts-add-intro";
        accounts_display_name = "accounts-display-name";
        accounts_role = "accounts-role";
        accounts_add = "accounts-add";
        accounts_heading = "accounts-heading";
        accounts_name = "accounts-name";
        accounts_state = "accounts-state";
        accounts_access = "accounts-access";
        accounts_added_on(created) = "accounts-added-on";
        accounts_disabled = "accounts-disabled";
        accounts_active = "accounts-active";
        accounts_authenticator = "accounts-authenticator";
        accounts_no_authenticator = "accounts-no-authenticator";
        accounts_role_of(username) = "accounts-role-of";
        accounts_of(username) = "accounts-of";
        accounts_change_role = "accounts-change-role";
        accounts_reset_password = "accounts-reset-password";
        accounts_forget_authenticator = "accounts-forget-authenticator";
        accounts_enable = "accounts-enable";
        accounts_disable = "accounts-disable";
        accounts_none = "accounts-none";
        accounts_next = "accounts-next";
        password_title = "password-title";
        password_reset = "password-reset";
        password_added = "password-added";
        password_signed_out(username) = "password-signed-out";
        password_can_sign_in(username) = "password-can-sign-in";
        password_give(username) = "password-give";
        password_back = "password-back";
        audit_intro(zone) = "audit-intro";
        audit_filters = "audit-filters";
        audit_user = "audit-user";
        audit_patient = "audit-patient";
        audit_any_action = "audit-any-action";
        audit_from = "audit-from";
        audit_to = "audit-to";
        audit_events = "audit-events";
        audit_when_where = "audit-when-where";
        audit_patient_row(mrn) = "audit-patient-row";
        audit_none = "audit-none";
        audit_pages = "audit-pages";
        audit_newest = "audit-newest";
        audit_older = "audit-older";
    }
    words {
        audit_viewed = "audit-viewed";
        audit_signed_in = "audit-signed-in";
        audit_sign_in_failed = "audit-sign-in-failed";
        audit_signed_out = "audit-signed-out";
        audit_code_used = "audit-code-used";
        audit_code_refused = "audit-code-refused";
        audit_recovery_used = "audit-recovery-used";
        audit_enrolled = "audit-enrolled";
        audit_password_changed = "audit-password-changed";
        audit_account_added = "audit-account-added";
        audit_account_disabled = "audit-account-disabled";
        audit_account_enabled = "audit-account-enabled";
        audit_password_reset = "audit-password-reset";
        audit_role_changed = "audit-role-changed";
        audit_authenticator_forgotten = "audit-authenticator-forgotten";
        audit_change_accepted = "audit-change-accepted";
        audit_unknown_user(username) = "audit-unknown-user";
        audit_not_a_date(label, raw) = "audit-not-a-date";
        audit_from_label = "audit-from-label";
        audit_to_label = "audit-to-label";
        audit_unknown_username = "audit-unknown-username";
        accounts_choose_role = "accounts-choose-role";
        accounts_done_disabled(username) = "accounts-done-disabled";
        accounts_done_enabled(username) = "accounts-done-enabled";
        accounts_done_role(username) = "accounts-done-role";
        accounts_done_authenticator(username) = "accounts-done-authenticator";
    }
}
