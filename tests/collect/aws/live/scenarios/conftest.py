"""Each scenario module gets its own moto world (`mock_aws`, reset for the module), as in the parent
conftest, but every module builds and collects with one shared session (see `builder.shared_session`)."""

from __future__ import annotations

from typing import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.collect.aws.live.moto_extras import install
from tests.collect.aws.live.scenarios.builder import collect_regions, decide, shared_session
from zonecheck.collect.aws.live import LiveCollection
from zonecheck.engine.results import AssertionResult


@pytest.fixture(scope="module")
def moto(aws_env: None) -> Iterator[boto3.Session]:
    """An in-process moto for the module; yields the shared session to build and collect with."""
    install()
    with mock_aws():
        yield shared_session()


@pytest.fixture(scope="module")
def collection(estate: object, request: pytest.FixtureRequest) -> LiveCollection:
    """The module's estate collected from its `REGION` (a module that needs more defines its own)."""
    return collect_regions(request.module.REGION)


@pytest.fixture(scope="module")
def results(collection: LiveCollection, request: pytest.FixtureRequest) -> dict[str, AssertionResult]:
    """The module's `POLICY` decided on its collection."""
    return decide(collection.snapshot, request.module.POLICY)
