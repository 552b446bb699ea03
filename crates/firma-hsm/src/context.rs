//! One `Pkcs11` context per module and process.
//!
//! PKCS#11 modules keep global state: `C_Initialize` may run once per process and `C_Finalize`
//! ends every session of every user of the module. So the adapter loads each module once, keeps
//! the context for the life of the process, and tolerates a module another library in the process
//! has already initialised (as cryptoki's own SoftHSM tests do).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use crate::error::HsmError;

struct Loaded {
    ctx: Pkcs11,
    /// One clone per live [`Module`]; a count of 1 means nobody else uses the module.
    users: Arc<()>,
}

static MODULES: OnceLock<Mutex<HashMap<PathBuf, Loaded>>> = OnceLock::new();

/// A user's hold on a loaded, initialised module.
pub(crate) struct Module {
    pub ctx: Pkcs11,
    users: Arc<()>,
}

impl Module {
    /// Loads and initialises `module` on first use, or shares the process' context.
    pub(crate) fn acquire(module: &Path) -> Result<Self, HsmError> {
        let mut modules = MODULES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(loaded) = modules.get(module) {
            return Ok(Self {
                ctx: loaded.ctx.clone(),
                users: loaded.users.clone(),
            });
        }
        if !module.exists() {
            return Err(HsmError::ModuleMissing {
                path: module.to_owned(),
            });
        }
        let ctx = Pkcs11::new(module).map_err(|e| HsmError::ModuleLoad {
            path: module.to_owned(),
            reason: e.to_string(),
        })?;
        initialize(&ctx).map_err(|e| HsmError::ModuleLoad {
            path: module.to_owned(),
            reason: format!("C_Initialize failed: {e}"),
        })?;
        let users = Arc::new(());
        modules.insert(
            module.to_owned(),
            Loaded {
                ctx: ctx.clone(),
                users: users.clone(),
            },
        );
        Ok(Self { ctx, users })
    }

    /// Makes the module look for tokens again. Modules such as SoftHSM read their token list
    /// only in `C_Initialize`, so a token created by another process afterwards stays invisible
    /// until the module is finalised and initialised again. That ends every session of the
    /// process, so it is done only when this is the module's sole user (the registry's clone
    /// and this one). Returns whether it rescanned.
    pub(crate) fn rescan_if_sole_user(&self) -> bool {
        if Arc::strong_count(&self.users) > 2 {
            return false;
        }
        // `finalize` consumes a handle; the library stays loaded through the other clones.
        if self.ctx.clone().finalize().is_err() {
            return false;
        }
        initialize(&self.ctx).is_ok()
    }
}

fn initialize(ctx: &Pkcs11) -> Result<(), CkError> {
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(e),
    }
}
