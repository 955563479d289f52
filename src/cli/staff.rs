//! `intake staff add|list|disable|enable|reset-password`: staff accounts from the server's
//! command line, which is how the first admin is made on a fresh database. The database is
//! opened (and migrated) as `serve` opens it.

use std::{io::BufRead, process::ExitCode};

use super::{print, usage_error};
use crate::{
    app,
    config::{Config, Overrides},
    domain::StaffRole,
    intake::{AccountError, Actor, StaffAccounts},
};

/// What to do.
#[derive(Debug)]
pub enum StaffCommand {
    /// Add an account.
    Add {
        /// Login name.
        username: String,
        /// Role code.
        role: String,
        /// Display name.
        name: Option<String>,
        /// Read the initial password from stdin instead of generating one.
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account.
    Disable(String),
    /// Enable an account.
    Enable(String),
    /// Reset a password.
    ResetPassword(String),
    /// Forget an authenticator.
    ResetAuthenticator(String),
}

/// Runs one staff command against the configured database.
pub async fn run(database: Option<String>, command: StaffCommand) -> ExitCode {
    let overrides = Overrides {
        addr: None,
        database_url: database,
    };
    let config = match Config::from_env(&overrides) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    let store = match app::open_store(&config).await {
        Ok(store) => store,
        Err(error) => {
            drop(std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("intake: {error}\n").as_bytes(),
            ));
            return ExitCode::FAILURE;
        }
    };
    let accounts = StaffAccounts::new(store.clone(), app::system_clock());
    let result = execute(&accounts, command).await;
    store.close().await;
    match result {
        Ok(text) => {
            print(&text);
            ExitCode::SUCCESS
        }
        Err(AccountError::Service(error)) => {
            drop(std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("intake: {error}\n").as_bytes(),
            ));
            ExitCode::FAILURE
        }
        Err(refused) => usage_error(&refused.to_string()),
    }
}

async fn execute(accounts: &StaffAccounts, command: StaffCommand) -> Result<String, AccountError> {
    let by = Actor::command_line();
    match command {
        StaffCommand::Add {
            username,
            role,
            name,
            password_stdin,
        } => {
            let Some(role) = StaffRole::parse(&role) else {
                return Err(AccountError::Role(role));
            };
            let typed = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let added = accounts
                .add(&username, name.as_deref(), role, typed.as_deref(), &by)
                .await?;
            let mut text = format!(
                "Added {} account `{}`. The password must be changed at the first sign-in{}.",
                role.code(),
                username.trim(),
                if role == StaffRole::Admin {
                    ", where the authenticator app is also set up"
                } else {
                    ""
                }
            );
            if let Some(password) = added.initial_password {
                text.push_str(&format!("\nOne-time password: {password}"));
            }
            Ok(text)
        }
        StaffCommand::List => {
            let mut text = format!(
                "{:<24} {:<11} {:<9} {:<13} {}",
                "USERNAME", "ROLE", "STATE", "AUTHENTICATOR", "NAME"
            );
            let mut after: Option<String> = None;
            loop {
                let page = accounts.list(after.as_deref(), 500).await?;
                for user in &page {
                    text.push_str(&format!(
                        "\n{:<24} {:<11} {:<9} {:<13} {}",
                        user.username,
                        user.role.code(),
                        if user.disabled_at.is_some() {
                            "disabled"
                        } else {
                            "active"
                        },
                        if user.totp_enrolled { "yes" } else { "no" },
                        user.display_name
                    ));
                }
                match page.last() {
                    Some(last) if page.len() == 500 => after = Some(last.username.clone()),
                    _ => break,
                }
            }
            Ok(text)
        }
        StaffCommand::Disable(username) => {
            accounts.disable(&username, &by).await?;
            Ok(format!(
                "Disabled `{}`; its sessions have ended.",
                username.trim()
            ))
        }
        StaffCommand::Enable(username) => {
            accounts.enable(&username, &by).await?;
            Ok(format!("Enabled `{}`.", username.trim()))
        }
        StaffCommand::ResetAuthenticator(username) => {
            accounts.reset_authenticator(&username, &by).await?;
            Ok(format!(
                "Forgot the authenticator and recovery codes of `{}`; its sessions have ended. A new one is set up at the next sign-in.",
                username.trim()
            ))
        }
        StaffCommand::ResetPassword(username) => {
            let password = accounts.reset_password(&username, &by).await?;
            Ok(format!(
                "Reset the password of `{}`; its sessions have ended. It must be changed at the next sign-in.\nOne-time password: {password}",
                username.trim()
            ))
        }
    }
}

/// The first line of stdin, without its line ending.
fn read_password() -> Result<String, AccountError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| AccountError::NoPassword)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(AccountError::NoPassword);
    }
    Ok(password)
}
