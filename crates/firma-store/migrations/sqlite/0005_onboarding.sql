-- no-transaction
-- Onboarding (circolare 48/2025; guida cruscotti adesione ANSC): the adhesion of each comune, the
-- officers' richieste firma remota, removed officers.
--
-- A removed officer keeps their row (their credentials and the audit log refer to it), marked by
-- `removed_at`; their codice fiscale may be registered again (an officer who moves to another
-- comune), so it is unique among the officers not removed only. SQLite cannot drop the UNIQUE
-- constraint of 0002 in place: the table is rebuilt as https://www.sqlite.org/lang_altertable.html
-- ("Making Other Kinds Of Table Schema Changes") prescribes, with foreign keys off, which is why
-- this migration runs outside sqlx's transaction and opens its own. Every statement is written so
-- that running it again (after a crash between its COMMIT and sqlx's bookkeeping) is harmless.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE ufficiali_new (
    id             TEXT PRIMARY KEY,
    codice_fiscale TEXT NOT NULL,
    nome           TEXT NOT NULL,
    cognome        TEXT NOT NULL,
    email          TEXT NOT NULL,
    comune         TEXT NOT NULL,
    profili        TEXT NOT NULL,
    otp_device     TEXT,
    created_at     TEXT NOT NULL,
    removed_at     TEXT,
    removed_by     TEXT
);
INSERT INTO ufficiali_new (id, codice_fiscale, nome, cognome, email, comune, profili, otp_device,
                           created_at, removed_at, removed_by)
    SELECT id, codice_fiscale, nome, cognome, email, comune, profili, otp_device, created_at,
           removed_at, NULL
    FROM ufficiali;
DROP TABLE ufficiali;
ALTER TABLE ufficiali_new RENAME TO ufficiali;
CREATE UNIQUE INDEX IF NOT EXISTS ufficiali_codice_fiscale ON ufficiali (codice_fiscale)
    WHERE removed_at IS NULL;
CREATE INDEX IF NOT EXISTS ufficiali_comune ON ufficiali (comune, cognome, nome);

-- The adhesion of a comune: the domain object (`Adesione`, JSON) and what queries need: its state,
-- the adhesion date the sindaco confirmed and the first day richieste are forwarded (three
-- calendar months before it), as ISO dates (YYYY-MM-DD, Italian calendar), which sort as text.
CREATE TABLE IF NOT EXISTS adesioni (
    comune        TEXT PRIMARY KEY,
    stato         TEXT   NOT NULL,
    data_adesione TEXT   NOT NULL,
    inoltro_dal   TEXT   NOT NULL,
    adesione      TEXT   NOT NULL,
    version       BIGINT NOT NULL,
    created_at    TEXT   NOT NULL,
    updated_at    TEXT   NOT NULL
);
CREATE INDEX IF NOT EXISTS adesioni_inoltro_dal ON adesioni (inoltro_dal);

-- Richieste firma remota: the domain object (`RichiestaFirmaRemota`, JSON: identity document,
-- e-mail, phone, OTP method, identity checks, state) and its queryable columns; the credential
-- issued on approval. An officer has at most one open richiesta (in attesa or inoltrata).
CREATE TABLE IF NOT EXISTS richieste_firma (
    id           TEXT PRIMARY KEY,
    ufficiale    TEXT   NOT NULL REFERENCES ufficiali (id),
    comune       TEXT   NOT NULL,
    stato        TEXT   NOT NULL,
    metodo_otp   TEXT   NOT NULL,
    richiesta    TEXT   NOT NULL,
    credential   TEXT REFERENCES credentials (id),
    version      BIGINT NOT NULL,
    creata_il    TEXT   NOT NULL,
    inoltrata_il TEXT,
    updated_at   TEXT   NOT NULL
);
CREATE INDEX IF NOT EXISTS richieste_firma_stato ON richieste_firma (stato, comune, creata_il);
CREATE INDEX IF NOT EXISTS richieste_firma_ufficiale ON richieste_firma (ufficiale, creata_il);
CREATE UNIQUE INDEX IF NOT EXISTS richieste_firma_una_aperta ON richieste_firma (ufficiale)
    WHERE stato IN ('in_attesa', 'inoltrata');

COMMIT;
PRAGMA foreign_keys = ON;
