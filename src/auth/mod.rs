//! Staff authentication: argon2id password hashes, the rules for new passwords, TOTP second
//! factor and recovery codes, and the pure rules of signing in (delays, steps).

mod password;
mod password_rules;
mod password_thread;
mod recovery;
mod sign_in;
mod totp;

pub use password::{
    PasswordError, decoy_checks, generate_password, hash_password, prepare_decoy, verify_password,
};
pub use password_rules::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordRuleError, is_common,
};
pub use password_thread::{PasswordThreadStopped, on_password_thread};
pub use recovery::{RECOVERY_CODES, RecoveryCode, hash_typed, looks_like_recovery_code};
pub use sign_in::{
    FREE_FAILURES, MAX_DELAY, PendingStep, SignInState, next_step, sign_in_delay, wait_left,
};
pub use totp::{DIGITS, STEP_SECONDS, TotpSecret, step_of};
