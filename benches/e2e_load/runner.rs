//! Driving the service: closed loops of N clients (each starts its next round as soon as the
//! previous one finished, until the measuring time is up), and an open loop at a fixed arrival
//! rate for latency (each request's latency counted from its scheduled start, so that a slow
//! service cannot hide its queueing).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::client::{Api, Work};
use crate::service::Officer;

/// What one load point measured.
#[derive(Debug, Default)]
pub struct Measured {
    /// Documents (or hashes) signed in rounds that succeeded.
    pub items: u64,
    pub elapsed: Duration,
    /// Latency of each successful round.
    pub latencies: Vec<Duration>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64()
    }

    fn merge(&mut self, other: Self) {
        self.items += other.items;
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// `clients` concurrent clients (client `c` is `officers[c]`, with `work(c)`), each running rounds
/// until `duration` has passed; the time counted is until the last round finished.
pub async fn closed_loop(
    api: &Arc<Api>,
    bases: &Arc<Vec<String>>,
    officers: &Arc<Vec<Officer>>,
    clients: usize,
    duration: Duration,
    work: impl Fn(usize) -> Work<'static>,
) -> Measured {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for c in 0..clients {
        let (api, bases, officers) = (api.clone(), bases.clone(), officers.clone());
        let work = work(c);
        tasks.spawn(async move {
            // With two instances, a client submits to one and authorises on the other.
            let main = &bases[c % bases.len()];
            let other = &bases[(c + 1) % bases.len()];
            let mut m = Measured::default();
            let mut round = 0u64;
            // At least one round (a warm-up passes a zero duration).
            loop {
                let t = Instant::now();
                match api.round((main, other), &officers[c], work, round).await {
                    Ok(()) => {
                        m.items += work.items() as u64;
                        m.latencies.push(t.elapsed());
                    }
                    Err(e) => {
                        m.errors += 1;
                        m.first_error.get_or_insert_with(|| format!("{e:#}"));
                        // Do not spin on a failing service.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                round += 1;
                if started.elapsed() >= duration {
                    break;
                }
            }
            m
        });
    }
    let mut total = Measured::default();
    while let Some(r) = tasks.join_next().await {
        total.merge(r.expect("client task"));
    }
    total.elapsed = started.elapsed();
    total
}

/// Requests of `work(c)` arriving `rate` per second for `duration`, each on a free officer.
pub async fn open_loop(
    api: &Arc<Api>,
    base: &str,
    officers: &Arc<Vec<Officer>>,
    rate: f64,
    duration: Duration,
    work: impl Fn(usize) -> Work<'static>,
) -> Measured {
    let free = Arc::new(Mutex::new(
        (0..officers.len()).rev().collect::<Vec<usize>>(),
    ));
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let count = (duration.as_secs_f64() * rate) as u64;
    let mut tasks = JoinSet::new();
    for n in 0..count {
        let scheduled = started + interval.mul_f64(n as f64);
        // Spawned just in time: a task per arrival, not thousands waiting.
        tokio::time::sleep_until(scheduled.into()).await;
        let (api, officers, free) = (api.clone(), officers.clone(), free.clone());
        let base = base.to_owned();
        let works: Vec<Work<'static>> = (0..officers.len()).map(&work).collect();
        tasks.spawn(async move {
            let c = loop {
                if let Some(c) = free.lock().await.pop() {
                    break c;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            };
            let w = works[c];
            let result = api.round((&base, &base), &officers[c], w, n).await;
            free.lock().await.push(c);
            let mut m = Measured::default();
            match result {
                Ok(()) => {
                    m.items = w.items() as u64;
                    m.latencies.push(scheduled.elapsed());
                }
                Err(e) => {
                    m.errors = 1;
                    m.first_error = Some(format!("{e:#}"));
                }
            }
            m
        });
    }
    let mut total = Measured::default();
    while let Some(r) = tasks.join_next().await {
        total.merge(r.expect("request task"));
    }
    total.elapsed = started.elapsed();
    total
}
