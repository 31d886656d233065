#!/usr/bin/env python3
"""Verify one DDHub webhook signature with the reference `standardwebhooks` package (PyPI).

Usage: standardwebhooks_verify.py SECRET MSG_ID TIMESTAMP BODY SIGNATURE_HEADER
       (BODY may be '@path' to read the exact bytes from a file)

Exits 0 when the signature verifies, 1 when it does not, 2 on bad usage. The package checks the
timestamp against the current clock (5 minutes either way), so sign with a fresh timestamp.
"""

import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main(argv: list[str]) -> int:
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    secret, msg_id, timestamp, body, signature = argv[1:]
    if body.startswith("@"):
        with open(body[1:], "rb") as f:
            payload = f.read()
    else:
        payload = body.encode("utf-8")
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature,
    }
    try:
        Webhook(secret).verify(payload, headers)
    except WebhookVerificationError as e:
        print(f"not verified: {e}", file=sys.stderr)
        return 1
    print("verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
