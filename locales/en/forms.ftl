# The product's own questions inside forms: each entry on file (a medicine, an allergy, a
# condition) asks whether it is still true. Forms that ask about what is on file need these in
# every language they declare.

on-file-entry = Entry on file
on-file-name = Name on file
on-file-still-taking = Are you still taking it?
on-file-taking = Yes, as listed
on-file-stopped = No, I stopped taking it
on-file-changed = Yes, but the dose or how often changed
on-file-how-now = How do you take it now?
on-file-still-true = Is this still true?
on-file-still = Yes
on-file-no-longer = No, not any more
on-file-what-changed = What changed, and when?
