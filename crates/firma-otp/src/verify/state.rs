//! What the store persists per device, and what each verification hands back to persist.

/// The mutable verification state of one OTP device.
///
/// Every verification function takes the state read from the store and returns the state to
/// write back; the store writes it with a compare-and-swap on the values it read, so that two
/// concurrent submissions of one code cannot both succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OtpDeviceState {
    /// HOTP: the next counter value the server expects. RFC 4226 section 7.2: after a successful
    /// validation at counter `c` the server moves to `c + 1`, so every counter value is accepted
    /// at most once. Unused for TOTP.
    pub counter: u64,
    /// TOTP: the last time step accepted. RFC 6238 section 5.2: "the verifier MUST NOT accept the
    /// second attempt of the OTP after the successful validation has been issued for the first
    /// OTP"; a step at or before this one is refused. `None` before the first success.
    pub last_step: Option<u64>,
    /// TOTP: the device's clock drift in time steps (device minus server). RFC 6238 section 6:
    /// "Upon successful validation, the validation server can record the detected clock drift for
    /// the token in terms of the number of time steps." The window is centred on `current step +
    /// drift`. Unused for HOTP.
    pub drift: i64,
    /// Consecutive failed verifications (malformed, wrong or replayed codes, failed
    /// resynchronisations); reset by a success or by an authorised unlock.
    pub failures: u32,
}

impl OtpDeviceState {
    /// The state of a freshly imported HOTP device whose next counter is `counter`.
    #[must_use]
    pub fn hotp(counter: u64) -> Self {
        OtpDeviceState {
            counter,
            ..OtpDeviceState::default()
        }
    }

    /// The state of a freshly imported TOTP device with a known `drift` (RFC 6030 `TimeDrift`).
    #[must_use]
    pub fn totp(drift: i64) -> Self {
        OtpDeviceState {
            drift,
            ..OtpDeviceState::default()
        }
    }

    /// The state after an authorised principal unlocks the device: failures cleared, everything
    /// that prevents replay (counter, last step) kept.
    #[must_use]
    pub fn unlocked(self) -> Self {
        OtpDeviceState {
            failures: 0,
            ..self
        }
    }
}
