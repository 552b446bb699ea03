//! The distribution of the chiavette on the database: `ChiavetteStore` for both backends (tables of
//! migration 0007: the province and comune of each token, the deliveries and their receipts).

use firma_core::onboarding::{Chiavetta, Consegna, Delegato, RichiestaFirmaRemota};
use firma_core::otp::{OtpDevice, TokenStatus};
use firma_core::ports::{
    Abbinamento, ConsegnaId, NuovaConsegnaStored, StatoRicevuta, StoredConsegna,
};
use firma_core::{
    AuditEvent, ChiavetteStore, CodiceFiscale, CodiceIstat, CodiceProvincia, PrincipalId,
    RepositoryError, SigningRequestId, UfficialeId,
};
use sqlx::Row;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Database;
use crate::directory::uuid;
use crate::dispatch::{append_events, in_transaction, with_pool};
use crate::error::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// A compare-and-swap lost inside a transaction rolls it back; outside it is `Ok(false)`.
fn swapped(result: Result<(), StoreError>) -> Result<bool, RepositoryError> {
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

const ISO_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

const CHIAVETTA_COLUMNS: &str = "serial, status, provincia, comune, owner";

fn chiavetta_from<R: Row>(r: &R) -> Result<Chiavetta, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let status: String = r.try_get("status")?;
    let provincia: Option<String> = r.try_get("provincia")?;
    let comune: Option<String> = r.try_get("comune")?;
    let owner: Option<String> = r.try_get("owner")?;
    Ok(Chiavetta {
        serial: r.try_get("serial")?,
        stato: TokenStatus::from_code(&status).ok_or_else(|| corrupt("token status", &status))?,
        provincia: provincia
            .map(|p| CodiceProvincia::parse(&p).map_err(|e| corrupt("token provincia", e)))
            .transpose()?,
        comune: comune
            .map(|c| CodiceIstat::parse(&c).map_err(|e| corrupt("token comune", e)))
            .transpose()?,
        // Tokens bound by `firma tokens assign` may name an owner that is not an officer id.
        ufficiale: owner.and_then(|o| Uuid::parse_str(&o).ok().map(UfficialeId)),
    })
}

const CONSEGNA_COLUMNS: &str = "id, provincia, comune, numero, seriali, nome_delegato, \
    codice_fiscale_delegato, data_consegna, operatore, nome_operatore, motivo_oltre_allocazione, \
    ricevuta_richiesta, ricevuta_firmata_il, registrata_il";

fn consegna_from<R: Row>(r: &R) -> Result<StoredConsegna, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> OffsetDateTime: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<OffsetDateTime>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id")?;
    let provincia: String = r.try_get("provincia")?;
    let comune: String = r.try_get("comune")?;
    let seriali: String = r.try_get("seriali")?;
    let cf: String = r.try_get("codice_fiscale_delegato")?;
    let data: String = r.try_get("data_consegna")?;
    let operatore: String = r.try_get("operatore")?;
    let richiesta: Option<String> = r.try_get("ricevuta_richiesta")?;
    Ok(StoredConsegna {
        id: ConsegnaId(uuid(&id, "consegna id")?),
        numero: u32::try_from(r.try_get::<i32, _>("numero")?)
            .map_err(|e| corrupt("consegna numero", e))?,
        consegna: Consegna {
            provincia: CodiceProvincia::parse(&provincia)
                .map_err(|e| corrupt("consegna provincia", e))?,
            comune: CodiceIstat::parse(&comune).map_err(|e| corrupt("consegna comune", e))?,
            seriali: serde_json::from_str(&seriali).map_err(|e| corrupt("seriali", e))?,
            delegato: Delegato {
                nome: r.try_get("nome_delegato")?,
                codice_fiscale: CodiceFiscale::parse(&cf)
                    .map_err(|e| corrupt("codice fiscale del delegato", e))?,
            },
            data: Date::parse(&data, ISO_DATE).map_err(|e| corrupt("data consegna", e))?,
            operatore: PrincipalId(uuid(&operatore, "operatore")?),
            nome_operatore: r.try_get("nome_operatore")?,
            registrata_il: r.try_get("registrata_il")?,
            motivo_oltre_allocazione: r.try_get("motivo_oltre_allocazione")?,
        },
        ricevuta: StatoRicevuta {
            richiesta_firma: richiesta
                .map(|s| uuid(&s, "ricevuta richiesta").map(SigningRequestId))
                .transpose()?,
            firmata_il: r.try_get("ricevuta_firmata_il")?,
        },
    })
}

impl ChiavetteStore for Database {
    async fn chiavette(&self, serials: &[String]) -> Result<Vec<Chiavetta>, RepositoryError> {
        let sql = format!("SELECT {CHIAVETTA_COLUMNS} FROM otp_tokens WHERE serial = $1");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let mut out = Vec::with_capacity(serials.len());
            for serial in serials {
                if let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(serial)
                    .fetch_optional(pool)
                    .await?
                {
                    out.push(chiavetta_from(&r)?);
                }
            }
            Ok(out)
        });
        Ok(result?)
    }

    async fn chiavette_della_provincia(
        &self,
        provincia: &CodiceProvincia,
        stato: Option<TokenStatus>,
        limit: u32,
    ) -> Result<Vec<Chiavetta>, RepositoryError> {
        let sql = format!(
            "SELECT {CHIAVETTA_COLUMNS} FROM otp_tokens WHERE provincia = $1 \
             AND ($2 = '' OR status = $2) ORDER BY serial LIMIT $3"
        );
        let stato = stato.map(TokenStatus::code).unwrap_or("");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(provincia.as_str())
                .bind(stato)
                .bind(i64::from(limit.max(1)))
                .fetch_all(pool)
                .await?
                .iter()
                .map(chiavetta_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn conteggio_scorte(
        &self,
        provincia: &CodiceProvincia,
    ) -> Result<Vec<(TokenStatus, u64)>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(
                "SELECT status, COUNT(*) AS n FROM otp_tokens WHERE provincia = $1 \
                 GROUP BY status ORDER BY status",
            )
            .bind(provincia.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let n: i64 = r.try_get("n")?;
                Ok((
                    TokenStatus::from_code(&status)
                        .ok_or_else(|| corrupt("token status", &status))?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()
        });
        Ok(result?)
    }

    async fn carica(
        &self,
        provincia: &CodiceProvincia,
        serials: &[String],
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            for serial in serials {
                let updated = sqlx::query(
                    "UPDATE otp_tokens SET provincia = $1, version = version + 1, updated_at = $2 \
                     WHERE serial = $3 AND provincia IS NULL AND status = $4",
                )
                .bind(provincia.as_str())
                .bind(at)
                .bind(serial)
                .bind(TokenStatus::InStock.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    return Err(StoreError::Conflict);
                }
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }

    async fn richieste_chiavetta(
        &self,
        provincia: &CodiceProvincia,
    ) -> Result<Vec<RichiestaFirmaRemota>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(
                "SELECT richiesta FROM richieste_firma WHERE metodo_otp = 'chiavetta' \
                 AND comune LIKE $1 ORDER BY creata_il, id",
            )
            .bind(format!("{}%", provincia.as_str()))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                let json: String = r.try_get("richiesta")?;
                serde_json::from_str(&json).map_err(|e| corrupt("richiesta", e))
            })
            .collect::<Result<Vec<_>, StoreError>>()
        });
        Ok(result?)
    }

    async fn insert_consegna(
        &self,
        nuova: &NuovaConsegnaStored<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let c = nuova.consegna;
        let seriali = serde_json::to_string(&c.seriali).map_err(|e| corrupt("seriali", e))?;
        let data = c
            .data
            .format(ISO_DATE)
            .map_err(|e| corrupt("data consegna", e))?;
        let numero = i32::try_from(nuova.numero).map_err(|e| corrupt("consegna numero", e))?;
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO consegne_chiavette (id, provincia, comune, numero, seriali, \
                 nome_delegato, codice_fiscale_delegato, data_consegna, operatore, \
                 nome_operatore, motivo_oltre_allocazione, ricevuta_richiesta, ricevuta, \
                 ricevuta_firmata_il, registrata_il, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, $12, $13)",
            )
            .bind(nuova.id.0.to_string())
            .bind(c.provincia.as_str())
            .bind(c.comune.as_str())
            .bind(numero)
            .bind(&seriali)
            .bind(&c.delegato.nome)
            .bind(c.delegato.codice_fiscale.as_str())
            .bind(&data)
            .bind(c.operatore.0.to_string())
            .bind(&c.nome_operatore)
            .bind(c.motivo_oltre_allocazione.as_deref())
            .bind(c.registrata_il)
            .bind(at)
            .execute(&mut *tx)
            .await;
            match inserted {
                // Another delivery to the comune took this number first.
                Err(e) if crate::directory::unique_violation(&e) => {
                    return Err(StoreError::Conflict);
                }
                other => other?,
            };
            for serial in &c.seriali {
                let updated = sqlx::query(
                    "UPDATE otp_tokens SET status = $1, comune = $2, owner = NULL, \
                     version = version + 1, updated_at = $3 \
                     WHERE serial = $4 AND provincia = $5 AND status = $6",
                )
                .bind(TokenStatus::Delivered.code())
                .bind(c.comune.as_str())
                .bind(at)
                .bind(serial)
                .bind(c.provincia.as_str())
                .bind(TokenStatus::InStock.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    return Err(StoreError::Conflict);
                }
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }

    async fn consegna(&self, id: ConsegnaId) -> Result<Option<StoredConsegna>, RepositoryError> {
        let sql = format!("SELECT {CONSEGNA_COLUMNS} FROM consegne_chiavette WHERE id = $1");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.0.to_string())
                .fetch_optional(pool)
                .await?
            {
                Some(r) => consegna_from(&r).map(Some),
                None => Ok(None),
            }
        });
        Ok(result?)
    }

    async fn consegne(
        &self,
        provincia: &CodiceProvincia,
        comune: Option<&CodiceIstat>,
        limit: u32,
    ) -> Result<Vec<StoredConsegna>, RepositoryError> {
        let sql = format!(
            "SELECT {CONSEGNA_COLUMNS} FROM consegne_chiavette WHERE provincia = $1 \
             AND ($2 = '' OR comune = $2) ORDER BY registrata_il, comune, numero LIMIT $3"
        );
        let comune = comune.map(CodiceIstat::as_str).unwrap_or("");
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(provincia.as_str())
                .bind(comune)
                .bind(i64::from(limit.max(1)))
                .fetch_all(pool)
                .await?
                .iter()
                .map(consegna_from)
                .collect::<Result<Vec<_>, _>>()
        });
        Ok(result?)
    }

    async fn set_richiesta_ricevuta(
        &self,
        id: ConsegnaId,
        previous: Option<SigningRequestId>,
        richiesta: SigningRequestId,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let previous = previous.map(|p| p.0.to_string()).unwrap_or_default();
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE consegne_chiavette SET ricevuta_richiesta = $1, updated_at = $2 \
                 WHERE id = $3 AND COALESCE(ricevuta_richiesta, '') = $4 AND ricevuta IS NULL",
            )
            .bind(richiesta.0.to_string())
            .bind(at)
            .bind(id.0.to_string())
            .bind(&previous)
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

    async fn store_ricevuta_firmata(
        &self,
        id: ConsegnaId,
        richiesta: SigningRequestId,
        pdf: &[u8],
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE consegne_chiavette SET ricevuta = $1, ricevuta_firmata_il = $2, \
                 updated_at = $2 WHERE id = $3 AND ricevuta_richiesta = $4 AND ricevuta IS NULL",
            )
            .bind(pdf)
            .bind(at)
            .bind(id.0.to_string())
            .bind(richiesta.0.to_string())
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

    async fn ricevuta_firmata(&self, id: ConsegnaId) -> Result<Option<Vec<u8>>, RepositoryError> {
        let result: Result<_, StoreError> = with_pool!(self, |pool| {
            let pdf: Option<Option<Vec<u8>>> =
                sqlx::query_scalar("SELECT ricevuta FROM consegne_chiavette WHERE id = $1")
                    .bind(id.0.to_string())
                    .fetch_optional(pool)
                    .await?;
            Ok(pdf.flatten())
        });
        Ok(result?)
    }

    async fn abbina(
        &self,
        a: &Abbinamento<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let counter = i64::try_from(a.state.counter).map_err(|e| corrupt("counter", e))?;
        let last_step = a
            .state
            .last_step
            .map(i64::try_from)
            .transpose()
            .map_err(|e| corrupt("step", e))?;
        let failures = i32::try_from(a.state.failures).unwrap_or(i32::MAX);
        let owner = a.ufficiale.0.to_string();
        let device = OtpDevice::Token {
            serial: a.serial.to_owned(),
        }
        .subject();
        let result: Result<(), StoreError> = in_transaction!(self, |tx| {
            let bound = sqlx::query(
                "UPDATE otp_tokens SET counter = $1, last_step = $2, drift = $3, failures = $4, \
                 status = $5, owner = $6, version = version + 1, updated_at = $7 \
                 WHERE serial = $8 AND version = $9 AND status = $10 AND comune = $11",
            )
            .bind(counter)
            .bind(last_step)
            .bind(a.state.drift)
            .bind(failures)
            .bind(TokenStatus::Assigned.code())
            .bind(&owner)
            .bind(at)
            .bind(a.serial)
            .bind(a.expected_version)
            .bind(TokenStatus::Delivered.code())
            .bind(a.comune.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if bound != 1 {
                return Err(StoreError::Conflict);
            }
            // The officer's OTP device: a pending richiesta with the chiavetta is approved with
            // it, an approved one can sign with it. Not if the officer was removed meanwhile, or
            // bound another chiavetta.
            let officer = sqlx::query(
                "UPDATE ufficiali SET otp_device = $1 WHERE id = $2 AND removed_at IS NULL \
                 AND comune = $3 AND (otp_device IS NULL OR otp_device NOT LIKE 'token:%')",
            )
            .bind(&device)
            .bind(&owner)
            .bind(a.comune.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if officer != 1 {
                return Err(StoreError::Conflict);
            }
            append_events!(tx, events, at);
            Ok(())
        });
        swapped(result)
    }
}
