# A proposed change in clinical words beside the chart (mapping::describe): the kind of entry,
# each fact and its value, and the headline. Each fact, code, month, yes and no has an
# `.in-sentence` form, used where it stands inside the headline ("active → resolved").

## What kind of entry

describe-kind-allergy = Allergy
describe-kind-medicine = Medicine
describe-kind-condition = Condition
describe-kind-observation = Observation
describe-kind-demographics = Demographics
describe-kind-answers = Answers
describe-kind-entry = Entry

## The facts, in the order a clinician reads them

fact-clinical-status = Clinical status
    .in-sentence = clinical status
fact-verification = Verification
    .in-sentence = verification
fact-code = Code
    .in-sentence = code
fact-criticality = Criticality
    .in-sentence = criticality
fact-reaction = Reaction
    .in-sentence = reaction
fact-onset = Onset
    .in-sentence = onset
fact-recorded = Recorded
    .in-sentence = recorded
fact-status = Status
    .in-sentence = status
fact-how-taken = How taken
    .in-sentence = how taken
fact-taken-for = Taken for
    .in-sentence = taken for
fact-since = Since
    .in-sentence = since
fact-reported = Reported
    .in-sentence = reported
fact-ended = Ended
    .in-sentence = ended
fact-value = Value
    .in-sentence = value
fact-when = When
    .in-sentence = when
fact-name = Name
    .in-sentence = name
fact-date-of-birth = Date of birth
    .in-sentence = date of birth
fact-sex = Sex
    .in-sentence = sex
fact-mobile = Mobile
    .in-sentence = mobile
fact-phone = Phone
    .in-sentence = phone
fact-email = Email
    .in-sentence = email
fact-address = Address
    .in-sentence = address
fact-language = Language
    .in-sentence = language
fact-marital-status = Marital status
    .in-sentence = marital status
fact-submitted = Submitted
    .in-sentence = submitted
fact-notes = Notes
    .in-sentence = notes

## FHIR codes in words: statuses, criticality, sex

fhir-code-active = Active
    .in-sentence = active
fhir-code-inactive = Inactive
    .in-sentence = inactive
fhir-code-resolved = Resolved
    .in-sentence = resolved
fhir-code-recurrence = Recurrence
    .in-sentence = recurrence
fhir-code-relapse = Relapse
    .in-sentence = relapse
fhir-code-remission = Remission
    .in-sentence = remission
fhir-code-unconfirmed = Unconfirmed (as the patient reported it)
    .in-sentence = unconfirmed (as the patient reported it)
fhir-code-provisional = Provisional
    .in-sentence = provisional
fhir-code-differential = Differential
    .in-sentence = differential
fhir-code-confirmed = Confirmed
    .in-sentence = confirmed
fhir-code-refuted = Refuted
    .in-sentence = refuted
fhir-code-entered-in-error = Entered in error
    .in-sentence = entered in error
fhir-code-intended = Intended
    .in-sentence = intended
fhir-code-stopped = Stopped
    .in-sentence = stopped
fhir-code-on-hold = On hold
    .in-sentence = on hold
fhir-code-completed = Completed
    .in-sentence = completed
fhir-code-not-taken = Not taken
    .in-sentence = not taken
fhir-code-unknown = Unknown
    .in-sentence = unknown
fhir-code-registered = Registered
    .in-sentence = registered
fhir-code-preliminary = Preliminary
    .in-sentence = preliminary
fhir-code-final = Final
    .in-sentence = final
fhir-code-amended = Amended
    .in-sentence = amended
fhir-code-corrected = Corrected
    .in-sentence = corrected
fhir-code-cancelled = Cancelled
    .in-sentence = cancelled
fhir-code-in-progress = In progress
    .in-sentence = in progress
fhir-code-low = Low
    .in-sentence = low
fhir-code-high = High
    .in-sentence = high
fhir-code-unable-to-assess = Unable to assess
    .in-sentence = unable to assess
fhir-code-male = Male
    .in-sentence = male
fhir-code-female = Female
    .in-sentence = female
fhir-code-other = Other
    .in-sentence = other

## Values

describe-not-coded = not coded
describe-not-named = (not named)
describe-the-patient = the patient
describe-the-form = the form
describe-yes = Yes
    .in-sentence = yes
describe-no = No
    .in-sentence = no
# A reaction's manifestations and its severity (a FHIR code: mild, moderate, severe).
describe-reaction = { $what } ({ $severity ->
        [mild] mild
        [moderate] moderate
        [severe] severe
       *[other] { $severity }
    })
describe-date-day = { $day } { $month } { $year }
describe-date-month = { $month } { $year }

month-short-1 = Jan
    .in-sentence = jan
month-short-2 = Feb
    .in-sentence = feb
month-short-3 = Mar
    .in-sentence = mar
month-short-4 = Apr
    .in-sentence = apr
month-short-5 = May
    .in-sentence = may
month-short-6 = Jun
    .in-sentence = jun
month-short-7 = Jul
    .in-sentence = jul
month-short-8 = Aug
    .in-sentence = aug
month-short-9 = Sep
    .in-sentence = sep
month-short-10 = Oct
    .in-sentence = oct
month-short-11 = Nov
    .in-sentence = nov
month-short-12 = Dec
    .in-sentence = dec

## Lists

join-comma = {", "}
join-semicolon = {"; "}
join-and = {" and "}

## The headline: "Penicillin allergy — active → resolved; patient says: stopped reacting in 2019"

describe-headline = { $title } — { $what }
describe-headline-said = { $title } — { $what }; patient says: { $note }
describe-title-allergy = { $subject } allergy
describe-title-demographics = Details of { $subject }
describe-title-answers = Answers to { $subject }
describe-new = new, as the patient reported it
describe-no-change = no change
describe-none = none
describe-moved = { $from } → { $to }
describe-fact-moved = { $fact } { $from } → { $to }
