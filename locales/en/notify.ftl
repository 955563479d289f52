# What messages to patients say: plain and short, with the clinic's name, the visit's date and
# the link, and nothing clinical. Text messages are folded into the GSM alphabet and must stay
# within two segments.

invitation-subject = { $clinic }: a few questions before your visit on { $when }
invitation-sms = { $clinic }: please answer a few questions before your visit on { $when }: { $link }
invitation-email =
    Hello,

    { $clinic } asks you to answer a few questions before your visit on { $when }. It takes a few minutes and saves time at the front desk.

    { $link }

    You will be asked for your date of birth. The link is for you only: please do not share it.{ $call }
reminder-subject = Reminder from { $clinic }: questions before your visit on { $when }
reminder-sms = { $clinic }: a reminder to answer a few questions before your visit on { $when }: { $link }
reminder-email =
    Hello,

    A reminder from { $clinic }: please answer a few questions before your visit on { $when }. If you have started, you can pick up where you left off.

    { $link }

    The link is for you only: please do not share it.{ $call }
code-subject = { $clinic }: your code
code-sms = { $clinic }: your code is { $code }. It works for 10 minutes. Do not share it.
code-email =
    Your code for { $clinic } is { $code }.

    It works for 10 minutes. Do not share it with anyone.{ $call }
# After an email's text, when the clinic has a phone number (two blank lines come before it).
questions-call = Questions? Call { $clinic } at { $phone }.
# A visit's time as a message says it: Tue 8 Dec at 9:30.
visit-time = { $weekday ->
        [1] Mon
        [2] Tue
        [3] Wed
        [4] Thu
        [5] Fri
        [6] Sat
       *[7] Sun
    } { $day } { $month ->
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
    } at { $time }
