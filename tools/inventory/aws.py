"""The one place that builds boto3 sessions and clients, per account and region.

The sandbox (moto server), moto in tests and real accounts differ only in configuration:
endpoint URL and credentials come from settings.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from config import AwsSettings

SANDBOX_ACCESS_KEY = "testing"
SANDBOX_SECRET_KEY = "testing"


class AwsClients:
    def __init__(self, settings: AwsSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()
        self._sessions: dict[str | None, boto3.session.Session] = {}
        self._clients: dict[tuple[str, str, str | None], Any] = {}
        self.api_calls = 0
        # Clients without an explicit role use this one (set on views made by `as_role`).
        self._default_role: str | None = None
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": 8},
            max_pool_connections=max(10, settings.max_workers * 2),
            connect_timeout=5,
            read_timeout=30,
        )

    @property
    def regions(self) -> list[str]:
        return list(self.settings.regions)

    @property
    def endpoint_url(self) -> str | None:
        if self.settings.endpoint_url:
            return self.settings.endpoint_url
        if self.settings.mode == "sandbox":
            return f"http://127.0.0.1:{self.settings.sandbox_port}"
        return None

    def _session(self, role_arn: str | None) -> boto3.session.Session:
        with self._lock:
            if role_arn in self._sessions:
                return self._sessions[role_arn]
            # One base session for the caller and every role: its model loader (and so each parsed
            # service model) then serves all accounts; a fresh one per role parsed them all again.
            base = self._sessions.get(None)
            if base is None:
                base = self._sessions[None] = self._base_session()
            if role_arn is None:
                session = base
            else:
                sts = base.client("sts", endpoint_url=self.endpoint_url, region_name=self.regions[0])
                creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="cloudpilot")["Credentials"]
                # Share the base session's model loader: each service model is then parsed once
                # per process (0.1-0.3 s each), not once per member account.
                core = botocore.session.Session()
                core.register_component("data_loader", base._session.get_component("data_loader"))
                session = boto3.session.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    botocore_session=core,
                )
            self._sessions[role_arn] = session
            return session

    def _base_session(self) -> boto3.session.Session:
        s = self.settings
        if s.access_key_id and s.secret_access_key:
            return boto3.session.Session(
                aws_access_key_id=s.access_key_id.get_secret_value(),
                aws_secret_access_key=s.secret_access_key.get_secret_value(),
            )
        if s.mode == "sandbox":
            return boto3.session.Session(
                aws_access_key_id=SANDBOX_ACCESS_KEY, aws_secret_access_key=SANDBOX_SECRET_KEY
            )
        return boto3.session.Session(profile_name=s.profile)

    def as_role(self, role_arn: str) -> AwsClients:
        """A view whose clients act as `role_arn` by default, sharing this factory's sessions and
        clients; code written for one account then works unchanged in a member account."""
        view = copy.copy(self)
        view._default_role = role_arn
        return view

    @property
    def default_role(self) -> str | None:
        return self._default_role

    def client(
        self,
        service: str,
        region: str | None = None,
        role_arn: str | None = None,
        attempts: int | None = None,
    ) -> Any:
        """The cached client for (service, region, role); `attempts` gives one that tries each call
        that many times instead of the usual adaptive retries (for probing what may not answer)."""
        region = region or self.regions[0]
        role_arn = role_arn or self._default_role
        key = (service if attempts is None else f"{service}#{attempts}", region, role_arn)
        with self._lock:
            cached = self._clients.get(key)
        if cached is not None:
            return cached
        session = self._session(role_arn)
        # Creating clients from one boto3 session is not thread-safe: build them under a lock.
        with self._client_lock:
            cached = self._clients.get(key)
            if cached is not None:
                return cached
            config = self._config
            if attempts is not None:
                config = config.merge(Config(retries={"mode": "standard", "max_attempts": attempts}))
            client = session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, config=config
            )
            client.meta.events.register("before-call", self._count_call)
            self._clients[key] = client
            return client

    def _count_call(self, **_: Any) -> None:
        with self._lock:
            self.api_calls += 1
