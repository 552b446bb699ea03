//! SMS gateways: only the simulator for now (production needs the operator's gateway adapter).

mod simulator;

pub use simulator::{OutboxMessage, SimulatedGateway, read_outbox};
