"""Prints the validation data of a CAdES B-LT signature (ETSI EN 319 122-1 clause 5.5), read
with asn1crypto: its certificate-values and revocation-values unsigned attributes.

Usage: cades_lt.py FILE.p7m|FILE.p7s

Prints `certificate_values=<n>`, then one line per OCSP response:
`ocsp serial=<hex> <status>`, and `crls=<n>`.
"""

import sys

from asn1crypto import cms, core, crl, ocsp, x509

CERT_VALUES = "1.2.840.113549.1.9.16.2.23"
REVOCATION_VALUES = "1.2.840.113549.1.9.16.2.24"


class CertificateValues(core.SequenceOf):
    _child_spec = x509.Certificate


class CrlValues(core.SequenceOf):
    _child_spec = crl.CertificateList


class OcspValues(core.SequenceOf):
    _child_spec = ocsp.BasicOCSPResponse


class RevocationValues(core.Sequence):
    _fields = [
        ("crl_vals", CrlValues, {"explicit": 0, "optional": True}),
        ("ocsp_vals", OcspValues, {"explicit": 1, "optional": True}),
    ]


def main(path):
    with open(path, "rb") as f:
        info = cms.ContentInfo.load(f.read())
    signer = info["content"]["signer_infos"][0]
    attrs = {a["type"].dotted: a["values"][0] for a in signer["unsigned_attrs"]}
    certs = CertificateValues.load(attrs[CERT_VALUES].dump())
    print(f"certificate_values={len(certs)}")
    for c in certs:
        c.native  # parses every certificate
    rev = RevocationValues.load(attrs[REVOCATION_VALUES].dump())
    crls = 0
    if rev["crl_vals"].native is not None:
        for item in rev["crl_vals"]:
            item.native  # parses the CRL
            crls += 1
    if rev["ocsp_vals"].native is not None:
        for basic in rev["ocsp_vals"]:
            for single in basic["tbs_response_data"]["responses"]:
                serial = single["cert_id"]["serial_number"].native
                print(f"ocsp serial={serial:x} {single['cert_status'].name}")
    print(f"crls={crls}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
