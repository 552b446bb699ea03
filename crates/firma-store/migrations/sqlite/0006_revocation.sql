-- The Ente Certificatore simulator's revocation register (RFC 5280 section 5, RFC 6960).
--
-- Serial numbers are lower-case hexadecimal of the unsigned magnitude (no leading zero octets).

-- Every certificate the CA issued, so that the OCSP responder tells `good` from `unknown`.
CREATE TABLE issued_certificates (
    serial      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    credential  TEXT REFERENCES credentials (id),
    subject     TEXT NOT NULL,
    not_after   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX issued_certificates_credential ON issued_certificates (credential);

-- Revoked and suspended (reason 6, certificateHold) certificates: what the CRL lists and the
-- OCSP responder answers `revoked`. A lifted suspension deletes its row.
CREATE TABLE revocations (
    serial          TEXT PRIMARY KEY,
    credential      TEXT REFERENCES credentials (id),
    reason          INTEGER NOT NULL,
    revoked_at      TEXT NOT NULL,
    invalidity_date TEXT,
    revoked_by      TEXT NOT NULL
);
CREATE INDEX revocations_credential ON revocations (credential);

-- The register's version, raised by every change of `revocations` (CRLs are rebuilt then).
CREATE TABLE revocation_register (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO revocation_register (id, version) VALUES (1, 0);

-- The last CRL published per scope (the issuing CA's, the root's) and its number, which only
-- goes up (RFC 5280 section 5.2.3).
CREATE TABLE crls (
    scope            TEXT PRIMARY KEY,
    crl_number       BIGINT NOT NULL,
    der              BLOB,
    this_update      TEXT,
    next_update      TEXT,
    register_version BIGINT NOT NULL
);
INSERT INTO crls (scope, crl_number, register_version) VALUES ('issuing', 0, -1);
INSERT INTO crls (scope, crl_number, register_version) VALUES ('root', 0, -1);

-- The delegated OCSP responder (RFC 6960 section 4.2.2.2): its key's label in the HSM and its
-- certificate, created by `firma ca init`.
CREATE TABLE ocsp_responder (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_label   TEXT NOT NULL,
    certificate BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
