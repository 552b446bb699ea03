//! Adhesions, richieste firma remota and officer management on the database: `OnboardingStore`
//! for both backends (tables of migration 0005). The domain objects are stored as JSON next to
//! the columns queries need; every change is a compare-and-swap on a version or on the values it
//! was decided on, in one transaction with its audit records.

use firma_core::onboarding::{Adesione, Chiavetta, RichiestaFirmaRemota, RichiestaId};
use firma_core::otp::{OtpDevice, TokenStatus};
use firma_core::ports::{
    Approval, Removal, RemovalOutcome, RichiesteFilter, StoredAdesione, StoredRichiesta,
};
use firma_core::{
    AuditEvent, AuditKind, CodiceIstat, CredentialId, CredentialStatus, OnboardingStore,
    PhoneNumber, RepositoryError, Ufficiale, UfficialeId,
};
use sqlx::Row;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::Database;
use crate::directory::{
    UFFICIALE_COLUMNS, credential_columns, profili_json, ufficiale_from, unique_violation, uuid,
};
use crate::dispatch::{append_events, in_transaction, with_pool};
use crate::error::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// An Italian calendar date as stored: ISO 8601 `YYYY-MM-DD`, which sorts as text.
fn iso(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| date.to_string())
}

/// The JSON a domain object is stored as.
macro_rules! to_json {
    ($what:expr, $value:expr) => {
        serde_json::to_string($value).map_err(|e| corrupt($what, e))
    };
}

/// The states in which a richiesta is still open (`StatoRichiesta::aperta`).
const APERTE: &str = "('in_attesa', 'inoltrata')";

fn adesione_from(json: &str, version: i64) -> Result<StoredAdesione, StoreError> {
    Ok(StoredAdesione {
        adesione: serde_json::from_str(json).map_err(|e| corrupt("adesione", e))?,
        version,
    })
}

fn richiesta_from<R: Row>(r: &R) -> Result<StoredRichiesta, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let json: String = r.try_get("richiesta")?;
    let credential: Option<String> = r.try_get("credential")?;
    Ok(StoredRichiesta {
        richiesta: serde_json::from_str(&json).map_err(|e| corrupt("richiesta", e))?,
        version: r.try_get("version")?,
        credential: credential
            .map(|c| uuid(&c, "richiesta credential").map(CredentialId))
            .transpose()?,
    })
}

/// The queryable columns of an adhesion.
struct AdesioneColumns {
    stato: &'static str,
    data_adesione: String,
    inoltro_dal: String,
    json: String,
}

impl AdesioneColumns {
    fn of(a: &Adesione) -> Result<Self, StoreError> {
        let data = a.data_adesione();
        Ok(Self {
            stato: match a.stato() {
                firma_core::onboarding::StatoAdesione::Proposta => "proposta",
                firma_core::onboarding::StatoAdesione::Dichiarata => "dichiarata",
            },
            data_adesione: iso(data),
            inoltro_dal: iso(firma_core::onboarding::tre_mesi_prima(data)),
            json: to_json!("adesione", a)?,
        })
    }
}

/// A compare-and-swap lost inside a transaction rolls it back; outside it is `Ok(false)`.
fn swapped(result: Result<(), StoreError>) -> Result<bool, RepositoryError> {
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

impl OnboardingStore for Database {
    async fn adesione(
        &self,
        comune: &CodiceIstat,
    ) -> Result<Option<StoredAdesione>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query("SELECT adesione, version FROM adesioni WHERE comune = $1")
                .bind(comune.as_str())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => {
                    adesione_from(&r.try_get::<String, _>("adesione")?, r.try_get("version")?)
                        .map(Some)
                }
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn insert_adesione(
        &self,
        adesione: &Adesione,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let c = AdesioneColumns::of(adesione)?;
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO adesioni (comune, stato, data_adesione, inoltro_dal, adesione, \
                 version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
            )
            .bind(adesione.comune().as_str())
            .bind(c.stato)
            .bind(&c.data_adesione)
            .bind(&c.inoltro_dal)
            .bind(&c.json)
            .bind(at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if unique_violation(&e) => {
                    return Err(StoreError::Duplicate(format!(
                        "comune {} already has a proposta di adesione",
                        adesione.comune()
                    )));
                }
                other => other?,
            };
            append_events!(tx, events, at);
            Ok(())
        });
        Ok(result?)
    }

    async fn update_adesione(
        &self,
        adesione: &Adesione,
        expected_version: i64,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let c = AdesioneColumns::of(adesione)?;
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE adesioni SET stato = $1, data_adesione = $2, inoltro_dal = $3, \
                 adesione = $4, version = version + 1, updated_at = $5 \
                 WHERE comune = $6 AND version = $7",
            )
            .bind(c.stato)
            .bind(&c.data_adesione)
            .bind(&c.inoltro_dal)
            .bind(&c.json)
            .bind(at)
            .bind(adesione.comune().as_str())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }

    async fn insert_richiesta(
        &self,
        richiesta: &RichiestaFirmaRemota,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let json = to_json!("richiesta", richiesta)?;
        let ufficiale = richiesta.ufficiale().0.to_string();
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            // Locks the officer's row: a removal in progress finishes first (and then this finds
            // the officer removed), or waits for this richiesta and cancels it.
            let present = sqlx::query(
                "UPDATE ufficiali SET nome = nome WHERE id = $1 AND removed_at IS NULL",
            )
            .bind(&ufficiale)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if present != 1 {
                return Err(StoreError::NotFound(format!("officer {ufficiale}")));
            }
            let inserted = sqlx::query(
                "INSERT INTO richieste_firma (id, ufficiale, comune, stato, metodo_otp, \
                 richiesta, credential, version, creata_il, inoltrata_il, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, 0, $7, $8, $9)",
            )
            .bind(richiesta.id().to_string())
            .bind(&ufficiale)
            .bind(richiesta.comune().as_str())
            .bind(richiesta.stato().code())
            .bind(richiesta.metodo_otp().code())
            .bind(&json)
            .bind(richiesta.creata_il())
            .bind(richiesta.inoltrata_il())
            .bind(at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if unique_violation(&e) => {
                    return Err(StoreError::Duplicate(format!(
                        "officer {ufficiale} already has an open richiesta firma remota"
                    )));
                }
                other => other?,
            };
            append_events!(tx, events, at);
            Ok(())
        });
        Ok(result?)
    }

    async fn richiesta(&self, id: RichiestaId) -> Result<Option<StoredRichiesta>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(
                "SELECT richiesta, version, credential FROM richieste_firma WHERE id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
            {
                Some(r) => richiesta_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn richieste(
        &self,
        filter: &RichiesteFilter,
    ) -> Result<Vec<StoredRichiesta>, RepositoryError> {
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(u) = filter.ufficiale {
            binds.push(u.0.to_string());
            conditions.push(format!("ufficiale = ${}", binds.len()));
        }
        if let Some(c) = &filter.comune {
            binds.push(c.as_str().to_owned());
            conditions.push(format!("comune = ${}", binds.len()));
        }
        if !filter.stati.is_empty() {
            let mut placeholders = Vec::new();
            for s in &filter.stati {
                binds.push((*s).to_owned());
                placeholders.push(format!("${}", binds.len()));
            }
            conditions.push(format!("stato IN ({})", placeholders.join(", ")));
        }
        if filter.inoltrate {
            conditions.push("inoltrata_il IS NOT NULL".to_owned());
        }
        let mut sql = "SELECT richiesta, version, credential FROM richieste_firma".to_owned();
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(&format!(
            " ORDER BY creata_il, id LIMIT ${}",
            binds.len() + 1
        ));
        let limit = i64::from(filter.limit.max(1));
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                query = query.bind(b.clone());
            }
            query
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(richiesta_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn richieste_da_inoltrare(
        &self,
        today: Date,
        limit: u32,
    ) -> Result<Vec<(StoredRichiesta, StoredAdesione)>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(
                "SELECT r.richiesta, r.version, r.credential, a.adesione, \
                 a.version AS adesione_version FROM richieste_firma r \
                 JOIN adesioni a ON a.comune = r.comune \
                 WHERE r.stato = 'in_attesa' AND a.inoltro_dal <= $1 \
                 ORDER BY r.creata_il, r.id LIMIT $2",
            )
            .bind(iso(today))
            .bind(i64::from(limit.max(1)))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    richiesta_from(r)?,
                    adesione_from(
                        &r.try_get::<String, _>("adesione")?,
                        r.try_get("adesione_version")?,
                    )?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()
        });
        Ok(result?)
    }

    async fn update_richiesta(
        &self,
        richiesta: &RichiestaFirmaRemota,
        expected_version: i64,
        adesione: Option<i64>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let json = to_json!("richiesta", richiesta)?;
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            if let Some(version) = adesione {
                // A no-op update that locks the adhesion's row: the sindaco's change and this
                // decision taken on the previous version cannot both commit.
                let unchanged = sqlx::query(
                    "UPDATE adesioni SET version = version WHERE comune = $1 AND version = $2",
                )
                .bind(richiesta.comune().as_str())
                .bind(version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if unchanged != 1 {
                    return Err(StoreError::Conflict);
                }
            }
            let updated = sqlx::query(
                "UPDATE richieste_firma SET stato = $1, richiesta = $2, inoltrata_il = $3, \
                 version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(richiesta.stato().code())
            .bind(&json)
            .bind(richiesta.inoltrata_il())
            .bind(at)
            .bind(richiesta.id().to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }

    async fn approve_richiesta(
        &self,
        approval: &Approval<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let richiesta = approval.richiesta;
        let credential = approval.credential;
        let json = to_json!("richiesta", richiesta)?;
        let (key_ref, algorithm, chain) = credential_columns(credential)?;
        let owner = richiesta.ufficiale().0.to_string();
        let device = approval.sms_phone.map(|_| {
            OtpDevice::Sms {
                owner: owner.clone(),
            }
            .subject()
        });
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let present = sqlx::query(
                "UPDATE ufficiali SET otp_device = COALESCE($1, otp_device) \
                 WHERE id = $2 AND removed_at IS NULL",
            )
            .bind(device.as_deref())
            .bind(&owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if present != 1 {
                return Err(StoreError::Conflict);
            }
            if let Some(phone) = approval.sms_phone {
                sqlx::query(
                    "INSERT INTO sms_devices (owner, phone, failures, version, updated_at) \
                     VALUES ($1, $2, 0, 0, $3) \
                     ON CONFLICT (owner) DO UPDATE SET phone = excluded.phone, \
                     version = sms_devices.version + 1, updated_at = excluded.updated_at",
                )
                .bind(&owner)
                .bind(phone.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO credentials (id, ufficiale, key_ref, public_key, algorithm, status, \
                 certificate_chain, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(credential.id.0.to_string())
            .bind(credential.owner.0.to_string())
            .bind(&key_ref)
            .bind(credential.public_key.as_bytes().to_vec())
            .bind(&algorithm)
            .bind(credential.status.code())
            .bind(&chain)
            .bind(credential.created_at)
            .execute(&mut *tx)
            .await?;
            let updated = sqlx::query(
                "UPDATE richieste_firma SET stato = $1, richiesta = $2, credential = $3, \
                 version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(richiesta.stato().code())
            .bind(&json)
            .bind(credential.id.0.to_string())
            .bind(at)
            .bind(richiesta.id().to_string())
            .bind(approval.expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }

    async fn register_ufficiale(
        &self,
        u: &Ufficiale,
        sms_phone: Option<&PhoneNumber>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let owner = u.id.0.to_string();
        let device = sms_phone.map(|_| {
            OtpDevice::Sms {
                owner: owner.clone(),
            }
            .subject()
        });
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO ufficiali (id, codice_fiscale, nome, cognome, email, comune, profili, \
                 otp_device, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&owner)
            .bind(u.codice_fiscale.as_str())
            .bind(&u.nome)
            .bind(&u.cognome)
            .bind(u.email.as_str())
            .bind(u.comune.as_str())
            .bind(profili_json(&u.profili))
            .bind(device.as_deref())
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
            if let Some(phone) = sms_phone {
                sqlx::query(
                    "INSERT INTO sms_devices (owner, phone, failures, version, updated_at) \
                     VALUES ($1, $2, 0, 0, $3) \
                     ON CONFLICT (owner) DO UPDATE SET phone = excluded.phone, \
                     version = sms_devices.version + 1, updated_at = excluded.updated_at",
                )
                .bind(&owner)
                .bind(phone.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            append_events!(tx, events, at);
            Ok(())
        });
        Ok(result?)
    }

    async fn ufficiali_del_comune(
        &self,
        comune: &CodiceIstat,
    ) -> Result<Vec<(Ufficiale, Option<OtpDevice>)>, RepositoryError> {
        let sql = format!(
            "SELECT {UFFICIALE_COLUMNS} FROM ufficiali WHERE comune = $1 AND removed_at IS NULL \
             ORDER BY cognome, nome, id"
        );
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(comune.as_str())
                .fetch_all(pool)
                .await?
                .iter()
                .map(ufficiale_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn update_ufficiale(
        &self,
        previous: &Ufficiale,
        updated: &Ufficiale,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let changed = sqlx::query(
                "UPDATE ufficiali SET email = $1, profili = $2 WHERE id = $3 \
                 AND removed_at IS NULL AND email = $4 AND profili = $5",
            )
            .bind(updated.email.as_str())
            .bind(profili_json(&updated.profili))
            .bind(previous.id.0.to_string())
            .bind(previous.email.as_str())
            .bind(profili_json(&previous.profili))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }

    async fn chiavette_of(
        &self,
        ufficiale: UfficialeId,
    ) -> Result<Vec<Chiavetta>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query("SELECT serial, status FROM otp_tokens WHERE owner = $1 ORDER BY serial")
                .bind(ufficiale.0.to_string())
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| {
                    let status: String = r.try_get("status")?;
                    Ok(Chiavetta {
                        serial: r.try_get("serial")?,
                        stato: TokenStatus::from_code(&status)
                            .ok_or_else(|| corrupt("token status", &status))?,
                        provincia: None,
                        comune: None,
                        ufficiale: Some(ufficiale),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()
        });
        Ok(result?)
    }

    async fn remove_ufficiale(
        &self,
        removal: &Removal<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<RemovalOutcome, RepositoryError> {
        let id = removal.ufficiale.0.to_string();
        let cancelled = removal
            .cancelled
            .iter()
            .map(|(r, v)| Ok((r, to_json!("richiesta", r)?, *v)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let withdrawn = removal
            .withdrawn
            .iter()
            .map(|(c, k)| Ok((c.0.to_string(), to_json!("key_ref", k)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let marked = sqlx::query(
                "UPDATE ufficiali SET removed_at = $1, removed_by = $2 \
                 WHERE id = $3 AND removed_at IS NULL",
            )
            .bind(at)
            .bind(removal.removed_by)
            .bind(&id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if marked != 1 {
                return Err(StoreError::NotFound(format!("officer {id}")));
            }
            for (r, json, version) in &cancelled {
                let updated = sqlx::query(
                    "UPDATE richieste_firma SET stato = $1, richiesta = $2, \
                     version = version + 1, updated_at = $3 \
                     WHERE id = $4 AND version = $5 AND ufficiale = $6",
                )
                .bind(r.stato().code())
                .bind(json)
                .bind(at)
                .bind(r.id().to_string())
                .bind(*version)
                .bind(&id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    return Err(StoreError::Conflict);
                }
            }
            let open: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM richieste_firma WHERE ufficiale = $1 AND stato IN {APERTE}"
            )))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            if open != 0 {
                return Err(StoreError::Conflict);
            }
            for (credential, key_ref) in &withdrawn {
                let updated = sqlx::query(
                    "UPDATE credentials SET status = $1, key_ref = $2, updated_at = $3 \
                     WHERE id = $4 AND ufficiale = $5 AND status = $6",
                )
                .bind(CredentialStatus::Revoked.code())
                .bind(key_ref)
                .bind(at)
                .bind(credential)
                .bind(&id)
                .bind(CredentialStatus::AwaitingCertificate.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    return Err(StoreError::Conflict);
                }
            }
            let usable: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM credentials WHERE ufficiale = $1 AND status <> $2",
            )
            .bind(&id)
            .bind(CredentialStatus::Revoked.code())
            .fetch_one(&mut *tx)
            .await?;
            if usable != 0 {
                return Err(StoreError::Conflict);
            }
            for serial in removal.unbind_tokens {
                let released = sqlx::query(
                    "UPDATE otp_tokens SET owner = NULL, status = $1, version = version + 1, \
                     updated_at = $2 WHERE serial = $3 AND owner = $4",
                )
                .bind(TokenStatus::Delivered.code())
                .bind(at)
                .bind(serial)
                .bind(&id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if released != 1 {
                    return Err(StoreError::Conflict);
                }
            }
            let bound: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM otp_tokens WHERE owner = $1 AND status = $2",
            )
            .bind(&id)
            .bind(TokenStatus::Assigned.code())
            .fetch_one(&mut *tx)
            .await?;
            if bound != 0 {
                return Err(StoreError::Conflict);
            }
            sqlx::query("DELETE FROM sms_devices WHERE owner = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            let principals: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM principals WHERE ufficiale = $1 AND revoked_at IS NULL ORDER BY id",
            )
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE principals SET revoked_at = $1 WHERE ufficiale = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            let mut all = events.to_vec();
            all.extend(principals.iter().map(|p| {
                AuditEvent::new(
                    AuditKind::PrincipalRevoked,
                    removal.removed_by,
                    format!("principal:{p}"),
                )
                .with("reason", "officer removed")
                .with("ufficiale", &id)
            }));
            append_events!(tx, &all, at);
            Ok(())
        });
        match result {
            Ok(()) => Ok(RemovalOutcome::Removed),
            Err(StoreError::Conflict) => Ok(RemovalOutcome::Changed),
            Err(StoreError::NotFound(_)) => Ok(RemovalOutcome::NotFound),
            Err(e) => Err(e.into()),
        }
    }
}
