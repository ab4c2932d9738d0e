"""Requests for something insecure are answered with the secure variant and say so.

Every template and every generated file passes the security rules, so a request for a public
bucket, a public database, a privileged container or no encryption never gets what it literally
asked for; these rows make the answer say what was changed and why instead of changing it
silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_F = re.IGNORECASE


@dataclass(frozen=True)
class InsecureAsk:
    asks: re.Pattern[str]
    note: str


ASKS: tuple[InsecureAsk, ...] = (
    InsecureAsk(
        re.compile(
            r"\bpublic(?:ly)?\b[^.]{0,40}\b(?:bucket|s3)\b|\b(?:bucket|s3)\b[^.]{0,40}\bpublic"
            r"|\b(?:bucket|s3)\b[^.]{0,60}\b(?:anyone|everyone|anonymous(?:ly)?)\b"
            r"|\bstatic\s+(?:web\s*)?site\b|\bwebsite\b[^.]{0,30}\b(?:bucket|s3)\b|\b(?:bucket|s3)\b[^.]{0,30}\bwebsite\b",
            _F,
        ),
        "you asked for a public bucket; this one is private (Block Public Access on), because public "
        "buckets are the most common cause of data leaks (CIS 2.1.4, FSBP S3.8). To serve a website "
        "from it, put CloudFront with origin access control in front, which keeps the bucket private.",
    ),
    InsecureAsk(
        re.compile(
            r"\bpublic(?:ly)?(?:\s+accessible)?\b[^.]{0,30}\b(?:rds|database|db|postgres\w*|mysql|aurora)\b"
            r"|\b(?:rds|database|db|postgres\w*|mysql|aurora)\b[^.]{0,30}\bpublic(?:ly)?\b",
            _F,
        ),
        "you asked for a publicly reachable database; it is not publicly accessible (FSBP RDS.2): "
        "reach it through a VPN, a bastion or SSM port forwarding.",
    ),
    InsecureAsk(
        re.compile(
            r"\bprivileged\b|\bhost\s*(?:network(?:ing)?|pid|ipc|path)\b|\brun\s+as\s+root\b"
            r"|\bhost(?:'s)?\s+(?:root\s+)?file\s*system\b",
            _F,
        ),
        "you asked for a privileged container or host access; the containers run unprivileged, "
        "as non-root, without host namespaces (CKV_K8S_16, CKV_K8S_20): grant the one capability "
        "it needs instead.",
    ),
    InsecureAsk(
        re.compile(r"\bunencrypted\b|\bwithout\s+encryption\b|\bno\s+encryption\b|\bencryption\s+off\b", _F),
        "you asked for no encryption; encryption at rest stays on (it costs nothing noticeable and "
        "several controls require it, e.g. CIS 2.1.1, FSBP EC2.3).",
    ),
)


# "no public access", "block public access", "not publicly accessible": asking for the secure thing.
_DENIED = re.compile(
    r"\b(?:no|block(?:ing|s|ed)?|without|not|non|never|deny|denies|private|disable[sd]?)\W+(?:\w+\W+)?"
    r"(?:public|privileged|unencrypted)",
    _F,
)


def changed_from_request(request: str) -> list[str]:
    """What the secure answer changes from what `request` literally asked for."""
    if _DENIED.search(request):
        return []
    return [ask.note for ask in ASKS if ask.asks.search(request)]
