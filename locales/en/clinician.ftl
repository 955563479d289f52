# The clinician's pages: the list of pre-visit summaries, a summary, and urgent flags.

## Urgent flags

urgent-flags = Urgent flags
urgent = urgent
urgent-raised = Raised { $raised }.
urgent-raised-escalated = Raised { $raised }, escalated { $escalated }.
urgent-note = Note (optional): what was done
urgent-acknowledge = Acknowledge
urgent-open = Urgent flags nobody has acknowledged: { $count }
urgent-oldest-first = Oldest first; open a summary to read the answers.

## The list of summaries

summaries-appointment = Appointment
summaries-submitted = Submitted
summaries-reviewed = Reviewed
summaries-urgent-count = { $count } urgent
summaries-not-acknowledged = not acknowledged
summaries-acknowledged = acknowledged
summaries-none = No submissions yet.
summaries-pages = Pages of summaries
summaries-earlier = Earlier visits
summaries-later = Later visits

## A summary

summary-submitted = { $form } submitted { $submitted }; patient-reported, not yet confirmed by staff
summary-trail = Trail
summary-print = Print view
summary-mark-reviewed = Mark as reviewed
summary-flags = Flags
summary-scores = Scores
summary-score = Score
summary-result = Result
summary-band = Band
summary-meaning = Meaning
summary-out-of = / { $max }
summary-differences = Differences from the chart
summary-no-differences = No changes to medicines, allergies or conditions.
summary-positive = Positive answers
summary-nothing-positive = Nothing positive or abnormal.
summary-photos = Photos
summary-consent = Consent
summary-consent-version = (version { $version })
summary-consent-drawn = agreed, signed “{ $signed }” and by a drawn signature on { $at }
summary-consent-typed = agreed, signed “{ $signed }” (typed name) on { $at }
summary-declined = declined
summary-declined-on = on { $at }
summary-signature-alt = Signature drawn by the patient for { $consent }
summary-other-answers = Negative, normal and other answers
summary-other-changes = Other chart updates ({ $count })
summary-reason-for-rejecting = Reason for rejecting { $change }
summary-compare = Compare with the chart or edit
summaries-not-yet = Not yet
summaries-reviewed-by = Reviewed by { $names }
summary-reviewed-by = Reviewed by { $name } at { $when }
interpreter-requested = Interpreter requested
interpreter-not-wanted = No interpreter wanted
interpreter-needed = Interpreter needed (chart)
interpreter-no-request = No interpreter request
# The patient's age in years on the day of the visit.
summary-age = { $years } y
summary-no-sex = Sex not on chart
summary-born = born { $date }
urgent-acknowledged = Acknowledged by { $name } at { $when }
urgent-acknowledged-note = Acknowledged by { $name } at { $when }: { $note }

## Sex as the chart records it (summary::ChartFacts)

sex-female = Female
sex-male = Male
sex-other = Other
sex-unknown = Unknown
