"""Signed webhook deliveries: alerts as JSON POSTs any system can receive.

Each request carries:

- `X-CloudPilot-Timestamp`: Unix seconds when it was signed;
- `X-CloudPilot-Signature`: `v1=` + hex HMAC-SHA256 of `v1:<timestamp>:<body>` with the shared
  secret (the alert's `webhook_secret`);
- `X-CloudPilot-Delivery`: the occurrence's id, the same on every retry, for the receiver's dedup.

A receiver recomputes the HMAC over the raw body, compares in constant time and refuses
timestamps more than five minutes away from its clock (`verify_signature` does all three), so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-CloudPilot-Signature"
TIMESTAMP_HEADER = "X-CloudPilot-Timestamp"
DELIVERY_HEADER = "X-CloudPilot-Delivery"
VERSION = "v1"
TOLERANCE_S = 300
USER_AGENT = "CloudPilot-Alerts/1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """True when `body` was signed with `secret` within `tolerance_s` of `now` (receiver side)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(stamp), body).encode(), signature.encode("utf-8", "replace"))


class WebhookError(Exception):
    pass


@dataclass
class WebhookSender:
    """POSTs signed JSON; retries connection errors, 429 and 5xx a few times with backoff."""

    timeout_s: float = 10.0
    attempts: int = 3
    backoff_s: float = 1.0
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def send(self, url: str, secret: str, payload: Mapping[str, Any], delivery_id: str) -> int:
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        last = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff_s * 2 ** (attempt - 1))
            stamp = int(self.clock())
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    TIMESTAMP_HEADER: str(stamp),
                    SIGNATURE_HEADER: sign(secret, stamp, body),
                    DELIVERY_HEADER: delivery_id,
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code != 429 and exc.code < 500:
                    break  # the receiver refused it: retrying will not help
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
        raise WebhookError(f"webhook {_host(url)}: {last}")


def _host(url: str) -> str:
    # Never log the path: hooks often carry their token there.
    return urlsplit(url).netloc
