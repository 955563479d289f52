# What the engine says about answers: input it cannot read, answers that break the form's
# rules (with the bound), and answers read back.

## Input that is not an answer

input-only-one = Choose only one answer.
input-yes-or-no = Choose yes or no.
input-whole-number = Enter a whole number, like 3.
input-number = Enter a number, like 72.5.
input-date = Enter a date as month, day and year.
input-date-time = Enter a date and a time.
input-time = Enter a time like 14:30.
input-too-long = This answer is too long; please shorten it.
input-web-address = Enter a web address starting with https://.
input-not-listed = Choose one of the listed answers.
input-not-answerable = This question cannot be answered here.
input-control-character = This answer holds a character that cannot be saved (a control character); please type it again.
input-file-too-large = This file is too large; take the photo again or choose a smaller one.
input-file-type = This file is not a photo (JPEG or PNG); choose a photo.
input-file-unreadable = This photo could not be read; take it again.
input-drawing-too-large = This drawing is too large to keep; clear it and draw your signature again.
input-drawing-type = A signature is kept as a drawing (PNG); clear it and draw again. Your typed name already signs.
input-drawing-unreadable = This drawing could not be read; clear it and draw your signature again.

## Answers that break the form's rules

issue-required = This question needs an answer.
issue-too-few = Give at least { $min } answers.
issue-too-many = { $max ->
        [1] Give only one answer.
       *[other] Give at most { $max } answers.
    }
issue-too-many-changes = This form can add at most { $max } entries to your record at once. Remove some here and bring the rest to your visit.
issue-below-min = The answer must be at least { $min }.
issue-above-max = The answer must be at most { $max }.
issue-date-before-min = Enter a date on or after { $min }.
issue-date-after-max = Enter a date on or before { $max }.
issue-too-short = Use at least { $min } characters.
issue-too-long = Use at most { $max } characters.

## Answers read back

answer-yes = Yes
answer-no = No
answer-photo-sent = Photo sent
answer-group = { $count ->
        [one] 1 answer
       *[other] { $count } answers
    }
