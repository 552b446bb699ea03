//! One code base for both backends: the same body, compiled once for SQLite and once for
//! PostgreSQL. Queries use `$N` placeholders, which both accept, and column types that decode
//! alike on both (`INTEGER` as `i32`, `BIGINT` as `i64`, `BLOB`/`BYTEA` as `Vec<u8>`, times as
//! `OffsetDateTime`).

/// Runs `$body` with `$pool` bound to the backend's pool. `?` and `return` inside `$body` leave
/// the body, not the calling function.
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        async {
            match $db {
                $crate::Database::Sqlite($pool, _) => $body,
                $crate::Database::Postgres($pool) => $body,
            }
        }
        .await
    };
}

/// Like `with_pool!`, for a body that writes outside a transaction (one statement): on SQLite it
/// takes its turn on the process's [`crate::WriteLock`] first.
macro_rules! with_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        async {
            match $db {
                $crate::Database::Sqlite($pool, writer) => {
                    let _turn = writer.acquire().await?;
                    $body
                }
                $crate::Database::Postgres($pool) => $body,
            }
        }
        .await
    };
}

/// Runs `$body` inside a write transaction, committed if `$body` returns `Ok`. On SQLite the
/// writer first takes its turn on the process's [`crate::WriteLock`] (held until after `COMMIT`
/// or `ROLLBACK`, so writers of this process queue instead of sleeping in SQLite's busy
/// handler), then starts the transaction `IMMEDIATE` (takes the write lock at once, so a writer
/// of another process waits on the busy timeout instead of failing to upgrade a read lock); on
/// PostgreSQL it is a plain READ COMMITTED transaction whose row updates are compare-and-swaps.
/// `?` and `return` inside `$body` leave the body; only an `Ok` that reaches its end commits,
/// anything else rolls back.
macro_rules! in_transaction {
    ($db:expr, |$tx:ident| $body:expr) => {
        async {
            match $db {
                $crate::Database::Sqlite(pool, writer) => {
                    let _turn = writer.acquire().await?;
                    let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                    let result = $body;
                    if result.is_ok() {
                        $tx.commit().await?;
                    } else if let Err(e) = $tx.rollback().await {
                        // Before the next writer's turn; the body's error is the one to report.
                        tracing::warn!(error = %e, "rolling back a SQLite transaction failed");
                    }
                    result
                }
                $crate::Database::Postgres(pool) => {
                    let mut $tx = pool.begin().await?;
                    let result = $body;
                    if result.is_ok() {
                        $tx.commit().await?;
                    }
                    result
                }
            }
        }
        .await
    };
}

/// Appends audit events in the open transaction `$tx`, extending the chain from its head row
/// (locked by the update, so appends are serialised across connections and instances).
macro_rules! append_events {
    ($tx:ident, $events:expr, $at:expr) => {{
        let events: &[firma_core::AuditEvent] = $events;
        if !events.is_empty() {
            let (seq, hash): (i64, Vec<u8>) =
                sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                    .fetch_one(&mut *$tx)
                    .await?;
            let mut prev = (seq, $crate::audit::hash_array(&hash)?);
            for event in events {
                let prev_ref = if prev.0 == 0 { None } else { Some((&prev.0, &prev.1)) };
                let record = firma_core::AuditRecord::next(prev_ref, $at, event);
                sqlx::query(
                    "INSERT INTO audit_log (seq, at, kind, actor, subject, details, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(record.seq)
                .bind(record.at)
                .bind(&record.kind)
                .bind(&record.actor)
                .bind(&record.subject)
                .bind($crate::audit::details_json(&record.details))
                .bind(record.prev_hash.to_vec())
                .bind(record.hash.to_vec())
                .execute(&mut *$tx)
                .await?;
                prev = (record.seq, record.hash);
            }
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(prev.0)
                .bind(prev.1.to_vec())
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

pub(crate) use {append_events, in_transaction, with_pool, with_writer};
