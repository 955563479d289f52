//! Form bodies, decoded in one place. Every posted field passes the control-character check
//! here, so NUL (which Postgres refuses in text) and terminal escapes never reach a service.
//!
//! [`Form`] refuses a body with a control character in any field: its forms carry tokens, ids
//! and choices, nothing a person types at length. [`TypedForm`] lets such characters through
//! to handlers whose fields are free text, because they say what is wrong next to the field
//! and keep everything else that was typed (a patient's page of answers, the sign-in form, a
//! reviewer's edit or reason); each checks with [`crate::domain::has_control_character`].

use axum::extract::{FromRequest, RawForm, Request};
use serde::de::DeserializeOwned;

use super::Error;
use crate::domain::has_control_character;

/// A form whose fields may hold no control character at all (tab and line breaks aside).
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

/// A form whose free-text fields the handler checks itself, with a message beside the field.
#[derive(Debug, Clone)]
pub struct TypedForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        let bytes = raw(request, state).await?;
        decode_form(&bytes, Fields::NoControlCharacters).map(Self)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for TypedForm<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        let bytes = raw(request, state).await?;
        decode_form(&bytes, Fields::FreeText).map(Self)
    }
}

/// The body of a form post (or the query of a GET form), with a clear 4xx when it is not one.
async fn raw<S: Send + Sync>(request: Request, state: &S) -> Result<axum::body::Bytes, Error> {
    let RawForm(bytes) = RawForm::from_request(request, state)
        .await
        .map_err(|rejection| match rejection {
            axum::extract::rejection::RawFormRejection::BytesRejection(e)
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Error::TooLarge
            }
            _ => Error::BadInput,
        })?;
    Ok(bytes)
}

/// Which control characters a form body may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fields {
    /// None, in names or values ([`Form`]).
    NoControlCharacters,
    /// In values, which the handler checks beside each field; never in names ([`TypedForm`]).
    FreeText,
}

/// Decodes a form body as the extractors do (and as `fuzz/` drives it with arbitrary bytes):
/// [`Error::BadInput`] for a control character where `fields` allows none, or a body that is
/// not a form of `T`.
pub fn decode_form<T: DeserializeOwned>(bytes: &[u8], fields: Fields) -> Result<T, Error> {
    let refused = url::form_urlencoded::parse(bytes).any(|(name, value)| {
        // Field names are ours, never typed: a control character there is not a person typing.
        has_control_character(&name)
            || (fields == Fields::NoControlCharacters && has_control_character(&value))
    });
    if refused {
        return Err(Error::BadInput);
    }
    serde_urlencoded::from_bytes(bytes).map_err(|_| Error::BadInput)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn post(body: &'static str) -> Request {
        axum::http::Request::post("/")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_control_character_in_any_field_is_refused_before_any_handler() {
        for body in ["csrf=a%00b", "a%00=1", "reason=%1B%5B31m", "x=%7F"] {
            let decoded = Form::<Vec<(String, String)>>::from_request(post(body), &()).await;
            assert!(matches!(decoded, Err(Error::BadInput)), "{body}");
        }
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(post("a=x%0Ay%09z"), &())
            .await
            .unwrap_or_else(|_| Form(Vec::new()));
        assert_eq!(fields, [("a".to_owned(), "x\ny\tz".to_owned())]);
    }

    #[tokio::test]
    async fn typed_text_reaches_the_handler_to_be_refused_beside_its_field() {
        let TypedForm(fields) =
            TypedForm::<Vec<(String, String)>>::from_request(post("a.note=x%00y&csrf=t"), &())
                .await
                .unwrap_or_else(|_| TypedForm(Vec::new()));
        assert_eq!(fields[0], ("a.note".to_owned(), "x\0y".to_owned()));
        let named = TypedForm::<Vec<(String, String)>>::from_request(post("a%00=1"), &()).await;
        assert!(matches!(named, Err(Error::BadInput)));
    }
}
