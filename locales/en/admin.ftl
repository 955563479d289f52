# The admin's pages: staff accounts and the audit log.

## Staff accounts

accounts-add-heading = Add an account
accounts-add-intro = The new account gets a one-time password to hand over; it must be changed at the first sign-in. Admins also set up an authenticator app then.
accounts-display-name = Display name
accounts-role = Role
accounts-add = Add account
accounts-heading = Accounts
accounts-name = Name
accounts-state = State
accounts-access = Access
accounts-added-on = added { $created }
accounts-disabled = disabled
accounts-active = active
accounts-authenticator = authenticator set up
accounts-no-authenticator = no authenticator
accounts-role-of = Role of { $username }
accounts-of = of { $username }
accounts-change-role = Change role
accounts-reset-password = Reset password
accounts-forget-authenticator = Forget authenticator
accounts-enable = Enable
accounts-disable = Disable
accounts-none = No accounts.
accounts-next = Next accounts

## A one-time password, shown once

password-title = One-time password
password-reset = Password reset
password-added = Account added
password-signed-out = { $username } is signed out everywhere.
password-can-sign-in = { $username } can now sign in.
password-give = Give { $username } this one-time password in person or by phone. It is shown only now; at the next sign-in it must be changed.
password-back = Back to staff accounts

## The audit log

audit-intro = Every sign-in, account change and view of patient data, newest first. Times and dates are the clinic's ({ $zone }).
audit-filters = Filter the audit log
audit-user = Staff username
audit-patient = Patient record number
audit-any-action = Any action
audit-from = From date
audit-to = To date (inclusive)
audit-events = Audit events
audit-when-where = When and from where
audit-patient-row = Patient { $mrn }
audit-none = No events match.
audit-pages = Audit pages
audit-newest = Newest events
audit-older = Older events
audit-viewed = Viewed patient data
audit-signed-in = Signed in
audit-sign-in-failed = Sign-in failed
audit-signed-out = Signed out
audit-code-used = Used authenticator code
audit-code-refused = Authenticator code refused
audit-recovery-used = Used recovery code
audit-enrolled = Set up authenticator
audit-password-changed = Changed own password
audit-account-added = Account added
audit-account-disabled = Account disabled
audit-account-enabled = Account enabled
audit-password-reset = Password reset
audit-role-changed = Role changed
audit-authenticator-forgotten = Authenticator forgotten
audit-change-accepted = Change accepted
audit-change-edited = Change edited and accepted
audit-change-rejected = Change rejected
audit-change-retried = Change sent again by staff
audit-change-held = Change held for review
audit-change-queued = Change queued to post
audit-change-posted = Change posted to the chart
audit-change-failed = Change refused by the EHR
audit-change-retry-scheduled = EHR unavailable: change to be retried
audit-submission-received = Answers submitted
audit-submission-reviewed = Pre-visit summary marked reviewed
audit-urgent-raised = Urgent flag raised
audit-urgent-escalated = Urgent flag escalated
audit-urgent-acknowledged = Urgent flag acknowledged
audit-appointment-booked = Appointment booked
audit-appointment-rebooked = Appointment booked again
audit-appointment-moved = Appointment moved
audit-appointment-cancelled = Appointment cancelled
audit-link-issued = Link made
audit-link-sent = Link sent
audit-link-opened = Link opened
audit-birth-date-proven = Date of birth proven
audit-code-sent = One-time code sent
audit-link-verified = Patient signed in to the form
audit-verification-failed = Wrong date of birth or code
audit-link-locked = Link locked
audit-link-unlocked = Link unlocked
audit-link-cancelled = Link cancelled
audit-message-sent = Message sent
audit-message-failed = Message failed
audit-message-cancelled = Message cancelled
audit-message-unsendable = Message could not be sent: no contact of its kind

# The parts of an event's detail, "Label: value" (web::admin::audit_words).
audit-detail = { $label }: { $value }
audit-detail-username = Username
audit-detail-role = Role
audit-detail-from = From
audit-detail-to = To
audit-detail-recovery-codes = Recovery codes
audit-detail-fields = Fields changed
audit-detail-reason = Reason
audit-detail-bulk = In bulk
audit-detail-form = Form
audit-detail-form-version = Form version
audit-detail-changes = Changes
audit-detail-ehr-id = EHR id
audit-detail-retry-at = Retry at
audit-detail-attempts = Attempts
audit-detail-appointment = Appointment
audit-detail-ehr-appointment = EHR appointment
audit-detail-ehr-version = EHR version
audit-detail-starts-at = Visit time
audit-detail-invitation = Link
audit-detail-submission = Submission
audit-detail-messages = Messages
audit-detail-purpose = Purpose
audit-detail-channel = Sent by
audit-detail-sends = Codes sent
audit-detail-with = With
audit-detail-noted = With a note
audit-detail-alerts = Alerts sent
audit-detail-id = Id
audit-detail-yes = yes
audit-detail-no = no
audit-unknown-user = No account has the username “{ $username }”.
audit-not-a-date = { $label }: “{ $raw }” is not a date like 2026-11-22.
audit-from-label = From
audit-to-label = To
audit-unknown-username = (unknown username)
accounts-choose-role = Choose a role.
accounts-done-disabled = { $username } is disabled and signed out everywhere.
accounts-done-enabled = { $username } can sign in again.
accounts-done-role = { $username } has a new role and signs in again to use it.
accounts-done-authenticator = { $username }'s authenticator and recovery codes are forgotten; a new one is set up at the next sign-in.

## Staff roles (domain::StaffRole)

role-front-desk = Front desk
role-clinician = Clinician
role-admin = Admin

## Why a change to an account was refused (intake::AccountError)

username-malformed = A username is 1 to 64 lower-case letters, digits, `.`, `_` or `-`, starting with a letter or digit.
account-no-such-role = `{ $role }` is not a role: use admin, front_desk or clinician.
account-no-password = No password on standard input.
account-display-name = A display name is 1 to 100 characters.
account-taken = The username `{ $username }` is taken.
account-no-such-account = No account has the username `{ $username }`.
account-own = You cannot disable your own account or change your own role.
