-- Audit log: append-only, hash-chained (firma-core/src/audit.rs). The single row of audit_head is
-- the chain's end; every append locks and updates it in the same transaction, which serialises
-- appends across service instances.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA  NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash      BYTEA NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Hardware OTP tokens (chiavette): parameters, the seed sealed by the HSM, verification state.
CREATE TABLE otp_tokens (
    serial       TEXT PRIMARY KEY,
    manufacturer TEXT,
    kind         TEXT    NOT NULL CHECK (kind IN ('totp', 'hotp')),
    hash_alg     TEXT    NOT NULL,
    digits       INTEGER NOT NULL,
    step_seconds INTEGER,
    t0           BIGINT,
    sealed_seed  BYTEA   NOT NULL,
    counter      BIGINT  NOT NULL,
    last_step    BIGINT,
    drift        BIGINT  NOT NULL,
    failures     INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    owner        TEXT,
    version      BIGINT  NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX otp_tokens_owner ON otp_tokens (owner);

-- Officers' SMS devices and the codes sent to them (stored as keyed hashes only).
CREATE TABLE sms_devices (
    owner      TEXT PRIMARY KEY,
    phone      TEXT    NOT NULL,
    failures   INTEGER NOT NULL,
    version    BIGINT  NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sms_challenges (
    id           TEXT PRIMARY KEY,
    owner        TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    code_hash    BYTEA   NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    consumed_at  TIMESTAMPTZ,
    sends        INTEGER NOT NULL,
    last_sent_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sms_challenges_owner_purpose ON sms_challenges (owner, purpose, created_at);
