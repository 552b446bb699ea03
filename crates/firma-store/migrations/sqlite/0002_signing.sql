-- Who may call the API: bearer tokens stored as SHA-256 (tokens are 256-bit random, so a plain hash
-- is enough), with a role and a scope.
CREATE TABLE principals (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    comune      TEXT,
    provincia   TEXT,
    ufficiale   TEXT,
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- Ufficiali dello stato civile, with their ANPR profiles and the OTP device they authorise with.
CREATE TABLE ufficiali (
    id             TEXT PRIMARY KEY,
    codice_fiscale TEXT NOT NULL UNIQUE,
    nome           TEXT NOT NULL,
    cognome        TEXT NOT NULL,
    email          TEXT NOT NULL,
    comune         TEXT NOT NULL,
    profili        TEXT NOT NULL,
    otp_device     TEXT,
    created_at     TEXT NOT NULL,
    removed_at     TEXT
);

-- Signing credentials: the key (wrapped blob or token id), its public key and certificate chain.
CREATE TABLE credentials (
    id               TEXT PRIMARY KEY,
    ufficiale        TEXT NOT NULL REFERENCES ufficiali (id),
    key_ref          TEXT NOT NULL,
    public_key       BLOB NOT NULL,
    algorithm        TEXT NOT NULL,
    status           TEXT NOT NULL,
    certificate_chain TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX credentials_ufficiale ON credentials (ufficiale);

-- Signing requests from ANSC core, their documents, and the Signature Activation Data that one OTP
-- unlocks for exactly those documents.
CREATE TABLE signing_requests (
    id              TEXT PRIMARY KEY,
    credential      TEXT NOT NULL REFERENCES credentials (id),
    created_by      TEXT NOT NULL,
    idempotency_key TEXT,
    body_hash       BLOB NOT NULL,
    status          TEXT NOT NULL,
    failure         TEXT,
    documents       INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (created_by, idempotency_key)
);
CREATE INDEX signing_requests_status ON signing_requests (status);

CREATE TABLE request_documents (
    request     TEXT    NOT NULL REFERENCES signing_requests (id),
    idx         INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    atto        TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    input       BLOB    NOT NULL,
    digest      BLOB    NOT NULL,
    status      TEXT    NOT NULL,
    output      BLOB,
    signed_at   TEXT,
    PRIMARY KEY (request, idx)
);

CREATE TABLE sads (
    id          TEXT PRIMARY KEY,
    credential  TEXT    NOT NULL REFERENCES credentials (id),
    purpose     TEXT    NOT NULL,
    hashes      BLOB    NOT NULL,
    remaining   INTEGER NOT NULL,
    expires_at  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX sads_purpose ON sads (purpose);
