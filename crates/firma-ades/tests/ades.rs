//! Integration tests of firma-ades; outputs are checked by independent validators.

mod cades;
mod hsm;
mod memory;
mod pades;
