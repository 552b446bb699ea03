//! The credential's key in the HSM, activated once per call (a wrapped key is unwrapped into an
//! ephemeral session object) and released when the call ends, on blocking threads: PKCS#11 calls
//! block.

use std::sync::Arc;

use firma_core::{ActiveKey, Credential, KeyStore, SignatureAlgorithm};

use super::CscError;
use crate::state::AppState;

/// An activated key; dropping it releases the HSM object off the async runtime.
pub struct Activated(Option<Arc<dyn ActiveKey>>);

impl Activated {
    pub async fn new(state: &AppState, credential: &Credential) -> Result<Self, CscError> {
        let hsm = state.hsm.clone();
        let key_ref = credential.key.clone();
        let key = tokio::task::spawn_blocking(move || hsm.activate(&key_ref))
            .await
            .map_err(|e| CscError::internal(format!("HSM worker failed: {e}")))??;
        Ok(Self(Some(Arc::from(key))))
    }

    pub fn key(&self) -> Result<Arc<dyn ActiveKey>, CscError> {
        self.0
            .clone()
            .ok_or_else(|| CscError::internal("the key was already released"))
    }

    /// Signs one digest.
    pub async fn sign(
        &self,
        algorithm: SignatureAlgorithm,
        digest: [u8; 32],
    ) -> Result<Vec<u8>, CscError> {
        let key = self.key()?;
        Ok(
            tokio::task::spawn_blocking(move || key.sign_digest(algorithm, &digest))
                .await
                .map_err(|e| CscError::internal(format!("HSM worker failed: {e}")))??,
        )
    }
}

impl Drop for Activated {
    fn drop(&mut self) {
        if let Some(key) = self.0.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn_blocking(move || drop(key));
                }
                Err(_) => drop(key),
            }
        }
    }
}
