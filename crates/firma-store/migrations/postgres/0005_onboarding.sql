-- Onboarding (circolare 48/2025; guida cruscotti adesione ANSC): the adhesion of each comune, the
-- officers' richieste firma remota, removed officers.
--
-- A removed officer keeps their row (their credentials and the audit log refer to it), marked by
-- `removed_at`; their codice fiscale may be registered again (an officer who moves to another
-- comune), so it is unique among the officers not removed only.
ALTER TABLE ufficiali DROP CONSTRAINT ufficiali_codice_fiscale_key;
ALTER TABLE ufficiali ADD COLUMN removed_by TEXT;
CREATE UNIQUE INDEX ufficiali_codice_fiscale ON ufficiali (codice_fiscale)
    WHERE removed_at IS NULL;
CREATE INDEX ufficiali_comune ON ufficiali (comune, cognome, nome);

-- The adhesion of a comune: the domain object (`Adesione`, JSON) and what queries need: its state,
-- the adhesion date the sindaco confirmed and the first day richieste are forwarded (three
-- calendar months before it), as ISO dates (YYYY-MM-DD, Italian calendar), which sort as text.
CREATE TABLE adesioni (
    comune        TEXT PRIMARY KEY,
    stato         TEXT   NOT NULL,
    data_adesione TEXT   NOT NULL,
    inoltro_dal   TEXT   NOT NULL,
    adesione      TEXT   NOT NULL,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX adesioni_inoltro_dal ON adesioni (inoltro_dal);

-- Richieste firma remota: the domain object (`RichiestaFirmaRemota`, JSON: identity document,
-- e-mail, phone, OTP method, identity checks, state) and its queryable columns; the credential
-- issued on approval. An officer has at most one open richiesta (in attesa or inoltrata).
CREATE TABLE richieste_firma (
    id           TEXT PRIMARY KEY,
    ufficiale    TEXT   NOT NULL REFERENCES ufficiali (id),
    comune       TEXT   NOT NULL,
    stato        TEXT   NOT NULL,
    metodo_otp   TEXT   NOT NULL,
    richiesta    TEXT   NOT NULL,
    credential   TEXT REFERENCES credentials (id),
    version      BIGINT NOT NULL,
    creata_il    TIMESTAMPTZ NOT NULL,
    inoltrata_il TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX richieste_firma_stato ON richieste_firma (stato, comune, creata_il);
CREATE INDEX richieste_firma_ufficiale ON richieste_firma (ufficiale, creata_il);
CREATE UNIQUE INDEX richieste_firma_una_aperta ON richieste_firma (ufficiale)
    WHERE stato IN ('in_attesa', 'inoltrata');
