//! A TCP port chosen before the service starts, for tests that must know the service's address
//! in advance (the CA simulator writes its CRL and OCSP URLs into certificates issued before
//! `firma serve` runs).
//!
//! Ports are taken below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`), where
//! neither outgoing connections nor services bound to port 0 (every other test) land; each is
//! checked free when chosen, and never handed out twice by one process.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};

/// Lowest port tried.
const LOW: u16 = 20_000;

fn handed_out() -> &'static Mutex<HashSet<u16>> {
    static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    PORTS.get_or_init(|| Mutex::new(HashSet::new()))
}

/// The first port of the ephemeral range (32768 when it cannot be read).
fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// A free port on 127.0.0.1 outside the ephemeral range, not handed out before by this
/// process; the search starts at a random place, so that concurrent test processes rarely try
/// the same ports.
pub fn reserve_port() -> u16 {
    let high = ephemeral_start().max(LOW + 1_000);
    let span = u32::from(high - LOW);
    let seed = std::process::id() ^ getrandom::u32().unwrap_or(0);
    let mut ports = handed_out().lock().unwrap_or_else(|e| e.into_inner());
    for i in 0..span {
        let port =
            LOW + u16::try_from((seed.wrapping_add(i.wrapping_mul(7919))) % span).unwrap_or(0);
        if ports.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            ports.insert(port);
            return port;
        }
    }
    panic!("no free TCP port between {LOW} and {high} on 127.0.0.1");
}
