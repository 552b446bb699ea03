//! The in-process queue of SQLite writers.
//!
//! SQLite admits one writer at a time: "writers and readers can run at the same time. However,
//! since there is only one WAL file, there can only be one writer at a time."
//! (<https://www.sqlite.org/wal.html>, "Concurrency").
//! Write transactions start `BEGIN IMMEDIATE`: "IMMEDIATE causes the database connection to start
//! a new write immediately, without waiting for a write statement. The BEGIN IMMEDIATE might fail
//! with SQLITE_BUSY if another write transaction is already active on another database
//! connection." (<https://www.sqlite.org/lang_transaction.html>). On SQLITE_BUSY the busy handler
//! sleeps (1, 2, 5, 10, ... up to 100 ms) and retries, so writers of one process that collide
//! sleep even after the lock is free: under load most of the service's time went there (docs/
//! PERFORMANCE.md, issue 7). Writers of this process therefore queue on an async mutex, held from
//! before `BEGIN IMMEDIATE` until after `COMMIT` or `ROLLBACK`, and start the moment the previous
//! one ends; readers do not take it (WAL: they read their snapshot while a write is under way).
//! The busy timeout stays, for writers of other processes on the same file (the CLI beside
//! `firma serve`). PostgreSQL does not use this: its writers lock rows, not the database.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, MutexGuard};

use crate::error::StoreError;

/// How long a writer waits for its turn (in this process, or on another process's lock through
/// SQLite's busy handler) before the store reports the database unavailable.
pub(crate) const WRITE_WAIT: Duration = Duration::from_secs(5);

/// The lock every SQLite write takes, shared by the clones of one [`crate::Database`].
#[derive(Debug, Clone, Default)]
pub struct WriteLock(Arc<Mutex<()>>);

impl WriteLock {
    /// Waits for the turn to write (first come, first served: tokio's mutex is fair), at most
    /// [`WRITE_WAIT`].
    pub(crate) async fn acquire(&self) -> Result<MutexGuard<'_, ()>, StoreError> {
        tokio::time::timeout(WRITE_WAIT, self.0.lock())
            .await
            .map_err(|_| StoreError::Timeout(WRITE_WAIT))
    }
}

#[cfg(test)]
mod tests {
    use firma_core::{AuditEvent, AuditKind};
    use time::OffsetDateTime;

    use super::*;
    use crate::{Database, DatabaseConfig};

    async fn sqlite(max_connections: u32) -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::connect(&DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("firma.db").display()),
            max_connections,
            connect_timeout: Duration::from_secs(2),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        (dir, db)
    }

    fn event(n: usize) -> AuditEvent {
        AuditEvent::new(AuditKind::CrlIssued, "test", format!("crl:{n}"))
    }

    #[tokio::test]
    async fn writes_wait_for_their_turn_and_reads_do_not() {
        let (_dir, db) = sqlite(4).await;
        let at = OffsetDateTime::UNIX_EPOCH;
        let Database::Sqlite(_, lock) = &db else {
            panic!("sqlite expected")
        };
        let turn = lock.acquire().await.unwrap();
        let writer = tokio::spawn({
            let db = db.clone();
            async move { db.append_audit(&[event(1)], at).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!writer.is_finished(), "a write did not wait for its turn");
        // Reads go on meanwhile (WAL), on another connection.
        assert!(db.audit_records(0, 10).await.unwrap().is_empty());
        drop(turn);
        writer.await.unwrap().unwrap();
        assert_eq!(db.audit_records(0, 10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn concurrent_writers_all_commit_one_chain() {
        let (_dir, db) = sqlite(4).await;
        let at = OffsetDateTime::UNIX_EPOCH;
        let writers: Vec<_> = (0..32)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { db.append_audit(&[event(n)], at).await })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
        let records = db.audit_records(0, 100).await.unwrap();
        let seqs: Vec<i64> = records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1..=32).collect::<Vec<i64>>());
        for pair in records.windows(2) {
            assert_eq!(
                pair[1].prev_hash, pair[0].hash,
                "chain broken at {}",
                pair[1].seq
            );
        }
    }

    #[tokio::test]
    async fn clones_share_one_lock() {
        let lock = WriteLock::default();
        let clone = lock.clone();
        let held = lock.acquire().await.unwrap();
        let waiting = tokio::time::timeout(Duration::from_millis(50), clone.acquire()).await;
        assert!(waiting.is_err(), "a clone wrote while the lock was held");
        drop(held);
        let _turn = clone.acquire().await.unwrap();
    }
}
