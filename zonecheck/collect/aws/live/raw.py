"""`collect --aws --raw-dir DIR`: every response the collector read, as `DIR/<account>/<region>/<Key>.json`
(`{"Vpcs": [...]}`, the top-level keys the AWS CLI prints), which `--aws-dump DIR` reads back into the
same snapshot.  Per-parent calls are grouped under the wrapper keys the dump reader knows
(`PrefixListEntries`, `TransitGatewayPropagations`, `TransitGatewayRoutes`, `LoadBalancerTargetHealth`).
A family the collector was denied has no file, so the dump is incomplete in the same place.
VPN pre-shared keys never reach this directory (see `hybrid.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from zonecheck.collect.aws.build import ScopeData
from zonecheck.collect.aws.live.plan import KEY_OF
from zonecheck.collect.errors import CollectError


def check_raw_dir(directory: Path) -> None:
    """Before collecting: the directory must be new or empty (old responses would be read back with the new)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CollectError(f"{directory}: --raw-dir needs a new or empty directory (old responses there would be "
                           "read back with the new ones)")


def write_raw_dir(directory: Path, scopes: Iterable[ScopeData]) -> None:
    check_raw_dir(directory)
    try:
        for scope in scopes:
            base = directory / str(scope.account) / str(scope.region)
            base.mkdir(parents=True, exist_ok=True)
            for family, items in sorted(scope.items.items()):
                key = KEY_OF[family]
                (base / f"{key}.json").write_text(json.dumps({key: items}, indent=1) + "\n", encoding="utf-8")
    except OSError as err:
        raise CollectError(f"{directory}: cannot write the raw responses ({err.strerror or err})") from None


__all__ = ["check_raw_dir", "write_raw_dir"]
