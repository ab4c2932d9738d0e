"""The JWT checks of the messaging endpoint, against a local issuer (its own metadata and keys)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.teams.auth import TokenValidator, Unauthorized
from config.teams import TeamsSettings
from tests.bot.teams.fake_teams import FakeTeams


@pytest.fixture
def fake() -> Iterator[FakeTeams]:
    f = FakeTeams().start()
    yield f
    f.stop()


@pytest.fixture
def validator(fake: FakeTeams) -> Iterator[TokenValidator]:
    v = TokenValidator(TeamsSettings(**fake.settings()))
    yield v
    v.close()


def test_a_token_from_the_issuer_for_this_bot_is_accepted(fake: FakeTeams, validator: TokenValidator) -> None:
    claims = validator.validate(f"Bearer {fake.mint()}")
    assert claims.audience == fake.app_id
    assert claims.service_url == fake.service_url
    validator.check_activity(claims, "msteams", fake.service_url)


@pytest.mark.parametrize(
    ("why", "header"),
    [
        ("no header", lambda f: None),
        ("not bearer", lambda f: f"Basic {f.mint()}"),
        ("garbage", lambda f: "Bearer abc.def.ghi"),
        ("wrong audience", lambda f: f"Bearer {f.mint(audience='someone-else')}"),
        ("wrong issuer", lambda f: f"Bearer {f.mint(issuer='https://evil.example.com')}"),
        ("expired", lambda f: f"Bearer {f.mint(expires_in=-3600)}"),
        ("not yet valid", lambda f: f"Bearer {f.mint(not_before=2_000_000_000 + 10**9)}"),
        ("no exp", lambda f: f"Bearer {f.mint(drop=('exp',))}"),
        ("unknown key", lambda f: f"Bearer {f.mint(kid='other')}"),
        (
            "forged signature",
            lambda f: f"Bearer {f.mint(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))}",
        ),
        ("HMAC with the kid of an RSA key", lambda f: f"Bearer {f.mint(algorithm='HS256')}"),
        ("alg none", lambda f: "Bearer eyJhbGciOiJub25lIiwia2lkIjoidGVzdC1rZXktMSJ9.eyJhdWQiOiJ4In0."),
    ],
)
def test_anything_else_is_refused(
    fake: FakeTeams, validator: TokenValidator, why: str, header: object
) -> None:
    with pytest.raises(Unauthorized):
        validator.validate(header(fake))  # type: ignore[operator]


def test_the_service_url_must_be_the_tokens_and_allowed(fake: FakeTeams, validator: TokenValidator) -> None:
    claims = validator.validate(f"Bearer {fake.mint()}")
    with pytest.raises(Unauthorized):
        validator.check_activity(claims, "msteams", "https://smba.trafficmanager.net/amer/")
    other = validator.validate(f"Bearer {fake.mint(service_url='https://evil.example.com/')}")
    with pytest.raises(Unauthorized):  # the token's, but not a Bot Connector we may call
        validator.check_activity(other, "msteams", "https://evil.example.com/")


def test_the_key_must_be_endorsed_for_the_channel(fake: FakeTeams, validator: TokenValidator) -> None:
    claims = validator.validate(f"Bearer {fake.mint()}")
    with pytest.raises(Unauthorized):
        validator.check_activity(claims, "webchat", fake.service_url)


def test_random_key_ids_do_not_make_us_hammer_the_issuer(fake: FakeTeams, validator: TokenValidator) -> None:
    validator.validate(f"Bearer {fake.mint()}")
    for i in range(20):
        with pytest.raises(Unauthorized):
            validator.validate(f"Bearer {fake.mint(kid=f'random-{i}')}")
    assert fake.key_fetches == 1  # an unknown key id refetches at most once a minute


def test_a_single_tenant_bot_also_accepts_its_tenants_entra_tokens(fake: FakeTeams) -> None:
    settings = TeamsSettings(
        **fake.settings(entra_openid_metadata_url=f"{fake.url}/entra/openid-configuration")
    )
    validator = TokenValidator(settings)
    try:
        claims = validator.validate(f"Bearer {fake.mint(issuer=fake.entra_issuer)}")
        validator.check_activity(claims, "msteams", fake.service_url)
        with pytest.raises(Unauthorized):  # another tenant's issuer
            validator.validate(f"Bearer {fake.mint(issuer='https://login.microsoftonline.com/other/v2.0')}")
    finally:
        validator.close()
    plain = TokenValidator(TeamsSettings(**fake.settings()))
    try:
        with pytest.raises(Unauthorized):  # a multi-tenant set-up trusts the Bot Framework only
            plain.validate(f"Bearer {fake.mint(issuer=fake.entra_issuer)}")
    finally:
        plain.close()
