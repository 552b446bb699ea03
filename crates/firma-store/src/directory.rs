//! Principals, officers and credentials on the database: `DirectoryStore` for both backends.

use std::collections::BTreeSet;

use firma_core::otp::OtpDevice;
use firma_core::{
    AuditEvent, CodiceFiscale, CodiceIstat, CodiceProvincia, Credential, CredentialId,
    CredentialStatus, DirectoryStore, Email, KeyRef, Principal, PrincipalId, Profilo, PublicKeyDer,
    RepositoryError, Role, SignatureAlgorithm, Ufficiale, UfficialeId,
};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Database;
use crate::dispatch::{append_events, in_transaction, with_pool};
use crate::error::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn uuid(s: &str, what: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| corrupt(what, e))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Result<Vec<u8>, StoreError> {
    if !s.len().is_multiple_of(2) {
        return Err(corrupt("hex", "odd length"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| corrupt("hex", e)))
        .collect()
}

pub(crate) fn profili_json(profili: &BTreeSet<Profilo>) -> String {
    serde_json::to_string(&profili.iter().map(|p| p.code()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_owned())
}

fn profili_from(json: &str) -> Result<BTreeSet<Profilo>, StoreError> {
    let codes: Vec<String> = serde_json::from_str(json).map_err(|e| corrupt("profili", e))?;
    codes
        .iter()
        .map(|c| Profilo::from_code(c).ok_or_else(|| corrupt("profilo", c)))
        .collect()
}

pub(crate) const UFFICIALE_COLUMNS: &str =
    "id, codice_fiscale, nome, cognome, email, comune, profili, otp_device";

pub(crate) fn ufficiale_from<R: Row>(r: &R) -> Result<(Ufficiale, Option<OtpDevice>), StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id")?;
    let cf: String = r.try_get("codice_fiscale")?;
    let email: String = r.try_get("email")?;
    let comune: String = r.try_get("comune")?;
    let profili: String = r.try_get("profili")?;
    let device: Option<String> = r.try_get("otp_device")?;
    Ok((
        Ufficiale {
            id: UfficialeId(uuid(&id, "ufficiale id")?),
            codice_fiscale: CodiceFiscale::parse(&cf).map_err(|e| corrupt("codice fiscale", e))?,
            nome: r.try_get("nome")?,
            cognome: r.try_get("cognome")?,
            email: Email::parse(&email).map_err(|e| corrupt("email", e))?,
            comune: CodiceIstat::parse(&comune).map_err(|e| corrupt("comune", e))?,
            profili: profili_from(&profili)?,
        },
        device.as_deref().and_then(OtpDevice::from_subject),
    ))
}

const CREDENTIAL_COLUMNS: &str =
    "id, ufficiale, key_ref, public_key, algorithm, status, certificate_chain, created_at";

fn credential_from<R: Row>(r: &R) -> Result<Credential, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> OffsetDateTime: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id")?;
    let owner: String = r.try_get("ufficiale")?;
    let key_ref: String = r.try_get("key_ref")?;
    let algorithm: String = r.try_get("algorithm")?;
    let status: String = r.try_get("status")?;
    let chain: String = r.try_get("certificate_chain")?;
    let chain: Vec<String> = serde_json::from_str(&chain).map_err(|e| corrupt("chain", e))?;
    Ok(Credential {
        id: CredentialId(uuid(&id, "credential id")?),
        owner: UfficialeId(uuid(&owner, "credential owner")?),
        key: serde_json::from_str::<KeyRef>(&key_ref).map_err(|e| corrupt("key_ref", e))?,
        public_key: PublicKeyDer(r.try_get("public_key")?),
        algorithm: serde_json::from_str::<SignatureAlgorithm>(&algorithm)
            .map_err(|e| corrupt("algorithm", e))?,
        status: CredentialStatus::from_code(&status).ok_or_else(|| corrupt("status", &status))?,
        certificate_chain: chain.iter().map(|c| unhex(c)).collect::<Result<_, _>>()?,
        created_at: r.try_get("created_at")?,
    })
}

/// The stored text of a credential's key reference, algorithm and certificate chain.
pub(crate) fn credential_columns(c: &Credential) -> Result<(String, String, String), StoreError> {
    let key_ref = serde_json::to_string(&c.key).map_err(|e| corrupt("key_ref", e))?;
    let algorithm = serde_json::to_string(&c.algorithm).map_err(|e| corrupt("algorithm", e))?;
    let chain = serde_json::to_string(
        &c.certificate_chain
            .iter()
            .map(|d| hex(d))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| corrupt("chain", e))?;
    Ok((key_ref, algorithm, chain))
}

pub(crate) fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

const PRINCIPAL_COLUMNS: &str = "id, name, role, comune, provincia, ufficiale";

fn principal_from<R: Row>(r: &R) -> Result<Principal, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id")?;
    let role: String = r.try_get("role")?;
    let comune: Option<String> = r.try_get("comune")?;
    let provincia: Option<String> = r.try_get("provincia")?;
    let ufficiale: Option<String> = r.try_get("ufficiale")?;
    Ok(Principal {
        id: PrincipalId(uuid(&id, "principal id")?),
        name: r.try_get("name")?,
        role: Role::from_code(&role).ok_or_else(|| corrupt("role", &role))?,
        comune: comune
            .map(|c| CodiceIstat::parse(&c).map_err(|e| corrupt("comune", e)))
            .transpose()?,
        provincia: provincia
            .map(|c| CodiceProvincia::parse(&c).map_err(|e| corrupt("provincia", e)))
            .transpose()?,
        ufficiale: ufficiale
            .map(|u| uuid(&u, "principal ufficiale").map(UfficialeId))
            .transpose()?,
    })
}

impl Database {
    /// The unrevoked principal whose `column` (a unique hash column) equals `hash`.
    async fn principal_where(
        &self,
        column: &'static str,
        hash: &[u8; 32],
    ) -> Result<Option<Principal>, StoreError> {
        let sql = format!(
            "SELECT {PRINCIPAL_COLUMNS} FROM principals WHERE {column} = $1 AND revoked_at IS NULL"
        );
        with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(hash.to_vec())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => principal_from(&r).map(Some),
                None => Ok(None),
            }
        })
    }
}

impl DirectoryStore for Database {
    async fn insert_principal(
        &self,
        p: &Principal,
        token_hash: &[u8; 32],
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.insert_principal_with_certificate(p, token_hash, None, event, at)
            .await
    }

    async fn insert_principal_with_certificate(
        &self,
        p: &Principal,
        token_hash: &[u8; 32],
        certificate_sha256: Option<&[u8; 32]>,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO principals (id, name, role, comune, provincia, ufficiale, token_hash, \
                 certificate_sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(p.id.0.to_string())
            .bind(&p.name)
            .bind(p.role.code())
            .bind(p.comune.as_ref().map(|c| c.as_str().to_owned()))
            .bind(p.provincia.as_ref().map(|c| c.as_str().to_owned()))
            .bind(p.ufficiale.map(|u| u.0.to_string()))
            .bind(token_hash.to_vec())
            .bind(certificate_sha256.map(|h| h.to_vec()))
            .bind(at)
            .execute(&mut *tx)
            .await;
            match (inserted, certificate_sha256) {
                (Err(e), Some(certificate)) if unique_violation(&e) => {
                    return Err(StoreError::Duplicate(format!(
                        "the client certificate with SHA-256 fingerprint {} is already bound to \
                         a principal",
                        hex(certificate)
                    )));
                }
                (other, _) => other?,
            };
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }

    async fn principal_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<Principal>, RepositoryError> {
        Ok(self.principal_where("token_hash", token_hash).await?)
    }

    async fn principal_by_certificate(
        &self,
        certificate_sha256: &[u8; 32],
    ) -> Result<Option<Principal>, RepositoryError> {
        Ok(self
            .principal_where("certificate_sha256", certificate_sha256)
            .await?)
    }

    async fn insert_ufficiale(
        &self,
        u: &Ufficiale,
        otp_device: Option<&OtpDevice>,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO ufficiali (id, codice_fiscale, nome, cognome, email, comune, profili, \
                 otp_device, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(u.id.0.to_string())
            .bind(u.codice_fiscale.as_str())
            .bind(&u.nome)
            .bind(&u.cognome)
            .bind(u.email.as_str())
            .bind(u.comune.as_str())
            .bind(profili_json(&u.profili))
            .bind(otp_device.map(OtpDevice::subject))
            .bind(at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if unique_violation(&e) => {
                    return Err(StoreError::Duplicate(format!(
                        "an officer with codice fiscale {} is already registered",
                        u.codice_fiscale
                    )));
                }
                other => other?,
            };
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }

    async fn ufficiale(
        &self,
        id: UfficialeId,
    ) -> Result<Option<(Ufficiale, Option<OtpDevice>)>, RepositoryError> {
        let sql = format!(
            "SELECT {UFFICIALE_COLUMNS} FROM ufficiali WHERE id = $1 AND removed_at IS NULL"
        );
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.0.to_string())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => ufficiale_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn ufficiale_by_cf(
        &self,
        cf: &CodiceFiscale,
    ) -> Result<Option<(Ufficiale, Option<OtpDevice>)>, RepositoryError> {
        let sql = format!(
            "SELECT {UFFICIALE_COLUMNS} FROM ufficiali WHERE codice_fiscale = $1 AND removed_at IS NULL"
        );
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(cf.as_str())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => ufficiale_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn insert_credential(
        &self,
        c: &Credential,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let (key_ref, algorithm, chain) = credential_columns(c)?;
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            sqlx::query(
                "INSERT INTO credentials (id, ufficiale, key_ref, public_key, algorithm, status, \
                 certificate_chain, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(c.id.0.to_string())
            .bind(c.owner.0.to_string())
            .bind(&key_ref)
            .bind(c.public_key.as_bytes().to_vec())
            .bind(&algorithm)
            .bind(c.status.code())
            .bind(&chain)
            .bind(c.created_at)
            .execute(&mut *tx)
            .await?;
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }

    async fn credential(&self, id: CredentialId) -> Result<Option<Credential>, RepositoryError> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = $1");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.0.to_string())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => credential_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn credentials_of(&self, owner: UfficialeId) -> Result<Vec<Credential>, RepositoryError> {
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE ufficiale = $1 ORDER BY created_at"
        );
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(owner.0.to_string())
                .fetch_all(pool)
                .await?
                .iter()
                .map(credential_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn ca_material(&self) -> Result<Option<firma_core::ports::StoredCa>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let row = sqlx::query("SELECT material, tsa_certificate FROM ca_material WHERE id = 1")
                .fetch_optional(pool)
                .await?;
            match row {
                None => Ok(None),
                Some(r) => Ok(Some(firma_core::ports::StoredCa {
                    material: r.try_get::<String, _>("material")?,
                    tsa_certificate: r.try_get::<Option<Vec<u8>>, _>("tsa_certificate")?,
                })),
            }
        });
        Ok(result?)
    }

    async fn insert_ca_material(
        &self,
        material: &str,
        tsa_certificate: Option<&[u8]>,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO ca_material (id, material, tsa_certificate, created_at) VALUES (1, $1, $2, $3)",
            )
            .bind(material)
            .bind(tsa_certificate)
            .bind(at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if unique_violation(&e) => {
                    return Err(StoreError::Duplicate(
                        "a certificate authority already exists in this database".to_owned(),
                    ));
                }
                other => other?,
            };
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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

    fn principal(name: &str) -> Principal {
        Principal {
            id: PrincipalId(Uuid::new_v4()),
            name: name.to_owned(),
            role: Role::AnscCore,
            comune: None,
            provincia: None,
            ufficiale: None,
        }
    }

    #[tokio::test]
    async fn principals_are_found_by_certificate_and_a_certificate_binds_one_principal() {
        let (_dir, db) = sqlite().await;
        let at = OffsetDateTime::UNIX_EPOCH;
        let event = AuditEvent::new(AuditKind::PrincipalCreated, "test", "principal");
        let with_cert = principal("postazione PC-01");
        let certificate = [7u8; 32];
        db.insert_principal_with_certificate(&with_cert, &[1; 32], Some(&certificate), &event, at)
            .await
            .unwrap();
        let token_only = principal("ANSC core");
        db.insert_principal(&token_only, &[2; 32], &event, at)
            .await
            .unwrap();

        assert_eq!(
            db.principal_by_certificate(&certificate).await.unwrap(),
            Some(with_cert.clone())
        );
        // The same principal by its token; an unknown certificate maps to nobody.
        assert_eq!(
            db.principal_by_token(&[1; 32]).await.unwrap(),
            Some(with_cert)
        );
        assert_eq!(db.principal_by_certificate(&[8; 32]).await.unwrap(), None);
        assert_eq!(
            db.principal_by_token(&[2; 32]).await.unwrap(),
            Some(token_only)
        );

        // A second principal with the same certificate is refused, naming the fingerprint, and
        // leaves neither a row nor an audit record behind.
        let before = db.records(0, 100).await.unwrap().len();
        let err = db
            .insert_principal_with_certificate(
                &principal("altra postazione"),
                &[3; 32],
                Some(&certificate),
                &event,
                at,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, RepositoryError::Duplicate(m) if m.contains(&hex(&certificate))),
            "{err}"
        );
        assert_eq!(db.principal_by_token(&[3; 32]).await.unwrap(), None);
        assert_eq!(db.records(0, 100).await.unwrap().len(), before);
        db.close().await;
    }
}
