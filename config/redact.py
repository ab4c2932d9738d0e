"""Keeping secrets out of what CloudPilot prints: URL passwords, AWS credentials in logs."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "****"

# Query parameters that carry a credential in connection URLs (libpq, redis, HTTP APIs).
_SECRET_PARAMS = frozenset(
    {"password", "passwd", "pwd", "sslpassword", "secret", "token", "access_token", "api_key", "apikey"}
)


def mask_url(value: str) -> str:
    """`scheme://user:secret@host/...` → `scheme://user:****@host/...` (and secret query values).

    Anything that is not such a URL comes back unchanged."""
    if "://" not in value:
        return value
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:  # e.g. a malformed port: still hide whatever sits before the '@'
        return re.sub(r"://([^/@:]*):[^/@]*@", rf"://\1:{MASK}@", value)
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{hostinfo}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
            query = urlencode([(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return value
    return urlunsplit(parts._replace(netloc=netloc, query=query))


# -- logs --------------------------------------------------------------------------------------

_ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
# key = value / "key": "value" / 'Key': b'value' forms, as boto, botocore and env dumps write them.
_NAMED = re.compile(
    r"(?i)\b(aws_secret_access_key|secret_access_key|secretaccesskey|secret_key|aws_session_token"
    r"|session_token|sessiontoken|security_token|x-amz-security-token)"
    r"(['\"]?\s*[:=]\s*b?['\"]?)([^'\"\s,;&}<]+)"
)
_XML = re.compile(r"(?i)<(SecretAccessKey|SessionToken)>[^<]*</\1>")
# A bare secret access key: 40 base64 characters with both cases and a digit, '/' or '+', so
# hex digests and long camel-case names are left alone.
_BARE_SECRET = re.compile(
    r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])"
    r"(?=[A-Za-z0-9/+]{0,39}[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)


def redact(text: str) -> str:
    """AWS access key ids, secret keys and session tokens in `text` replaced by a mask."""
    text = _XML.sub(rf"<\1>{MASK}</\1>", text)
    text = _NAMED.sub(rf"\1\2{MASK}", text)
    text = _ACCESS_KEY_ID.sub(rf"\1{MASK}", text)
    return _BARE_SECRET.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (arguments merged in) and traceback with `redact`.

    On the handlers, not on a logger: a logger's filters miss records propagated from children
    (botocore's DEBUG wire logs are exactly those)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Adds a `RedactingFilter` to every handler of `logger` (the root logger by default), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
