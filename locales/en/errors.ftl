# Error pages: a heading and a sentence for each kind of error, then the reference.

error-reference = If you contact the clinic about this, mention reference
error-not-found-title = Page not found
error-not-found = We could not find that page.
error-forbidden-title = Not allowed
error-forbidden = Your account does not give access to this page.
error-no-session-title = Please open your link again
error-no-session = For your privacy this page needs the link from your message. Open it again to continue; your answers are saved.
error-forgery-title = This form has expired
error-forgery = Go back, reload the page and try again. Nothing was changed.
error-conflict-title = Already done
error-conflict = Someone already acted on this, or it no longer applies. Reload to see where it stands.
error-bad-input-title = This could not be read
error-bad-input = Something in what was sent cannot be used, such as a control character. Go back, check what you typed and try again.
error-too-large-title = Too much to send at once
error-too-large = What was sent is larger than this page takes. Go back, shorten it and try again.
error-internal-title = Something went wrong
error-internal = Something went wrong on our side. Anything you saved is kept; please try again in a moment.
