# What a language is, for the pages that offer it and for the dates and numbers they write.

# The language's own name, as the language switch shows it.
language-name = English
# The order of the day, month and year boxes of a date of birth: dmy or mdy.
date-order = mdy
# A date in figures, as a bound in a message says it.
date-numeric = { $mm }/{ $dd }/{ $yyyy }
# A date in words, as the review page reads an answer back.
date-long = { $month ->
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
    } { $day }, { $year }
# A date and time of a visit, on the first page.
visit-at = Your visit: { $day } { $month ->
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
    } { $year }, { $time }
# What separates whole numbers from their fraction (72.5).
decimal-separator = .
# A number alone (an answer read back), with the language's decimal separator.
number = { $value }
# The language's name in English, as staff pages say which language a patient answered in.
language-english-name = English
