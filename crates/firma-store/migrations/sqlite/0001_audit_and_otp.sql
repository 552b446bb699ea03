-- Audit log: append-only, hash-chained (firma-core/src/audit.rs). The single row of audit_head is
-- the chain's end; every append updates it in the same transaction, which serialises appends.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Hardware OTP tokens (chiavette): parameters, the seed sealed by the HSM, verification state.
CREATE TABLE otp_tokens (
    serial       TEXT PRIMARY KEY,
    manufacturer TEXT,
    kind         TEXT    NOT NULL CHECK (kind IN ('totp', 'hotp')),
    hash_alg     TEXT    NOT NULL,
    digits       INTEGER NOT NULL,
    step_seconds INTEGER,
    t0           INTEGER,
    sealed_seed  BLOB    NOT NULL,
    counter      INTEGER NOT NULL,
    last_step    INTEGER,
    drift        INTEGER NOT NULL,
    failures     INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    owner        TEXT,
    version      INTEGER NOT NULL,
    imported_at  TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX otp_tokens_owner ON otp_tokens (owner);

-- Officers' SMS devices and the codes sent to them (stored as keyed hashes only).
CREATE TABLE sms_devices (
    owner      TEXT PRIMARY KEY,
    phone      TEXT    NOT NULL,
    failures   INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE sms_challenges (
    id           TEXT PRIMARY KEY,
    owner        TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    code_hash    BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    consumed_at  TEXT,
    sends        INTEGER NOT NULL,
    last_sent_at TEXT    NOT NULL
);
CREATE INDEX sms_challenges_owner_purpose ON sms_challenges (owner, purpose, created_at);
