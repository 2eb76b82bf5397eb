"""Packets of many sources followed once from where they meet (past a transit gateway, or past their subnets'
outbound ACL inside a VPC: engine/batches.py) must come out as if each source had been followed alone: the
same deliveries, from the same class, through the same hops."""

from ipaddress import ip_network

import pytest

from topology.builder import EstateBuilder
from topology.synthetic import generate
from zonecheck.engine import addresses as addr
from zonecheck.engine import check as engine_check
from zonecheck.engine import batches as batching
from zonecheck.engine.classes import EndpointClass, endpoint_classes
from zonecheck.engine.estate import Estate
from zonecheck.engine.flows import Flow, Hop
from zonecheck.engine.intervals import IntervalSet
from zonecheck.engine.packets import any_traffic
from zonecheck.engine.walk import Walker
from zonecheck.model import TransitGatewayAttachment
from zonecheck.policy import parse_policy_text
from zonecheck.policy.zones import resolve_zones
from tests.engine.test_senders import _deliveries
from tests.scenario import one, steps


def _walk(estate, zones, src, dst, *, batched, monkeypatch, ignore=()):
    sources = [] if zones[src].builtin else endpoint_classes(estate, zones[src], as_source=True)
    targets = [] if zones[dst].builtin else endpoint_classes(estate, zones[dst], as_source=False)
    with monkeypatch.context() as patch:
        if not batched:
            patch.setattr(Walker, "batch_sources", lambda self, sources: False)
        return engine_check._walk(
            estate, sources, targets, keep_drops=False, ignore=ignore,
            from_internet=zones[src].builtin == "internet", to_internet=zones[dst].builtin == "internet",
            from_on_premises=zones[src].builtin == "on-premises", to_on_premises=zones[dst].builtin == "on-premises")


@pytest.fixture
def batch_sizes(monkeypatch):
    """(where, how many sources) of every batch the walks follow."""
    sizes: list[tuple[str, int]] = []
    original = batching.Batches.batches

    def recording(self):
        out = original(self)
        sizes.extend((b.place[0], len(b.members)) for b in out)
        return out

    monkeypatch.setattr(batching.Batches, "batches", recording)
    return sizes


@pytest.mark.parametrize("seed", [3, 11])
def test_every_synthetic_assertion_delivers_the_same_batched_or_not(seed, monkeypatch, batch_sizes):
    snapshot, policy_text = generate("S", seed=seed)
    policy = parse_policy_text(policy_text, "synthetic.yaml")
    estate, zones = Estate(snapshot), resolve_zones(policy, snapshot, "synthetic.yaml")
    for assertion in policy.assertions:
        src, dst = assertion.from_, assertion.to
        batched = _walk(estate, zones, src, dst, batched=True, monkeypatch=monkeypatch)
        alone = _walk(estate, zones, src, dst, batched=False, monkeypatch=monkeypatch)
        assert _deliveries(batched) == _deliveries(alone), assertion.name
        # What the walks touched decides which doubts matter: the batch may add (pairs no source sent), never lose.
        assert alone.touched <= batched.touched, assertion.name
        assert alone.assumed <= batched.assumed, assertion.name
    # The comparison is not vacuous: several sources were followed as one, past a hub and inside a VPC.
    assert max(n for kind, n in batch_sizes if kind == "transit") >= 4
    assert max(n for kind, n in batch_sizes if kind == "local") >= 2


def hub_and_spokes(*, overlapping: bool = False):
    """Two app spokes and a db spoke on one TGW; the db group admits app-a's group by reference (valid past the
    hub only for app-a's own members) and 5432 from the whole 10/8."""
    b = EstateBuilder()
    b.transit_gateway("tgw-1", default_tables=True)
    cidrs = {"app-a": "10.1.0.0/16", "app-b": "10.1.0.0/16" if overlapping else "10.2.0.0/16", "db": "10.9.0.0/16"}
    for name, cidr in cidrs.items():
        prefix = cidr.rsplit(".", 2)[0]
        vpc = b.vpc(f"vpc-{name}", cidr)
        b.subnet(f"subnet-{name}", vpc, f"{prefix}.1.0/24")
        b.subnet(f"subnet-{name}-tgw", vpc, f"{prefix}.255.0/28")
        b.route_table(f"rtb-{name}", vpc, subnets=[f"subnet-{name}"], routes=[("10.0.0.0/8", "tgw-1")])
        b.tgw_attachment(f"tgw-attach-{name}", "tgw-1", vpc, [f"subnet-{name}-tgw"])
    b.security_group("sg-app-a", "vpc-app-a")
    b.security_group("sg-app-b", "vpc-app-b")
    b.security_group("sg-db", "vpc-db", ingress=[("tcp", 22, 22, "sg-app-a"), ("tcp", 5432, 5432, "10.0.0.0/8")])
    b.instance("i-a", "subnet-app-a", "10.1.1.10", groups=["sg-app-a"], tags={"Zone": "app"})
    b.instance("i-b", "subnet-app-b", ("10.1.1.10" if overlapping else "10.2.1.10"), groups=["sg-app-b"],
               tags={"Zone": "app"})
    b.instance("i-db", "subnet-db", "10.9.1.10", groups=["sg-db"], tags={"Zone": "db"})
    return b


def _by_source(result):
    out: dict[str, set[str]] = {}
    for witness in result.witnesses:
        out.setdefault(witness.source.id, set()).add(witness.service())
    return out


def test_a_reference_past_the_hub_admits_only_the_members_of_the_batch(batch_sizes):
    result = one(hub_and_spokes().build(), "app", "db")
    assert result.result == "fail"
    assert _by_source(result) == {"eni-i-a": {"tcp/22", "tcp/5432"}, "eni-i-b": {"tcp/5432"}}
    assert ("transit", 2) in batch_sizes  # both spokes' packets were followed past the hub as one


def test_each_source_keeps_its_own_hops_up_to_the_hub():
    result = one(hub_and_spokes().build(), "app", "db")
    for witness in result.witnesses:
        name = "app-a" if witness.source.id == "eni-i-a" else "app-b"
        assert steps(witness)[1:3] == [("route", f"rtb-{name}"), ("nacl-out", f"acl-vpc-{name}-default")]
        assert ("tgw-attachment", f"tgw-attach-{name}") in steps(witness)
        assert ("tgw-attachment", "tgw-attach-db") in steps(witness)


def test_sources_sharing_addresses_are_never_batched_together(batch_sizes):
    # Two VPCs with the same CIDR and two hosts at the same address: a delivery could not tell whose it was.
    result = one(hub_and_spokes(overlapping=True).build(), "app", "db")
    assert batch_sizes and max(n for _, n in batch_sizes) == 1
    assert _by_source(result) == {"eni-i-a": {"tcp/22", "tcp/5432"}, "eni-i-b": {"tcp/5432"}}


def central_egress():
    """Two spokes send everything to the TGW; an egress VPC sends it on through a NAT gateway and an IGW.  The
    NAT subnet's ACL turns away app-b's packets to port 80 (a decision on the batch's sources, before the NAT)."""
    b = EstateBuilder()
    b.transit_gateway("tgw-1", default_tables=False)
    for name, prefix in (("app-a", "10.1"), ("app-b", "10.2")):
        vpc = b.vpc(f"vpc-{name}", f"{prefix}.0.0/16")
        b.subnet(f"subnet-{name}", vpc, f"{prefix}.1.0/24")
        b.route_table(f"rtb-{name}", vpc, subnets=[f"subnet-{name}"], routes=[("0.0.0.0/0", "tgw-1")])
        b.tgw_attachment(f"tgw-attach-{name}", "tgw-1", vpc, [f"subnet-{name}"])
        b.security_group(f"sg-{name}", vpc, egress=[("tcp", 0, 1024, "0.0.0.0/0")])
        b.instance(f"i-{name}", f"subnet-{name}", f"{prefix}.1.10", groups=[f"sg-{name}"], tags={"Zone": "app"})
    egress = b.vpc("vpc-egress", "10.100.0.0/16")
    b.subnet("subnet-egress-tgw", egress, "10.100.1.0/24")
    b.subnet("subnet-egress-public", egress, "10.100.2.0/24")
    b.nacl("acl-egress-public", egress, subnets=["subnet-egress-public"],
           ingress=[(90, "deny", "tcp", 80, 80, "10.2.0.0/16"), (100, "allow", "-1", None, None, "0.0.0.0/0")],
           egress=[(100, "allow", "-1", None, None, "0.0.0.0/0")])
    b.igw("igw-1", egress)
    b.nat("nat-1", "subnet-egress-public", "10.100.2.5", public_ip="203.0.113.5")
    b.route_table("rtb-egress-tgw", egress, subnets=["subnet-egress-tgw"],
                  routes=[("0.0.0.0/0", "nat-1"), ("10.0.0.0/8", "tgw-1")])
    b.route_table("rtb-egress-public", egress, subnets=["subnet-egress-public"],
                  routes=[("0.0.0.0/0", "igw-1"), ("10.0.0.0/8", "tgw-1")])
    b.tgw_attachment("tgw-attach-egress", "tgw-1", egress, ["subnet-egress-tgw"])
    b.tgw_route_table("tgw-rtb-spokes", "tgw-1", associations=["tgw-attach-app-a", "tgw-attach-app-b"],
                      routes=[("0.0.0.0/0", "tgw-attach-egress")])
    return b


def test_a_nat_past_the_hub_rewrites_every_batched_source_alike_and_keeps_each_ones_own_fate(batch_sizes):
    result = one(central_egress().build(), "app", "internet", "{only: [tcp/443]}")
    assert result.result == "fail"
    ports = {}
    for witness in result.witnesses:
        assert witness.source.seen_as == "203.0.113.5"
        assert ("nat", "nat-1") in steps(witness) and ("igw", "igw-1") in steps(witness)
        ports.setdefault(witness.source.id, []).append(witness.service())
    assert ports == {"eni-i-app-a": ["tcp/0-442", "tcp/444-1024"],
                     "eni-i-app-b": ["tcp/0-79", "tcp/81-442", "tcp/444-1024"]}
    assert ("transit", 2) in batch_sizes  # both spokes' packets met the NAT in one batch


def _net(cidr: str) -> IntervalSet:
    return addr.of_networks([ip_network(cidr)])


def _deferred(source_key: str, src: str, dst: str) -> batching.Deferred:
    addresses = _net(src)
    source = EndpointClass(key=source_key, subnet_id="s", vpc_id="v", group_ids=("sg-1",), endpoint_ids=(source_key,),
                           private=addresses, public=IntervalSet(), public_unknown=False)
    flow = Flow(any_traffic(addresses, _net(dst)), origin=addresses).through(Hop(source_key, "route", "r"))
    attachment = TransitGatewayAttachment(id="tgw-attach-1", transit_gateway_id="tgw-1", kind="vpc", resource_id="v")
    return batching.Deferred(source, {"sg-1": addresses}, flow, "v", "s", attachment)


TRANSIT, PLACE = ("transit", "tgw-rtb-1", "tgw-1", None), ("transit", "tgw-1", None)


def test_a_delivery_goes_back_only_to_the_sources_whose_pairs_it_holds():
    batches = batching.Batches()
    batches.defer(TRANSIT, PLACE, _deferred("a", "10.1.0.0/24", "10.9.0.0/16"))
    batches.defer(TRANSIT, PLACE, _deferred("b", "10.2.0.0/24", "10.8.0.0/16"))
    [batch] = batches.batches()
    union = batch.flow()
    assert union.box.src == _net("10.1.0.0/24") | _net("10.2.0.0/24")
    assert batch.sender() == {"sg-1": union.box.src}
    # Delivered: both sources' addresses to 10.9.1.0/24, which only a sent to: b's pair was never sent.
    delivered = Flow(any_traffic(union.box.src, _net("10.9.1.0/24")), origin=union.origin)
    delivered = delivered.through(Hop("sg-db", "sg-ingress", "x"))
    [(source, flow)] = batch.attribute(delivered)
    assert source.key == "a"
    assert flow.box.src == _net("10.1.0.0/24") and flow.origin == flow.box.src
    assert [h.at for h in flow.hops] == ["a", "sg-db"]


def test_after_a_rewrite_a_delivery_goes_back_by_the_addresses_it_was_sent_from():
    batches = batching.Batches()
    batches.defer(TRANSIT, PLACE, _deferred("a", "10.1.0.0/24", "0.0.0.0/0"))
    batches.defer(TRANSIT, PLACE, _deferred("b", "10.2.0.0/24", "0.0.0.0/0"))
    [batch] = batches.batches()
    union = batch.flow()
    # Only a's first half got as far as a NAT gateway, which sent it on as its own address.
    kept = union.through_box(union.box.with_src(_net("10.1.0.0/25")))
    nat = kept.rewrite_source(_net("10.100.2.5/32"), Hop("nat-1", "nat", "source rewritten"))
    [(source, flow)] = batch.attribute(nat)
    assert source.key == "a"
    assert flow.origin == _net("10.1.0.0/25") and flow.box.src == _net("10.100.2.5/32") and flow.rewritten


def test_overlapping_sources_split_into_batches_that_never_share_an_address():
    batches = batching.Batches()
    for key, src in (("a", "10.1.0.0/24"), ("b", "10.1.0.0/25"), ("c", "10.2.0.0/24")):
        batches.defer(TRANSIT, PLACE, _deferred(key, src, "10.9.0.0/16"))
    out = batches.batches()
    assert [[m.source.key for m in b.members] for b in out] == [["a", "c"], ["b"]]


def one_vpc():
    """Subnets a and b share an ACL denying outbound ssh; a db sits in a (beside app-a) and in c."""
    b = EstateBuilder()
    b.vpc("vpc-1", "10.0.0.0/16")
    for name in ("a", "b", "c"):
        b.subnet(f"subnet-{name}", "vpc-1", f"10.0.{ord(name) - 96}.0/24")
    b.nacl("acl-app", "vpc-1", subnets=["subnet-a", "subnet-b"],
           ingress=[(100, "allow", "-1", None, None, "0.0.0.0/0")],
           egress=[(90, "deny", "tcp", 22, 22, "10.0.0.0/16"), (100, "allow", "-1", None, None, "0.0.0.0/0")])
    b.security_group("sg-app", "vpc-1")
    b.security_group("sg-db", "vpc-1", ingress=[("tcp", 22, 22, "10.0.0.0/16"), ("tcp", 5432, 5432, "10.0.0.0/16")])
    b.instance("i-app-a", "subnet-a", "10.0.1.10", groups=["sg-app"], tags={"Zone": "app"})
    b.instance("i-app-b", "subnet-b", "10.0.2.10", groups=["sg-app"], tags={"Zone": "app"})
    b.instance("i-db-a", "subnet-a", "10.0.1.20", groups=["sg-db"], tags={"Zone": "db"})
    b.instance("i-db-c", "subnet-c", "10.0.3.20", groups=["sg-db"], tags={"Zone": "db"})
    return b


def test_subnets_sharing_an_acl_are_batched_and_a_source_s_own_subnet_is_reached_without_acl(batch_sizes):
    result = one(one_vpc().build(), "app", "db")
    pairs: dict[tuple[str, str], set[str]] = {}
    for witness in result.witnesses:
        pairs.setdefault((witness.source.id, witness.target.id), set()).add(witness.service())
    assert pairs == {("eni-i-app-a", "eni-i-db-a"): {"tcp/22", "tcp/5432"},  # same subnet: no ACL
                     ("eni-i-app-b", "eni-i-db-a"): {"tcp/5432"},
                     ("eni-i-app-a", "eni-i-db-c"): {"tcp/5432"},
                     ("eni-i-app-b", "eni-i-db-c"): {"tcp/5432"}}
    assert ("local", 2) in batch_sizes
