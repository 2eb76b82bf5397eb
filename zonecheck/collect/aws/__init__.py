"""The AWS collector: describe-* responses → one Snapshot.

get (a dump directory today — `dump.load_aws_dump`; boto3 pages later) → transform (`transform/`, one pure
module per family, fed the items of each response) → load (`build.build_snapshot`).
"""

from zonecheck.collect.aws.build import ScopeData, build_snapshot
from zonecheck.collect.aws.dump import load_aws_dump
from zonecheck.collect.errors import CollectError

__all__ = ["CollectError", "ScopeData", "build_snapshot", "load_aws_dump"]
