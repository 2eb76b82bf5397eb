"""Fixtures for the live collector: fake credentials, moto (in-process), one collection per module."""

from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from tests.collect.aws.live.estate import REGION
from tests.collect.aws.live.moto_extras import install
from zonecheck.collect.aws.live import AwsOptions, LiveCollection, collect_aws

# Fake, but distinctive: the log tests look for them.
ACCESS_KEY = "AKIAZONECHECKTEST0001"
SECRET_KEY = "zonecheck/secret/Key+ThatMustNeverBeLogged01"
SESSION_TOKEN = "FwoGZXIvYXdzZonecheckSessionTokenThatMustNeverBeLogged"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_SESSION_TOKEN": SESSION_TOKEN}
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


@pytest.fixture(scope="module")
def aws_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fake credentials, a region, and no AWS config file of the machine's."""
    empty = tmp_path_factory.mktemp("aws-config") / "none"
    with pytest.MonkeyPatch.context() as mp:
        for name in _UNSET:
            mp.delenv(name, raising=False)
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mp.setenv("AWS_CONFIG_FILE", str(empty))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        yield


@pytest.fixture(scope="module")
def moto(aws_env: None) -> Iterator[boto3.Session]:
    """An in-process moto for the whole module; yields a session to build the estate with."""
    install()
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def collect(**options: Any) -> LiveCollection:
    """One collection of `REGION` (unless regions are given), in this thread (unless workers are given)."""
    kwargs = {key: options.pop(key) for key in ("session", "page_size", "workers") if key in options}
    kwargs.setdefault("workers", 1)
    options.setdefault("regions", (REGION,))
    return collect_aws(AwsOptions(progress=False, **options), **kwargs)
