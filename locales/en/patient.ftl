# The patient's pages: the link, the date of birth, the code, the form, the review and after.

skip-to-content = Skip to content
switch-label = Language
clinic-phone-label = Phone
cancelled-title = This visit was cancelled
cancelled-why = The clinic cancelled the visit this link was for, so its form is closed.
cancelled-what-now = If you think this is a mistake, or to book a new visit, please contact the clinic.
verify-title = Confirm it is you
verify-intro = To keep your health information private, please enter your date of birth.
date-of-birth = Date of birth
continue-button = Continue
unusable-title = This link cannot be used
unusable-why = It may have expired, been replaced by a newer link, or already been used to send your answers.
unusable-what-now = Please contact the clinic and ask for a new link.
locked-title = This link is locked
locked-why = The date of birth was entered wrongly too many times, so we locked this link to protect your information.
locked-why-code = The date of birth or the code was entered wrongly too many times, so we locked this link to protect your information.
locked-what-now = Please contact the clinic; they can send you a new link.
locked-call = Please call the clinic at { $phone }; they can unlock this link or send you a new one.
too-many-title = Too many tries
wait-minutes = { $minutes ->
        [1] There were too many tries from this network. Please wait a minute and try again.
       *[other] There were too many tries from this network. Please wait { $minutes } minutes and try again.
    }
already-sent-title = You already sent your answers
already-sent-body = Thank you. The clinic has your answers and will review them before your visit. There is nothing more to do with this link.
done-title = Thank you — your answers were sent
done-next = The clinic has your answers and will review them before your visit.
done-closed = You can close this page. This link no longer opens the form.
sign-out = Sign out
signed-out-title = You are signed out
signed-out-body = Your answers are saved. To continue, open the link in your message again.
wrong-birth-date = { $remaining ->
        [1] That date of birth does not match our records. You have 1 try left before this link locks.
       *[other] That date of birth does not match our records. You have { $remaining } tries left.
    }
birth-date-not-a-date = Enter the date as month, day and year.
birth-date-in-the-future = A date of birth cannot be in the future.
birth-date-too-long-ago = That date is more than 130 years ago.

## The form's pages

form-updated = This form was updated after you started. Your answers were kept.
form-updated-check = Please check these pages again:
step-of = Step { $step } of { $steps }
check-answers = { $count ->
        [one] Please check one answer
       *[other] Please check { $count } answers
    }
optional = (optional)
one-per-line = One per line.
search-label = Search the list
search-label-change = Search for a different answer
search-chosen = { $count ->
        [one] Your answer
       *[other] Your answers
    }
search-hint-change = To change it, type a word of the answer you want, then choose Search.
search-button = Search
search-hint = Type a word of your answer, then choose Search.
search-none = Nothing in the list matches “{ $query }”. Try another word, or fewer letters.
search-found = { $count ->
        [one] One answer matches “{ $query }”. Choose it below.
       *[other] { $count } answers match “{ $query }”. Choose one below.
    }
search-more = These are the first { $count } answers matching “{ $query }”. Type more to narrow them.
search-unavailable = The clinic's list service is not answering, so these matches come from the list saved with this form.
search-server-down = The clinic's list service is not answering just now. Please try Search again in a moment.
search-pick = Answers to choose from
asked-at-visit = The clinic will ask you about this at your visit.
add-another = Add another
remove = Remove
nothing-on-file = We have nothing of this kind on file for you.
review-answers = Review answers
next = Next
back = Back
saved-as-you-go = Your answers are saved as you go.
date-day = Day
date-month = Month
date-year = Year
date-hint = For example, 3 27 1958
idle-warning = For your privacy, this page will close in one minute unless you stay. Your answers are saved.
idle-stay = Stay on this page
busy = Please wait…
photo-sent = A photo was sent. To replace it, choose another.
photo-remove = Remove this photo
photo-sending = Sending the photo…

## The review, the confirmation and the copy

check-title = Check your answers
questions-need-answers = { $count ->
        [one] One question needs an answer before you can send
       *[other] { $count } questions need an answer before you can send
    }
change = Change
not-answered = Not answered
send = Send my answers
copy-link = Download or print a copy of your answers
copy-title = A copy of your answers
copy-print = Print or save as PDF

## The one-time code

code-title = Enter your code
code-label = Code
code-sent-to = We sent a { $digits }-digit code to { $sent_to }. Enter it here; it works for { $minutes } minutes.
code-not-received = Did not get it?
code-resend = Send a new code
code-resent = We sent a new code. The one before it no longer works.
code-not-sent = We could not send the code just now. Please ask for a new code in a minute.
code-no-more = No more codes can be sent for this link. Enter the last code we sent, or call the clinic.
code-wait = The code we sent still works. You can ask for a new one in { $seconds } seconds.
bad-code = Enter the 6 digits of the code.
wrong-code = { $remaining ->
        [1] That code is not right. You have 1 try left before this link locks.
       *[other] That code is not right. You have { $remaining } tries left.
    }
code-expired = That code no longer works: it expired or was already used. Ask for a new code below.
call-clinic-title = Please call the clinic
call-clinic-why = We cannot send you a code to finish confirming it is you.
call-clinic-what-now = Please call the clinic; they can help you get started.
try-later-title = Please try again soon
try-later-why = We could not send you a code just now. Please open your link again in a few minutes.

## Drawn signatures
signature-sent = Your drawn signature was saved. To replace it, draw again.
signature-remove = Remove the drawn signature
signature-pad = Signature box: draw with your finger or a mouse
signature-keyboard = Using a keyboard or a screen reader? You need not draw: the full name you typed is your signature.
signature-clear = Clear the drawing
signature-cleared = The drawing was cleared.
signature-drawn = Signature drawn. It is sent when you go on.
signed-drawn = Signed with your drawn signature and your typed full name.
signed-typed = Signed by typing your full name.
