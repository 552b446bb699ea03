//! The audit log on the database: `AuditLog` for both backends.

use std::collections::BTreeMap;

use firma_core::{AuditEvent, AuditLog, AuditRecord, RepositoryError};
use sqlx::Row;
use time::OffsetDateTime;

use crate::Database;
use crate::dispatch::{append_events, in_transaction, with_pool};
use crate::error::StoreError;

pub(crate) fn hash_array(bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("an audit hash has {} bytes", bytes.len())))
}

pub(crate) fn details_json(details: &BTreeMap<String, String>) -> String {
    serde_json::to_string(details).unwrap_or_else(|_| "{}".to_owned())
}

impl Database {
    pub(crate) async fn append_audit(
        &self,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        in_transaction!(self, |tx| {
            append_events!(tx, events, at);
            Ok::<(), StoreError>(())
        })
    }

    pub(crate) async fn audit_records(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = "SELECT seq, at, kind, actor, subject, details, prev_hash, hash FROM audit_log \
                   WHERE seq > $1 ORDER BY seq LIMIT $2";
        with_pool!(self, |pool| {
            let rows = sqlx::query(sql)
                .bind(after_seq)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    let details: String = r.try_get("details")?;
                    Ok(AuditRecord {
                        seq: r.try_get("seq")?,
                        at: r.try_get("at")?,
                        kind: r.try_get("kind")?,
                        actor: r.try_get("actor")?,
                        subject: r.try_get("subject")?,
                        details: serde_json::from_str(&details).map_err(|e| {
                            StoreError::Corrupt(format!("audit details are not JSON: {e}"))
                        })?,
                        prev_hash: hash_array(&r.try_get::<Vec<u8>, _>("prev_hash")?)?,
                        hash: hash_array(&r.try_get::<Vec<u8>, _>("hash")?)?,
                    })
                })
                .collect()
        })
    }
}

impl AuditLog for Database {
    async fn append(
        &self,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        Ok(self.append_audit(events, at).await?)
    }

    async fn records(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepositoryError> {
        Ok(self.audit_records(after_seq, limit).await?)
    }
}
