//! A pool of sessions on one token, logged in once.
//!
//! PKCS#11 login state belongs to the application, not to a session (PKCS#11 v2.40 section 6.7.1):
//! once the user is logged in on one session, every session of the process on that token is, and
//! logging out or closing the last session ends it. The pool therefore logs in on its first
//! session, keeps its sessions open, and lends each one to one thread at a time (`Session` is
//! `Send` but not `Sync`). A session that the module has closed is replaced, logging in again if
//! the login was lost.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use firma_core::KeyStoreError;
use secrecy::SecretString;

use crate::error::{HsmError, OpError, rv, to_key_store};

pub(crate) struct SessionPool {
    ctx: Pkcs11,
    slot: Slot,
    pin: SecretString,
    label: String,
    idle: Mutex<Vec<Session>>,
    returned: Condvar,
    checkout_timeout: Duration,
}

impl SessionPool {
    /// Opens `size` read/write sessions and logs the user in.
    pub(crate) fn open(
        ctx: Pkcs11,
        slot: Slot,
        pin: SecretString,
        label: String,
        size: usize,
        checkout_timeout: Duration,
    ) -> Result<Self, HsmError> {
        let first = ctx
            .open_rw_session(slot)
            .map_err(HsmError::pkcs11("opening a session"))?;
        login(&first, &pin).map_err(|e| match rv(&e) {
            Some(RvError::PinIncorrect) => HsmError::PinIncorrect {
                label: label.clone(),
            },
            Some(RvError::PinLocked) => HsmError::PinLocked {
                label: label.clone(),
            },
            Some(RvError::PinLenRange) => HsmError::PinIncorrect {
                label: label.clone(),
            },
            Some(RvError::UserPinNotInitialized) => HsmError::TokenNotReady {
                label: label.clone(),
            },
            _ => HsmError::Pkcs11 {
                operation: "logging in",
                cause: e,
            },
        })?;
        let mut sessions = vec![first];
        for _ in 1..size.max(1) {
            sessions.push(
                ctx.open_rw_session(slot)
                    .map_err(HsmError::pkcs11("opening a session"))?,
            );
        }
        Ok(Self {
            ctx,
            slot,
            pin,
            label,
            idle: Mutex::new(sessions),
            returned: Condvar::new(),
            checkout_timeout,
        })
    }

    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn context(&self) -> &Pkcs11 {
        &self.ctx
    }

    pub(crate) fn slot(&self) -> Slot {
        self.slot
    }

    /// Runs `f` on a session of the pool. If the module closed the session (or lost the login),
    /// `f` runs once more on a fresh one; `f` must therefore be safe to repeat.
    pub(crate) fn run<T>(
        &self,
        operation: &str,
        mut f: impl FnMut(&Session) -> Result<T, OpError>,
    ) -> Result<T, KeyStoreError> {
        let finish = |r: Result<T, OpError>| match r {
            Ok(v) => Ok(v),
            Err(OpError::Ck(e)) => Err(to_key_store(operation, e)),
            Err(OpError::Ks(e)) => Err(e),
        };
        let mut lease = self.checkout()?;
        match f(lease.session()) {
            Err(OpError::Ck(e)) if session_lost(&e) => {
                tracing::warn!(operation, error = ?rv(&e), "HSM session lost, opening a new one");
                lease.replace()?;
                finish(f(lease.session()))
            }
            other => finish(other),
        }
    }

    fn checkout(&self) -> Result<Lease<'_>, KeyStoreError> {
        let deadline = Instant::now() + self.checkout_timeout;
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(session) = idle.pop() {
                return Ok(Lease {
                    pool: self,
                    session: Some(session),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(KeyStoreError::Unavailable(format!(
                    "no free HSM session after {:?}: raise hsm.sessions or lower the load",
                    self.checkout_timeout
                )));
            }
            idle = self
                .returned
                .wait_timeout(idle, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn checkin(&self, session: Session) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(session);
        self.returned.notify_one();
    }

    /// A new session, logged in if the login was lost with the old ones.
    fn fresh_session(&self) -> Result<Session, KeyStoreError> {
        let session = self
            .ctx
            .open_rw_session(self.slot)
            .map_err(|e| to_key_store("opening a session", e))?;
        let logged_in = session
            .get_session_info()
            .map(|i| i.session_state() == SessionState::RwUser)
            .unwrap_or(false);
        if !logged_in {
            login(&session, &self.pin).map_err(|e| to_key_store("logging in again", e))?;
        }
        Ok(session)
    }
}

/// A session lent to one caller; goes back to the pool when dropped.
struct Lease<'p> {
    pool: &'p SessionPool,
    session: Option<Session>,
}

impl Lease<'_> {
    fn session(&self) -> &Session {
        self.session
            .as_ref()
            .unwrap_or_else(|| unreachable!("a lease holds its session until dropped"))
    }

    /// Drops the current (dead) session and takes a fresh one in its place.
    fn replace(&mut self) -> Result<(), KeyStoreError> {
        if let Some(dead) = self.session.take() {
            // Closing a session the module already closed fails harmlessly.
            let _ = dead.close();
        }
        let fresh = self.pool.fresh_session();
        match fresh {
            Ok(s) => {
                self.session = Some(s);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        match self.session.take() {
            Some(session) => self.pool.checkin(session),
            // The session died and no replacement could be opened: try again so the pool keeps
            // its size; if the HSM is gone the next caller gets the error.
            None => {
                if let Ok(s) = self.pool.fresh_session() {
                    self.pool.checkin(s);
                }
            }
        }
    }
}

fn login(session: &Session, pin: &SecretString) -> Result<(), CkError> {
    match session.login(UserType::User, Some(pin)) {
        Err(e) if rv(&e) == Some(RvError::UserAlreadyLoggedIn) => Ok(()),
        other => other,
    }
}

fn session_lost(e: &CkError) -> bool {
    matches!(
        rv(e),
        Some(RvError::SessionHandleInvalid | RvError::SessionClosed | RvError::UserNotLoggedIn)
    )
}
