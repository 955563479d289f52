//! Rate limits per client address on the doors someone could try many times: opening invitation
//! links, the date-of-birth check and staff sign-in. A link also locks after five wrong dates
//! of birth (in the store); these limits stop one address from trying many links.
//!
//! The address is the connection's peer, or, behind a reverse proxy, the last address of the
//! header that `INTAKE_CLIENT_IP_HEADER` names (the one the proxy itself appended).

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Mutex,
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

use super::AppState;

/// What is being limited, each with its own allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    /// `GET /i/{token}`.
    OpenLink,
    /// `POST /intake/verify`.
    VerifyBirthDate,
    /// `POST /staff/login`.
    StaffSignIn,
}

impl Door {
    /// Tries allowed per address in one window, given the configured allowance for checks.
    fn allowance(self, checks: u32) -> u32 {
        match self {
            // Opening a link costs nothing to guess with (128-bit tokens), but is still bounded.
            Self::OpenLink => checks.saturating_mul(3),
            Self::VerifyBirthDate | Self::StaffSignIn => checks,
        }
    }
}

/// `INTAKE_RATE_LIMIT`'s default: date-of-birth checks (and staff sign-ins) per address per
/// window.
pub const DEFAULT_CHECKS: u32 = 10;

/// The window the allowances count over.
pub const WINDOW: Duration = Duration::from_secs(600);

/// Counts tries per door and address in fixed windows.
#[derive(Debug)]
pub struct RateLimits {
    checks: u32,
    counts: Mutex<HashMap<(Door, IpAddr), (i64, u32)>>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new(DEFAULT_CHECKS)
    }
}

impl RateLimits {
    /// Limits allowing `checks` date-of-birth checks and staff sign-ins per address per window
    /// (and three times as many link opens).
    pub fn new(checks: u32) -> Self {
        Self {
            checks,
            counts: Mutex::default(),
        }
    }

    /// Counts one try at `door` from `address` at `now_millis`. `Err` holds how long until the
    /// address may try again.
    pub fn attempt(&self, door: Door, address: IpAddr, now_millis: i64) -> Result<(), Duration> {
        let window_millis = i64::try_from(WINDOW.as_millis()).unwrap_or(i64::MAX);
        let window = now_millis.div_euclid(window_millis);
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget finished windows now and then, so the table stays small.
        if counts.len() > 10_000 {
            counts.retain(|_, (w, _)| *w == window);
        }
        let entry = counts.entry((door, address)).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= door.allowance(self.checks) {
            let left = (window + 1) * window_millis - now_millis;
            return Err(Duration::from_millis(u64::try_from(left).unwrap_or(0)));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The client's address, as far as this server can tell.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state.client_ip_header.as_deref().and_then(|name| {
            parts
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
        });
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self(
            forwarded
                .or(peer)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_allowance_per_window_and_others_are_not_affected() {
        let limits = RateLimits::default();
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let two: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..10 {
            assert!(limits.attempt(Door::VerifyBirthDate, one, 1_000).is_ok());
        }
        let wait = limits
            .attempt(Door::VerifyBirthDate, one, 1_000)
            .unwrap_err();
        assert_eq!(wait, WINDOW - Duration::from_secs(1));
        assert!(limits.attempt(Door::VerifyBirthDate, two, 1_000).is_ok());
        assert!(limits.attempt(Door::OpenLink, one, 1_000).is_ok());
        let next_window = i64::try_from(WINDOW.as_millis()).unwrap();
        assert!(
            limits
                .attempt(Door::VerifyBirthDate, one, next_window)
                .is_ok()
        );
    }
}
