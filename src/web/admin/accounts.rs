//! `/staff/admin/accounts`: every staff account a page at a time (by username), a form to add
//! one, and per account: change role, reset password, disable or enable. A new or reset
//! password is shown once, to hand over; it must be changed at the next sign-in.

use crate::web::form::Form;
use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    domain::StaffRole,
    intake::{AccountError, Actor},
    store::StaffUser,
    web::{
        AppState, Error, format, paths,
        staff::{Staff, StaffHeader},
    },
};

/// Accounts per page.
const PAGE_ROWS: u32 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "admin/accounts.html")]
struct AccountsPage {
    header: StaffHeader,
    rows: Vec<AccountRow>,
    roles: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
    /// What was typed into the add form, when it was refused.
    typed: AddForm,
    next_url: Option<String>,
}

struct AccountRow {
    username: String,
    name: String,
    role: StaffRole,
    disabled: bool,
    authenticator: bool,
    created: String,
    role_url: String,
    reset_url: String,
    toggle_url: String,
    authenticator_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/password.html")]
struct PasswordPage {
    header: StaffHeader,
    username: String,
    password: String,
    reset: bool,
}

/// The list's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    after: String,
    done: String,
    user: String,
}

/// The add form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AddForm {
    csrf: String,
    username: String,
    name: String,
    role: String,
}

/// The per-account forms (`role` only for a role change).
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    csrf: String,
    #[serde(default)]
    role: String,
}

/// `GET /staff/admin/accounts`.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Admin)?;
    let notice = notice(&query);
    Ok(page(
        &state,
        &staff,
        &query.after,
        notice,
        None,
        AddForm::default(),
    )
    .await?
    .into_response())
}

/// `POST /staff/admin/accounts`: adds an account and shows its one-time password.
pub async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<AddForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Admin)?;
    staff.check_csrf(&form.csrf)?;
    let by = Actor::staff(staff.session.user.id, staff.client.0);
    let added = match StaffRole::parse(&form.role) {
        None => Err(StaffTexts.accounts_choose_role()),
        Some(role) => state
            .services
            .accounts()
            .add(&form.username, Some(&form.name), role, None, &by)
            .await
            .map_err(|e| refusal(&e)),
    };
    match added {
        Ok(added) => Ok(PasswordPage {
            header: staff.header(),
            username: form.username.trim().to_owned(),
            password: added.initial_password.unwrap_or_default(),
            reset: false,
        }
        .into_response()),
        Err(message) => {
            let page = page(&state, &staff, "", None, Some(message), form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /staff/admin/accounts/{username}/{action}`: `disable`, `enable`, `reset` or `role`.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path((username, action)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Admin)?;
    staff.check_csrf(&form.csrf)?;
    let by = Actor::staff(staff.session.user.id, staff.client.0);
    let accounts = state.services.accounts();
    let done = match action.as_str() {
        "disable" => accounts.disable(&username, &by).await.map(|()| "disabled"),
        "enable" => accounts.enable(&username, &by).await.map(|()| "enabled"),
        "authenticator" => accounts
            .reset_authenticator(&username, &by)
            .await
            .map(|()| "authenticator"),
        "role" => match StaffRole::parse(&form.role) {
            Some(role) => accounts
                .change_role(&username, role, &by)
                .await
                .map(|()| "role"),
            None => return Err(Error::NotFound),
        },
        "reset" => {
            return match accounts.reset_password(&username, &by).await {
                Ok(password) => Ok(PasswordPage {
                    header: staff.header(),
                    username,
                    password,
                    reset: true,
                }
                .into_response()),
                Err(e) => refused(&state, &staff, &e).await,
            };
        }
        _ => return Err(Error::NotFound),
    };
    match done {
        Ok(done) => Ok(Redirect::to(&format!(
            "{}?done={done}&user={username}",
            paths::ADMIN_ACCOUNTS
        ))
        .into_response()),
        Err(e) => refused(&state, &staff, &e).await,
    }
}

/// The list again with why a change was refused; a missing account is a 404.
async fn refused(state: &AppState, staff: &Staff, error: &AccountError) -> Result<Response, Error> {
    if matches!(error, AccountError::NoSuchAccount(_)) {
        return Err(Error::NotFound);
    }
    let page = page(
        state,
        staff,
        "",
        None,
        Some(refusal(error)),
        AddForm::default(),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A refusal in words. A failure of ours has no message id: its own words, as a sentence.
fn refusal(error: &AccountError) -> String {
    if let Some(message) = error.message() {
        return StaffTexts.message(&message);
    }
    let mut text = error.to_string();
    if let Some(first) = text.get(0..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text + "."
}

fn notice(query: &ListQuery) -> Option<String> {
    let user = crate::domain::Username::parse(&query.user).ok()?;
    let user = user.as_str();
    match query.done.as_str() {
        "disabled" => Some(StaffTexts.accounts_done_disabled(user)),
        "enabled" => Some(StaffTexts.accounts_done_enabled(user)),
        "role" => Some(StaffTexts.accounts_done_role(user)),
        "authenticator" => Some(StaffTexts.accounts_done_authenticator(user)),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    after: &str,
    notice: Option<String>,
    error: Option<String>,
    typed: AddForm,
) -> Result<AccountsPage, Error> {
    let after = (!after.is_empty()).then_some(after);
    let mut users = state.services.accounts().list(after, PAGE_ROWS + 1).await?;
    let more = users.len() > PAGE_ROWS as usize;
    users.truncate(PAGE_ROWS as usize);
    let next_url = more
        .then(|| users.last())
        .flatten()
        .map(|last| format!("{}?after={}", paths::ADMIN_ACCOUNTS, last.username));
    Ok(AccountsPage {
        header: staff.header(),
        rows: users
            .into_iter()
            .map(|user| row(&state.services.clinic.zone, user))
            .collect(),
        roles: StaffRole::ALL
            .iter()
            .map(|r| (r.code(), StaffTexts.message(&r.message())))
            .collect(),
        notice,
        error,
        typed,
        next_url,
    })
}

fn row(zone: &crate::domain::ClinicZone, user: StaffUser) -> AccountRow {
    let disabled = user.disabled_at.is_some();
    AccountRow {
        role_url: paths::account_action(&user.username, "role"),
        reset_url: paths::account_action(&user.username, "reset"),
        authenticator_url: paths::account_action(&user.username, "authenticator"),
        toggle_url: paths::account_action(
            &user.username,
            if disabled { "enable" } else { "disable" },
        ),
        name: user.display_name,
        role: user.role,
        disabled,
        authenticator: user.totp_enrolled,
        created: format::when(zone, user.created_at),
        username: user.username,
    }
}
