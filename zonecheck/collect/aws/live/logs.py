"""What the live collector logs: one JSON line per AWS API call (`--log-file`), a short line on stderr (`-v`).

A record holds the UTC time, service, operation, account, region, AWS request id, HTTP status or error
code, duration, number of items and retries.  Never parameters, responses, credentials or tokens: the
hooks only see the call's name and the response's metadata and item counts.  zonecheck's logger does not
propagate, and botocore's own loggers (whose debug output includes signed headers) are never configured.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Iterator, Optional

from zonecheck.collect.errors import CollectError

LOGGER = logging.getLogger("zonecheck.aws")
_START = "zonecheck_started"
_OPERATION = "zonecheck_operation"


def log_event(event: str, **fields: Any) -> None:
    if LOGGER.isEnabledFor(logging.INFO):
        LOGGER.info(event, extra={"zonecheck": fields})


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CallLog:
    """botocore hooks that log every call a client makes (see `Clients`)."""

    def attach(self, client: Any, service: str, account: Optional[str], region: str) -> None:
        events = client.meta.events
        events.register("before-call.*.*", self._started)
        events.register("after-call.*.*", partial(self._finished, service, account, region))
        events.register("after-call-error.*.*", partial(self._failed, service, account, region))

    @staticmethod
    def _started(model: Any = None, context: Optional[dict[str, Any]] = None, **_: Any) -> None:
        if context is not None:
            context[_START] = time.monotonic()
            context[_OPERATION] = model.name if model is not None else "?"
        return None

    @staticmethod
    def _finished(service: str, account: Optional[str], region: str, http_response: Any = None,
                  parsed: Optional[dict[str, Any]] = None, model: Any = None,
                  context: Optional[dict[str, Any]] = None, **_: Any) -> None:
        parsed = parsed if isinstance(parsed, dict) else {}
        meta = parsed.get("ResponseMetadata") or {}
        error = (parsed.get("Error") or {}).get("Code")
        fields: dict[str, Any] = {
            "service": service, "operation": model.name if model is not None else (context or {}).get(_OPERATION),
            "account": account, "region": region, "request_id": meta.get("RequestId") or _header_id(meta),
            "status": meta.get("HTTPStatusCode") or getattr(http_response, "status_code", None),
            "duration_ms": _elapsed(context), "items": count_items(parsed), "retries": meta.get("RetryAttempts", 0),
        }
        if error:
            fields["error"] = str(error)
        log_event("aws-call", **fields)

    @staticmethod
    def _failed(service: str, account: Optional[str], region: str, exception: Any = None,
                context: Optional[dict[str, Any]] = None, **_: Any) -> None:
        log_event("aws-call", service=service, operation=(context or {}).get(_OPERATION), account=account,
                  region=region, request_id=None, status=None, duration_ms=_elapsed(context), items=0,
                  error=type(exception).__name__)


def count_items(parsed: dict[str, Any]) -> int:
    """How many things a response holds: the length of its top-level lists."""
    return sum(len(v) for k, v in parsed.items() if k != "ResponseMetadata" and isinstance(v, list))


def _header_id(meta: dict[str, Any]) -> Optional[str]:
    headers = meta.get("HTTPHeaders") or {}
    return headers.get("x-amzn-requestid") or headers.get("x-amz-request-id")


def _elapsed(context: Optional[dict[str, Any]]) -> Optional[float]:
    started = (context or {}).get(_START)
    return round((time.monotonic() - started) * 1000, 1) if started is not None else None


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "zonecheck", {})
        return json.dumps({"time": _record_time(record), "level": record.levelname.lower(),
                           "event": record.getMessage(), **fields}, default=str)


class ShortLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "zonecheck", {})
        shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and v != "")
        return f"zonecheck: {record.getMessage()} {shown}".rstrip()


def _record_time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@contextmanager
def logging_to(log_file: Optional[Path], verbosity: int = 0) -> Iterator[None]:
    """Send zonecheck's AWS records to `log_file` (JSON lines) and, with `-v`, to stderr, for the duration."""
    handlers: list[logging.Handler] = []
    try:
        if log_file is not None:
            try:
                handler: logging.Handler = logging.FileHandler(log_file, mode="a", encoding="utf-8")
            except OSError as err:
                raise CollectError(f"{log_file}: cannot write the log ({err.strerror or err})") from None
            handler.setFormatter(JsonLines())
            handlers.append(handler)
        if verbosity > 0:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(ShortLines())
            handlers.append(handler)
        previous = (LOGGER.level, LOGGER.propagate)
        LOGGER.setLevel(logging.INFO if handlers else logging.WARNING)
        LOGGER.propagate = False
        for handler in handlers:
            LOGGER.addHandler(handler)
        try:
            yield
        finally:
            LOGGER.setLevel(previous[0])
            LOGGER.propagate = previous[1]
    finally:
        for handler in handlers:
            LOGGER.removeHandler(handler)
            handler.close()


__all__ = ["CallLog", "JsonLines", "LOGGER", "count_items", "log_event", "logging_to", "utc_now"]
