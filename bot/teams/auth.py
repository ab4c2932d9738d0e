"""Who may call `/api/messages`: the JWT checks Microsoft requires of a bot's messaging endpoint.

Every request from Teams (through the Bot Connector service) carries `Authorization: Bearer <JWT>`.
It is accepted only when, in this order:

1. it is a compact JWT signed with RS256 by a key published in the issuer's JWKS, which is found
   through the issuer's OpenID metadata (`openid_metadata_url`; Entra ID's for a single-tenant bot);
   an unknown key id refetches the keys, at most once a minute (every 5 s while we have none), so
   key rollover works and random key ids cannot make us hammer the issuer;
2. its `iss` is that issuer, its `aud` is the bot's app id, and `exp` / `nbf` hold (with the
   configured leeway);
3. for Bot Framework tokens, the key is endorsed for the activity's channel (`msteams`);
4. its `serviceUrl` claim equals the activity's `serviceUrl` (checked by the caller once the body
   is parsed, `check_service_url`), and that URL is one we may call (`allowed_service_urls`).

Anything else raises `Unauthorized`, which the endpoint turns into a 401 before the activity is
looked at. The keys and metadata are fetched with httpx (timeouts, no redirects) and cached.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

from config.teams import TeamsSettings

log = logging.getLogger("cloudpilot.teams.auth")

ALGORITHMS = ["RS256"]
METADATA_TTL_S = 24 * 3600
REFETCH_MIN_INTERVAL_S = 60.0
RETRY_EMPTY_S = 5.0  # no keys at all (the issuer was down): ask again sooner
MAX_TOKEN = 16 * 1024


class Unauthorized(Exception):
    """The request is not from Microsoft's channel service for this bot."""


@dataclass(frozen=True)
class Claims:
    issuer: str
    audience: str
    service_url: str | None
    app_id: str | None  # the calling app (azp / appid)
    endorsements: tuple[str, ...]  # channels the Bot Framework key signs for (empty: any)
    raw: dict[str, Any]


@dataclass
class _Keys:
    """One issuer's keys: kid -> (public key, endorsements)."""

    keys: dict[str, tuple[Any, list[str]]] = field(default_factory=dict)
    fetched_at: float = 0.0
    last_attempt: float = -1e9


class KeySource:
    """The JWKS of one issuer, found through its OpenID metadata document."""

    def __init__(
        self,
        metadata_url: str,
        issuer: str | None,
        http: httpx.Client,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self.issuer = issuer  # None: the metadata's own `issuer`
        self._http = http
        self._now = now
        self._lock = threading.Lock()
        self._keys = _Keys()

    def key(self, kid: str) -> tuple[Any, list[str]]:
        with self._lock:
            now = self._now()
            stale = now - self._keys.fetched_at > METADATA_TTL_S
            if (kid not in self._keys.keys or stale) and self._due(now):
                self._refresh(now)
            found = self._keys.keys.get(kid)
        if found is None:
            raise Unauthorized("the token is signed with an unknown key")
        return found

    def expected_issuer(self) -> str:
        if self.issuer is None:
            with self._lock:
                now = self._now()
                if not self._keys.keys and self._due(now):
                    self._refresh(now)
        return self.issuer or ""

    def _due(self, now: float) -> bool:
        """Whether the issuer may be asked again: unauthenticated requests decide when we fetch,
        so a flood of unknown key ids (or an issuer that is down) costs one fetch per interval."""
        interval = REFETCH_MIN_INTERVAL_S if self._keys.keys else RETRY_EMPTY_S
        return now - self._keys.last_attempt >= interval

    def _refresh(self, now: float) -> None:
        self._keys.last_attempt = now
        try:
            metadata = self._json(self.metadata_url)
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
                raise ValueError("the OpenID metadata has no jwks_uri")
            if self.issuer is None and isinstance(metadata.get("issuer"), str):
                self.issuer = str(metadata["issuer"])
            jwks = self._json(jwks_uri)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("could not fetch the signing keys from %s: %s", self.metadata_url, exc)
            return  # keep the keys we have: the issuer's hiccup must not lock everyone out
        keys: dict[str, tuple[Any, list[str]]] = {}
        for entry in jwks.get("keys") or []:
            if (
                not isinstance(entry, dict)
                or entry.get("kty") != "RSA"
                or not isinstance(entry.get("kid"), str)
            ):
                continue
            try:
                public = RSAAlgorithm.from_jwk(json.dumps(entry))
            except (jwt.InvalidKeyError, ValueError, TypeError):
                continue
            endorsements = [str(e) for e in entry.get("endorsements") or [] if isinstance(e, str)]
            keys[entry["kid"]] = (public, endorsements)
        if keys:
            self._keys.keys = keys
            self._keys.fetched_at = now

    def _json(self, url: str) -> dict[str, Any]:
        response = self._http.get(url)
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError(f"{url} did not return a JSON object")
        return data


class TokenValidator:
    """Checks the bearer token of a request to the messaging endpoint (see the module doc)."""

    def __init__(self, settings: TeamsSettings, http: httpx.Client | None = None) -> None:
        if not settings.app_id:
            raise ValueError("teams.app_id is not set")
        self.settings = settings
        self.app_id = settings.app_id
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=10.0, follow_redirects=False)
        self.bot_framework = KeySource(settings.openid_metadata_url, settings.issuer, self._http)
        entra = settings.effective_entra_metadata_url
        self.entra = KeySource(entra, None, self._http) if entra else None

    def validate(self, authorization: str | None) -> Claims:
        """The token's claims, or Unauthorized; `check_activity` finishes the job once the body is read."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"malformed token: {exc}") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("the token is not signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 200:
            raise Unauthorized("the token names no key")
        source = self._source(unverified.get("iss"))
        public, endorsements = source.key(kid)
        try:
            claims = jwt.decode(
                token,
                public,
                algorithms=ALGORITHMS,
                audience=self.app_id,
                issuer=source.expected_issuer(),
                leeway=self.settings.leeway_s,
                options={"require": ["exp", "iss", "aud"], "verify_nbf": True},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"token refused: {exc}") from None
        service_url = claims.get("serviceurl") or claims.get("serviceUrl")
        app = claims.get("azp") or claims.get("appid")
        return Claims(
            issuer=str(claims["iss"]),
            audience=str(claims["aud"]),
            service_url=str(service_url) if isinstance(service_url, str) else None,
            app_id=str(app) if isinstance(app, str) else None,
            endorsements=tuple(endorsements) if source is self.bot_framework else (),
            raw=claims,
        )

    def check_activity(self, claims: Claims, channel_id: str, service_url: str) -> None:
        """The signing key is endorsed for the activity's channel; the activity's serviceUrl is
        the token's, and one we are allowed to call."""
        if claims.endorsements and channel_id not in claims.endorsements:
            raise Unauthorized(f"the signing key is not endorsed for channel {channel_id[:40]!r}")
        if claims.service_url is None or _norm(claims.service_url) != _norm(service_url):
            raise Unauthorized("the activity's serviceUrl does not match the token")
        if not allowed_service_url(self.settings, service_url):
            raise Unauthorized(f"serviceUrl {service_url[:100]!r} is not an allowed Bot Connector")

    def _source(self, issuer: object) -> KeySource:
        if issuer == self.settings.issuer:
            return self.bot_framework
        if self.entra is not None and isinstance(issuer, str) and issuer == self.entra.expected_issuer():
            return self.entra
        raise Unauthorized("the token is from an issuer this bot does not trust")

    def close(self) -> None:
        if self._owns_http:
            self._http.close()


def allowed_service_url(settings: TeamsSettings, service_url: str) -> bool:
    url = _norm(service_url)
    return any(url.startswith(_norm(prefix)) for prefix in settings.allowed_service_urls)


def _norm(url: str) -> str:
    return url.strip().rstrip("/").lower() + "/"


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("no Authorization header")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header is not a bearer token")
    if len(token) > MAX_TOKEN or token.count(".") != 2 or not token.isascii():
        raise Unauthorized("malformed token")
    return token
