//! Advanced electronic signature formats: CAdES (ETSI EN 319 122-1) over CMS (RFC 5652),
//! PAdES (ETSI EN 319 142-1) as incremental PDF updates, and RFC 3161 time-stamps.
//!
//! Synchronous and free of I/O: signatures are made through [`firma_core::ActiveKey`], time-stamps
//! are fetched through a transport the caller provides.

pub mod cades;
pub mod cms;
pub mod ltv;
pub mod pades;
pub mod pdf;
pub mod tsp;
