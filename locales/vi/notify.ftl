invitation-subject = { $clinic }: vài câu hỏi trước buổi hẹn vào { $when }
invitation-sms = { $clinic }: vui lòng trả lời vài câu hỏi trước buổi hẹn vào { $when }: { $link }
invitation-email =
    Xin chào,

    { $clinic } mời quý vị trả lời vài câu hỏi trước buổi hẹn vào { $when }. Việc này chỉ mất vài phút và giúp tiết kiệm thời gian tại quầy tiếp tân.

    { $link }

    Quý vị sẽ được hỏi ngày sinh. Đường dẫn này chỉ dành riêng cho quý vị: vui lòng không chia sẻ.{ $call }
reminder-subject = { $clinic } xin nhắc: vài câu hỏi trước buổi hẹn vào { $when }
reminder-sms = { $clinic }: xin nhắc quý vị trả lời vài câu hỏi trước buổi hẹn vào { $when }: { $link }
reminder-email =
    Xin chào,

    { $clinic } xin nhắc: vui lòng trả lời vài câu hỏi trước buổi hẹn vào { $when }. Nếu đã bắt đầu, quý vị có thể tiếp tục từ chỗ đã dừng.

    { $link }

    Đường dẫn này chỉ dành riêng cho quý vị: vui lòng không chia sẻ.{ $call }
code-subject = { $clinic }: mã số của quý vị
code-sms = { $clinic }: mã số của quý vị là { $code }. Mã có hiệu lực trong 10 phút. Không chia sẻ mã này.
code-email =
    Mã số của quý vị cho { $clinic } là { $code }.

    Mã có hiệu lực trong 10 phút. Vui lòng không chia sẻ mã với bất kỳ ai.{ $call }
questions-call = Có thắc mắc? Xin gọi { $clinic } theo số { $phone }.
visit-time = { $time } { $weekday ->
        [1] Thứ Hai
        [2] Thứ Ba
        [3] Thứ Tư
        [4] Thứ Năm
        [5] Thứ Sáu
        [6] Thứ Bảy
       *[7] Chủ Nhật
    } { $day }/{ $month }
