"""The live AWS collector (`--aws`): boto3 calls → the same transforms as `--aws-dump` → one Snapshot.

get (`ec2.py`, `transit.py`, `hybrid.py`, `services.py`: one function per API family, every page, nothing
else) → transform (`zonecheck.collect.aws.transform`, shared with the dump reader) → load
(`zonecheck.collect.aws.build.build_snapshot`).  `plan.py` lists what is read, `collector.py` runs it per
account and region, `clients.py` keeps it read-only, `logs.py` says what was called.
"""

from zonecheck.collect.aws.live.collector import AwsOptions, LiveCollection, collect_aws, load_aws

__all__ = ["AwsOptions", "LiveCollection", "collect_aws", "load_aws"]
