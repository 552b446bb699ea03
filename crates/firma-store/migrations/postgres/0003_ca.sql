-- The Ente Certificatore simulator's CA: certificates and key labels (the keys are in the HSM),
-- and the certificate of the simulator's time-stamping authority.
CREATE TABLE ca_material (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    material        TEXT NOT NULL,
    tsa_certificate BYTEA,
    created_at      TIMESTAMPTZ NOT NULL
);
