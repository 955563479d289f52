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
/// The patient's copy of what they sent, for printing or saving.
pub const COPY: &str = "/intake/copy";
/// The patient signs out (the draft stays).
pub const SIGN_OUT: &str = "/intake/sign-out";
/// Keeps a patient's session alive (the idle warning's button).
pub const STAY: &str = "/intake/stay";
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
pub fn page_adding(index: usize, group: &str, from_review: bool) -> String {
    let from = if from_review { "&from=review" } else { "" };
    format!("/intake/page/{index}?add={group}{from}")
}

/// Where a page's answers go as they change (htmx), to bring its questions up to date.
pub fn live_page(index: usize) -> String {
    format!("/intake/page/{index}/live")
}

/// Where a page's answers go as the patient types and when the page is hidden: saved, nothing
/// sent back.
pub fn keep_page(index: usize) -> String {
    format!("/intake/page/{index}/keep")
}

/// A page opened from the review (`from=review`: Next returns to it), with the field (or a
/// group's instance) `focus` focused and scrolled to by `autofocus`; HTML ids need no
/// escaping. No `#fragment`: browsers skip `autofocus` on a page opened at one.
/// <https://html.spec.whatwg.org/multipage/interaction.html#flush-autofocus-candidates>
pub fn page_focus(index: usize, from_review: bool, focus: Option<&str>) -> String {
    let mut query = Vec::new();
    if from_review {
        query.push("from=review".to_owned());
    }
    if let Some(focus) = focus {
        query.push(format!("focus={focus}"));
    }
    let url = page(index);
    if query.is_empty() {
        url
    } else {
        format!("{url}?{}", query.join("&"))
    }
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

/// Where a clinician marks a submission reviewed.
pub fn submission_reviewed(id: Uuid) -> String {
    format!("/clinician/submissions/{id}/reviewed")
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

/// `raw` if it is a path on this site under one of `areas` (e.g. `/intake`), fit to send a
/// browser back to; else `None`. Only what Intake builds passes: one leading `/`, printable
/// ASCII without `\` or `//` (browsers drop tabs and newlines and read `/\t/evil.example` as
/// `//evil.example`, another site), and a path that stays on this host when resolved.
pub fn internal(raw: &str, areas: &[&str]) -> Option<String> {
    let printable = raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if !printable || !raw.starts_with('/') || raw.contains("//") || raw.contains('#') {
        return None;
    }
    let path = raw.split_once('?').map_or(raw, |(path, _)| path);
    let in_area = areas.iter().any(|area| {
        path.strip_prefix(area)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let base = url::Url::parse("http://intake.invalid/").ok()?;
    let resolved = base.join(raw).ok()?;
    (in_area && resolved.host_str() == Some("intake.invalid")).then(|| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_intake_builds_are_places_to_go_back_to() {
        let areas = [INTAKE];
        for good in [
            "/intake",
            "/intake/page/2",
            "/intake/page/0?add=meds",
            "/intake/review",
        ] {
            assert_eq!(internal(good, &areas).as_deref(), Some(good));
        }
        for bad in [
            "/\t/evil.example",
            "/%09/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/intake",
            "https:evil.example",
            "/intake\r\nSet-Cookie: x=1",
            "/intake\0",
            "/intake//evil",
            "/intake/ page",
            "/intakes",
            "/staff",
            "intake",
            "",
            "/intake/é",
            "/intake#x",
        ] {
            assert_eq!(internal(bad, &areas), None, "{bad:?}");
        }
    }
}
