//! Signing requests, documents and Signature Activation Data on the database: `SigningStore` for
//! both backends.

use firma_core::{
    AuditEvent, CreateOutcome, CredentialId, DocumentFormat, DocumentStatus, NewDocument,
    RecordOutcome, RepositoryError, RequestDocument, RequestStatus, Sad, SignatureLevel,
    SigningRequest, SigningRequestId, SigningStore, TipoAtto,
};
use sqlx::Row;
use time::OffsetDateTime;

use crate::Database;
use crate::audit::hash_array;
use crate::directory::uuid;
use crate::dispatch::{append_events, in_transaction, with_pool};
use crate::error::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

const REQUEST_COLUMNS: &str = "id, credential, created_by, idempotency_key, body_hash, status, \
    failure, documents, created_at, expires_at";

fn request_from<R: Row>(r: &R) -> Result<SigningRequest, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> OffsetDateTime: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id")?;
    let credential: String = r.try_get("credential")?;
    let status: String = r.try_get("status")?;
    Ok(SigningRequest {
        id: SigningRequestId(uuid(&id, "request id")?),
        credential: CredentialId(uuid(&credential, "request credential")?),
        created_by: r.try_get("created_by")?,
        idempotency_key: r.try_get("idempotency_key")?,
        body_hash: hash_array(&r.try_get::<Vec<u8>, _>("body_hash")?)?,
        status: RequestStatus::from_code(&status).ok_or_else(|| corrupt("status", &status))?,
        failure: r.try_get("failure")?,
        documents: u32::try_from(r.try_get::<i32, _>("documents")?).unwrap_or(0),
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

fn document_from<R: Row>(r: &R) -> Result<RequestDocument, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<OffsetDateTime>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let atto: String = r.try_get("atto")?;
    let format: String = r.try_get("format")?;
    let level: String = r.try_get("level")?;
    let status: String = r.try_get("status")?;
    Ok(RequestDocument {
        index: u32::try_from(r.try_get::<i32, _>("idx")?).unwrap_or(0),
        name: r.try_get("name")?,
        atto: TipoAtto::from_code(&atto).ok_or_else(|| corrupt("atto", &atto))?,
        format: DocumentFormat::from_code(&format).ok_or_else(|| corrupt("format", &format))?,
        level: SignatureLevel::from_code(&level).ok_or_else(|| corrupt("level", &level))?,
        digest: hash_array(&r.try_get::<Vec<u8>, _>("digest")?)?,
        status: DocumentStatus::from_code(&status).ok_or_else(|| corrupt("status", &status))?,
        signed_at: r.try_get("signed_at")?,
    })
}

fn sad_from<R: Row>(r: &R) -> Result<Sad, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> OffsetDateTime: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let credential: String = r.try_get("credential")?;
    let hashes: Vec<u8> = r.try_get("hashes")?;
    if !hashes.len().is_multiple_of(32) {
        return Err(corrupt("SAD hashes", "not a multiple of 32 bytes"));
    }
    Ok(Sad {
        id: r.try_get("id")?,
        credential: CredentialId(uuid(&credential, "SAD credential")?),
        hashes: hashes
            .chunks(32)
            .map(hash_array)
            .collect::<Result<Vec<_>, _>>()?,
        remaining: u32::try_from(r.try_get::<i32, _>("remaining")?).unwrap_or(0),
        expires_at: r.try_get("expires_at")?,
    })
}

fn i32_of(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

macro_rules! insert_sad {
    ($tx:ident, $sad:expr, $purpose:expr, $at:expr) => {{
        let sad: &Sad = $sad;
        sqlx::query(
            "INSERT INTO sads (id, credential, purpose, hashes, remaining, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&sad.id)
        .bind(sad.credential.0.to_string())
        .bind($purpose)
        .bind(sad.hashes.concat())
        .bind(i32_of(sad.remaining))
        .bind(sad.expires_at)
        .bind($at)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl SigningStore for Database {
    async fn create_request(
        &self,
        request: &SigningRequest,
        documents: &[NewDocument],
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<CreateOutcome, RepositoryError> {
        let result: Result<CreateOutcome, StoreError> = in_transaction!(self, |tx| {
            if let Some(key) = &request.idempotency_key {
                let existing = sqlx::query(
                    "SELECT id, body_hash FROM signing_requests \
                     WHERE created_by = $1 AND idempotency_key = $2",
                )
                .bind(&request.created_by)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = existing {
                    let id: String = row.try_get("id")?;
                    let body: Vec<u8> = row.try_get("body_hash")?;
                    return Ok(CreateOutcome::Existing {
                        id: SigningRequestId(uuid(&id, "request id")?),
                        same_body: body == request.body_hash,
                    });
                }
            }
            sqlx::query(
                "INSERT INTO signing_requests (id, credential, created_by, idempotency_key, \
                 body_hash, status, failure, documents, created_at, expires_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $8)",
            )
            .bind(request.id.0.to_string())
            .bind(request.credential.0.to_string())
            .bind(&request.created_by)
            .bind(&request.idempotency_key)
            .bind(request.body_hash.to_vec())
            .bind(request.status.code())
            .bind(i32_of(request.documents))
            .bind(request.created_at)
            .bind(request.expires_at)
            .execute(&mut *tx)
            .await?;
            for d in documents {
                let doc = &d.document;
                sqlx::query(
                    "INSERT INTO request_documents (request, idx, name, atto, format, level, \
                     input, digest, status, output, signed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)",
                )
                .bind(request.id.0.to_string())
                .bind(i32_of(doc.index))
                .bind(&doc.name)
                .bind(doc.atto.code())
                .bind(doc.format.code())
                .bind(doc.level.code())
                .bind(&d.input)
                .bind(doc.digest.to_vec())
                .bind(DocumentStatus::Pending.code())
                .execute(&mut *tx)
                .await?;
            }
            append_events!(tx, events, at);
            Ok(CreateOutcome::Created)
        });
        Ok(result?)
    }

    async fn request(
        &self,
        id: SigningRequestId,
    ) -> Result<Option<SigningRequest>, RepositoryError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM signing_requests WHERE id = $1");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.0.to_string())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => request_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn documents(
        &self,
        id: SigningRequestId,
    ) -> Result<Vec<RequestDocument>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(
                "SELECT idx, name, atto, format, level, digest, status, signed_at \
                 FROM request_documents WHERE request = $1 ORDER BY idx",
            )
            .bind(id.0.to_string())
            .fetch_all(pool)
            .await?
            .iter()
            .map(document_from)
            .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn document_input(
        &self,
        id: SigningRequestId,
        index: u32,
    ) -> Result<Option<Vec<u8>>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let row =
                sqlx::query("SELECT input FROM request_documents WHERE request = $1 AND idx = $2")
                    .bind(id.0.to_string())
                    .bind(i32_of(index))
                    .fetch_optional(pool)
                    .await?;
            row.map(|r| r.try_get::<Vec<u8>, _>("input"))
                .transpose()
                .map_err(StoreError::from)
        });
        Ok(result?)
    }

    async fn document_output(
        &self,
        id: SigningRequestId,
        index: u32,
    ) -> Result<Option<Vec<u8>>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let row =
                sqlx::query("SELECT output FROM request_documents WHERE request = $1 AND idx = $2")
                    .bind(id.0.to_string())
                    .bind(i32_of(index))
                    .fetch_optional(pool)
                    .await?;
            match row {
                Some(r) => Ok(r.try_get::<Option<Vec<u8>>, _>("output")?),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn authorize_request(
        &self,
        id: SigningRequestId,
        sad: &Sad,
        purpose: &str,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let result: Result<bool, StoreError> = in_transaction!(self, |tx| {
            let moved = sqlx::query(
                "UPDATE signing_requests SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            )
            .bind(RequestStatus::Signing.code())
            .bind(at)
            .bind(id.0.to_string())
            .bind(RequestStatus::AwaitingAuthorization.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            insert_sad!(tx, sad, purpose, at);
            append_events!(tx, events, at);
            Ok(true)
        });
        Ok(result?)
    }

    async fn insert_sad(
        &self,
        sad: &Sad,
        purpose: &str,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            insert_sad!(tx, sad, purpose, at);
            append_events!(tx, events, at);
            Ok(())
        });
        Ok(result?)
    }

    async fn sad(&self, id: &str) -> Result<Option<Sad>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(
                "SELECT id, credential, hashes, remaining, expires_at FROM sads WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            {
                Some(r) => sad_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn sad_for(&self, purpose: &str) -> Result<Option<Sad>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(
                "SELECT id, credential, hashes, remaining, expires_at FROM sads \
                 WHERE purpose = $1 ORDER BY created_at DESC LIMIT 1",
            )
            .bind(purpose)
            .fetch_optional(pool)
            .await?
            {
                Some(r) => sad_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn record_signature(
        &self,
        sad_id: &str,
        document: Option<(SigningRequestId, u32, &[u8])>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<RecordOutcome, RepositoryError> {
        let result: Result<RecordOutcome, StoreError> = in_transaction!(self, |tx| {
            let spent = sqlx::query(
                "UPDATE sads SET remaining = remaining - 1 \
                 WHERE id = $1 AND remaining > 0 AND expires_at > $2",
            )
            .bind(sad_id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent != 1 {
                return Err(StoreError::Refused(RecordOutcome::SadRefused));
            }
            let mut completed = false;
            if let Some((request, index, output)) = document {
                let stored = sqlx::query(
                    "UPDATE request_documents SET status = $1, output = $2, signed_at = $3 \
                     WHERE request = $4 AND idx = $5 AND status = $6",
                )
                .bind(DocumentStatus::Signed.code())
                .bind(output)
                .bind(at)
                .bind(request.0.to_string())
                .bind(i32_of(index))
                .bind(DocumentStatus::Pending.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if stored != 1 {
                    return Err(StoreError::Refused(RecordOutcome::AlreadySigned));
                }
                let (pending,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM request_documents WHERE request = $1 AND status = $2",
                )
                .bind(request.0.to_string())
                .bind(DocumentStatus::Pending.code())
                .fetch_one(&mut *tx)
                .await?;
                if pending == 0 {
                    sqlx::query(
                        "UPDATE signing_requests SET status = $1, updated_at = $2 \
                         WHERE id = $3 AND status = $4",
                    )
                    .bind(RequestStatus::Completed.code())
                    .bind(at)
                    .bind(request.0.to_string())
                    .bind(RequestStatus::Signing.code())
                    .execute(&mut *tx)
                    .await?;
                    completed = true;
                }
            }
            append_events!(tx, events, at);
            Ok(RecordOutcome::Recorded {
                request_completed: completed,
            })
        });
        match result {
            Err(StoreError::Refused(outcome)) => Ok(outcome),
            other => Ok(other?),
        }
    }

    async fn finish_request(
        &self,
        id: SigningRequestId,
        status: RequestStatus,
        failure: Option<&str>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let result: Result<bool, StoreError> = in_transaction!(self, |tx| {
            let moved = sqlx::query(
                "UPDATE signing_requests SET status = $1, failure = $2, updated_at = $3 \
                 WHERE id = $4 AND status IN ($5, $6)",
            )
            .bind(status.code())
            .bind(failure)
            .bind(at)
            .bind(id.0.to_string())
            .bind(RequestStatus::AwaitingAuthorization.code())
            .bind(RequestStatus::Signing.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            // A request that will not be signed leaves nothing to spend.
            sqlx::query("UPDATE sads SET remaining = 0 WHERE purpose = $1")
                .bind(id.0.to_string())
                .execute(&mut *tx)
                .await?;
            append_events!(tx, events, at);
            Ok(true)
        });
        Ok(result?)
    }

    async fn requests_in(
        &self,
        status: RequestStatus,
    ) -> Result<Vec<SigningRequest>, RepositoryError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM signing_requests WHERE status = $1 ORDER BY created_at"
        );
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(status.code())
                .fetch_all(pool)
                .await?
                .iter()
                .map(request_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }
}
