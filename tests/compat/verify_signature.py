"""Checks a webhook delivery's X-HubSpot-Signature-v3 with HubSpot's official Python client's own
validator (hubspot.utils.signature.Signature). Reads one JSON object on stdin: signature,
secret, body, uri, timestamp. Exits 0 when valid, 1 when not."""
import json
import sys

from hubspot.utils.signature import Signature

d = json.load(sys.stdin)
ok = Signature.is_valid(
    signature=d["signature"],
    client_secret=d["secret"],
    request_body=d["body"],
    http_uri=d["uri"],
    http_method="POST",
    signature_version="v3",
    timestamp=d["timestamp"],
)
print("valid" if ok else "INVALID")
sys.exit(0 if ok else 1)
