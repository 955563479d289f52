//! Every URL the pages link to, in one typed place.

use uuid::Uuid;

/// Where the patient's flow starts after the link.
pub const INTAKE: &str = "/intake";
/// The date-of-birth check.
pub const VERIFY: &str = "/intake/verify";
/// The one-time code check (after the date of birth, where codes are on).
pub const CODE: &str = "/intake/code";
/// Asks for a new one-time code.
pub const CODE_RESEND: &str = "/intake/code/resend";
/// The review page.
pub const REVIEW: &str = "/intake/review";
/// The submit action.
pub const SUBMIT: &str = "/intake/submit";
/// The confirmation page.
pub const DONE: &str = "/intake/done";
/// Staff sign-in.
pub const STAFF_LOGIN: &str = "/staff/login";
/// Staff sign-out.
pub const STAFF_LOGOUT: &str = "/staff/logout";
/// The front desk's home.
pub const STAFF_HOME: &str = "/staff";
/// The exception queue.
pub const EXCEPTIONS: &str = "/staff/exceptions";
/// Bulk accept or retry of checked exceptions.
pub const EXCEPTIONS_BULK: &str = "/staff/exceptions/bulk";
/// The clinician's list.
pub const CLINICIAN_HOME: &str = "/clinician";

/// One page of the form (0-based).
pub fn page(index: usize) -> String {
    format!("/intake/page/{index}")
}

/// A page showing one more instance of the repeating group `group` (an item id: letters,
/// digits and `_`, nothing to escape).
pub fn page_adding(index: usize, group: &str) -> String {
    format!("/intake/page/{index}?add={group}")
}

/// Where a page's answers go as they change (htmx), to bring its questions up to date.
pub fn live_page(index: usize) -> String {
    format!("/intake/page/{index}/live")
}

/// One exception.
pub fn exception(id: Uuid) -> String {
    format!("/staff/exceptions/{id}")
}

/// Accept an exception.
pub fn approve(id: Uuid) -> String {
    format!("/staff/exceptions/{id}/approve")
}

/// Reject an exception.
pub fn reject(id: Uuid) -> String {
    format!("/staff/exceptions/{id}/reject")
}

/// Send a failed exception again.
pub fn retry(id: Uuid) -> String {
    format!("/staff/exceptions/{id}/retry")
}

/// Edit an exception, then accept it.
pub fn edit(id: Uuid) -> String {
    format!("/staff/exceptions/{id}/edit")
}

/// The code list search of an exception's edit form (htmx).
pub fn codes(id: Uuid) -> String {
    format!("/staff/exceptions/{id}/codes")
}

/// The trail of one submission, as a page (or JSON with `?format=json`).
pub fn trail(submission_id: Uuid) -> String {
    format!("/staff/submissions/{submission_id}/trail")
}

/// One submission's summary.
pub fn submission(id: Uuid) -> String {
    format!("/clinician/submissions/{id}")
}

/// The pattern of [`acknowledge_flag`].
pub const ACKNOWLEDGE_FLAG: &str = "/clinician/flags/{id}/acknowledge";

/// Where staff acknowledge one urgent flag (POST).
pub fn acknowledge_flag(urgent_flag_id: Uuid) -> String {
    format!("/clinician/flags/{urgent_flag_id}/acknowledge")
}

/// The second-factor step of signing in.
pub const SIGN_IN_CODE: &str = "/staff/sign-in/code";
/// The forced password change after an initial password or a reset.
pub const SIGN_IN_PASSWORD: &str = "/staff/sign-in/password";
/// Setting up the authenticator app.
pub const SIGN_IN_AUTHENTICATOR: &str = "/staff/sign-in/authenticator";
/// The admin's accounts page.
pub const ADMIN_ACCOUNTS: &str = "/staff/admin/accounts";
/// The audit viewer.
pub const ADMIN_AUDIT: &str = "/staff/admin/audit";

/// An action on one account (`disable`, `enable`, `reset`, `role`). Usernames hold only
/// characters that need no escaping in a path.
pub fn account_action(username: &str, action: &str) -> String {
    format!("/staff/admin/accounts/{username}/{action}")
}

/// The schedule sync's problems.
pub const SCHEDULE: &str = "/staff/schedule";
/// The front desk adds an appointment.
pub const APPOINTMENT_NEW: &str = "/staff/appointments/new";

/// One appointment's page (QR code and copy link).
pub fn appointment(id: Uuid) -> String {
    format!("/staff/appointments/{id}")
}

/// The worklist's rows and counts, as an htmx fragment (refreshed every 30 seconds).
pub const WORKLIST_ROWS: &str = "/staff/worklist/rows";

/// Make a fresh link for an appointment and show it as text and QR code.
pub fn appointment_link(id: Uuid) -> String {
    format!("/staff/appointments/{id}/link")
}

/// Send the link now, or again (a fresh link in a message).
pub fn appointment_send(id: Uuid) -> String {
    format!("/staff/appointments/{id}/send")
}

/// Unlock an appointment's locked link.
pub fn appointment_unlock(id: Uuid) -> String {
    format!("/staff/appointments/{id}/unlock")
}

/// Cancel an appointment's link.
pub fn appointment_cancel(id: Uuid) -> String {
    format!("/staff/appointments/{id}/cancel")
}

/// The worklist of a day, searched and paged: `after` or `before` a row's key `millis.uuid`.
pub fn worklist(day: &str, search: &str, after: Option<&str>, before: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("day", day);
    if !search.is_empty() {
        query.append_pair("q", search);
    }
    if let Some(after) = after {
        query.append_pair("after", after);
    }
    if let Some(before) = before {
        query.append_pair("before", before);
    }
    format!("{STAFF_HOME}?{}", query.finish())
}
