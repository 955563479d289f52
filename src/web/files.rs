//! A patient's photo or drawn signature, for staff: only to a signed-in front desk or
//! clinician, audited, and never kept by a cache (the browser's included).

use axum::{
    Router,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use uuid::Uuid;

use super::{AppState, Error, staff::Staff};
use crate::store::{StaffRole, Viewed};

/// The file route.
pub fn router() -> Router<AppState> {
    Router::new().route("/staff/files/{id}", get(file))
}

/// Where staff see the file `id`.
pub fn url(id: Uuid) -> String {
    format!("/staff/files/{id}")
}

/// `GET /staff/files/{id}`.
async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let file = state
        .services
        .attachment(id)
        .await?
        .ok_or(Error::NotFound)?;
    staff.viewed(&state, Viewed::Attachment(id)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CACHE_CONTROL, "no-store, private".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}
