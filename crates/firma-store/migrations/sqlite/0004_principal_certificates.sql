-- Principals that authenticate over mutual TLS with a client certificate (a workstation
-- certificate, certificato di postazione): the SHA-256 of the certificate's DER encoding. A
-- principal has a token, a certificate, or both; a certificate maps to at most one principal.
ALTER TABLE principals ADD COLUMN certificate_sha256 BLOB;
CREATE UNIQUE INDEX principals_certificate_sha256 ON principals (certificate_sha256);
