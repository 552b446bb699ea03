-- Distribution of the chiavette by the Prefetture (circolare 48/2025, section 2): the province
-- whose stock a token belongs to, the comune it was delivered to, and the deliveries with their
-- receipts.
ALTER TABLE otp_tokens ADD COLUMN provincia TEXT;
ALTER TABLE otp_tokens ADD COLUMN comune TEXT;
CREATE INDEX otp_tokens_provincia ON otp_tokens (provincia, status, serial);

-- A delivery to the sindaco's delegate: who, what (the serials, a JSON array in the order given),
-- when, by which operator, and why beyond the allocation when it was. `numero` counts the
-- deliveries of a comune (1, 2, ...): unique per comune, so of two deliveries decided on the same
-- earlier ones only one is stored. The receipt: the signing request of the current attempt to
-- sign it with the operator's credential, then the signed PDF itself.
CREATE TABLE consegne_chiavette (
    id                       TEXT PRIMARY KEY,
    provincia                TEXT    NOT NULL,
    comune                   TEXT    NOT NULL,
    numero                   INTEGER NOT NULL,
    seriali                  TEXT    NOT NULL,
    nome_delegato            TEXT    NOT NULL,
    codice_fiscale_delegato  TEXT    NOT NULL,
    data_consegna            TEXT    NOT NULL,
    operatore                TEXT    NOT NULL,
    nome_operatore           TEXT    NOT NULL,
    motivo_oltre_allocazione TEXT,
    ricevuta_richiesta       TEXT REFERENCES signing_requests (id),
    ricevuta                 BLOB,
    ricevuta_firmata_il      TEXT,
    registrata_il            TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL,
    UNIQUE (comune, numero)
);
CREATE INDEX consegne_chiavette_provincia ON consegne_chiavette (provincia, registrata_il);
