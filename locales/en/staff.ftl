# The front desk's pages: sign-in, the day's appointments (worklist), each appointment, the
# schedule from the EHR, adding an appointment, the exception queue and the trail of a
# submission. Staff pages speak English; another language is a folder with these files.

## Every staff page

staff-skip-to-content = Skip to content
staff-nav-label = Staff
staff-nav-accounts = Staff accounts
staff-nav-audit = Audit log
staff-nav-appointments = Appointments
staff-nav-exceptions = Exception queue
staff-nav-schedule = Schedule
staff-nav-summaries = Pre-visit summaries
staff-nav-review-queue = Review queue
staff-sign-out = Sign out
staff-show = Show
staff-show-everything = Show everything
staff-next-page = Next page
staff-mrn = MRN { $mrn }
staff-markers-label = From the patient's answers
staff-add-appointment = Add an appointment
staff-show-link = Show link and QR code
staff-date-of-birth = Date of birth
staff-record-number = Record number
staff-visit = Visit
staff-form = Form
# A form by its title and its id (two forms may share a title): "Before your visit (previsit-basic)".
form-named = { $title } ({ $id })
staff-patient = Patient
staff-reason-for-rejecting = Reason for rejecting
staff-reject = Reject
staff-accept = Accept
staff-retry-now = Retry now
staff-when = When
staff-who = Who
staff-what = What
staff-username = Username
staff-password = Password
staff-continue-button = Continue

## The day's appointments

worklist-title = Appointments
worklist-exception-count = Exception queue: { $waiting }
worklist-days = Days
worklist-previous-day = Previous day
worklist-today = Today
worklist-next-day = Next day
worklist-search-form = Day and patient
worklist-day = Day
worklist-search = Name, surname or record number (whole words)
worklist-clear-search = Clear the search
worklist-by-state = The day by state
worklist-by-state-label = Appointments by intake state
worklist-in-all = in all
worklist-table = Appointments
worklist-time = Time
worklist-intake = Intake
worklist-actions = Actions
worklist-for-patient = for { $patient }
worklist-to-patient = to { $patient }
worklist-unlock = Unlock
worklist-link-of = the link of { $patient }
worklist-cancel = Cancel link
worklist-of-patient = of { $patient }
worklist-none-match = No appointment this day matches the search.
worklist-none = No appointments this day.
worklist-pages = Pages
worklist-earlier = Earlier appointments
worklist-later = Later appointments

## Changes sent from the queue

staff-accepted-sending = Accepted: sending to the chart
staff-retrying-sending = Retrying: sending to the chart again

## An appointment

appointment-title = Appointment
appointment-back = Back to the day's appointments
appointment-notes = For the front desk
appointment-link-heading = The patient's link
appointment-link-intro = This link replaces any earlier one and is shown only now. Give it to the patient, or let them scan the code.
appointment-link-label = Link
appointment-copy-link = Copy link
appointment-another-link = Make another link
appointment-unlock = Unlock the link
appointment-cancel = Cancel the link
appointment-messages = Messages
appointment-no-message = No message has been sent about this appointment.
appointment-message = Message
appointment-how = How
staff-outcome = Outcome
appointment-gateway-words = The gateway's words

## A change in the queue

exception-back = Back to the exception queue
exception-trail = Trail of this submission
exception-born = born { $date }
# Under the heading of a change to an entry on file: what the patient wrote of it.
exception-patient-says = Patient says: { $words }
exception-patient-says-at = Patient says ({ $when }): { $words }
staff-ehr-said = What the EHR said
exception-waits-for = This change waits for { $reviewer } to decide.
exception-decide = Decide
exception-accept = Accept and post to the chart
exception-beside-chart-heading = { $kind }: the change beside the chart
exception-beside-chart = The change beside the chart
exception-fact = Fact
exception-on-chart-now = On the chart now
exception-proposed = Proposed
exception-changed = changed
exception-proposed-entry = { $kind }: the proposed entry
exception-technical = Technical details (FHIR JSON)
exception-proposed-change = Proposed change
exception-as-extracted = As extracted, before staff edited it
exception-edit = Edit, then accept
exception-check-fields = { $count ->
        [one] Please check one field
       *[other] Please check { $count } fields
    }
exception-code-hint = Search the list of { $list } by the first letters of a word, then choose one. The words above stay as written.
exception-search-list = Search the list
exception-search = Search
exception-save-accept = Save and accept
exception-lifecycle = Lifecycle
exception-attempts = Send attempts
exception-attempt = Attempt
exception-sent = Sent
exception-answered = Answered
exception-not-sent = Not sent yet.
staff-codes-found = Codes found for “{ $query }”.
staff-no-code-found = No code found for “{ $query }”.

## The exception queue (the review queue, for clinicians)

queue-intro = Changes that did not post to the chart on their own and wait for { $whose } decision. Nothing here reaches the chart until someone accepts it.
queue-nothing-rejected = Nothing was rejected
queue-filters = Filter and sort the queue
queue-page-shows = this page shows { $count }.
queue-bulk = Act on the checked changes
queue-bulk-legend = With the checked changes
queue-check-all = Check every row on this page
queue-scope-filter = Instead, act on every change this filter matches ({ $matching }, up to 1,000 at a time), not only the checked ones
queue-accept-checked = Accept checked
queue-retry-checked = Retry checked
queue-bulk-why = Reason for rejecting (shown in each change's trail)
queue-reject-checked = Reject checked
queue-table = Exception queue
queue-check = Check
queue-patient-form = Patient and form
queue-reason-wait = Reason and wait
staff-action = Action
queue-check-row = Check { $summary }
queue-waiting = waiting { $age }
queue-none-match = Nothing waiting matches these filters.
queue-none = Nothing is waiting. Every change has posted or been resolved.
queue-pages = Pages of the queue
staff-previous-page = Previous page

## Signing in

login-title = Staff sign-in
login-sign-in = Sign in
authenticator-title = Set up your authenticator app
authenticator-intro = Your account signs in with a code from an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or FreeOTP).
authenticator-scan = In the app, add an account and scan this QR code.
authenticator-type-code = Type the six-digit code the app then shows.
authenticator-qr = QR code to add Intake to your authenticator app
authenticator-setup-key = Cannot scan it? Choose "enter a setup key" in the app and type this key (time-based):
authenticator-code = Code from the app
authenticator-confirm = Confirm
sign-in-code-title = Authenticator code
code-intro = Open your authenticator app and type the six-digit code it shows for Intake. If you do not have your phone, type one of your recovery codes instead; each works once.
sign-in-code-label = Code
new-password-title = Choose a new password
new-password-intro = The password you signed in with was given to you, so it works only this once. Choose your own: at least 12 characters, and not a common password. A few unrelated words make a good one.
new-password = New password
new-password-again = New password again
new-password-save = Save and continue
recovery-title = Your recovery codes
recovery-set-up = Your authenticator app is set up.
recovery-intro = If you lose your phone, sign in with one of these codes instead of an app code. Each works once. Print them or keep them somewhere safe now: they are not shown again.
recovery-continue = I have kept my codes: continue

## Adding an appointment

booking-found = Patient found on the chart. Check the details, then create the appointment.
booking-create = Create appointment
booking-start-again = Start again
booking-intro = For a walk-in, or a visit the EHR's schedule does not send. Find the patient by record number, or by name and date of birth.
booking-mrn = Record number (MRN)
booking-or-name = Or name and date of birth
booking-family = Family name
booking-given = Given name
booking-visit-time = Visit date and time ({ $zone })
booking-visit-type = Visit type
staff-general-visit = General visit
booking-find = Find the patient

## The schedule from the EHR

schedule-title = Schedule from the EHR
schedule-last-sync = Last sync: { $when }: { $summary }.
schedule-not-run = The schedule sync has not run yet.
schedule-problems = Appointments that could not come in
schedule-no-problems = None: every appointment in the last sync came in.
schedule-ehr-appointment = EHR appointment
schedule-time = Time ({ $zone })
schedule-problem = Problem

## The trail of a submission

trail-title = Trail of a submission
trail-form = form { $form }
trail-submission = submission
trail-intro = Everything that happened, oldest first: the chart read, the submission, each change's route, every send and the EHR's answer, and what staff decided.
trail-also-as = Also as
trail-step = Step
trail-change = Change
trail-detail = Detail
queue-whose-clinician = a clinician's
queue-whose-front-desk = the front desk's
queue-waiting-count = { $count } waiting
queue-waiting-capped = { $count }+ waiting
queue-filter-reason = Reason
queue-filter-kind = Kind of change
queue-filter-state = State
queue-filter-sort = Sort
queue-any-reason = Any reason
queue-any-kind = Any kind
queue-any-state = Held or failed
queue-reason-patient = Reported by the patient
queue-reason-ehr = Rejected by the EHR
queue-reason-identity = Name or birth date differs
queue-state-held = Held for review
queue-state-failed = Failed to post
queue-sort-oldest = Oldest first
queue-sort-newest = Newest first
queue-sort-patient = By patient
queue-done-accepted = { $count ->
        [one] { $count } change accepted and sent to the outbox.
       *[other] { $count } changes accepted and sent to the outbox.
    }
queue-done-retried = { $count ->
        [one] { $count } change sent again.
       *[other] { $count } changes sent again.
    }
queue-done-rejected = { $count ->
        [one] { $count } change rejected: they will not go on the chart.
       *[other] { $count } changes rejected: they will not go on the chart.
    }
queue-done-skipped = { $skipped } left as they were: already resolved, not yours to decide, or not something a retry can fix.
exception-new-entry = Nothing on file: this would be a new entry.
exception-gone = The chart no longer has this entry.
exception-unreadable = The chart cannot be read right now; try again shortly.
exception-send-attempts = { $count ->
        [0] not sent yet
        [one] { $count } send attempt
       *[other] { $count } send attempts
    }
attempt-posted = Posted
attempt-retry = Unavailable: retried later
attempt-refused = Refused
attempt-no-answer = No answer recorded
staff-ehr-id = EHR id { $id }

## Where an appointment's intake stands (domain::IntakeState)

intake-state-not-sent = Not sent
intake-state-queued = Waiting to send
intake-state-sent = Sent
intake-state-failed-to-send = Failed to send
intake-state-opened = Opened
intake-state-verified = Verified
intake-state-in-progress = { $page ->
        [0] In progress
       *[other] In progress (page { $page } of { $pages })
    }
intake-state-submitted = Submitted
intake-state-posted = Posted
intake-state-waiting-for-review = Waiting for review
intake-state-locked = Locked
intake-state-expired = Expired
intake-state-cancelled = Cancelled

## What an action on an appointment did

notice-unlocked = The link is unlocked: the patient can use it again.
notice-cancelled = The link is cancelled: it no longer works.
notice-sent = A fresh link is on its way to the patient; the old one no longer works.
notice-unreachable = Not sent: the chart has no way to reach this patient by text or email. Show the link and QR code, or copy it.
notice-not-sendable = Not sent: the visit was cancelled or is over.
notice-not-locked = Nothing to unlock: the link is not locked.
notice-nothing-to-cancel = Nothing to cancel: there is no open link.
staff-resend = Re-send
staff-send-now = Send now
worklist-not-a-date = “{ $typed }” is not a date like 2026-12-04, so this is today's list.
# A day as the worklist's heading names it: "Friday 4 December 2026".
worklist-day-label = { $weekday ->
        [1] Monday
        [2] Tuesday
        [3] Wednesday
        [4] Thursday
        [5] Friday
        [6] Saturday
       *[7] Sunday
    } { $day } { $month ->
        [1] January
        [2] February
        [3] March
        [4] April
        [5] May
        [6] June
        [7] July
        [8] August
        [9] September
        [10] October
        [11] November
       *[12] December
    } { $year }

## Messages about an appointment

purpose-invitation = Invitation
purpose-reminder = Reminder
purpose-one-time-code = One-time code
purpose-urgent-alert = Urgent alert
purpose-other = Message
channel-email = Email
channel-sms = Text message
channel-webhook = Webhook
channel-log = Log (no gateway configured)
channel-other = Other
message-sent = Sent
message-failed = Failed after { $attempts } tries
message-sending = Sending
message-waiting = Waiting to send
login-too-many = Too many sign-in attempts from this network. Please wait a few minutes and try again.
login-control-character = Your username or password holds a character that cannot be typed there (a control character). Please type them again.
login-enter-both = Enter your username and password.
login-no-match = That username and password do not match an account.
login-no-match-wait = { $seconds ->
        [one] That username and password do not match an account. After several failed attempts, please wait { $seconds } second before trying again.
       *[other] That username and password do not match an account. After several failed attempts, please wait { $seconds } seconds before trying again.
    }
login-username-wait = { $seconds ->
        [one] Too many failed attempts for this username. Please wait { $seconds } second and try again.
       *[other] Too many failed attempts for this username. Please wait { $seconds } seconds and try again.
    }
code-wrong = That code is not right, or was already used. Type the code your authenticator app shows now, or one of your recovery codes.
# Always "seconds", as the page said before plural forms came in.
sign-in-code-wait = Too many wrong codes. Please wait { $seconds } seconds and try again.
new-password-refused = Please choose again: { $refused }.
authenticator-wrong-code = That code does not match. Scan this new QR code, then type the code the app shows.
booking-no-such-mrn = No patient on the chart has this record number.
booking-no-such-name = No patient on the chart has this name and date of birth.
booking-several = { $count } patients on the chart match. Use the record number to pick one.
booking-enter-time = Enter the visit's date and time.
booking-time-passed = That time has passed. Enter the visit's date and time.
booking-enter-patient = Enter a record number, or a family name, given name and date of birth.
booking-not-on-chart = not on the chart
booking-no-rule = No form rule matches; pick the form.
booking-suggested-by = Suggested by { $reason }.
code-keep = Keep the code it has: { $display }
code-chosen = Chosen: { $display }
code-none = No code: keep the words only
code-list-medications = medicines (RxNorm)
code-list-allergies = allergy substances (SNOMED CT, RxNorm)
code-list-conditions = conditions (SNOMED CT)
code-own-list = { $problem }. Showing the clinic's own list instead.
code-no-match = Nothing in the list matches “{ $query }”. Try the first letters of another word, or keep the words without a code.
schedule-no-start = no start time
queue-why-missing = Say why these changes are rejected: it goes in their trail.

## Times and languages, as every staff page writes them

# A time on the clinic's clocks: "23 Nov 2026, 09:00".
staff-time-at = { $day } { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    } { $year }, { $time }
# How long ago, coarsely.
staff-age-just-now = just now
staff-age-minutes = { $minutes } min
staff-age-hours = { $hours } h
staff-age-days = { $days } d
staff-answered-in = Answered in { $language }
staff-answered-in-unknown = Answered in a language not recorded
staff-answered-in-other = Answered in another language ({ $code })
appointment-qr = QR code of the link

## Why a new password was refused (auth::PasswordRuleError, intake::PasswordChangeError): a
## sentence alone, a clause inside another

password-too-short = A password needs at least 12 characters.
    .in-sentence = a password needs at least 12 characters
password-too-long = A password can have at most 1024 characters.
    .in-sentence = a password can have at most 1024 characters
password-common = That password is one of the most common passwords; choose another.
    .in-sentence = that password is one of the most common passwords; choose another
password-mismatch = The two passwords differ.
    .in-sentence = the two passwords differ
password-unchanged = Choose a password other than the one you were given.
    .in-sentence = choose a password other than the one you were given

## Why the rules suggest a form (schedule::FormChoice), after "Suggested by"

# E.g. "rule 2 (adults with a mental-health visit): serviceType urn:x|mh and age 42 ≥ 18".
form-rule-matched = rule { $number } ({ $name }): { $because }
form-rule-no-conditions = no conditions
form-rule-default = no rule matched, so the default form
form-rule-service-type = serviceType { $coding }
form-rule-appointment-type = appointmentType { $coding }
form-rule-age-at-least = age { $age } ≥ { $low }
form-rule-age-under = age { $age } < { $high }
form-rule-sex = sex { $sex }
