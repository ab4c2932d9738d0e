"""The boto3 clients of one AWS account: the caller's own, or one reached through an assumed role.

Collectors take this rather than AwsClients, so the same collector reads any configured
account; building and caching clients stays in tools.inventory.aws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from config import AwsSettings
from tools.inventory.aws import AwsClients


@dataclass(frozen=True)
class AccountClients:
    aws: AwsClients
    account_id: str
    role_arn: str | None = None

    def client(self, service: str, region: str | None = None, attempts: int | None = None) -> Any:
        return self.aws.client(service, region, role_arn=self.role_arn, attempts=attempts)

    @property
    def regions(self) -> list[str]:
        return self.aws.regions

    @property
    def settings(self) -> AwsSettings:
        return self.aws.settings

    def s3control(self) -> Any:
        """The S3 Control client. Its calls go to `<account>.s3-control...`; against a custom
        endpoint (the sandbox, a local emulator) that host does not resolve, so the account
        prefix is dropped there and the request goes to the endpoint itself."""
        client = self.client("s3control", self.regions[0])
        if self.aws.endpoint_url:
            client.meta.events.register(
                "before-sign.s3-control", _drop_account_host_prefix, unique_id="cloudpilot-s3control-host"
            )
        return client


def _drop_account_host_prefix(request: Any, **_: Any) -> None:
    parts = urlsplit(request.url)
    first, _, rest = parts.netloc.partition(".")
    if rest and first.isdigit() and len(first) == 12:
        request.url = urlunsplit(parts._replace(netloc=rest))
