"""PAdES baseline level of the last signature of a PDF, decided with pyHanko's library (its CLI
does not print the level). ETSI EN 319 142-1: B-B (clause 6.3) needs SubFilter
ETSI.CAdES.detached, the content-type, message-digest and ESS signing-certificate(-v2) signed
attributes, no signing-time attribute and /M; B-T (clause 6.4) adds a valid signature time-stamp.

Usage: python level_check.py FILE.pdf INDEX ROOT.pem [ROOT.pem...] (INDEX -1: the last
signature); prints one JSON object."""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
SIGNING_TIME = "1.2.840.113549.1.9.5"
SIGNING_CERT = "1.2.840.113549.1.9.16.2.12"
SIGNING_CERT_V2 = "1.2.840.113549.1.9.16.2.47"
SIG_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"

path, index, roots = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(path, "rb") as f:
    reader = PdfFileReader(f, strict=False)
    sig = reader.embedded_signatures[index]
    si = sig.signed_data["signer_infos"][0]
    signed = [a["type"].dotted for a in si["signed_attrs"]]
    unsigned = [a["type"].dotted for a in si["unsigned_attrs"]] if si["unsigned_attrs"].native else []
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(r) for r in roots], allow_fetching=False)
    status = validate_pdf_signature(sig, vc)
    ts = status.timestamp_validity
    ts_ok = ts is not None and ts.intact and ts.valid and ts.trusted
    checks = {
        "subfilter": str(sig.sig_object.get("/SubFilter")) == "/ETSI.CAdES.detached",
        "m_present": "/M" in sig.sig_object,
        "content_type": CONTENT_TYPE in signed,
        "message_digest": MESSAGE_DIGEST in signed,
        "signing_certificate": SIGNING_CERT_V2 in signed or SIGNING_CERT in signed,
        "no_signing_time": SIGNING_TIME not in signed,
        "valid": bool(status.bottom_line),
    }
    level = None
    if all(checks.values()):
        level = "B-T" if (SIG_TIMESTAMP in unsigned and ts_ok) else "B-B"
    print(json.dumps({"level": level, "checks": checks, "timestamp_ok": ts_ok}))
