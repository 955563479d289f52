//! Admin pages: staff accounts and the audit log. Only admins reach them; an admin sees no
//! patient pages.

mod accounts;
mod audit;
mod audit_words;

use axum::{
    Router,
    routing::{get, post},
};

use super::{AppState, paths};

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            paths::ADMIN_ACCOUNTS,
            get(accounts::list).post(accounts::add),
        )
        .route(
            "/staff/admin/accounts/{username}/{action}",
            post(accounts::change),
        )
        .route(paths::ADMIN_AUDIT, get(audit::view))
}
