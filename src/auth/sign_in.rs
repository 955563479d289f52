//! The pure rules of signing in: how long an account waits after failures, and which step a
//! signed-in session must still pass before it reaches the staff pages.

use std::time::Duration;

use crate::domain::{MfaPolicy, StaffRole};

/// Failures for one username before each attempt waits.
pub const FREE_FAILURES: u32 = 3;
/// The first wait.
const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest wait: long enough to make guessing slow, short enough that a known username
/// cannot be locked out by someone else.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// How long after the last failure the next attempt for a username may even be checked: nothing
/// for the first [`FREE_FAILURES`], then 1 s doubling to at most 60 s.
pub fn sign_in_delay(failures: u32) -> Duration {
    let Some(over) = failures.checked_sub(FREE_FAILURES) else {
        return Duration::ZERO;
    };
    let doubled = 1_u64.checked_shl(over).unwrap_or(u64::MAX);
    FIRST_DELAY
        .checked_mul(u32::try_from(doubled).unwrap_or(u32::MAX))
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY)
}

/// Whole seconds (rounded up) still to wait at `now`, if any; times in epoch milliseconds.
pub fn wait_left(failures: u32, last_failed_at: i64, now: i64) -> Option<u64> {
    let delay = i64::try_from(sign_in_delay(failures).as_millis()).unwrap_or(i64::MAX);
    let left = last_failed_at.saturating_add(delay).saturating_sub(now);
    (left > 0).then(|| u64::try_from(left).unwrap_or(0).div_ceil(1000))
}

/// A step between a correct password and the staff pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingStep {
    /// Type a code from the authenticator app (or a recovery code).
    SecondFactor,
    /// Choose a new password (after an initial password or a reset).
    ChangePassword,
    /// Set up the authenticator app, which the account's role requires.
    EnrolSecondFactor,
}

/// What an account and its session are, as far as the sign-in steps care.
#[derive(Debug, Clone, Copy)]
pub struct SignInState {
    /// The account's role.
    pub role: StaffRole,
    /// Whether the account has an authenticator enrolled.
    pub enrolled: bool,
    /// Whether this session has passed the second factor.
    pub second_factor_done: bool,
    /// Whether the password must be changed.
    pub must_change_password: bool,
}

/// The step a session must pass next, or `None` when it may use the staff pages. The second
/// factor comes before the password change, so a stolen initial password alone cannot choose
/// the next one for an enrolled account.
pub fn next_step(state: SignInState, policy: MfaPolicy) -> Option<PendingStep> {
    if state.enrolled && !state.second_factor_done {
        Some(PendingStep::SecondFactor)
    } else if state.must_change_password {
        Some(PendingStep::ChangePassword)
    } else if !state.enrolled && policy.requires(state.role) {
        Some(PendingStep::EnrolSecondFactor)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_starts_after_three_failures_and_doubles_to_a_minute() {
        let table = [
            (0, 0),
            (2, 0),
            (3, 1),
            (4, 2),
            (5, 4),
            (8, 32),
            (9, 60),
            (40, 60),
            (u32::MAX, 60),
        ];
        for (failures, seconds) in table {
            assert_eq!(
                sign_in_delay(failures),
                Duration::from_secs(seconds),
                "{failures} failures"
            );
        }
    }

    #[test]
    fn the_wait_left_rounds_up_and_ends() {
        assert_eq!(wait_left(5, 10_000, 10_500), Some(4));
        assert_eq!(wait_left(5, 10_000, 13_999), Some(1));
        assert_eq!(wait_left(5, 10_000, 14_000), None);
        assert_eq!(wait_left(2, 10_000, 10_000), None);
    }

    #[test]
    fn the_steps_come_in_order_second_factor_then_password_then_enrolment() {
        let state = |role, enrolled, done, change| SignInState {
            role,
            enrolled,
            second_factor_done: done,
            must_change_password: change,
        };
        let admins = MfaPolicy::Admins;
        use PendingStep::*;
        use StaffRole::*;
        let table = [
            (
                state(Admin, false, false, true),
                admins,
                Some(ChangePassword),
            ),
            (
                state(Admin, false, false, false),
                admins,
                Some(EnrolSecondFactor),
            ),
            (state(Admin, true, false, true), admins, Some(SecondFactor)),
            (state(Admin, true, true, true), admins, Some(ChangePassword)),
            (state(Admin, true, true, false), admins, None),
            (state(FrontDesk, false, false, false), admins, None),
            (
                state(FrontDesk, false, false, true),
                admins,
                Some(ChangePassword),
            ),
            (
                state(FrontDesk, false, false, false),
                MfaPolicy::Required,
                Some(EnrolSecondFactor),
            ),
            (
                state(Clinician, true, false, false),
                admins,
                Some(SecondFactor),
            ),
        ];
        for (given, policy, expected) in table {
            assert_eq!(next_step(given, policy), expected, "{given:?} {policy:?}");
        }
    }
}
