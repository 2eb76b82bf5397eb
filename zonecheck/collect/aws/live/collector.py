"""`--aws`: read the estate through the AWS APIs → one Snapshot, with the transforms the dump reader uses.

    from zonecheck.collect.aws.live import AwsOptions, collect_aws
    snapshot = collect_aws(AwsOptions(regions=("eu-west-1",))).snapshot

For each account and region: every family of `plan.PLAN` (get → JSON-shaped items, as `--aws-dump` would
read them from files) → `build_snapshot` (transform, load).  Regions are read in parallel.

Access denied on a call (AccessDenied, UnauthorizedOperation, AuthFailure…) is not an error: the family is
left out of that scope and recorded as `Incomplete` naming the IAM action to grant, so every verdict that
could depend on it is `unknown`.  Throttling is retried by botocore; anything else is a `CollectError`.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional, Sequence

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from pydantic import ValidationError

from zonecheck.collect.aws.build import ScopeData, build_snapshot
from zonecheck.collect.aws.families import INCOMPLETE_OF
from zonecheck.collect.aws.live.accounts import Account, accounts, base_session, home_region, regions_of
from zonecheck.collect.aws.live.clients import MAX_ATTEMPTS, Clients, ReadOnlyGuard, iam_action
from zonecheck.collect.aws.live.logs import CallLog, log_event, logging_to
from zonecheck.collect.aws.live.pages import Item
from zonecheck.collect.aws.live.plan import LiveFamily, plan_for
from zonecheck.collect.aws.live.progress import Progress
from zonecheck.collect.aws.live.raw import check_raw_dir, write_raw_dir
from zonecheck.collect.aws.transform import Findings, InvalidItem
from zonecheck.collect.errors import CollectError
from zonecheck.model import Snapshot, SourceInfo, canonical

IAM_POLICY = "examples/iam/zonecheck-readonly.json"
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure",
                    "UnauthorizedAccess", "OptInRequired"})
THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                       "RequestThrottled", "RequestThrottledException", "TooManyRequestsException", "SlowDown",
                       "EC2ThrottledException", "PriorRequestNotComplete", "BandwidthLimitExceeded"})
WORKERS = 8


@dataclass(frozen=True)
class AwsOptions:
    profile: Optional[str] = None
    regions: tuple[str, ...] = ()
    """Empty: the session's region; `("all",)`: every region enabled for each account."""
    assume_roles: tuple[str, ...] = ()
    external_id: Optional[str] = None
    assume_role_only: bool = False
    """Read only the accounts of `assume_roles`, not the caller's own."""
    raw_dir: Optional[Path] = None
    """Also write every response, in the `<account>/<region>/<Key>.json` layout `--aws-dump` reads."""
    log_file: Optional[Path] = None
    verbosity: int = 0
    progress: Optional[bool] = None
    """None: a progress display when stderr is a terminal (and not -v)."""


@dataclass
class LiveCollection:
    snapshot: Snapshot
    scopes: list[ScopeData]
    calls: Counter[str] = field(default_factory=Counter)
    """IAM action → how many calls (what the read-only guard saw)."""


def collect_aws(options: AwsOptions, *, session: Optional[boto3.Session] = None, page_size: Optional[int] = None,
                workers: int = WORKERS) -> LiveCollection:
    """Read every account and region of `options`; `session` replaces `boto3.Session(profile_name=…)`."""
    if options.raw_dir is not None:
        check_raw_dir(options.raw_dir)
    with logging_to(options.log_file, options.verbosity):
        started = time.monotonic()
        guard = ReadOnlyGuard()
        clients = Clients(guard, CallLog().attach)
        base = session if session is not None else base_session(options.profile)
        home = home_region(base, options.regions)
        found = accounts(base, clients, home, options.assume_roles, options.external_id, options.assume_role_only,
                         options.profile)
        work: list[tuple[Account, str, list[LiveFamily]]] = []
        for account in found:
            regions = regions_of(account, clients, home, options.regions)
            global_region = home if home in regions else regions[0] if regions else None  # Direct Connect
            work += [(account, region, plan_for(region == global_region)) for region in regions]
        log_event("collection-start", accounts=[a.id for a in found], scopes=[f"{a.id}/{r}" for a, r, _ in work])
        show = options.progress if options.progress is not None else (sys.stderr.isatty() and options.verbosity == 0)
        with Progress(show, total=sum(len(families) for _, _, families in work)) as progress:
            scopes = _run(work, clients, page_size, progress, workers)
        if options.raw_dir is not None:
            write_raw_dir(options.raw_dir, scopes)
        snapshot = _build(scopes)
        log_event("collection-done", scopes=len(scopes), calls=sum(guard.calls.values()),
                  denied=sum(len(s.denied) for s in scopes), seconds=round(time.monotonic() - started, 2))
        return LiveCollection(snapshot=snapshot, scopes=scopes, calls=Counter(guard.calls))


def load_aws(options: AwsOptions, **kwargs: Any) -> Snapshot:
    return collect_aws(options, **kwargs).snapshot


# -- one account and region ----------------------------------------------------------------------------------


class _ScopeReader:
    def __init__(self, account: Account, region: str, clients: Clients, scope: ScopeData,
                 page_size: Optional[int]) -> None:
        self.account, self.region, self._clients, self._scope = account, region, clients, scope
        self.page_size = page_size

    def client(self, service: str) -> Any:
        return self._clients.get(self.account.session, self.account.id, self.region, service)

    def items(self, family: str) -> list[Item]:
        return [dict(item) for item in self._scope.get(family)]

    def has(self, family: str) -> bool:
        return self._scope.has(family)


def _run(work: Sequence[tuple[Account, str, list[LiveFamily]]], clients: Clients, page_size: Optional[int],
         progress: Progress, workers: int) -> list[ScopeData]:
    stop = threading.Event()

    def one(account: Account, region: str, families: list[LiveFamily]) -> ScopeData:
        return _collect_scope(account, region, families, clients, page_size, progress, stop)

    if workers <= 1 or len(work) <= 1:
        return [one(*w) for w in work]
    with ThreadPoolExecutor(max_workers=min(workers, len(work)), thread_name_prefix="zonecheck-aws") as pool:
        futures = [pool.submit(one, *w) for w in work]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in futures if f in done and f.exception() is not None]
        if failed:
            stop.set()
            for future in futures:
                future.cancel()
            raise failed[0].exception()  # type: ignore[misc]
        return [f.result() for f in futures]


def _collect_scope(account: Account, region: str, families: list[LiveFamily], clients: Clients,
                   page_size: Optional[int], progress: Progress, stop: threading.Event) -> ScopeData:
    label = f"{account.id}/{region}"
    scope = ScopeData(label=label, account=account.id, region=region)
    reader = _ScopeReader(account, region, clients, scope, page_size)
    for family in families:
        if stop.is_set():
            raise CollectError("stopped")  # another region failed; its error is the one reported
        progress.step(f"{label} {family.key}")
        if any(not scope.has(parent) for parent in family.needs):
            continue  # its parent was denied: already incomplete
        try:
            items = family.fetch(reader)
        except ClientError as err:
            _client_error(err, family, scope)
            continue
        except NoCredentialsError:
            raise CollectError(f"{label}: no AWS credentials for {family.service}") from None
        except BotoCoreError as err:
            raise CollectError(f"{label}: {family.service} call failed: {err}") from None
        scope.items[family.name] = jsonable(items)
    log_event("scope-done", account=account.id, region=region, families=len(scope.items),
              items=sum(len(v) for v in scope.items.values()), denied=sorted(scope.denied))
    return scope


def _client_error(err: ClientError, family: LiveFamily, scope: ScopeData) -> None:
    error = err.response.get("Error", {})
    code = str(error.get("Code") or "")
    action = iam_action(family.service, err.operation_name or family.operations[0])
    if code in DENIED:
        scope.denied[family.name] = f"{code} on {action} — grant it (see {IAM_POLICY})"
        log_event("access-denied", account=scope.account, region=scope.region, action=action, code=code)
        return
    if code in THROTTLED:
        raise CollectError(f"{scope.label}: {action} was still throttled after {MAX_ATTEMPTS} attempts ({code}); "
                           "try again later or with fewer regions") from None
    message = str(error.get("Message") or "").strip()
    detail = f"{code or 'error'}{': ' + message if message else ''}"
    raise CollectError(f"{scope.label}: {action} failed: {detail}") from None


# -- all of them ---------------------------------------------------------------------------------------------


def _build(scopes: list[ScopeData]) -> Snapshot:
    source = SourceInfo(kind="aws", sha256=digest(scopes), files=tuple(sorted(s.label for s in scopes)))
    findings = Findings()
    for scope in sorted(scopes, key=lambda s: s.label):
        for family, reason in sorted(scope.denied.items()):
            findings.note(f"{scope.label}: {reason}; every verdict that depends on {INCOMPLETE_OF[family]} "
                          "records there is unknown")
    try:
        return canonical(build_snapshot(scopes, source, findings))
    except InvalidItem as err:
        raise CollectError(f"{_origin(scopes, err.item)}: {err}") from None
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as err:
        first = str(err).strip().splitlines()
        raise CollectError(f"AWS answered something zonecheck did not expect ({type(err).__name__}: "
                           f"{first[0] if first else ''}); please report this, with --raw-dir output if you "
                           "can") from None


def _origin(scopes: list[ScopeData], item: Any) -> str:
    from zonecheck.collect.aws.live.plan import PLAN

    for scope in scopes:
        for family in PLAN:
            for candidate in scope.get(family.name):
                if candidate is item or any(nested is item for nested in _nested(candidate)):
                    return f"{scope.label} {iam_action(family.service, family.operations[0])}"
    return "AWS"


def _nested(item: Any) -> list[Any]:
    """The items inside an item that transforms also name (instances of a reservation, routes of a table…)."""
    if not isinstance(item, dict):
        return []
    return [e for key in ("Instances", "Entries", "TargetHealthDescriptions", "Routes") for e in (item.get(key) or [])]


def digest(scopes: Sequence[ScopeData]) -> str:
    content = {s.label: s.items for s in sorted(scopes, key=lambda s: s.label)}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def jsonable(items: list[Item]) -> list[Any]:
    """Items as JSON would give them back (timestamps as ISO 8601 text): what a dump file holds."""
    return list(json.loads(json.dumps(items, default=_json_default)))


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


__all__ = ["AwsOptions", "DENIED", "LiveCollection", "THROTTLED", "collect_aws", "digest", "jsonable", "load_aws"]
