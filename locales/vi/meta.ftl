language-name = Tiếng Việt
date-order = dmy
date-numeric = { $dd }/{ $mm }/{ $yyyy }
date-long = ngày { $day } tháng { $month } năm { $year }
visit-at = Buổi hẹn của quý vị: ngày { $day } tháng { $month } năm { $year }, lúc { $time }
decimal-separator = ,
# A number alone (an answer read back), with the language's decimal separator.
number = { $value }
# The language's name in English, as staff pages say which language a patient answered in.
language-english-name = Vietnamese
