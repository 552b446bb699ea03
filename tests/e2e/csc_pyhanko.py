"""Signs a PDF with pyHanko's CSC client (CSCSigner) against the service's /csc/v1 API.

Usage: csc_pyhanko.py BASE_URL TOKEN CREDENTIAL_ID OTP INPUT_PDF OUTPUT_PDF

The OTP was sent beforehand with credentials/sendOTP and read from the SMS simulator by the
calling test. pyHanko supplies no authorisation manager that sends an OTP, so this one calls
credentials/authorize with the hash pyHanko is about to sign (v1 parameters: `hash`,
`numSignatures`, `OTP`), as SCAL 2 requires. Prints what credentials/info told pyHanko.
"""

import asyncio
import sys

import aiohttp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import csc_signer


class OtpAuthorizationManager(csc_signer.CSCAuthorizationManager):
    def __init__(self, session_info, credential_info, http, otp):
        super().__init__(session_info, credential_info)
        self.http = http
        self.otp = otp

    async def authorize_signature(self, hash_b64s):
        request = self.format_csc_auth_request(otp=self.otp, hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.http.post(
            url, headers=self.auth_headers, json=request, raise_for_status=True
        ) as response:
            return self.parse_csc_auth_response(await response.json())


async def main(base_url, token, credential_id, otp, input_pdf, output_pdf):
    async with aiohttp.ClientSession() as http:
        session = csc_signer.CSCServiceSessionInfo(
            service_url=base_url,
            credential_id=credential_id,
            oauth_token=token,
            api_ver="v1",
        )
        info = await csc_signer.fetch_certs_in_csc_credential(http, session)
        print(f"hash_pinning_required={info.hash_pinning_required}")
        print(f"max_batch_size={info.max_batch_size}")
        print(f"mechanisms={','.join(sorted(info.supported_mechanisms))}")
        print(f"chain={len(info.chain)}")
        auth = OtpAuthorizationManager(session, info, http, otp)
        signer = csc_signer.CSCSigner(http, auth_manager=auth)
        metadata = signers.PdfSignatureMetadata(
            field_name="FirmaCSC",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        with open(input_pdf, "rb") as source, open(output_pdf, "wb") as target:
            writer = IncrementalPdfFileWriter(source)
            await signers.async_sign_pdf(writer, metadata, signer=signer, output=target)
    print("signed")


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    asyncio.run(main(*sys.argv[1:]))
