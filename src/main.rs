//! The `firma` binary. All behaviour lives in `firma-server`; this package only owns the binary,
//! the end-to-end tests (`tests/`) and the benchmarks (`benches/`).

fn main() -> std::process::ExitCode {
    firma_server::cli::main()
}
