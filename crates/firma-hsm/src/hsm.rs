//! The adapter: a logged-in token implementing the `KeyStore` port.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, SessionState};
use cryptoki::slot::Slot;
use firma_core::{
    ActiveKey, GeneratedKey, KeyId, KeyPurpose, KeyRef, KeySpec, KeyStore, KeyStoreError,
    SignatureAlgorithm,
};
use secrecy::ExposeSecret;

use crate::config::HsmConfig;
use crate::context::Module;
use crate::error::{HsmError, OpError, rv};
use crate::mechanism::{encode_signature, sign_input};
use crate::pool::SessionPool;
use crate::public_key::read_spki;
use crate::templates::{self, Storage};

/// Label given to officer key objects (they are session objects, found by handle, not by label).
const OFFICER_LABEL: &str = "firma-officer";

/// A PKCS#11 token, logged in, with a pool of sessions. Cheap to clone.
#[derive(Clone)]
pub struct Hsm {
    inner: Arc<Inner>,
}

struct Inner {
    pool: SessionPool,
    /// Holds the module for as long as this token is in use.
    _module: Module,
    module: PathBuf,
    sessions: usize,
    kek_label: String,
    wrap_with_trusted: bool,
    /// Handles of the token's secret keys (KEK, sealing, MAC) by label.
    secret_keys: Mutex<HashMap<String, ObjectHandle>>,
    /// Key types for which the token refused to wrap, kept as token objects instead.
    no_wrap: [AtomicBool; 3],
}

/// What `Hsm::token_info` reports.
#[derive(Debug, Clone)]
pub struct TokenSummary {
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub module: PathBuf,
    pub sessions: usize,
}

/// Result of a health check: a pooled session is logged in (logging in again if the login was
/// lost) and can see the key-encryption key.
#[derive(Debug, Clone)]
pub struct HsmHealth {
    pub token_label: String,
    pub kek_present: bool,
    pub latency: std::time::Duration,
}

impl Hsm {
    /// Loads the module, finds the token, logs in once, opens the session pool and makes sure the
    /// key-encryption key exists (creating it on first use).
    pub fn connect(config: &HsmConfig) -> Result<Self, HsmError> {
        if config.user_pin.expose_secret().is_empty() {
            return Err(HsmError::PinMissing {
                label: config.token_label.clone(),
            });
        }
        let module = Module::acquire(&config.module)?;
        let deadline = Instant::now() + config.token_wait;
        let pool = loop {
            let slot = find_token(&module, config)?;
            match SessionPool::open(
                module.ctx.clone(),
                slot,
                config.user_pin.clone(),
                config.token_label.clone(),
                config.sessions,
                config.checkout_timeout,
            ) {
                // Another process is initialising the token right now: label set, PIN not yet.
                Err(HsmError::TokenNotReady { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    module.rescan_if_sole_user();
                }
                other => break other?,
            }
        };
        let hsm = Self {
            inner: Arc::new(Inner {
                pool,
                _module: module,
                module: config.module.clone(),
                sessions: config.sessions.max(1),
                kek_label: config.kek_label.clone(),
                wrap_with_trusted: config.wrap_with_trusted,
                secret_keys: Mutex::new(HashMap::new()),
                no_wrap: Default::default(),
            }),
        };
        hsm.ensure_kek(&config.kek_label)?;
        hsm.ensure_secret_key(crate::cipher::SEAL_KEY_LABEL, SecretKeyKind::Seal)?;
        hsm.ensure_secret_key(crate::cipher::MAC_KEY_LABEL, SecretKeyKind::Mac)?;
        tracing::info!(
            token = %config.token_label,
            module = %config.module.display(),
            sessions = config.sessions,
            "HSM connected"
        );
        Ok(hsm)
    }

    /// Label, maker and serial number of the token.
    pub fn token_info(&self) -> Result<TokenSummary, KeyStoreError> {
        let pool = &self.inner.pool;
        let info = pool
            .context()
            .get_token_info(pool.slot())
            .map_err(|e| crate::error::to_key_store("reading token info", e))?;
        Ok(TokenSummary {
            label: info.label().trim().to_owned(),
            manufacturer: info.manufacturer_id().trim().to_owned(),
            model: info.model().trim().to_owned(),
            serial: info.serial_number().trim().to_owned(),
            module: self.inner.module.clone(),
            sessions: self.inner.sessions,
        })
    }

    /// Checks that a pooled session is logged in and whether the key-encryption key is on the token.
    pub fn health(&self) -> Result<HsmHealth, KeyStoreError> {
        let started = Instant::now();
        let kek_present = self.inner.pool.run("health check", |s| {
            require_login(s)?;
            Ok(!s
                .find_objects(&secret_key_query(&self.inner.kek_label))?
                .is_empty())
        })?;
        Ok(HsmHealth {
            token_label: self.inner.pool.label().to_owned(),
            kek_present,
            latency: started.elapsed(),
        })
    }

    /// Runs `f` on a blocking thread, off the async runtime (PKCS#11 calls block).
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, KeyStoreError>
    where
        F: FnOnce(&Hsm) -> Result<T, KeyStoreError> + Send + 'static,
        T: Send + 'static,
    {
        let hsm = self.clone();
        tokio::task::spawn_blocking(move || f(&hsm))
            .await
            .map_err(|e| KeyStoreError::Backend(format!("HSM worker failed: {e}")))?
    }

    /// Finds the key-encryption key labelled `label`, creating it if the token has none.
    pub fn ensure_kek(&self, label: &str) -> Result<(), KeyStoreError> {
        self.ensure_secret_key(label, SecretKeyKind::Kek)
    }

    /// Finds the secret key labelled `label`, creating one of `kind` if the token has none.
    pub(crate) fn ensure_secret_key(
        &self,
        label: &str,
        kind: SecretKeyKind,
    ) -> Result<(), KeyStoreError> {
        if self.secret_key(label).is_ok() {
            return Ok(());
        }
        self.inner.pool.run("creating a secret key", |s| {
            let id = s.generate_random_vec(16)?;
            let (mechanism, template) = match kind {
                SecretKeyKind::Kek => (Mechanism::AesKeyGen, templates::kek(&id, label)),
                SecretKeyKind::Seal => (Mechanism::AesKeyGen, templates::seal_key(&id, label)),
                SecretKeyKind::Mac => (
                    Mechanism::GenericSecretKeyGen,
                    templates::mac_key(&id, label),
                ),
            };
            s.generate_key(&mechanism, &template)?;
            Ok(())
        })?;
        tracing::info!(label, ?kind, "created a secret key on the token");
        self.secret_key(label).map(|_| ())
    }

    /// The handle of the token's secret key labelled `label` (cached: token object handles are
    /// stable for the life of the process).
    pub(crate) fn secret_key(&self, label: &str) -> Result<ObjectHandle, KeyStoreError> {
        if let Some(h) = self
            .inner
            .secret_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(label)
        {
            return Ok(*h);
        }
        let found = self.inner.pool.run("finding a secret key", |s| {
            let found = s.find_objects(&secret_key_query(label))?;
            if found.is_empty() {
                require_login(s)?;
            }
            Ok(found)
        })?;
        let handle = *found.first().ok_or_else(|| {
            KeyStoreError::KeyNotFound(format!(
                "no secret key labelled {label:?} on token {:?}",
                self.inner.pool.label()
            ))
        })?;
        if found.len() > 1 {
            tracing::warn!(
                label,
                count = found.len(),
                "several secret keys share a label; using the first"
            );
        }
        self.inner
            .secret_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(label.to_owned(), handle);
        Ok(handle)
    }

    pub(crate) fn pool(&self) -> &SessionPool {
        &self.inner.pool
    }

    fn generate_token_key(
        &self,
        spec: KeySpec,
        label: &str,
    ) -> Result<GeneratedKey, KeyStoreError> {
        self.inner.pool.run("generating a token key", |s| {
            let id = s.generate_random_vec(16)?;
            let (public, private) = templates::key_pair(spec, &id, label, Storage::Token);
            let (pub_h, _) =
                s.generate_key_pair(&templates::key_pair_mechanism(spec), &public, &private)?;
            let public_key =
                read_spki(s, pub_h, spec).map_err(|e| KeyStoreError::Backend(e.to_string()))?;
            Ok(GeneratedKey {
                key: KeyRef::Token {
                    spec,
                    id: KeyId(id),
                },
                public_key,
            })
        })
    }

    fn generate_wrapped_key(&self, spec: KeySpec) -> Result<Option<GeneratedKey>, KeyStoreError> {
        let kek = self.secret_key(&self.inner.kek_label)?;
        let wrap_with_trusted = self.inner.wrap_with_trusted;
        self.inner.pool.run("generating an officer key", |s| {
            let id = s.generate_random_vec(16)?;
            let (public, private) = templates::key_pair(
                spec,
                &id,
                OFFICER_LABEL,
                Storage::Wrappable { wrap_with_trusted },
            );
            let (pub_h, priv_h) =
                s.generate_key_pair(&templates::key_pair_mechanism(spec), &public, &private)?;
            let public_key = read_spki(s, pub_h, spec);
            let blob = s.wrap_key(&Mechanism::AesKeyWrapPad, kek, priv_h);
            // The clear, extractable private key must not outlive this call.
            destroy_quietly(s, priv_h);
            destroy_quietly(s, pub_h);
            let public_key = public_key.map_err(|e| KeyStoreError::Backend(e.to_string()))?;
            match blob {
                Ok(blob) => Ok(Some(GeneratedKey {
                    key: KeyRef::Wrapped {
                        spec,
                        kek_label: self.inner.kek_label.clone(),
                        blob,
                    },
                    public_key,
                })),
                Err(e) if !wrap_with_trusted && wrap_unsupported(&e) => {
                    tracing::warn!(
                        %spec, error = ?rv(&e),
                        "the HSM cannot wrap this key type; officer keys of this type stay on the token"
                    );
                    Ok(None)
                }
                Err(e) => Err(OpError::Ck(e)),
            }
        })
    }

    fn find_private(&self, s: &Session, id: &KeyId) -> Result<ObjectHandle, OpError> {
        let found = s.find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(id.0.clone()),
        ])?;
        match found.first() {
            Some(h) => Ok(*h),
            None => {
                // Private objects are invisible to a session that lost its login.
                require_login(s)?;
                Err(OpError::Ks(KeyStoreError::KeyNotFound(format!(
                    "no private key with id {id:?} on token {:?}",
                    self.inner.pool.label()
                ))))
            }
        }
    }
}

impl KeyStore for Hsm {
    fn generate(&self, spec: KeySpec, purpose: KeyPurpose) -> Result<GeneratedKey, KeyStoreError> {
        match purpose {
            KeyPurpose::Service { label } => {
                if self.find_service_key(&label)?.is_some() {
                    return Err(KeyStoreError::InvalidInput(format!(
                        "a service key labelled {label:?} already exists on the token"
                    )));
                }
                self.generate_token_key(spec, &label)
            }
            KeyPurpose::Officer => {
                let no_wrap = &self.inner.no_wrap[spec_index(spec)];
                if !no_wrap.load(Ordering::Relaxed) {
                    if let Some(key) = self.generate_wrapped_key(spec)? {
                        return Ok(key);
                    }
                    no_wrap.store(true, Ordering::Relaxed);
                }
                self.generate_token_key(spec, OFFICER_LABEL)
            }
        }
    }

    fn find_service_key(&self, label: &str) -> Result<Option<GeneratedKey>, KeyStoreError> {
        self.inner.pool.run("finding a service key", |s| {
            let found = s.find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Token(true),
                Attribute::Label(label.as_bytes().to_vec()),
            ])?;
            let Some(&private) = found.first() else {
                require_login(s)?;
                return Ok(None);
            };
            let attrs = s.get_attributes(private, &[AttributeType::Id, AttributeType::KeyType])?;
            let mut id = None;
            let mut key_type = None;
            for a in attrs {
                match a {
                    Attribute::Id(v) => id = Some(v),
                    Attribute::KeyType(t) => key_type = Some(t),
                    _ => {}
                }
            }
            let id = id.ok_or_else(|| {
                KeyStoreError::Backend(format!("service key {label:?} has no CKA_ID"))
            })?;
            let public = s
                .find_objects(&[
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::Id(id.clone()),
                ])?
                .first()
                .copied()
                .ok_or_else(|| {
                    KeyStoreError::Backend(format!(
                        "service key {label:?} has no public key object"
                    ))
                })?;
            let spec = match key_type {
                Some(KeyType::EC) => KeySpec::EcP256,
                Some(KeyType::RSA) => {
                    let bits = s
                        .get_attributes(public, &[AttributeType::ModulusBits])?
                        .into_iter()
                        .find_map(|a| match a {
                            Attribute::ModulusBits(b) => Some(u64::from(b)),
                            _ => None,
                        });
                    match bits {
                        Some(3072) => KeySpec::Rsa3072,
                        Some(2048) => KeySpec::Rsa2048,
                        other => {
                            return Err(OpError::Ks(KeyStoreError::Unsupported(format!(
                                "service key {label:?} is RSA with {other:?} bits"
                            ))));
                        }
                    }
                }
                other => {
                    return Err(OpError::Ks(KeyStoreError::Unsupported(format!(
                        "service key {label:?} has key type {other:?}"
                    ))));
                }
            };
            let public_key =
                read_spki(s, public, spec).map_err(|e| KeyStoreError::Backend(e.to_string()))?;
            Ok(Some(GeneratedKey {
                key: KeyRef::Token {
                    spec,
                    id: KeyId(id),
                },
                public_key,
            }))
        })
    }

    fn activate(&self, key: &KeyRef) -> Result<Box<dyn ActiveKey>, KeyStoreError> {
        match key {
            KeyRef::Token { spec, id } => {
                let handle = self
                    .inner
                    .pool
                    .run("finding the key", |s| self.find_private(s, id))?;
                Ok(Box::new(HsmActiveKey {
                    inner: self.inner.clone(),
                    handle,
                    spec: *spec,
                    ephemeral: false,
                }))
            }
            KeyRef::Wrapped {
                spec,
                kek_label,
                blob,
            } => {
                let kek = self.secret_key(kek_label)?;
                let template = templates::unwrapped_private_key(*spec);
                let handle = self
                    .inner
                    .pool
                    .run("unwrapping the key", |s| {
                        Ok(s.unwrap_key(&Mechanism::AesKeyWrapPad, kek, blob, &template)?)
                    })
                    .map_err(|e| match e {
                        // SoftHSM reports a failed RFC 5649 integrity check as CKR_GENERAL_ERROR.
                        KeyStoreError::Backend(detail) | KeyStoreError::KeyNotFound(detail) => {
                            KeyStoreError::KeyNotFound(format!(
                                "the wrapped key does not open under the key-encryption key \
                                 {kek_label:?}: the blob is damaged or belongs to another token ({detail})"
                            ))
                        }
                        other => other,
                    })?;
                Ok(Box::new(HsmActiveKey {
                    inner: self.inner.clone(),
                    handle,
                    spec: *spec,
                    ephemeral: true,
                }))
            }
        }
    }

    fn destroy(&self, key: &KeyRef) -> Result<(), KeyStoreError> {
        match key {
            KeyRef::Token { id, .. } => self.inner.pool.run("destroying the key", |s| {
                let objects = s.find_objects(&[Attribute::Id(id.0.clone())])?;
                if objects.is_empty() {
                    require_login(s)?;
                    return Err(OpError::Ks(KeyStoreError::KeyNotFound(format!(
                        "no key with id {id:?} to destroy"
                    ))));
                }
                for o in objects {
                    s.destroy_object(o)?;
                }
                Ok(())
            }),
            KeyRef::Wrapped { kek_label, .. } => self.secret_key(kek_label).map(|_| ()),
        }
    }
}

/// A key ready to sign: a token object, or an unwrapped session object destroyed on drop.
struct HsmActiveKey {
    inner: Arc<Inner>,
    handle: ObjectHandle,
    spec: KeySpec,
    ephemeral: bool,
}

impl ActiveKey for HsmActiveKey {
    fn spec(&self) -> KeySpec {
        self.spec
    }

    fn sign_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, KeyStoreError> {
        let input = sign_input(self.spec, algorithm, digest)?;
        let raw = self.inner.pool.run("signing", |s| {
            Ok(s.sign(&input.mechanism, self.handle, &input.data)?)
        })?;
        encode_signature(algorithm, raw)
    }
}

impl Drop for HsmActiveKey {
    fn drop(&mut self) {
        if self.ephemeral {
            let handle = self.handle;
            if let Err(e) = self.inner.pool.run("destroying the unwrapped key", |s| {
                Ok(s.destroy_object(handle)?)
            }) {
                tracing::warn!(error = %e, "could not destroy an unwrapped officer key; it ends with its session");
            }
        }
    }
}

/// Fails with `CKR_USER_NOT_LOGGED_IN` when the session has lost the user's login, so that the
/// pool logs in again and repeats the operation.
fn require_login(s: &Session) -> Result<(), OpError> {
    if s.get_session_info()?.session_state() == SessionState::RwUser {
        Ok(())
    } else {
        Err(OpError::Ck(cryptoki::error::Error::Pkcs11(
            RvError::UserNotLoggedIn,
            cryptoki::context::Function::FindObjects,
        )))
    }
}

/// The kinds of secret keys the adapter keeps on the token.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SecretKeyKind {
    /// AES-256, wraps and unwraps officer keys.
    Kek,
    /// AES-256, encrypts and decrypts small secrets (OTP seeds).
    Seal,
    /// Generic secret, HMAC-SHA-256.
    Mac,
}

fn secret_key_query(label: &str) -> [Attribute; 3] {
    [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::Token(true),
        Attribute::Label(label.as_bytes().to_vec()),
    ]
}

fn spec_index(spec: KeySpec) -> usize {
    match spec {
        KeySpec::EcP256 => 0,
        KeySpec::Rsa2048 => 1,
        KeySpec::Rsa3072 => 2,
    }
}

fn destroy_quietly(s: &Session, handle: ObjectHandle) {
    if let Err(e) = s.destroy_object(handle) {
        tracing::warn!(error = ?rv(&e), "could not destroy a temporary key object");
    }
}

fn wrap_unsupported(e: &cryptoki::error::Error) -> bool {
    matches!(
        rv(e),
        Some(
            RvError::MechanismInvalid
                | RvError::KeyNotWrappable
                | RvError::KeyUnextractable
                | RvError::WrappingKeyTypeInconsistent
                | RvError::FunctionNotSupported
        )
    )
}

/// Finds the slot holding the token labelled as configured. A token being created by another
/// process at this moment may not be visible yet: keep looking for `config.token_wait`.
fn find_token(module: &Module, config: &HsmConfig) -> Result<Slot, HsmError> {
    let ctx = &module.ctx;
    let deadline = Instant::now() + config.token_wait;
    let mut first = true;
    loop {
        if !std::mem::take(&mut first) {
            module.rescan_if_sole_user();
        }
        let slots = ctx
            .get_slots_with_initialized_token()
            .map_err(HsmError::pkcs11("listing slots"))?;
        let mut seen = Vec::new();
        for slot in slots {
            if let Ok(info) = ctx.get_token_info(slot) {
                let label = info.label().trim().to_owned();
                if label == config.token_label {
                    return Ok(slot);
                }
                seen.push(label);
            }
        }
        if Instant::now() >= deadline {
            let is_softhsm = config
                .module
                .to_string_lossy()
                .to_ascii_lowercase()
                .contains("softhsm");
            let hint = if is_softhsm {
                let conf = std::env::var("SOFTHSM2_CONF")
                    .unwrap_or_else(|_| "unset, so /etc/softhsm/softhsm2.conf".to_owned());
                format!(
                    " (for the embedded default run hsm-sim/setup; SoftHSM reads its token directory from \
                     the file named by SOFTHSM2_CONF, now {conf})"
                )
            } else {
                String::new()
            };
            return Err(HsmError::TokenNotFound {
                label: config.token_label.clone(),
                module: config.module.clone(),
                seen: if seen.is_empty() {
                    "none".to_owned()
                } else {
                    seen.join(", ")
                },
                hint,
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
