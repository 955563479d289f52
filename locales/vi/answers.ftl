## Nội dung nhập không phải là câu trả lời

input-only-one = Vui lòng chỉ chọn một câu trả lời.
input-yes-or-no = Vui lòng chọn có hoặc không.
input-whole-number = Vui lòng nhập một số nguyên, ví dụ 3.
input-number = Vui lòng nhập một số, ví dụ 72,5.
input-date = Vui lòng nhập đủ ngày, tháng và năm.
input-date-time = Vui lòng nhập ngày và giờ.
input-time = Vui lòng nhập giờ, ví dụ 14:30.
input-too-long = Câu trả lời này quá dài; vui lòng rút ngắn lại.
input-web-address = Vui lòng nhập địa chỉ trang web bắt đầu bằng https://.
input-not-listed = Vui lòng chọn một trong các câu trả lời có sẵn.
input-not-answerable = Không thể trả lời câu hỏi này tại đây.
input-control-character = Câu trả lời này có một ký tự không lưu được (ký tự điều khiển); vui lòng nhập lại.
input-file-too-large = Tệp này quá lớn; vui lòng chụp lại ảnh hoặc chọn tệp nhỏ hơn.
input-file-type = Tệp này không phải là ảnh (JPEG hoặc PNG); vui lòng chọn một tấm ảnh.
input-file-unreadable = Không đọc được ảnh này; vui lòng chụp lại.
input-drawing-too-large = Hình vẽ này quá lớn để lưu; vui lòng xóa và vẽ lại chữ ký.
input-drawing-type = Chữ ký được lưu dưới dạng hình vẽ (PNG); vui lòng xóa và vẽ lại. Họ tên quý vị đã nhập đã là chữ ký.
input-drawing-unreadable = Không đọc được hình vẽ này; vui lòng xóa và vẽ lại chữ ký.

## Câu trả lời không đúng quy định của mẫu đơn

issue-required = Câu hỏi này cần được trả lời.
issue-too-few = Vui lòng đưa ra ít nhất { $min } câu trả lời.
issue-too-many = { $max ->
        [1] Vui lòng chỉ đưa ra một câu trả lời.
       *[other] Vui lòng đưa ra tối đa { $max } câu trả lời.
    }
issue-too-many-changes = Mẫu đơn này chỉ có thể thêm tối đa { $max } mục vào hồ sơ của quý vị mỗi lần. Vui lòng bớt một số mục ở đây và mang phần còn lại đến buổi hẹn.
issue-below-min = Câu trả lời phải từ { $min } trở lên.
issue-above-max = Câu trả lời không được lớn hơn { $max }.
issue-date-before-min = Vui lòng nhập một ngày từ { $min } trở về sau.
issue-date-after-max = Vui lòng nhập một ngày từ { $max } trở về trước.
issue-too-short = Vui lòng nhập ít nhất { $min } ký tự.
issue-too-long = Vui lòng nhập tối đa { $max } ký tự.

## Câu trả lời được đọc lại

answer-yes = Có
answer-no = Không
answer-photo-sent = Đã gửi ảnh
answer-group = { $count } câu trả lời
