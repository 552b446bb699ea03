//! OTP devices on the database: `OtpStore` for both backends.

use firma_core::otp::{NewToken, SmsChallenge, SmsDevice, StoredToken, TokenStatus};
use firma_core::{AuditEvent, OtpStore, PhoneNumber, RepositoryError};
use firma_otp::{Digits, HotpParams, OtpDeviceState, OtpHash, OtpParams, TimeStep, TotpParams};
use sqlx::Row;
use time::OffsetDateTime;

use crate::Database;
use crate::dispatch::{append_events, in_transaction, with_pool, with_writer};
use crate::error::StoreError;

/// Tokens inserted per statement batch during an import (progress is reported per batch).
const IMPORT_BATCH: usize = 500;

fn to_i64(v: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(v)
        .map_err(|_| StoreError::Corrupt(format!("{what} {v} does not fit the database")))
}

fn to_u64(v: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("stored {what} {v} is negative")))
}

/// The columns of a token's parameters: kind, hash, digits, step, t0.
fn param_columns(
    params: &OtpParams,
) -> (&'static str, &'static str, i32, Option<i32>, Option<i64>) {
    match params {
        OtpParams::Hotp(p) => ("hotp", p.hash.name(), i32::from(p.digits.get()), None, None),
        OtpParams::Totp(p) => (
            "totp",
            p.hash.name(),
            i32::from(p.digits.get()),
            Some(p.step.seconds() as i32),
            Some(p.t0),
        ),
    }
}

fn params_from_columns(
    kind: &str,
    hash: &str,
    digits: i32,
    step: Option<i32>,
    t0: Option<i64>,
) -> Result<OtpParams, StoreError> {
    let corrupt = |m: String| StoreError::Corrupt(m);
    let hash =
        OtpHash::from_name(hash).ok_or_else(|| corrupt(format!("unknown OTP hash {hash:?}")))?;
    let digits = Digits::new(u32::try_from(digits).unwrap_or(0))
        .map_err(|e| corrupt(format!("OTP digits: {e}")))?;
    match kind {
        "hotp" => Ok(OtpParams::Hotp(HotpParams { hash, digits })),
        "totp" => {
            let step = TimeStep::new(u64::try_from(step.unwrap_or(0)).unwrap_or(0))
                .map_err(|e| corrupt(format!("TOTP step: {e}")))?;
            Ok(OtpParams::Totp(TotpParams {
                hash,
                digits,
                step,
                t0: t0.unwrap_or(0),
            }))
        }
        other => Err(corrupt(format!("unknown OTP kind {other:?}"))),
    }
}

fn token_from_row<R: Row>(r: &R) -> Result<StoredToken, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i32>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get("kind")?;
    let hash: String = r.try_get("hash_alg")?;
    let status: String = r.try_get("status")?;
    Ok(StoredToken {
        serial: r.try_get("serial")?,
        manufacturer: r.try_get("manufacturer")?,
        params: params_from_columns(
            &kind,
            &hash,
            r.try_get("digits")?,
            r.try_get("step_seconds")?,
            r.try_get("t0")?,
        )?,
        sealed_seed: r.try_get("sealed_seed")?,
        state: OtpDeviceState {
            counter: to_u64(r.try_get("counter")?, "counter")?,
            last_step: r
                .try_get::<Option<i64>, _>("last_step")?
                .map(|s| to_u64(s, "last step"))
                .transpose()?,
            drift: r.try_get("drift")?,
            failures: u32::try_from(r.try_get::<i32, _>("failures")?).unwrap_or(u32::MAX),
        },
        status: TokenStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown token status {status:?}")))?,
        owner: r.try_get("owner")?,
        version: r.try_get("version")?,
    })
}

const TOKEN_COLUMNS: &str = "serial, manufacturer, kind, hash_alg, digits, step_seconds, t0, \
    sealed_seed, counter, last_step, drift, failures, status, owner, version";

impl OtpStore for Database {
    async fn insert_tokens(
        &self,
        tokens: &[NewToken],
        event: &AuditEvent,
        at: OffsetDateTime,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let mut done = 0;
            for batch in tokens.chunks(IMPORT_BATCH) {
                for t in batch {
                    let exists = sqlx::query("SELECT 1 FROM otp_tokens WHERE serial = $1")
                        .bind(&t.serial)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if exists.is_some() {
                        return Err(StoreError::Duplicate(format!(
                            "token serial {} is already imported; nothing of this file was stored",
                            t.serial
                        )));
                    }
                    let (kind, hash, digits, step, t0) = param_columns(&t.params);
                    sqlx::query(
                        "INSERT INTO otp_tokens (serial, manufacturer, kind, hash_alg, digits, \
                         step_seconds, t0, sealed_seed, counter, last_step, drift, failures, \
                         status, owner, version, imported_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, NULL, 0, $13, $13)",
                    )
                    .bind(&t.serial)
                    .bind(&t.manufacturer)
                    .bind(kind)
                    .bind(hash)
                    .bind(digits)
                    .bind(step)
                    .bind(t0)
                    .bind(&t.sealed_seed)
                    .bind(to_i64(t.state.counter, "counter")?)
                    .bind(t.state.last_step.map(|s| to_i64(s, "step")).transpose()?)
                    .bind(t.state.drift)
                    .bind(TokenStatus::InStock.code())
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                done += batch.len();
                progress(done);
            }
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }

    async fn token(&self, serial: &str) -> Result<Option<StoredToken>, RepositoryError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM otp_tokens WHERE serial = $1");
        let result: Result<Option<StoredToken>, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(serial)
                .fetch_optional(pool)
                .await?
            {
                Some(row) => token_from_row(&row).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn update_token_state(
        &self,
        serial: &str,
        expected_version: i64,
        state: &OtpDeviceState,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let counter = to_i64(state.counter, "counter")?;
        let last_step = state.last_step.map(|s| to_i64(s, "step")).transpose()?;
        let failures = i32::try_from(state.failures).unwrap_or(i32::MAX);
        let result: Result<bool, StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE otp_tokens SET counter = $1, last_step = $2, drift = $3, failures = $4, \
                 version = version + 1, updated_at = $5 WHERE serial = $6 AND version = $7",
            )
            .bind(counter)
            .bind(last_step)
            .bind(state.drift)
            .bind(failures)
            .bind(at)
            .bind(serial)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                append_events!(tx, events, at);
            }
            Ok(updated == 1)
        });
        Ok(result?)
    }

    async fn set_token_owner(
        &self,
        serial: &str,
        owner: Option<&str>,
        status: TokenStatus,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE otp_tokens SET owner = $1, status = $2, version = version + 1, \
                 updated_at = $3 WHERE serial = $4",
            )
            .bind(owner)
            .bind(status.code())
            .bind(at)
            .bind(serial)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::NotFound(format!(
                    "no token with serial {serial}"
                )));
            }
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }

    async fn sms_device(&self, owner: &str) -> Result<Option<SmsDevice>, RepositoryError> {
        let result: Result<Option<SmsDevice>, StoreError> = with_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT owner, phone, failures, version FROM sms_devices WHERE owner = $1",
            )
            .bind(owner)
            .fetch_optional(pool)
            .await?;
            match row {
                None => Ok(None),
                Some(r) => {
                    let phone: String = r.try_get("phone")?;
                    Ok(Some(SmsDevice {
                        owner: r.try_get("owner")?,
                        phone: PhoneNumber::parse(&phone)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        failures: u32::try_from(r.try_get::<i32, _>("failures")?)
                            .unwrap_or(u32::MAX),
                        version: r.try_get("version")?,
                    }))
                }
            }
        });
        Ok(result?)
    }

    async fn put_sms_device(
        &self,
        owner: &str,
        phone: &PhoneNumber,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO sms_devices (owner, phone, failures, version, updated_at) \
                 VALUES ($1, $2, 0, 0, $3) \
                 ON CONFLICT (owner) DO UPDATE SET phone = excluded.phone, \
                 version = sms_devices.version + 1, updated_at = excluded.updated_at",
            )
            .bind(owner)
            .bind(phone.as_str())
            .bind(at)
            .execute(pool)
            .await?;
            Ok(())
        });
        Ok(result?)
    }

    async fn latest_challenge(
        &self,
        owner: &str,
        purpose: &str,
    ) -> Result<Option<SmsChallenge>, RepositoryError> {
        let result: Result<Option<SmsChallenge>, StoreError> = with_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, owner, purpose, code_hash, created_at, expires_at, consumed_at, sends, \
                 last_sent_at FROM sms_challenges WHERE owner = $1 AND purpose = $2 \
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(owner)
            .bind(purpose)
            .fetch_optional(pool)
            .await?;
            match row {
                None => Ok(None),
                Some(r) => Ok(Some(SmsChallenge {
                    id: r.try_get("id")?,
                    owner: r.try_get("owner")?,
                    purpose: r.try_get("purpose")?,
                    code_hash: crate::audit::hash_array(&r.try_get::<Vec<u8>, _>("code_hash")?)?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    consumed: r
                        .try_get::<Option<OffsetDateTime>, _>("consumed_at")?
                        .is_some(),
                    sends: u32::try_from(r.try_get::<i32, _>("sends")?).unwrap_or(0),
                    last_sent_at: r.try_get("last_sent_at")?,
                })),
            }
        });
        Ok(result?)
    }

    async fn insert_challenge(
        &self,
        c: &SmsChallenge,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            // Earlier codes for the same purpose stop being valid.
            sqlx::query(
                "UPDATE sms_challenges SET consumed_at = $1 \
                 WHERE owner = $2 AND purpose = $3 AND consumed_at IS NULL",
            )
            .bind(at)
            .bind(&c.owner)
            .bind(&c.purpose)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO sms_challenges (id, owner, purpose, code_hash, created_at, expires_at, \
                 consumed_at, sends, last_sent_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
            )
            .bind(&c.id)
            .bind(&c.owner)
            .bind(&c.purpose)
            .bind(c.code_hash.to_vec())
            .bind(c.created_at)
            .bind(c.expires_at)
            .bind(i32::try_from(c.sends).unwrap_or(i32::MAX))
            .bind(c.last_sent_at)
            .execute(&mut *tx)
            .await?;
            append_events!(tx, std::slice::from_ref(event), at);
            Ok(())
        });
        Ok(result?)
    }

    async fn record_sms_attempt(
        &self,
        owner: &str,
        expected_version: i64,
        failures: u32,
        consume: Option<&str>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let failures = i32::try_from(failures).unwrap_or(i32::MAX);
        let result: Result<bool, StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE sms_devices SET failures = $1, version = version + 1, updated_at = $2 \
                 WHERE owner = $3 AND version = $4",
            )
            .bind(failures)
            .bind(at)
            .bind(owner)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Ok(false);
            }
            if let Some(id) = consume {
                let used = sqlx::query(
                    "UPDATE sms_challenges SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL",
                )
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if used != 1 {
                    // Lost a race with another use of the same code: change nothing.
                    return Err(StoreError::Conflict);
                }
            }
            append_events!(tx, events, at);
            Ok(true)
        });
        match result {
            Err(StoreError::Conflict) => Ok(false),
            other => Ok(other?),
        }
    }

    async fn unlock(
        &self,
        subject: &str,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let (sql, key) = if let Some(serial) = subject.strip_prefix("token:") {
            (
                "UPDATE otp_tokens SET failures = 0, version = version + 1, updated_at = $1 WHERE serial = $2",
                serial,
            )
        } else if let Some(owner) = subject.strip_prefix("sms:") {
            (
                "UPDATE sms_devices SET failures = 0, version = version + 1, updated_at = $1 WHERE owner = $2",
                owner,
            )
        } else {
            return Ok(false);
        };
        let result: Result<bool, StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(sql)
                .bind(at)
                .bind(key)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 1 {
                append_events!(tx, std::slice::from_ref(event), at);
            }
            Ok(updated == 1)
        });
        Ok(result?)
    }
}
