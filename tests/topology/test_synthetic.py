"""The synthetic estates are deterministic, the sizes they claim, realistic in shape, nested, and checkable."""

from collections import Counter

import pytest

from topology import synthetic
from topology.synthetic import FAILING_BY_CONSTRUCTION, generate, policy_text, vpc_id, vpc_records
from zonecheck.cli.run import run_check
from zonecheck.model import from_json_text, to_json
from zonecheck.policy import parse_policy_text, resolve_zones


@pytest.fixture(scope="module")
def small():
    return generate("S", seed=0)


@pytest.fixture(scope="module")
def medium():
    return generate("M", seed=0)


@pytest.fixture(scope="module")
def small_results(small):
    snapshot, policy = small
    result = run_check(parse_policy_text(policy, "synthetic.yaml"), snapshot, "synthetic.yaml")
    return {a.name: a for a in result.assertions}


def counts(snapshot):
    return {"vpcs": len(snapshot.vpcs), "subnets": len(snapshot.subnets), "enis": len(snapshot.endpoints),
            "sgs": len(snapshot.security_groups)}


# --------------------------------------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_json(small):
    again, policy = generate("S", seed=0)
    assert to_json(again) == to_json(small[0])
    assert policy == small[1]


def test_another_seed_gives_another_estate_of_the_same_shape(small):
    other, _ = generate("S", seed=1)
    assert to_json(other) != to_json(small[0])
    assert [v.id for v in other.vpcs] == [v.id for v in small[0].vpcs]


def test_canonical_json_round_trips(small):
    text = to_json(small[0])
    assert to_json(from_json_text(text)) == text


# --------------------------------------------------------------------------------------------- sizes


def test_s_is_about_1000_enis_200_groups_10_vpcs(small):
    c = counts(small[0])
    assert c["vpcs"] == 10
    assert 900 <= c["enis"] <= 1100
    assert 180 <= c["sgs"] <= 220
    assert 40 <= c["subnets"] <= 100


def test_m_is_about_10000_enis_2000_groups_60_vpcs(medium):
    c = counts(medium[0])
    assert c["vpcs"] == 60
    assert 9_000 <= c["enis"] <= 11_000
    assert 1_800 <= c["sgs"] <= 2_200


def test_l_plan_adds_up_to_its_targets_without_building_it():
    """L is not built in the tests; its plans (which drive the builder) carry the size."""
    plans = [synthetic.plan(0, k) for k in range(synthetic.SIZES["L"])]
    assert 90_000 <= sum(p.eni_target for p in plans) <= 110_000
    assert 2_700 <= sum(len(p.subnets) for p in plans) <= 3_300
    assert 9_000 <= sum(p.sg_target for p in plans) <= 11_000


# --------------------------------------------------------------------------------------------- shape


def test_hub_and_spoke_transit_gateway_with_segmented_tables(small):
    snapshot = small[0]
    [tgw] = snapshot.transit_gateways
    assert not tgw.default_route_table_association and not tgw.default_route_table_propagation
    tables = {t.tags["Name"]: t for t in snapshot.transit_gateway_route_tables}
    assert set(tables) == {"prod", "non-prod", "shared", "on-prem"}
    segment = {a.id: a.tags.get("Segment") for a in snapshot.transit_gateway_attachments if a.kind == "vpc"}
    for name in ("prod", "non-prod", "shared"):
        assert tables[name].associations and {segment[a] for a in tables[name].associations} == {name}
    # prod and non-prod never learn each other's routes, and blackhole each other's supernet.
    assert not {segment.get(a) for a in tables["prod"].propagations} & {"non-prod"}
    assert not {segment.get(a) for a in tables["non-prod"].propagations} & {"prod"}
    blackholes = {str(r.destination) for r in tables["non-prod"].routes if r.state == "blackhole"}
    assert str(synthetic.SUPERNETS["prod"]) in blackholes
    # Every attached VPC has an attachment subnet in each of its Availability Zones.
    zone_of = {s.id: s.availability_zone for s in snapshot.subnets}
    vpc_of = {s.id: s.vpc_id for s in snapshot.subnets}
    for attachment in snapshot.transit_gateway_attachments:
        if attachment.kind == "vpc":
            vpc_zones = {zone_of[s] for s in zone_of if vpc_of[s] == attachment.resource_id}
            assert {zone_of[s] for s in attachment.subnet_ids} == vpc_zones


def test_microservice_groups_reference_each_other_with_fan_in(small):
    snapshot = small[0]
    groups = {g.id for g in snapshot.security_groups}
    references = Counter(r.security_group_id for g in snapshot.security_groups for r in g.ingress
                         if r.security_group_id and r.security_group_id != g.id)
    assert references and set(references) <= groups
    assert max(references.values()) >= 4  # a popular service is called by many
    kinds = Counter("sg" if r.security_group_id else "pl" if r.prefix_list_id else "cidr"
                    for g in snapshot.security_groups for r in g.ingress)
    assert kinds["sg"] > 100 and kinds["pl"] >= 20 and kinds["cidr"] > 20
    lists = {p.id for p in snapshot.prefix_lists}
    assert {r.prefix_list_id for g in snapshot.security_groups for r in (*g.ingress, *g.egress) if r.prefix_list_id} <= lists


def test_custom_nacls_have_10_to_30_entries_and_the_rest_allow_all(small):
    snapshot = small[0]
    custom = [a for a in snapshot.network_acls if not a.is_default]
    assert custom
    for acl in custom:
        assert 10 <= len(acl.entries) <= 30
        assert {e.action for e in acl.entries} == {"allow", "deny"}
        assert any(e.from_port is not None and e.from_port != e.to_port for e in acl.entries)
    associated = [s for a in snapshot.network_acls for s in a.subnet_ids]
    assert sorted(associated) == sorted(s.id for s in snapshot.subnets)  # every subnet exactly once


def test_public_subnets_gateways_and_addresses(small):
    snapshot = small[0]
    assert snapshot.internet_gateways and snapshot.nat_gateways and snapshot.egress_only_internet_gateways
    assert snapshot.vpc_peerings
    assert sum(1 for e in snapshot.endpoints if e.public_ips) >= 10
    assert sum(1 for e in snapshot.endpoints if e.ipv6_addresses) >= 10
    assert any(e.address_unknown for e in snapshot.endpoints)
    subnets = {s.id for s in snapshot.subnets}
    for db in snapshot.rds_instances:
        assert db.subnet_ids and set(db.subnet_ids) <= subnets
    assert snapshot.load_balancers and snapshot.target_groups and snapshot.vpc_endpoints


def test_ids_are_unique(small):
    snapshot = small[0]
    ids = [r.id for name in ("vpcs", "subnets", "route_tables", "security_groups", "network_acls", "endpoints",
                             "instances", "rds_instances", "nat_gateways", "vpc_peerings")
           for r in getattr(snapshot, name)]
    assert len(ids) == len(set(ids))
    addresses = [ip for e in snapshot.endpoints for ip in (*e.private_ips, *e.public_ips, *e.ipv6_addresses)]
    assert len(addresses) == len(set(addresses))


# --------------------------------------------------------------------------------------------- the policy


def test_policy_parses_resolves_and_mixes_expectations(small):
    snapshot, text = small
    policy = parse_policy_text(text, "synthetic.yaml")
    assert 18 <= len(policy.assertions) <= 30
    assert {a.expect_kind for a in policy.assertions} == {"no-access", "only", "access"}
    assert "internet" in {a.from_ for a in policy.assertions} | {a.to for a in policy.assertions}
    zones = resolve_zones(policy, snapshot, "synthetic.yaml")
    assert all(zones[name].members for name in policy.zones)


def test_policy_scoped_to_some_vpcs_still_parses_and_resolves(small):
    snapshot, _ = small
    scoped = policy_text(vpc_ids=[vpc_id(k) for k in range(5)])
    policy = parse_policy_text(scoped, "scoped.yaml")
    zones = resolve_zones(policy, snapshot, "scoped.yaml")
    inside = {s.id for s in snapshot.subnets if s.vpc_id in {vpc_id(k) for k in range(5)}}
    subnet_of = {e.id: e.subnet_id for e in snapshot.endpoints}
    assert all(subnet_of[m.endpoint_id] in inside for z in zones.values() for m in z.members)


# --------------------------------------------------------------------------------------------- end to end


def test_s_checks_end_to_end(small_results):
    assert len(small_results) >= 18
    assert {a.result for a in small_results.values()} <= {"pass", "fail", "unknown"}
    for name in FAILING_BY_CONSTRUCTION:
        assert small_results[name].result == "fail", name


def test_the_public_web_fails_on_the_legacy_ssh_rule(small_results):
    witnesses = small_results["internet-reaches-public-web-only-on-http-https"].witnesses
    assert {w.service() for w in witnesses} == {"tcp/22"}
    assert {w.path[-1].rule for w in witnesses} == {"ingress tcp 22 from 0.0.0.0/0"}


def test_analytics_reaches_private_db_through_the_mis_scoped_cidr_rule(small_results):
    analytics = str(synthetic.plan(0, 5).cidr)
    witnesses = small_results["analytics-cannot-reach-private-db"].witnesses
    assert {w.service() for w in witnesses} == {"tcp/5432"}
    assert {w.path[-1].rule for w in witnesses} == {f"ingress tcp 5432 from {analytics}"}
    assert any(h.step == "peering" for w in witnesses for h in w.path)


def test_apps_reach_the_session_cache_on_every_port(small_results):
    web_vpc = str(synthetic.plan(0, 2).cidr)
    for name in ("app-reaches-private-db-only-on-db-ports", "public-web-cannot-reach-private-db"):
        rules = {w.path[-1].rule for w in small_results[name].witnesses}
        assert rules == {f"ingress tcp all ports from {web_vpc}"}, name


# --------------------------------------------------------------------------------------------- sub-estates


def test_sub_estates_are_prefixes_with_identical_vpcs(small):
    snapshot = small[0]
    assert to_json(generate("L", seed=0, vpcs=10)[0]) == to_json(snapshot)
    bigger, _ = generate("S", seed=0, vpcs=20)
    first = [vpc_id(k) for k in range(10)]
    assert vpc_records(bigger, first) == vpc_records(snapshot, first)
    assert sum(len(v) for v in vpc_records(snapshot, first).values()) > 2_000
    # Estate-wide records only grow: the transit gateway tables gain the new VPCs' entries.
    old = {t.id: t for t in snapshot.transit_gateway_route_tables}
    for table in bigger.transit_gateway_route_tables:
        assert set(old[table.id].associations) <= set(table.associations)
        assert set(old[table.id].propagations) <= set(table.propagations)
        assert set(old[table.id].routes) <= set(table.routes)
        assert {r for r in old[table.id].routes if r.kind == "static"} == {r for r in table.routes if r.kind == "static"}


def test_m_starts_with_s(small, medium):
    first = [vpc_id(k) for k in range(10)]
    assert vpc_records(medium[0], first) == vpc_records(small[0], first)
    assert medium[1] == small[1]


def test_sub_estates_are_whole_blocks():
    with pytest.raises(ValueError, match="multiple of 10"):
        generate("S", vpcs=15)


def test_cli_writes_the_canonical_snapshot_and_the_policy(tmp_path, small):
    snap, policy = tmp_path / "s.json", tmp_path / "zones.yaml"
    assert synthetic.main(["--size", "S", "--seed", "0", "-o", str(snap), "--policy-out", str(policy)]) == 0
    assert snap.read_text() == to_json(small[0])
    assert policy.read_text() == small[1]
