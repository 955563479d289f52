language-name = Español
date-order = dmy
date-numeric = { $dd }/{ $mm }/{ $yyyy }
date-long = { $day } de { $month ->
        [1] enero
        [2] febrero
        [3] marzo
        [4] abril
        [5] mayo
        [6] junio
        [7] julio
        [8] agosto
        [9] septiembre
        [10] octubre
        [11] noviembre
       *[12] diciembre
    } de { $year }
visit-at = Su visita: { $day } de { $month ->
        [1] enero
        [2] febrero
        [3] marzo
        [4] abril
        [5] mayo
        [6] junio
        [7] julio
        [8] agosto
        [9] septiembre
        [10] octubre
        [11] noviembre
       *[12] diciembre
    } de { $year }, { $time }
decimal-separator = ,
# A number alone (an answer read back), with the language's decimal separator.
number = { $value }
# The language's name in English, as staff pages say which language a patient answered in.
language-english-name = Spanish
