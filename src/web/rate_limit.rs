//! Rate limits per client address on the doors someone could try many times: opening invitation
//! links, the date-of-birth check (and one-time codes) and staff sign-in. Only failures count
//! (an unknown link, a wrong date of birth or code, a wrong password), so patients on one
//! clinic network who get it right are never locked out together; addresses in the trusted
//! networks (`INTAKE_TRUSTED_NETWORKS`, e.g. the clinic's own tablets) are not limited at all.
//! A link also locks after five wrong answers (in the store), whoever sends them.
//!
//! The counts live in the database (`rate_limits`), so every web process on one Postgres
//! shares them; [`RateLimits::new`] alone counts in memory, for one process and for tests.
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
use crate::store::{Store, StoreError};

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

impl Door {
    /// The door's name in the shared table.
    fn code(self) -> &'static str {
        match self {
            Self::OpenLink => "open_link",
            Self::VerifyBirthDate => "verify_birth_date",
            Self::StaffSignIn => "staff_sign_in",
        }
    }
}

/// Counts failures per door and address in fixed windows.
#[derive(Debug)]
pub struct RateLimits {
    checks: u32,
    trusted: Vec<ipnet::IpNet>,
    counts: Counts,
}

/// Where the counts are kept.
#[derive(Debug)]
enum Counts {
    /// In this process.
    Memory(Mutex<HashMap<(Door, IpAddr), (i64, u32)>>),
    /// In the database, shared by every process on it.
    Shared(Store),
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new(DEFAULT_CHECKS)
    }
}

impl RateLimits {
    /// Limits allowing `checks` date-of-birth checks and staff sign-ins per address per window
    /// (and three times as many link opens), counted in this process.
    pub fn new(checks: u32) -> Self {
        Self {
            checks,
            trusted: Vec::new(),
            counts: Counts::Memory(Mutex::default()),
        }
    }

    /// The same limits, counted in `store`, so every process on that database shares them.
    #[must_use]
    pub fn shared(mut self, store: Store) -> Self {
        self.counts = Counts::Shared(store);
        self
    }

    /// The same limits, with addresses in `networks` exempt.
    #[must_use]
    pub fn trusting(mut self, networks: Vec<ipnet::IpNet>) -> Self {
        self.trusted = networks;
        self
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        self.trusted
            .iter()
            .any(|net| net.contains(&canonical(address)))
    }

    /// Whether `address` may still try at `door` at `now_millis`: `Some` holds how long until
    /// it may, once its failures in this window reached the allowance. Counts nothing.
    pub async fn check(
        &self,
        door: Door,
        address: IpAddr,
        now_millis: i64,
    ) -> Result<Option<Duration>, StoreError> {
        if self.is_trusted(address) {
            return Ok(None);
        }
        let window = Self::window(now_millis);
        let failures = match &self.counts {
            Counts::Memory(counts) => {
                let counts = counts
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match counts.get(&(door, address)) {
                    Some((w, failures)) if *w == window => i64::from(*failures),
                    _ => 0,
                }
            }
            Counts::Shared(store) => {
                let key = canonical(address).to_string();
                store
                    .rate_limit_failures(door.code(), &key, window * Self::window_millis())
                    .await?
            }
        };
        Ok((failures >= i64::from(door.allowance(self.checks)))
            .then(|| Self::left(window, now_millis)))
    }

    /// Counts one failure at `door` from `address` (nothing for a trusted address).
    pub async fn failed(
        &self,
        door: Door,
        address: IpAddr,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        if self.is_trusted(address) {
            return Ok(());
        }
        let window = Self::window(now_millis);
        match &self.counts {
            Counts::Memory(counts) => {
                let mut counts = counts
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
                entry.1 = entry.1.saturating_add(1);
                Ok(())
            }
            Counts::Shared(store) => {
                let key = canonical(address).to_string();
                store
                    .count_rate_limit_failure(door.code(), &key, window * Self::window_millis())
                    .await
            }
        }
    }

    fn window_millis() -> i64 {
        i64::try_from(WINDOW.as_millis()).unwrap_or(i64::MAX)
    }

    fn window(now_millis: i64) -> i64 {
        now_millis.div_euclid(Self::window_millis())
    }

    fn left(window: i64, now_millis: i64) -> Duration {
        let left = (window + 1) * Self::window_millis() - now_millis;
        Duration::from_millis(u64::try_from(left).unwrap_or(0))
    }
}

/// An IPv4 client may arrive as an IPv4-mapped IPv6 address on a dual-stack socket: one
/// address, one count.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
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
            appended_address(parts.headers.get_all(name).iter().map(|v| v.as_bytes()))
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

/// The address the proxy appended: the right-most entry of the last header line, and only
/// that one. Entries to its left came from the client and may be forged; when the right-most
/// one does not read as an address, none is trusted (the peer address counts instead).
/// Reads `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::7`, `[2001:db8::7]:4711`, and the
/// `Forwarded` header's `for=` form (`for="[2001:db8::7]:4711"`).
pub fn appended_address<'a>(lines: impl DoubleEndedIterator<Item = &'a [u8]>) -> Option<IpAddr> {
    let line = std::str::from_utf8(lines.last()?).ok()?;
    let entry = line.rsplit(',').next()?.trim();
    // `Forwarded: for=…;proto=https`: the `for` parameter of the last element.
    let entry = match entry.split(';').map(str::trim).find_map(|p| {
        p.get(..4)
            .filter(|k| k.eq_ignore_ascii_case("for="))
            .map(|_| &p[4..])
    }) {
        Some(value) => value.trim_matches('"'),
        None if entry.contains('=') => return None,
        None => entry,
    };
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    // `[v6]` without a port.
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_is_the_entry_the_proxy_appended_and_nothing_else() {
        let read = |lines: &[&str]| appended_address(lines.iter().map(|l| l.as_bytes()));
        let ip = |text: &str| Some(text.parse::<IpAddr>().unwrap());
        let cases: [(&[&str], Option<IpAddr>); 14] = [
            (&["203.0.113.7"], ip("203.0.113.7")),
            // A forged entry on the left is ignored.
            (&["10.0.0.1, 203.0.113.7"], ip("203.0.113.7")),
            (&["1.1.1.1,2.2.2.2 ,  203.0.113.7 "], ip("203.0.113.7")),
            // With a port.
            (&["203.0.113.7:4711"], ip("203.0.113.7")),
            // IPv6, bare, bracketed, bracketed with a port.
            (&["2001:db8::7"], ip("2001:db8::7")),
            (&["[2001:db8::7]"], ip("2001:db8::7")),
            (&["10.0.0.1, [2001:db8::7]:4711"], ip("2001:db8::7")),
            // Several header lines: the proxy's is the last.
            (&["10.0.0.1", "203.0.113.7"], ip("203.0.113.7")),
            // `Forwarded`.
            (
                &["for=10.0.0.1, for=\"[2001:db8::7]:4711\";proto=https"],
                ip("2001:db8::7"),
            ),
            (&["for=203.0.113.7;by=198.51.100.1"], ip("203.0.113.7")),
            // A right-most entry that is not an address: no earlier entry is trusted instead.
            (&["203.0.113.7, garbage"], None),
            (&["203.0.113.7, "], None),
            (&["for=_hidden"], None),
            (&[], None),
        ];
        for (lines, expected) in cases {
            assert_eq!(read(lines), expected, "{lines:?}");
        }
    }

    #[tokio::test]
    async fn only_failures_count_and_an_address_gets_its_allowance_of_them_per_window() {
        let limits = RateLimits::default();
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let two: IpAddr = "192.0.2.2".parse().unwrap();
        // Checks that succeed are never counted: a thousand of them leave the door open.
        for _ in 0..1000 {
            assert!(
                limits
                    .check(Door::VerifyBirthDate, one, 1_000)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        for _ in 0..10 {
            assert!(
                limits
                    .check(Door::VerifyBirthDate, one, 1_000)
                    .await
                    .unwrap()
                    .is_none()
            );
            limits
                .failed(Door::VerifyBirthDate, one, 1_000)
                .await
                .unwrap();
        }
        let wait = limits
            .check(Door::VerifyBirthDate, one, 1_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(wait, WINDOW - Duration::from_secs(1));
        assert!(
            limits
                .check(Door::VerifyBirthDate, two, 1_000)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            limits
                .check(Door::OpenLink, one, 1_000)
                .await
                .unwrap()
                .is_none()
        );
        let next_window = i64::try_from(WINDOW.as_millis()).unwrap();
        assert!(
            limits
                .check(Door::VerifyBirthDate, one, next_window)
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn addresses_in_a_trusted_network_are_never_limited() {
        let limits = RateLimits::new(1).trusting(vec!["10.20.0.0/16".parse().unwrap()]);
        let tablet: IpAddr = "10.20.3.4".parse().unwrap();
        let mapped: IpAddr = "::ffff:10.20.3.5".parse().unwrap();
        let outside: IpAddr = "10.21.0.1".parse().unwrap();
        for address in [tablet, mapped, outside] {
            for _ in 0..5 {
                limits.failed(Door::StaffSignIn, address, 0).await.unwrap();
            }
        }
        assert!(
            limits
                .check(Door::StaffSignIn, tablet, 0)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            limits
                .check(Door::StaffSignIn, mapped, 0)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            limits
                .check(Door::StaffSignIn, outside, 0)
                .await
                .unwrap()
                .is_some()
        );
    }
}
