"""Prints what a PDF's Document Security Store archives, as pyHanko reads it.

Usage: lta_dss.py PDF

One line per OCSP response: `ocsp <subject CN> <status> produced_at=<ISO time>`; then
`certs=<n> crls=<n>` and one `doc_timestamps=<n>` line.
"""

import sys

from asn1crypto import ocsp

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore


def main(path):
    with open(path, "rb") as f:
        reader = PdfFileReader(f)
        dss = DocumentSecurityStore.read_dss(reader)
        for ref in dss.ocsps:
            resp = ocsp.OCSPResponse.load(ref.get_object().data)
            basic = resp["response_bytes"]["response"].parsed
            data = basic["tbs_response_data"]
            for single in data["responses"]:
                serial = single["cert_id"]["serial_number"].native
                status = single["cert_status"].name
                print(f"ocsp serial={serial:x} {status} produced_at={data['produced_at'].native.isoformat()}")
        print(f"certs={len(list(dss.certs.values()))} crls={len(dss.crls)}")
        print(f"doc_timestamps={len(list(reader.embedded_timestamp_signatures))}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
