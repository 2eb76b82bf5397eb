"""boto3 clients for the live collector: one per (account, region, service), read-only by construction.

Every client gets hooks that refuse any operation whose name does not start with Describe, List, Get or
Search: on `provide-client-params`, the first event of every call (before any `before-call` handler — a
stub, a plugin — could answer it), where it also records what is called (so a test can hold the IAM policy
in `examples/iam/` to it), and again on `before-call`, the last one before the request is sent.  And
telemetry hooks that log each call.  Retries are
botocore's own (adaptive mode, 10 attempts), so throttling is absorbed where it happens.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Callable, Optional

import boto3
from botocore.config import Config

from zonecheck import __version__
from zonecheck.collect.errors import CollectError

READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Search")
ALLOWED_EXCEPTIONS = frozenset({"sts:AssumeRole"})
"""Not read-only by name, but it changes nothing in the estate: how `--assume-role` reads other accounts."""

IAM_PREFIX = {"ec2": "ec2", "elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "rds": "rds",
              "directconnect": "directconnect", "sts": "sts"}
"""boto3 service name → the service prefix of its IAM actions."""

MAX_ATTEMPTS = 10


def iam_action(service: str, operation: str) -> str:
    """`("elbv2", "DescribeListeners")` → `elasticloadbalancing:DescribeListeners`."""
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def client_config() -> Config:
    return Config(retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
                  user_agent_extra=f"zonecheck/{__version__}", connect_timeout=10, read_timeout=60,
                  max_pool_connections=20)


class ReadOnlyViolation(CollectError):
    """An operation that is not Describe/List/Get/Search: a bug in zonecheck, stopped before it is sent."""


class ReadOnlyGuard:
    """`before-call` hook: refuse what is not read-only, and count every operation that is called."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        """IAM action (`ec2:DescribeVpcs`) → how many times it was called."""

    @property
    def actions(self) -> set[str]:
        with self._lock:
            return set(self.calls)

    def admit(self, service: str) -> Callable[..., None]:
        """`provide-client-params` hook: check and count."""
        def hook(model: Any = None, **_: Any) -> None:
            action = self._checked(service, model)
            with self._lock:
                self.calls[action] += 1
            return None  # anything else would replace the call's parameters

        return hook

    def before_call(self, service: str) -> Callable[..., None]:
        """`before-call` hook: check again, just before the request is signed and sent."""
        def hook(model: Any = None, **_: Any) -> None:
            self._checked(service, model)
            return None  # anything else would answer the call itself

        return hook

    @staticmethod
    def _checked(service: str, model: Any) -> str:
        name = model.name if model is not None else "?"
        action = iam_action(service, name)
        if not name.startswith(READ_ONLY_PREFIXES) and action not in ALLOWED_EXCEPTIONS:
            raise ReadOnlyViolation(f"zonecheck refused to call {action}: the AWS collector only reads "
                                    f"({', '.join(READ_ONLY_PREFIXES)}*); please report this bug")
        return action


CallHooks = Callable[[Any, str, Optional[str], str], None]
"""How telemetry attaches itself to a new client: (client, service, account, region)."""


class Clients:
    """Clients by (account, region, service), created once and reused (boto3 clients are thread-safe;
    sessions are not, so creation is serialised)."""

    def __init__(self, guard: ReadOnlyGuard, attach: Optional[CallHooks] = None) -> None:
        self.guard = guard
        self._attach = attach
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._config = client_config()

    def get(self, session: boto3.Session, account: Optional[str], region: str, service: str) -> Any:
        key = (account or "caller", region, service)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = session.client(service, region_name=region, config=self._config)
                # First, on the deepest node (botocore calls those first), of the first event of a call.
                client.meta.events.register_first("provide-client-params.*.*", self.guard.admit(service))
                client.meta.events.register_first("before-call.*.*", self.guard.before_call(service))
                if self._attach is not None:
                    self._attach(client, service, account, region)
                self._clients[key] = client
            return client


__all__ = ["ALLOWED_EXCEPTIONS", "Clients", "IAM_PREFIX", "READ_ONLY_PREFIXES", "ReadOnlyGuard", "ReadOnlyViolation",
           "client_config", "iam_action"]
