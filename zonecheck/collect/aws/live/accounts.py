"""Whose estate is read: the caller's account (default boto3 credential chain, `--profile`) and the
accounts of the roles given with `--assume-role`, each in the regions asked for.

Assumed-role credentials refresh themselves (botocore `RefreshableCredentials`), so a collection that
outlives the one-hour session goes on.  Only the assumed role's temporary credentials are held, in memory,
by botocore; nothing here logs or stores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from zonecheck.collect.aws.live.clients import Clients
from zonecheck.collect.aws.live.ec2 import get_regions
from zonecheck.collect.aws.live.logs import log_event
from zonecheck.collect.errors import CollectError

ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+")
ENABLED = ("opt-in-not-required", "opted-in")
DEFAULT_HOME_REGION = "us-east-1"
SESSION_NAME = "zonecheck"
IAM_EXAMPLES = "examples/iam/"


@dataclass(frozen=True)
class Account:
    id: str
    session: boto3.Session
    role_arn: Optional[str] = None
    """None for the caller's own credentials."""


def base_session(profile: Optional[str]) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound:
        raise CollectError(f"AWS profile '{profile}' is not in the AWS config or credentials files") from None
    except BotoCoreError as err:
        raise CollectError(f"cannot read the AWS configuration: {err}") from None


def home_region(session: boto3.Session, regions: Sequence[str]) -> str:
    """Where STS and DescribeRegions are called: the first region asked for, else the session's."""
    explicit = [r for r in regions if r != "all"]
    if explicit:
        return explicit[0]
    if session.region_name:
        return session.region_name
    if regions:  # --region all, no configured region
        return DEFAULT_HOME_REGION
    raise CollectError("no AWS region: give --region REGION (repeatable, or `all`), or set AWS_REGION or a region "
                       "in the profile")


def caller_account(session: boto3.Session, clients: Clients, region: str) -> str:
    sts = clients.get(session, None, region, "sts")
    try:
        return str(sts.get_caller_identity()["Account"])
    except NoCredentialsError:
        raise CollectError("no AWS credentials found: set AWS_PROFILE or use --profile, run `aws sso login`, or set "
                           "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY") from None
    except ClientError as err:
        error = err.response.get("Error", {})
        raise CollectError(f"AWS rejected the credentials ({error.get('Code')}: {error.get('Message', '')})") from None
    except BotoCoreError as err:  # no endpoint, an expired SSO token, a broken credential_process…
        raise CollectError(f"cannot call sts:GetCallerIdentity in {region}: {err}") from None


def assumed_account(session: boto3.Session, clients: Clients, region: str, role_arn: str,
                    external_id: Optional[str], profile: Optional[str] = None) -> Account:
    match = ROLE_ARN.fullmatch(role_arn)
    if match is None:
        raise CollectError(f"--assume-role: '{role_arn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    sts = clients.get(session, None, region, "sts")
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, Any]:
        credentials = sts.assume_role(**params)["Credentials"]
        expiration = credentials["Expiration"]
        return {"access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
                "token": credentials["SessionToken"],
                "expiry_time": expiration.isoformat() if hasattr(expiration, "isoformat") else str(expiration)}

    try:
        credentials = RefreshableCredentials.create_from_metadata(metadata=fetch(), refresh_using=fetch,
                                                                  method="zonecheck-assume-role")
    except ClientError as err:
        error = err.response.get("Error", {})
        raise CollectError(f"cannot assume {role_arn}: {error.get('Code')}: {error.get('Message', '')} — check the "
                           f"role's trust policy and --external-id (see {IAM_EXAMPLES})") from None
    except BotoCoreError as err:
        raise CollectError(f"cannot assume {role_arn}: {err}") from None
    core = botocore.session.Session(profile=profile)  # the profile's settings (CA bundle, endpoints…), not its keys
    core.get_component("credential_provider").insert_before("env", _Fixed(credentials))
    log_event("assumed-role", role_arn=role_arn, account=match.group(1))
    return Account(id=match.group(1), session=boto3.Session(botocore_session=core, region_name=region),
                   role_arn=role_arn)


class _Fixed(CredentialProvider):
    """Hands botocore the refreshable credentials of an assumed role (before any other provider)."""

    METHOD = "zonecheck-assume-role"
    CANONICAL_NAME = "zonecheck-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def accounts(session: boto3.Session, clients: Clients, region: str, roles: Sequence[str], external_id: Optional[str],
             roles_only: bool, profile: Optional[str] = None) -> list[Account]:
    """The caller's account (unless only roles are asked for) and each role's; an account given twice is read
    once, through its role when there is one (the role is what the user set up to read it)."""
    out: dict[str, Account] = {}
    if not (roles and roles_only):
        caller = caller_account(session, clients, region)
        out[caller] = Account(id=caller, session=session)
    for role_arn in dict.fromkeys(roles):
        account = assumed_account(session, clients, region, role_arn, external_id, profile)
        if account.id in out and out[account.id].role_arn is not None:
            raise CollectError(f"--assume-role: {out[account.id].role_arn} and {role_arn} are both in account "
                               f"{account.id}; give one role per account")
        out[account.id] = account
    return list(out.values())


def regions_of(account: Account, clients: Clients, home: str, regions: Sequence[str]) -> list[str]:
    """The regions to read in `account`: those given, or with `all` every region enabled for the account."""
    if list(regions) != ["all"]:
        return list(dict.fromkeys(regions)) if regions else [home]
    ec2 = clients.get(account.session, account.id, home, "ec2")
    try:
        found = get_regions(ec2)
    except ClientError as err:
        error = err.response.get("Error", {})
        raise CollectError(f"--region all: ec2:DescribeRegions failed in account {account.id} ({error.get('Code')}); "
                           "grant it or list the regions with --region") from None
    except BotoCoreError as err:
        raise CollectError(f"--region all: cannot list the regions of account {account.id}: {err}") from None
    enabled = sorted(r["RegionName"] for r in found if r.get("OptInStatus", "opt-in-not-required") in ENABLED)
    log_event("regions", account=account.id, enabled=enabled,
              not_enabled=sorted(r["RegionName"] for r in found if r["RegionName"] not in enabled))
    return enabled


__all__ = ["Account", "ENABLED", "ROLE_ARN", "accounts", "assumed_account", "base_session", "caller_account",
           "home_region", "regions_of"]
