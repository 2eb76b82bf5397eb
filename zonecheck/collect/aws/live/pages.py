"""Reading every page of a response with boto3's own paginators."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional, TypeVar

from botocore.exceptions import ClientError

Item = dict[str, Any]
T = TypeVar("T")


def pages(client: Any, operation: str, page_size: Optional[int] = None, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of `operation` (a boto3 method name, `describe_vpcs`); one page for calls that have no
    paginator.  `page_size` sets MaxResults (tests use it to force many pages)."""
    if client.can_paginate(operation):
        config = {"PageSize": page_size} if page_size else {}
        yield from client.get_paginator(operation).paginate(**params, PaginationConfig=config)
    else:
        yield getattr(client, operation)(**params)


def all_items(client: Any, operation: str, key: str, page_size: Optional[int] = None, **params: Any) -> list[Item]:
    """The items under `key` of every page."""
    out: list[Item] = []
    for page in pages(client, operation, page_size, **params):
        out.extend(page.get(key) or [])
    return out


def per_parent(parent_ids: Iterable[str], fetch: Callable[[str], T]) -> list[T]:
    """`fetch` for each parent (a route table, a load balancer…); a parent deleted since it was listed
    (the call answers `…NotFound`) is skipped, as the next collection would not see it either."""
    out: list[T] = []
    for parent_id in parent_ids:
        try:
            out.append(fetch(parent_id))
        except ClientError as err:
            if "NotFound" not in str(err.response.get("Error", {}).get("Code", "")):
                raise
    return out


__all__ = ["Item", "all_items", "pages", "per_parent"]
