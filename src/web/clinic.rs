//! The clinic's name, phone number and logo on every patient page, and the logo itself.
//!
//! Every patient page (and every view model behind it) would otherwise need the clinic passed
//! in by hand; instead a layer puts the running service's clinic in a task-local for the
//! request, and the patient layout reads it through [`current`]. Without the layer (a unit
//! test rendering a page) it is the default clinic.

use std::{path::Path, sync::Arc};

use axum::{
    Router,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};

use super::{AppState, Error};
use crate::domain::Clinic;

/// Where the logo is served. A fixed path: pages need not know which file it is.
pub const LOGO: &str = "/clinic/logo";

/// How long browsers may keep the logo: a day. Long enough to spare patients on weak networks a
/// download per page; short enough that a new logo shows the next day.
const LOGO_CACHE: &str = "public, max-age=86400";

tokio::task_local! {
    static CLINIC: Arc<Clinic>;
}

/// The clinic of the request being served.
pub fn current() -> Arc<Clinic> {
    CLINIC
        .try_with(Arc::clone)
        .unwrap_or_else(|_| Arc::new(Clinic::default()))
}

/// A `tel:` link for a number as the clinic writes it: its digits, and a leading `+`.
pub fn tel_href(phone: &str) -> String {
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("tel:{plus}{digits}")
}

/// Serves the request with the service's clinic in reach of the templates.
pub async fn scope(State(state): State<AppState>, request: Request, next: Next) -> Response {
    CLINIC
        .scope(state.services.clinic.clone(), next.run(request))
        .await
}

/// The logo route.
pub fn router() -> Router<AppState> {
    Router::new().route(LOGO, get(logo))
}

/// The content type of a logo file, from its extension; `None` for a kind browsers should not
/// be handed as an image.
fn content_type(path: &Path) -> Option<&'static str> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "gif" => "image/gif",
        _ => return None,
    })
}

/// `GET /clinic/logo`: the configured logo, or 404 when there is none.
async fn logo(State(state): State<AppState>) -> Result<Response, Error> {
    let path = state.services.clinic.logo.as_ref().ok_or(Error::NotFound)?;
    let kind = content_type(path).ok_or(Error::NotFound)?;
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| Error::Internal(format!("INTAKE_CLINIC_LOGO cannot be read: {e}")))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, LOGO_CACHE),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_served_with_the_type_their_extension_names() {
        assert_eq!(content_type(Path::new("a/logo.PNG")), Some("image/png"));
        assert_eq!(content_type(Path::new("logo.svg")), Some("image/svg+xml"));
        assert_eq!(content_type(Path::new("logo.jpeg")), Some("image/jpeg"));
        assert_eq!(content_type(Path::new("logo.html")), None);
        assert_eq!(content_type(Path::new("logo")), None);
    }

    #[test]
    fn phone_links_keep_only_what_dialling_needs() {
        assert_eq!(tel_href("(555) 010-2000"), "tel:5550102000");
        assert_eq!(tel_href(" +34 912 34 56 78"), "tel:+34912345678");
    }

    #[test]
    fn outside_a_request_the_clinic_is_the_default_one() {
        assert_eq!(current().name, "Your clinic");
    }
}
