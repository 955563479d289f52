//! A patient's page posted with files (`multipart/form-data`) or without (a plain form), read
//! into the same fields plus the files; and the request body limit, which is larger only for
//! such a page.
//!
//! The CSRF token travels as a part like any other field and is checked before anything is
//! stored; cross-site posts are already refused by `security::reject_cross_site_writes`.

use axum::{
    body::Body,
    extract::{FromRequest, Multipart, Request},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{Error, form::TypedForm};
use crate::{domain::has_control_character, forms::AttachmentRules, intake::Upload};

/// The most any other request body may hold: forms carry text, never files.
pub const FORM_LIMIT: usize = 64 * 1024;

/// The most a page with files may hold: two photos at the largest size a question takes
/// (front and back of a card), and the page's text.
pub const UPLOAD_LIMIT: usize = 2 * AttachmentRules::MAX_SIZE_CEILING as usize + FORM_LIMIT;

/// A page's fields and the files chosen in it (none for a plain form post).
#[derive(Debug)]
pub struct PagePost {
    /// The fields, as a plain form post sends them.
    pub fields: Vec<(String, String)>,
    /// The files, non-empty ones only, by the item they answer.
    pub uploads: Vec<Upload>,
}

impl<S: Send + Sync> FromRequest<S> for PagePost {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        if !is_multipart(request.headers()) {
            let TypedForm(fields) = TypedForm::from_request(request, state).await?;
            return Ok(Self {
                fields,
                uploads: Vec::new(),
            });
        }
        let mut parts = Multipart::from_request(request, state)
            .await
            .map_err(|_| Error::BadInput)?;
        let mut post = Self {
            fields: Vec::new(),
            uploads: Vec::new(),
        };
        while let Some(part) = parts.next_field().await.map_err(refused)? {
            let name = part.name().unwrap_or_default().to_owned();
            // Field names are ours, never typed (as in `TypedForm`).
            if has_control_character(&name) {
                return Err(Error::BadInput);
            }
            if part.file_name().is_some() {
                let bytes = part.bytes().await.map_err(refused)?;
                // A file input left empty still sends a part, with no bytes.
                if let (Some(field), false) = (name.strip_prefix("a."), bytes.is_empty()) {
                    post.uploads.push(Upload {
                        field: field.to_owned(),
                        bytes: bytes.to_vec(),
                    });
                }
            } else {
                let value = part.text().await.map_err(refused)?;
                post.fields.push((name, value));
            }
        }
        Ok(post)
    }
}

fn refused(error: axum::extract::multipart::MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge
    } else {
        Error::BadInput
    }
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Limits every request body: [`UPLOAD_LIMIT`] for a patient's page sent with files,
/// [`FORM_LIMIT`] for everything else. A declared length over it is refused before the body is
/// read; a body that grows past it fails when read (413 either way).
pub async fn limit_body(request: Request, next: Next) -> Response {
    let limit =
        if is_multipart(request.headers()) && request.uri().path().starts_with("/intake/page/") {
            UPLOAD_LIMIT
        } else {
            FORM_LIMIT
        };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    }
    next.run(request.map(|body| Body::new(http_body_util::Limited::new(body, limit))))
        .await
}
