#!/usr/bin/env python3
"""Regenerates the PDF corpus of the firma-ades PAdES tests (see README.md).

Usage: python3 generate.py [PYHANKO_PYTHON]
  PYHANKO_PYTHON: a Python with pyHanko installed (default: <repo>/.venv-validators/bin/python).
Needs qpdf and openssl on PATH. Deterministic except for the pre-signed files (fresh keys).
"""
import os
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
PYHANKO_PY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, ".venv-validators", "bin", "python")


def out(name):
    return os.path.join(HERE, name)


# --- a tiny PDF writer -------------------------------------------------------------------------

class Stream:
    def __init__(self, dict_src, data, compress=True):
        self.dict_src = dict_src
        self.data = zlib.compress(data) if compress else data
        self.compressed = compress

    def render(self):
        filt = " /Filter /FlateDecode" if self.compressed else ""
        return (b"<< " + self.dict_src.encode("latin-1") + filt.encode() +
                b" /Length %d >>\nstream\n" % len(self.data) + self.data + b"\nendstream")


def render(obj):
    if isinstance(obj, Stream):
        return obj.render()
    return obj.encode("latin-1") if isinstance(obj, str) else obj


def classic(objects, version="1.4", trailer_extra="", eol=b"\n"):
    """objects: {num: str|Stream}. Classic xref table (ISO 32000-1 7.5.4)."""
    buf = bytearray(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(buf)
        buf += b"%d 0 obj\n" % num + render(objects[num]) + b"\nendobj\n"
    xref_at = len(buf)
    size = max(objects) + 1
    buf += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
    for num in range(1, size):
        if num in offsets:
            buf += b"%010d 00000 n\r\n" % offsets[num]
        else:
            buf += b"0000000000 00000 f\r\n"
    buf += b"trailer\n<< /Size %d /Root 1 0 R /Info 99 0 R " % size + trailer_extra.encode() + b">>\n"
    buf += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(buf), offsets, xref_at


def png_up(rows, width):
    """PNG 'Up' predictor (filter type 2) over fixed-width rows."""
    prev = bytes(width)
    outb = bytearray()
    for r in rows:
        outb.append(2)
        outb += bytes((a - b) & 0xFF for a, b in zip(r, prev))
        prev = r
    return bytes(outb)


def xref_stream_file(objects, version="1.5", in_objstm=(), hybrid=False):
    """Cross-reference stream (7.5.8) with FlateDecode + PNG predictor; objects whose number is in
    `in_objstm` go into one object stream (7.5.7). With hybrid=True the uncompressed objects are
    listed in a classic table whose trailer has /XRefStm (7.5.8.4)."""
    buf = bytearray(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 1
    objstm_num, xref_num = size, size + 1
    size += 2
    entries = {}  # num -> (type, f1, f2)
    # object stream
    if in_objstm:
        header, body = [], bytearray()
        for i, num in enumerate(sorted(in_objstm)):
            header.append(b"%d %d" % (num, len(body)))
            body += render(objects[num]) + b"\n"
            entries[num] = (2, objstm_num, i)
        head = b" ".join(header) + b"\n"
        stm = Stream("/Type /ObjStm /N %d /First %d" % (len(in_objstm), len(head)), head + bytes(body))
    for num in sorted(objects):
        if num in in_objstm:
            continue
        entries[num] = (1, len(buf), 0)
        buf += b"%d 0 obj\n" % num + render(objects[num]) + b"\nendobj\n"
    if in_objstm:
        entries[objstm_num] = (1, len(buf), 0)
        buf += b"%d 0 obj\n" % objstm_num + stm.render() + b"\nendobj\n"
    xref_at = len(buf)
    entries[xref_num] = (1, xref_at, 0)
    rows = []
    for num in range(size):
        t, f1, f2 = entries.get(num, (0, 0, 65535 if num == 0 else 0))
        rows.append(bytes([t]) + f1.to_bytes(4, "big") + f2.to_bytes(2, "big"))
    data = zlib.compress(png_up(rows, 7))
    xdict = (b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Info 99 0 R /Filter /FlateDecode "
             b"/DecodeParms << /Predictor 12 /Columns 7 >> /Length %d >>" % (size, len(data)))
    buf += b"%d 0 obj\n" % xref_num + xdict + b"\nstream\n" + data + b"\nendstream\nendobj\n"
    if not hybrid:
        buf += b"startxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(buf)
    # Hybrid: a classic table of the uncompressed objects only, /XRefStm -> the stream.
    table_at = len(buf)
    buf += b"xref\n0 1\n0000000000 65535 f\r\n"
    for num in sorted(n for n, e in entries.items() if e[0] == 1 and n != xref_num):
        buf += b"%d 1\n%010d 00000 n\r\n" % (num, entries[num][1])
    buf += (b"trailer\n<< /Size %d /Root 1 0 R /Info 99 0 R /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, xref_at, table_at))
    return bytes(buf)


# --- document content --------------------------------------------------------------------------

def page_text(lines):
    ops = ["BT /F1 11 Tf 14 TL 56 780 Td"]
    for i, line in enumerate(lines):
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(("T* " if i else "") + "(" + esc + ") Tj")
    ops.append("ET")
    return "\n".join(ops).encode("cp1252")


ATTO = [
    ["COMUNE DI FORLÌ - UFFICIO DELLO STATO CIVILE", "", "ATTO DI NASCITA n. 123 Parte I Serie A",
     "L'anno duemilaventisei, addì quattro del mese di marzo, alle ore 10:15,",
     "nella Casa comunale, davanti a me, Ufficiale dello stato civile,",
     "è comparso Mario Rossi, nato a Cesena, il quale ha dichiarato",
     "che il giorno primo marzo è nata Giulia Rossi, di sesso femminile."] + ["Riga di testo %d" % i for i in range(30)],
    ["Pagina 2: dichiarazioni e annotazioni", "Perché l'atto sia valido: così è."] + ["Annotazione %d" % i for i in range(40)],
    ["Pagina 3: sottoscrizioni", "L'Ufficiale dello stato civile", "(firmato digitalmente)"],
]


def atto_objects(title="Atto di nascita", pages=ATTO, extra_catalog="", page_extra=None):
    n = len(pages)
    first_page, first_content = 3, 3 + n
    kids = " ".join("%d 0 R" % (first_page + i) for i in range(n))
    objs = {
        1: "<< /Type /Catalog /Pages 2 0 R %s>>" % extra_catalog,
        2: "<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] >>" % (kids, n),
        50: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        99: "<< /Title (%s) /Producer (firma-remota corpus generator) >>" % title,
    }
    for i, lines in enumerate(pages):
        extra = (page_extra or {}).get(i, "")
        objs[first_page + i] = ("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 50 0 R >> >> "
                                "/Contents %d 0 R %s>>" % (first_content + i, extra))
        objs[first_content + i] = Stream("", page_text(lines))
    return objs


def form_objects():
    """One page with an AcroForm: a text field, a checkbox and an empty signature field."""
    objs = atto_objects("Modulo", [["Modulo di richiesta", "Nome:", "Consenso:"]],
                        extra_catalog="/AcroForm 20 0 R ",
                        page_extra={0: "/Annots [21 0 R 22 0 R 23 0 R] "})
    objs[20] = ("<< /Fields [21 0 R 22 0 R 23 0 R] /DA (/Helv 0 Tf 0 g) "
                "/DR << /Font << /Helv 50 0 R >> >> >>")
    objs[21] = ("<< /Type /Annot /Subtype /Widget /FT /Tx /T (nome) /V (Mario Rossi) /F 4 "
                "/Rect [100 700 300 720] /P 3 0 R /DA (/Helv 10 Tf 0 g) /AP << /N 24 0 R >> >>")
    objs[22] = ("<< /Type /Annot /Subtype /Widget /FT /Btn /T (consenso) /V /Off /AS /Off /F 4 "
                "/Rect [100 660 115 675] /P 3 0 R /AP << /N << /Yes 25 0 R /Off 26 0 R >> >> >>")
    objs[23] = ("<< /Type /Annot /Subtype /Widget /FT /Sig /T (FirmaUfficiale) /F 132 "
                "/Rect [0 0 0 0] /P 3 0 R >>")
    objs[24] = Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] "
                      "/Resources << /Font << /Helv 50 0 R >> >>",
                      b"/Tx BMC BT /Helv 10 Tf 0 g 2 6 Td (Mario Rossi) Tj ET EMC")
    objs[25] = Stream("/Type /XObject /Subtype /Form /BBox [0 0 15 15]", b"0 g 3 3 9 9 re f")
    objs[26] = Stream("/Type /XObject /Subtype /Form /BBox [0 0 15 15]", b"0 G 0.5 0.5 14 14 re S")
    return objs


def form_inline_objects():
    """AcroForm inline in the catalog, hierarchical field names, /Annots as an indirect array."""
    objs = atto_objects("Modulo anagrafico", [["Anagrafica", "Nome:", "Cognome:"]],
                        extra_catalog="/AcroForm << /Fields [30 0 R] /DA (/Helv 0 Tf 0 g) "
                                      "/DR << /Font << /Helv 50 0 R >> >> /NeedAppearances true >> ",
                        page_extra={0: "/Annots 33 0 R "})
    objs[30] = "<< /T (anagrafica) /FT /Tx /Kids [31 0 R 32 0 R] >>"
    objs[31] = ("<< /Type /Annot /Subtype /Widget /Parent 30 0 R /T (nome) /V (Giulia) /F 4 "
                "/Rect [100 700 300 720] /P 3 0 R /DA (/Helv 10 Tf 0 g) >>")
    objs[32] = ("<< /Type /Annot /Subtype /Widget /Parent 30 0 R /T (cognome) /V (Bianchi) /F 4 "
                "/Rect [100 670 300 690] /P 3 0 R /DA (/Helv 10 Tf 0 g) >>")
    objs[33] = "[31 0 R 32 0 R]"
    return objs


def damaged(data, offsets, xref_at):
    """Shifts every xref offset by 2 bytes and startxref by 3, as a careless editor would."""
    head, _, _ = data.partition(b"xref\n0 ")
    size = max(offsets) + 1
    buf = bytearray(head)
    buf += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
    for num in range(1, size):
        buf += (b"%010d 00000 n\r\n" % (offsets[num] + 2)) if num in offsets else b"0000000000 00000 f\r\n"
    buf += b"trailer\n<< /Size %d /Root 1 0 R /Info 99 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at - 3)
    return bytes(buf)


def run(*cmd):
    subprocess.run(cmd, check=True)


def qpdf(*args):
    # qpdf exits 3 on warnings, which is fine for the files it is asked to produce.
    r = subprocess.run(("qpdf",) + args)
    if r.returncode not in (0, 3):
        raise SystemExit("qpdf failed: %r" % (args,))


PYHANKO_SIGN = r'''
import sys
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import MDPPerm
src, dst, key, cert, field, mode = sys.argv[1:7]
signer = signers.SimpleSigner.load(key, cert, key_passphrase=None)
meta_args = dict(field_name=field, reason="Test corpus", location="Forli")
if mode == "pades":
    meta_args["subfilter"] = fields.SigSeedSubFilter.PADES
elif mode.startswith("certify"):
    meta_args["certify"] = True
    meta_args["subfilter"] = fields.SigSeedSubFilter.PADES
    meta_args["docmdp_permissions"] = MDPPerm.NO_CHANGES if mode == "certify1" else MDPPerm.FILL_FORMS
meta = signers.PdfSignatureMetadata(**meta_args)
with open(src, "rb") as f:
    w = IncrementalPdfFileWriter(f)
    with open(dst, "wb") as o:
        signers.sign_pdf(w, meta, signer=signer, output=o)
'''


def corpus_pki(tmp):
    """A throw-away PKI for the pre-signed files; only the root certificate is kept."""
    def o(*a):
        subprocess.run(("openssl",) + a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root_key, root = os.path.join(tmp, "root.key"), out("corpus-root.pem")
    o("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", root_key)
    o("req", "-x509", "-new", "-key", root_key, "-out", root, "-days", "36500", "-subj",
      "/C=IT/O=firma-remota corpus/CN=Corpus Root CA", "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    key, csr, cert = (os.path.join(tmp, n) for n in ("signer.key", "signer.csr", "signer.pem"))
    o("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
    o("req", "-new", "-key", key, "-out", csr, "-subj", "/C=IT/O=firma-remota corpus/CN=Corpus Signer")
    ext = os.path.join(tmp, "ext.cnf")
    with open(ext, "w") as f:
        f.write("keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=CA:FALSE\n")
    o("x509", "-req", "-in", csr, "-CA", root, "-CAkey", root_key, "-CAserial", os.path.join(tmp, "root.srl"),
      "-CAcreateserial", "-out", cert,
      "-days", "36500", "-extfile", ext)
    return key, cert


def main():
    with tempfile.TemporaryDirectory() as tmp:
        t = lambda n: os.path.join(tmp, n)
        atto, offsets, xref_at = classic(atto_objects(), "1.4")
        open(out("atto-classic-1.4.pdf"), "wb").write(atto)
        open(out("simple-1.3.pdf"), "wb").write(
            classic(atto_objects("PDF 1.3", [["Documento PDF 1.3", "Una pagina."]]), "1.3")[0])
        open(out("xref-stream-1.5.pdf"), "wb").write(xref_stream_file(atto_objects(), "1.5"))
        objs = atto_objects()
        open(out("hybrid-1.5.pdf"), "wb").write(
            xref_stream_file(objs, "1.5", in_objstm=(1, 2, 3, 4, 5, 99), hybrid=True))
        open(out("pdf-2.0.pdf"), "wb").write(
            xref_stream_file(atto_objects("PDF 2.0"), "2.0", in_objstm=(1, 2, 3, 4, 5, 50, 99)))
        open(out("form-1.6.pdf"), "wb").write(classic(form_objects(), "1.6")[0])
        open(out("form-inline-1.7.pdf"), "wb").write(classic(form_inline_objects(), "1.7")[0])
        open(out("damaged-offsets.pdf"), "wb").write(damaged(atto, offsets, xref_at))
        open(out("truncated.pdf"), "wb").write(atto[: len(atto) // 2])
        open(out("not-a-pdf.pdf"), "wb").write(b"PK\x03\x04 this is a zip archive renamed to .pdf\n" * 4)

        qpdf("--object-streams=generate", "--compress-streams=y", out("atto-classic-1.4.pdf"),
             out("objstm-qpdf-1.7.pdf"), "--force-version=1.7")
        qpdf("--linearize", out("atto-classic-1.4.pdf"), out("linearized.pdf"))
        qpdf("--linearize", "--object-streams=generate", out("atto-classic-1.4.pdf"),
             out("linearized-objstm.pdf"))
        qpdf("--encrypt", "utente", "proprietario", "256", "--", out("atto-classic-1.4.pdf"),
             out("encrypted-user-password.pdf"))
        qpdf("--encrypt", "", "proprietario", "128", "--use-aes=y", "--", out("atto-classic-1.4.pdf"),
             out("encrypted-owner-only.pdf"))

        key, cert = corpus_pki(tmp)
        sign = lambda src, dst, field, mode: run(PYHANKO_PY, "-c", PYHANKO_SIGN, src, dst, key, cert, field, mode)
        sign(out("objstm-qpdf-1.7.pdf"), out("signed-once.pdf"), "Firma1", "pades")
        sign(out("atto-classic-1.4.pdf"), t("first.pdf"), "Firma1", "pkcs7")
        sign(t("first.pdf"), out("signed-twice.pdf"), "Firma2", "pades")
        sign(out("atto-classic-1.4.pdf"), out("certified-p1.pdf"), "Certificazione", "certify1")
        sign(out("form-1.6.pdf"), out("certified-p2-form.pdf"), "Certificazione", "certify2")


if __name__ == "__main__":
    main()
