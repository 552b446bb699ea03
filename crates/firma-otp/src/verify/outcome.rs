//! The result of one verification: what happened, and the state to persist.

use crate::code::CodeError;
use crate::verify::{OtpDeviceState, VerifyPolicy};

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// Not a code of the device's length made of digits.
    Malformed(CodeError),
    /// No counter value or time step in the window produces this code.
    NoMatch,
    /// The code belongs to a counter value or time step that was already accepted (RFC 4226
    /// section 7.2, RFC 6238 section 5.2): a replay. `matched` is that counter value or step.
    Replay {
        /// The already-used counter value or time step.
        matched: u64,
    },
}

/// What the verifier answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The code is valid and was not used before.
    Accepted {
        /// HOTP: the counter value that matched. TOTP: the time step that matched (after a
        /// resynchronisation: the second of the two steps or counter values).
        matched: u64,
        /// TOTP: the device's drift in steps (matched step minus the server's current step), now
        /// stored in the state. HOTP: how many counter values the token was ahead of the server.
        drift: i64,
    },
    /// The code was refused; the failure is counted in the returned state.
    Rejected {
        /// Why.
        reason: RejectReason,
        /// True when this failure reached the lock-out threshold: the device is now locked
        /// (audit it as a lock-out).
        locked: bool,
    },
    /// The device was already locked: nothing was checked and the state is unchanged. Only an
    /// authorised unlock ([`OtpDeviceState::unlocked`]) clears it.
    Locked,
}

/// An outcome and the state to write back (unchanged for [`Outcome::Locked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// What happened.
    pub outcome: Outcome,
    /// The new state to persist atomically (compare-and-swap on the state that was read).
    pub state: OtpDeviceState,
}

impl Verification {
    /// True for [`Outcome::Accepted`].
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        matches!(self.outcome, Outcome::Accepted { .. })
    }

    pub(crate) fn locked(state: &OtpDeviceState) -> Self {
        Verification {
            outcome: Outcome::Locked,
            state: *state,
        }
    }

    pub(crate) fn failed(
        policy: &VerifyPolicy,
        state: &OtpDeviceState,
        reason: RejectReason,
    ) -> Self {
        let failures = state.failures.saturating_add(1);
        Verification {
            outcome: Outcome::Rejected {
                reason,
                locked: policy.is_locked(failures),
            },
            state: OtpDeviceState { failures, ..*state },
        }
    }

    pub(crate) fn accepted(state: OtpDeviceState, matched: u64, drift: i64) -> Self {
        Verification {
            outcome: Outcome::Accepted { matched, drift },
            state: OtpDeviceState {
                failures: 0,
                ..state
            },
        }
    }
}
