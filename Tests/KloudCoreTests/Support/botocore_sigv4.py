#!/usr/bin/env python3
"""Sign requests with botocore, the judge for KloudCore's SigV4 signer.

Reads one JSON object per line on stdin and writes one JSON object per line on stdout,
in the same order. Input fields:

  id, mode ("header" or "query"), service, region, access_key, secret_key, token (or null),
  epoch (Unix seconds), method, host, raw_path (unencoded; "/" separates segments),
  params ([[name, value], ...], decoded), headers ([[name, value], ...]), body_base64,
  unsigned_payload (S3 header signing: sign with UNSIGNED-PAYLOAD), expires (query mode).

Output fields: id, path (the wire path botocore signed), canonical_request,
string_to_sign, signature.

Header mode uses SigV4Auth (S3SigV4Auth for s3); query mode uses SigV4QueryAuth
(S3SigV4QueryAuth for s3). The URL is plain http, so botocore signs the payload unless
S3's payload signing is switched off through the client config.
"""

import base64
import datetime
import json
import sys
import types
from urllib.parse import parse_qs, urlsplit

from botocore import auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def capturing(signer_class):
    """A subclass that keeps the canonical request and string to sign it computed."""

    class Capturing(signer_class):
        def canonical_request(self, request):
            self.captured_canonical_request = super().canonical_request(request)
            return self.captured_canonical_request

        def string_to_sign(self, request, canonical_request):
            self.captured_string_to_sign = super().string_to_sign(request, canonical_request)
            return self.captured_string_to_sign

    return Capturing


def signer_for(case, credentials):
    is_s3 = case["service"] == "s3"
    if case["mode"] == "header":
        cls = auth.S3SigV4Auth if is_s3 else auth.SigV4Auth
        return capturing(cls)(credentials, case["service"], case["region"])
    cls = auth.S3SigV4QueryAuth if is_s3 else auth.SigV4QueryAuth
    return capturing(cls)(credentials, case["service"], case["region"], expires=case["expires"])


def sign(case):
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    signer = signer_for(case, credentials)
    # botocore's own serializers encode S3 keys and URI labels this way.
    path = percent_encode(case["raw_path"], safe="/~")
    request = AWSRequest(
        method=case["method"],
        url=f"http://{case['host']}{path}",
        data=base64.b64decode(case["body_base64"]),
        params=[(name, value) for name, value in case["params"]],
    )
    for name, value in case["headers"]:
        request.headers[name] = value  # email.message semantics: appends, so names may repeat
    if case["service"] == "s3" and case["mode"] == "header":
        request.context["client_config"] = types.SimpleNamespace(
            s3={"payload_signing_enabled": not case["unsigned_payload"]}
        )

    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=case["epoch"])
    auth.get_current_datetime = lambda *args, **kwargs: moment
    signer.add_auth(request)

    if case["mode"] == "header":
        signature = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    else:
        signature = parse_qs(urlsplit(request.url).query)["X-Amz-Signature"][0]
    return {
        "id": case["id"],
        "path": path,
        "canonical_request": signer.captured_canonical_request,
        "string_to_sign": signer.captured_string_to_sign,
        "signature": signature,
    }


def main():
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(sign(json.loads(line))), flush=False)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
