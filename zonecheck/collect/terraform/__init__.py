"""The Terraform collector: state files → one Snapshot.

    from zonecheck.collect.terraform import load_terraform
    snapshot = load_terraform(["network.tfstate", "app.tfstate"])

get (`reader`: files → `TfResource` stream) → transform (one pure module per resource family) →
load (`build`: one canonical `Snapshot`).  Every problem with the input is a `CollectError` whose message
is one line naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from zonecheck.collect.errors import CollectError
from zonecheck.collect.terraform.build import build_snapshot, source_info
from zonecheck.collect.terraform.reader import TfResource, read_state_file
from zonecheck.model import Snapshot, canonical


def load_terraform(paths: Sequence[str | Path]) -> Snapshot:
    """Read one or more Terraform states (raw v4 or `terraform show -json`) and merge them into one estate."""
    if isinstance(paths, (str, Path)):
        paths = [paths]  # a single path is an easy mistake to make; accept it
    if not paths:
        raise CollectError("no Terraform state given; pass --terraform FILE")
    files = [read_state_file(path) for path in paths]
    try:
        snapshot = build_snapshot([res for f in files for res in f.resources], source_info(files))
    except CollectError:
        raise
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as err:
        # A shape no test foresaw: still one line naming the files (SPEC §2), never a traceback.
        names = ", ".join(f.name for f in files)
        raise CollectError(f"{names}: unexpected content ({type(err).__name__}: {_first_line(err)}); "
                           "please report this with the file") from None
    return canonical(snapshot)


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else ""


__all__ = ["CollectError", "TfResource", "load_terraform"]
