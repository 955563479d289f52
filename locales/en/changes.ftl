# How proposed changes to the chart, and where each stands, read in plain words on the staff
# and clinician pages.

## What kind of change (the queue's filter)

kind-allergy = Allergy
kind-medication = Medication
kind-condition = Condition
kind-observation = Observation
kind-patient = Patient details
kind-answers = Answers
kind-provenance = Provenance
kind-flag = Urgent flag
kind-task = Urgent task
kind-consent = Consent
kind-photo = Photo

## A proposed change in one line (mapping::ChangeSummary)
# These ids are stored with each change: reword a message freely, but never rename or remove one
# (a stored id the files lack reads as its values only).

change-summary-answers = Answers to “{ $form }”
change-summary-allergy = Allergy: { $value }
change-summary-medication = Medication: { $value }
change-summary-condition = Condition: { $value }
change-summary-observation = Observation: { $value }
change-summary-photo = Photo: { $value }
# A summary stored as text before these messages, its label kept, with the value staff edited.
change-summary-labelled = { $label }: { $value }
change-summary-update = Update on file: { $change }
change-summary-stopped = { $name }: the patient stopped taking it
change-summary-taken-differently = { $name }: the patient takes it differently now
change-summary-no-longer-true = { $name }: the patient says it is no longer true
change-summary-consent-given = Consent given: { $consent } (version { $version })
change-summary-consent-given-drawn = Consent given: { $consent } (version { $version }), signature drawn
change-summary-consent-declined = Consent declined: { $consent } (version { $version })
change-summary-consent-declined-drawn = Consent declined: { $consent } (version { $version }), signature drawn
# The differences are listed with join-semicolon between them.
change-summary-differs = Differs from the chart: { $differences }
change-summary-birth-date = date of birth: chart { $chart }, patient { $patient }
change-summary-first-name = first name: chart { $chart }, patient { $patient }
change-summary-last-name = last name: chart { $chart }, patient { $patient }
# Where the chart holds nothing for a detail the patient gave.
change-summary-not-on-chart = (none)
# A resource an SDC template made, by its FHIR name: "Observation from the patient's answers".
change-summary-from-answers = { $resource } from the patient's answers
change-summary-provenance = Where these changes came from: the patient, through the intake
change-summary-urgent = Urgent answer flagged for the chart: { $flag }

## Why a change waits (mapping::HoldReason)

hold-patient-reported = Reported by the patient; review before it goes on the chart
hold-rejected-by-ehr = The EHR rejected this change
hold-identity-mismatch = The patient's name or date of birth differs from the chart; check who this is before changing anything
hold-chart-changed = The chart changed after the patient saw it; compare with what is on file now
hold-ehr-unavailable = The EHR did not take it after many tries; retry when it is back
hold-invalid-for-ehr = The EHR found this change invalid; edit it or reject it
hold-ambiguous-mapping = The patient's words match none of the listed answers; choose what they mean

## Who decides (mapping::Reviewer)

reviewer-front-desk = the front desk
reviewer-clinician = a clinician

## The steps of a change's trail (writeback::Stage)

stage-chart-read = Chart read from the EHR
stage-submitted = Answers submitted and stored
stage-extracted = Change extracted
stage-held = Held for review
stage-queued = Queued to post
stage-sent = Sent to the EHR
stage-posted = Posted: the EHR acknowledged it
stage-retry-scheduled = EHR unavailable: will retry
stage-failed = Failed: the EHR refused it
stage-accepted = Accepted
stage-edited = Edited and accepted
stage-rejected = Rejected
stage-retried = Retried

## Where a change stands, on the summary

change-waiting = Waiting for review by { $who }
change-unavailable = The EHR was unavailable; waiting for { $who } to retry it
change-chart-changed = The chart changed meanwhile; waiting for review by { $who }
change-refused = The EHR refused it; waiting for review by { $who }
change-sending = Being sent to the chart
change-sending-accepted = Being sent to the chart (accepted by { $by })
change-posted = Posted to the chart
change-posted-accepted = Posted to the chart (accepted by { $by })
change-rejected = Rejected
change-rejected-by = Rejected by { $by }
change-rejected-why = Rejected by { $by }: { $reason }

## Editing a change before accepting it (mapping::edit): the fields and the statuses to choose

edit-field-what-it-is = What it is
edit-field-medicine = Medicine
edit-field-code = Code
edit-field-clinical-status = Clinical status
edit-field-verification = Verification
edit-field-taking-it = Taking it?
edit-field-value = Value

edit-medication-active = Taking it
edit-medication-intended = Going to start taking it
edit-medication-on-hold = Paused for now
edit-medication-stopped = Stopped taking it
edit-medication-completed = Finished the course
edit-medication-not-taken = Not taking it
edit-medication-unknown = Not known
edit-medication-entered-in-error = Entered in error

edit-allergy-clinical-active = Active: still reacts to it
edit-allergy-clinical-inactive = Inactive: no longer a risk for now
edit-allergy-clinical-resolved = Resolved: outgrown or cleared

edit-allergy-verification-unconfirmed = Unconfirmed: as the patient reported it
edit-allergy-verification-confirmed = Confirmed by a clinician
edit-allergy-verification-refuted = Refuted: not an allergy
edit-allergy-verification-entered-in-error = Entered in error

edit-condition-clinical-active = Active
edit-condition-clinical-recurrence = Back again (recurrence)
edit-condition-clinical-relapse = Worse again (relapse)
edit-condition-clinical-inactive = Inactive
edit-condition-clinical-remission = In remission
edit-condition-clinical-resolved = Resolved

edit-condition-verification-unconfirmed = Unconfirmed: as the patient reported it
edit-condition-verification-provisional = Provisional diagnosis
edit-condition-verification-differential = One of several possible diagnoses
edit-condition-verification-confirmed = Confirmed by a clinician
edit-condition-verification-refuted = Refuted: ruled out
edit-condition-verification-entered-in-error = Entered in error

## What is wrong with an edited field (mapping::edit)

edit-error-control-character = This holds a character that cannot be saved (a control character); retype it.
edit-error-not-a-listed-status = Choose one of the listed statuses.
edit-error-code-not-listed = Choose a code from the list, or no code.
edit-error-enter-what-it-is = Enter what this is.
edit-error-enter-a-value = Enter a value.
edit-error-value-not-recordable = This value cannot be recorded.
edit-error-whole-number = Enter a whole number, like 3.
edit-error-number = Enter a number, like 72.5.
edit-error-too-long = This answer is too long; please shorten it.

## The detail of a step of a change's trail (writeback::trail)

step-detail-form = form { $form }
# A rejection for which staff gave no reason, where the reason stands.
reject-no-reason = no reason given
step-detail-ehr-id = EHR id { $id }
step-detail-nothing-changed = nothing changed
# The element paths an edit changed, e.g. "code.text, status".
step-detail-changed = changed { $fields }
step-detail-with-others = with others, in one action
step-detail-attempt = attempt { $number }
step-detail-attempt-no-answer = attempt { $number } (no answer recorded)

## Who did a step (writeback::actor_name), when not a staff member by name

actor-former-staff = A former staff account
actor-patient = The patient
actor-worker = Write-back worker
actor-intake = Intake
