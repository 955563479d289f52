skip-to-content = Chuyển đến nội dung chính
switch-label = Ngôn ngữ
clinic-phone-label = Điện thoại
cancelled-title = Buổi hẹn này đã bị hủy
cancelled-why = Phòng khám đã hủy buổi hẹn của đường dẫn này, vì vậy mẫu đơn đã được đóng lại.
cancelled-what-now = Nếu quý vị nghĩ đây là nhầm lẫn, hoặc muốn đặt buổi hẹn mới, vui lòng liên lạc với phòng khám.
verify-title = Xác nhận danh tính của quý vị
verify-intro = Để bảo mật thông tin sức khỏe của quý vị, vui lòng nhập ngày sinh.
date-of-birth = Ngày sinh
continue-button = Tiếp tục
unusable-title = Không thể dùng đường dẫn này
unusable-why = Đường dẫn có thể đã hết hạn, đã được thay bằng một đường dẫn mới hơn, hoặc đã được dùng để gửi câu trả lời của quý vị.
unusable-what-now = Vui lòng liên lạc với phòng khám để xin đường dẫn mới.
locked-title = Đường dẫn này đã bị khóa
locked-why = Ngày sinh đã bị nhập sai quá nhiều lần, vì vậy chúng tôi đã khóa đường dẫn này để bảo vệ thông tin của quý vị.
locked-why-code = Ngày sinh hoặc mã số đã bị nhập sai quá nhiều lần, vì vậy chúng tôi đã khóa đường dẫn này để bảo vệ thông tin của quý vị.
locked-what-now = Vui lòng liên lạc với phòng khám; phòng khám có thể gửi cho quý vị đường dẫn mới.
locked-call = Vui lòng gọi cho phòng khám theo số { $phone }; phòng khám có thể mở khóa đường dẫn này hoặc gửi cho quý vị đường dẫn mới.
too-many-title = Quá nhiều lần thử
wait-minutes = { $minutes ->
        [1] Có quá nhiều lần thử từ mạng này. Vui lòng đợi một phút rồi thử lại.
       *[other] Có quá nhiều lần thử từ mạng này. Vui lòng đợi { $minutes } phút rồi thử lại.
    }
already-sent-title = Quý vị đã gửi câu trả lời rồi
already-sent-body = Cảm ơn quý vị. Phòng khám đã nhận được câu trả lời và sẽ xem trước buổi hẹn. Quý vị không cần làm gì thêm với đường dẫn này.
done-title = Cảm ơn quý vị — câu trả lời đã được gửi
done-next = Phòng khám đã nhận được câu trả lời của quý vị và sẽ xem trước buổi hẹn.
done-closed = Quý vị có thể đóng trang này. Đường dẫn này sẽ không mở mẫu đơn nữa.
sign-out = Đăng xuất
signed-out-title = Quý vị đã đăng xuất
signed-out-body = Câu trả lời của quý vị đã được lưu. Để tiếp tục, hãy mở lại đường dẫn trong tin nhắn.
wrong-birth-date = { $remaining ->
        [1] Ngày sinh này không khớp với hồ sơ của chúng tôi. Quý vị còn 1 lần thử trước khi đường dẫn này bị khóa.
       *[other] Ngày sinh này không khớp với hồ sơ của chúng tôi. Quý vị còn { $remaining } lần thử.
    }
birth-date-not-a-date = Vui lòng nhập đủ ngày, tháng và năm.
birth-date-in-the-future = Ngày sinh không thể là một ngày trong tương lai.
birth-date-too-long-ago = Ngày này cách đây hơn 130 năm.

## Các trang của mẫu đơn

form-updated = Mẫu đơn này đã được cập nhật sau khi quý vị bắt đầu. Các câu trả lời của quý vị vẫn được giữ lại.
form-updated-check = Vui lòng xem lại các trang sau:
step-of = Bước { $step } trên { $steps }
check-answers = { $count ->
        [1] Vui lòng kiểm tra một câu trả lời
       *[other] Vui lòng kiểm tra { $count } câu trả lời
    }
optional = (không bắt buộc)
one-per-line = Mỗi dòng một mục.
search-label = Tìm trong danh sách
search-label-change = Tìm một câu trả lời khác
search-chosen = { $count ->
       *[other] Câu trả lời của bạn
    }
search-hint-change = Để thay đổi, hãy gõ một từ trong câu trả lời bạn muốn, rồi chọn Tìm.
search-button = Tìm
search-hint = Gõ một từ trong câu trả lời của bạn, rồi chọn Tìm.
search-none = Không có mục nào trong danh sách khớp với “{ $query }”. Hãy thử từ khác hoặc ít chữ hơn.
search-found = { $count ->
       *[other] Có { $count } câu trả lời khớp với “{ $query }”. Hãy chọn bên dưới.
    }
search-more = Đây là { $count } câu trả lời đầu tiên khớp với “{ $query }”. Gõ thêm để thu hẹp.
search-unavailable = Dịch vụ danh sách của phòng khám không phản hồi, nên các kết quả này lấy từ danh sách lưu cùng biểu mẫu.
search-server-down = Dịch vụ danh sách của phòng khám hiện không phản hồi. Vui lòng bấm Tìm lại sau giây lát.
search-pick = Các câu trả lời để chọn
asked-at-visit = Phòng khám sẽ hỏi quý vị về điều này trong buổi hẹn.
add-another = Thêm mục khác
remove = Xóa
nothing-on-file = Hồ sơ của quý vị không có mục nào thuộc loại này.
review-answers = Xem lại câu trả lời
next = Tiếp theo
back = Quay lại
saved-as-you-go = Câu trả lời của quý vị được lưu lại trong lúc quý vị điền.
date-day = Ngày
date-month = Tháng
date-year = Năm
date-hint = Ví dụ: 27 3 1958
idle-warning = Để bảo mật, trang này sẽ đóng sau một phút nếu quý vị không chọn ở lại. Câu trả lời của quý vị đã được lưu.
idle-stay = Ở lại trang này
busy = Vui lòng đợi…
photo-sent = Đã gửi một tấm ảnh. Để thay ảnh, hãy chọn ảnh khác.
photo-remove = Xóa ảnh này
photo-sending = Đang gửi ảnh…

## Xem lại, xác nhận và bản sao

check-title = Kiểm tra câu trả lời của quý vị
questions-need-answers = { $count ->
        [1] Còn một câu hỏi cần trả lời trước khi quý vị có thể gửi
       *[other] Còn { $count } câu hỏi cần trả lời trước khi quý vị có thể gửi
    }
change = Thay đổi
not-answered = Chưa trả lời
send = Gửi câu trả lời
copy-link = Tải xuống hoặc in bản sao câu trả lời của quý vị
copy-title = Bản sao câu trả lời của quý vị
copy-print = In hoặc lưu thành PDF

## Mã số dùng một lần

code-title = Nhập mã số của quý vị
code-label = Mã số
code-sent-to = Chúng tôi đã gửi mã số gồm { $digits } chữ số đến { $sent_to }. Vui lòng nhập mã vào đây; mã có hiệu lực trong { $minutes } phút.
code-not-received = Chưa nhận được mã?
code-resend = Gửi mã mới
code-resent = Chúng tôi đã gửi mã mới. Mã trước đó không còn dùng được nữa.
code-not-sent = Hiện chúng tôi chưa gửi được mã. Vui lòng xin mã mới sau một phút.
code-no-more = Không thể gửi thêm mã cho đường dẫn này. Vui lòng nhập mã gần nhất chúng tôi đã gửi, hoặc gọi cho phòng khám.
code-wait = Mã chúng tôi đã gửi vẫn còn dùng được. Quý vị có thể xin mã mới sau { $seconds } giây.
bad-code = Vui lòng nhập đủ 6 chữ số của mã.
wrong-code = { $remaining ->
        [1] Mã này không đúng. Quý vị còn 1 lần thử trước khi đường dẫn này bị khóa.
       *[other] Mã này không đúng. Quý vị còn { $remaining } lần thử.
    }
code-expired = Mã này không còn dùng được: mã đã hết hạn hoặc đã được dùng. Vui lòng xin mã mới ở bên dưới.
call-clinic-title = Vui lòng gọi cho phòng khám
call-clinic-why = Chúng tôi không thể gửi mã để hoàn tất việc xác nhận danh tính của quý vị.
call-clinic-what-now = Vui lòng gọi cho phòng khám; nhân viên sẽ giúp quý vị bắt đầu.
try-later-title = Vui lòng thử lại sau ít phút
try-later-why = Hiện chúng tôi chưa gửi được mã cho quý vị. Vui lòng mở lại đường dẫn sau vài phút.

## Chữ ký vẽ tay
signature-sent = Chữ ký vẽ tay của quý vị đã được lưu. Để thay thế, vui lòng vẽ lại.
signature-remove = Xóa chữ ký vẽ tay
signature-pad = Ô chữ ký: vẽ bằng ngón tay hoặc chuột
signature-keyboard = Quý vị dùng bàn phím hoặc trình đọc màn hình? Quý vị không cần vẽ: họ tên đầy đủ mà quý vị đã nhập chính là chữ ký của quý vị.
signature-clear = Xóa hình vẽ
signature-cleared = Hình vẽ đã được xóa.
signature-drawn = Đã vẽ chữ ký. Chữ ký sẽ được gửi khi quý vị tiếp tục.
signed-drawn = Đã ký bằng chữ ký vẽ tay và họ tên đầy đủ quý vị đã nhập.
signed-typed = Đã ký bằng cách nhập họ tên đầy đủ.
