//! Staff authentication: argon2id password hashes and one-time demo passwords.

mod password;

pub use password::{PasswordError, generate_password, hash_password, verify_password};
