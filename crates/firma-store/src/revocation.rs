//! The revocation register on the database: `RevocationStore` for both backends (tables of
//! migration 0006). Serial numbers are stored as lower-case hexadecimal of their magnitude.

use firma_core::{
    AuditEvent, CredentialId, CredentialStatus, RepositoryError, RevocationStore,
    ports::{
        CredentialStatusChange, CrlScope, IssuedCertificateRecord, RevocationRecord, SerialStatus,
        StoredCrl, StoredOcspResponder,
    },
};
use sqlx::Row;
use time::OffsetDateTime;

use crate::Database;
use crate::directory::{hex, unhex, uuid};
use crate::dispatch::{append_events, in_transaction, with_pool};
use crate::error::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// The register key of a serial: hexadecimal of the magnitude (leading zero octets dropped).
fn serial_key(serial: &[u8]) -> String {
    let start = serial.iter().position(|&b| b != 0).unwrap_or(serial.len());
    hex(&serial[start..])
}

const REVOCATION_COLUMNS: &str =
    "serial, credential, reason, revoked_at, invalidity_date, revoked_by";

fn revocation_from<R: Row>(r: &R) -> Result<RevocationRecord, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> OffsetDateTime: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<OffsetDateTime>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let serial: String = r.try_get("serial")?;
    let credential: Option<String> = r.try_get("credential")?;
    let reason: i32 = r.try_get("reason")?;
    Ok(RevocationRecord {
        serial: unhex(&serial)?,
        credential: credential
            .map(|c| uuid(&c, "revocation credential").map(CredentialId))
            .transpose()?,
        reason: u8::try_from(reason).map_err(|e| corrupt("revocation reason", e))?,
        revoked_at: r.try_get("revoked_at")?,
        invalidity_date: r.try_get("invalidity_date")?,
        revoked_by: r.try_get("revoked_by")?,
    })
}

fn crl_from<R: Row>(r: &R) -> Result<(i64, Option<StoredCrl>), StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<Vec<u8>>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<OffsetDateTime>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let number: i64 = r.try_get("crl_number")?;
    let der: Option<Vec<u8>> = r.try_get("der")?;
    let this_update: Option<OffsetDateTime> = r.try_get("this_update")?;
    let next_update: Option<OffsetDateTime> = r.try_get("next_update")?;
    let crl = match (der, this_update, next_update) {
        (Some(der), Some(this_update), Some(next_update)) => Some(StoredCrl {
            number,
            der,
            this_update,
            next_update,
            register_version: r.try_get("register_version")?,
        }),
        _ => None,
    };
    Ok((number, crl))
}

/// The first certificate of a stored chain (JSON list of hexadecimal DER).
fn leaf_of_chain(chain: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let chain: Vec<String> = serde_json::from_str(chain).map_err(|e| corrupt("chain", e))?;
    chain.first().map(|c| unhex(c)).transpose()
}

impl RevocationStore for Database {
    async fn register_issued(
        &self,
        certificates: &[IssuedCertificateRecord],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            for c in certificates {
                sqlx::query(
                    "INSERT INTO issued_certificates (serial, kind, credential, subject, \
                     not_after, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (serial) DO NOTHING",
                )
                .bind(serial_key(&c.serial))
                .bind(c.kind.code())
                .bind(c.credential.map(|id| id.0.to_string()))
                .bind(&c.subject)
                .bind(c.not_after)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        });
        Ok(result?)
    }

    async fn unregistered_credentials(
        &self,
        limit: u32,
    ) -> Result<Vec<(CredentialId, Vec<u8>)>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT c.id, c.certificate_chain FROM credentials c \
                 WHERE c.certificate_chain <> '[]' AND NOT EXISTS \
                 (SELECT 1 FROM issued_certificates i WHERE i.credential = c.id) \
                 ORDER BY c.created_at LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: String = r.try_get("id")?;
                let chain: String = r.try_get("certificate_chain")?;
                if let Some(leaf) = leaf_of_chain(&chain)? {
                    out.push((CredentialId(uuid(&id, "credential id")?), leaf));
                }
            }
            Ok(out)
        });
        Ok(result?)
    }

    async fn serial_status(&self, serial: &[u8]) -> Result<SerialStatus, RepositoryError> {
        let key = serial_key(serial);
        let sql = format!("SELECT {REVOCATION_COLUMNS} FROM revocations WHERE serial = $1");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            if let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&key)
                .fetch_optional(pool)
                .await?
            {
                return Ok(SerialStatus::Revoked(revocation_from(&r)?));
            }
            let issued = sqlx::query("SELECT serial FROM issued_certificates WHERE serial = $1")
                .bind(&key)
                .fetch_optional(pool)
                .await?;
            Ok(if issued.is_some() {
                SerialStatus::Good
            } else {
                SerialStatus::NotIssued
            })
        });
        Ok(result?)
    }

    async fn credential_revocation(
        &self,
        credential: CredentialId,
    ) -> Result<Option<RevocationRecord>, RepositoryError> {
        let sql = format!(
            "SELECT {REVOCATION_COLUMNS} FROM revocations WHERE credential = $1 \
             ORDER BY revoked_at DESC"
        );
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(credential.0.to_string())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => revocation_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn revocations(&self) -> Result<Vec<RevocationRecord>, RepositoryError> {
        let sql =
            format!("SELECT {REVOCATION_COLUMNS} FROM revocations ORDER BY LENGTH(serial), serial");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await?
                .iter()
                .map(revocation_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn register_version(&self) -> Result<i64, RepositoryError> {
        let result: Result<i64, StoreError> = with_pool!(self, |pool| {
            let (version,): (i64,) =
                sqlx::query_as("SELECT version FROM revocation_register WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
            Ok(version)
        });
        Ok(result?)
    }

    async fn change_credential_status(
        &self,
        change: &CredentialStatusChange,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let key_ref = change
            .key
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("key_ref", e))?;
        let serial = serial_key(&change.serial);
        let credential = change.credential.0.to_string();
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE credentials SET status = $1, key_ref = COALESCE($2, key_ref), \
                 updated_at = $3 WHERE id = $4 AND status = $5",
            )
            .bind(change.to.code())
            .bind(key_ref.as_deref())
            .bind(at)
            .bind(&credential)
            .bind(change.from.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            if change.to != CredentialStatus::Active {
                sqlx::query(
                    "UPDATE sads SET remaining = 0 WHERE credential = $1 AND remaining > 0",
                )
                .bind(&credential)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM revocations WHERE serial = $1")
                .bind(&serial)
                .execute(&mut *tx)
                .await?;
            if let Some(entry) = &change.entry {
                sqlx::query(
                    "INSERT INTO revocations (serial, credential, reason, revoked_at, \
                     invalidity_date, revoked_by) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&serial)
                .bind(entry.credential.map(|id| id.0.to_string()))
                .bind(i32::from(entry.reason))
                .bind(entry.revoked_at)
                .bind(entry.invalidity_date)
                .bind(&entry.revoked_by)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE revocation_register SET version = version + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            append_events!(tx, events, at);
            Ok(())
        });
        match result {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn crl(&self, scope: CrlScope) -> Result<(i64, Option<StoredCrl>), RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT crl_number, der, this_update, next_update, register_version \
                 FROM crls WHERE scope = $1",
            )
            .bind(scope.code())
            .fetch_optional(pool)
            .await?;
            match row {
                Some(r) => crl_from(&r),
                None => Ok((0, None)),
            }
        });
        Ok(result?)
    }

    async fn store_crl(
        &self,
        scope: CrlScope,
        crl: &StoredCrl,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE crls SET crl_number = $1, der = $2, this_update = $3, next_update = $4, \
                 register_version = $5 WHERE scope = $6 AND crl_number = $7",
            )
            .bind(crl.number)
            .bind(&crl.der)
            .bind(crl.this_update)
            .bind(crl.next_update)
            .bind(crl.register_version)
            .bind(scope.code())
            .bind(crl.number - 1)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            append_events!(tx, events, at);
            Ok(())
        });
        match result {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn ocsp_responder(&self) -> Result<Option<StoredOcspResponder>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let row = sqlx::query("SELECT key_label, certificate FROM ocsp_responder WHERE id = 1")
                .fetch_optional(pool)
                .await?;
            match row {
                None => Ok(None),
                Some(r) => Ok(Some(StoredOcspResponder {
                    key_label: r.try_get::<String, _>("key_label")?,
                    certificate: r.try_get::<Vec<u8>, _>("certificate")?,
                })),
            }
        });
        Ok(result?)
    }

    async fn insert_ocsp_responder(
        &self,
        responder: &StoredOcspResponder,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO ocsp_responder (id, key_label, certificate, created_at) \
                 VALUES (1, $1, $2, $3)",
            )
            .bind(&responder.key_label)
            .bind(&responder.certificate)
            .bind(at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                    return Err(StoreError::Duplicate(
                        "an OCSP responder already exists in this database".to_owned(),
                    ));
                }
                other => other?,
            };
            append_events!(tx, events, at);
            Ok(())
        });
        Ok(result?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use firma_core::ports::IssuedKind;
    use firma_core::{AuditKind, AuditLog};

    use super::*;
    use crate::DatabaseConfig;

    async fn sqlite() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::connect(&DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("firma.db").display()),
            max_connections: 2,
            connect_timeout: Duration::from_secs(2),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        (dir, db)
    }

    #[test]
    fn serial_keys_drop_sign_octets() {
        assert_eq!(serial_key(&[0, 0x80, 1]), "8001");
        assert_eq!(serial_key(&[0x7f]), "7f");
        assert_eq!(serial_key(&[0, 0]), "");
    }

    #[tokio::test]
    async fn issued_serials_and_crl_numbers() {
        let (_dir, db) = sqlite().await;
        let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        assert_eq!(
            db.serial_status(&[1, 2]).await.unwrap(),
            SerialStatus::NotIssued
        );
        let record = IssuedCertificateRecord {
            serial: vec![0, 1, 2],
            kind: IssuedKind::Tsa,
            credential: None,
            subject: "CN=TSA".into(),
            not_after: at + time::Duration::days(1),
        };
        // Registering twice keeps one row; the sign octet does not matter.
        db.register_issued(&[record.clone(), record], at)
            .await
            .unwrap();
        assert_eq!(db.serial_status(&[1, 2]).await.unwrap(), SerialStatus::Good);
        assert_eq!(db.revocations().await.unwrap(), vec![]);

        // CRL numbers: only last + 1 is stored, with its audit record.
        assert_eq!(db.crl(CrlScope::Issuing).await.unwrap(), (0, None));
        let crl = |number: i64| StoredCrl {
            number,
            der: vec![number as u8],
            this_update: at,
            next_update: at + time::Duration::days(1),
            register_version: 0,
        };
        let event = AuditEvent::new(AuditKind::CrlIssued, "system", "crl:issuing");
        let before = db.records(0, 100).await.unwrap().len();
        assert!(
            db.store_crl(CrlScope::Issuing, &crl(1), std::slice::from_ref(&event), at)
                .await
                .unwrap()
        );
        assert!(
            !db.store_crl(CrlScope::Issuing, &crl(1), std::slice::from_ref(&event), at)
                .await
                .unwrap()
        );
        assert!(
            !db.store_crl(CrlScope::Issuing, &crl(3), std::slice::from_ref(&event), at)
                .await
                .unwrap()
        );
        assert_eq!(db.records(0, 100).await.unwrap().len(), before + 1);
        assert_eq!(db.crl(CrlScope::Issuing).await.unwrap(), (1, Some(crl(1))));
        // The root's numbers are its own.
        assert_eq!(db.crl(CrlScope::Root).await.unwrap(), (0, None));
        db.close().await;
    }
}
