"""Scenario #13: a NAT gateway runs out of ports to one destination."""

from __future__ import annotations

from typing import Any

from evals.bundle import Bundle
from evals.scenarios.incident import Incident
from evals.scenarios.library import nat_port_allocation  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_extra_resources import ExtendedContract


def _nat_id(bundle: Bundle) -> str:
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    return truth.root_cause.resource.rsplit("/", 1)[1]


def _sum(bundle: Bundle, metric: str, nat: str) -> float:
    return sum(
        m["value"]
        for m in bundle.records("metrics")
        if m["metric"] == metric and m["dimensions"] == {"NatGatewayId": nat}
    )


class TestNatPortAllocation(ExtendedContract):
    name = "nat-port-allocation"

    def test_only_the_guilty_gateway_reports_port_allocation_errors(
        self, bundle: Bundle, known: Known
    ) -> None:
        guilty = _nat_id(bundle)
        gateways = [g["NatGatewayId"] for g in known.by_type[("ec2", "NatGateway")]]
        assert guilty in gateways
        for gid in gateways:
            assert (_sum(bundle, "ErrorPortAllocation", gid) > 0) == (gid == guilty), gid
        peak = max(
            m["value"]
            for m in bundle.records("metrics")
            if m["metric"] == "ActiveConnectionCount" and m["dimensions"] == {"NatGatewayId": guilty}
        )
        assert 55_000 <= peak < 70_000

    def test_private_subnets_route_through_the_gateways(self, known: Known) -> None:
        gateways = {g["NatGatewayId"]: g for g in known.by_type[("ec2", "NatGateway")]}
        public = {s["SubnetId"] for s in known.by_type[("ec2", "Subnet")] if s["MapPublicIpOnLaunch"]}
        assert {g["SubnetId"] for g in gateways.values()} <= public
        routed: dict[str, Any] = {}
        for rt in known.by_type[("ec2", "RouteTable")]:
            default = next(r for r in rt["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0")
            assert default["NatGatewayId"] in gateways
            routed |= {a["SubnetId"]: default["NatGatewayId"] for a in rt["Associations"]}
        private = {s["SubnetId"] for s in known.by_type[("ec2", "Subnet")] if not s["MapPublicIpOnLaunch"]}
        assert set(routed) == private

    def test_failed_partner_calls_come_only_from_the_guilty_gateways_az(
        self, incident: Incident, bundle: Bundle, known: Known
    ) -> None:
        guilty = _nat_id(bundle)
        gateways = known.by_type[("ec2", "NatGateway")]
        subnet = next(g["SubnetId"] for g in gateways if g["NatGatewayId"] == guilty)
        az = next(s["AvailabilityZone"] for s in known.by_type[("ec2", "Subnet")] if s["SubnetId"] == subnet)
        failed = [
            t
            for t in bundle.records("traces")
            if any(
                s.get("cause", {}).get("exceptions", [{}])[0].get("type") == "ConnectTimeoutException"
                for s in t["subsegments"]
            )
        ]
        assert failed
        if len(gateways) > 1:
            assert {t["aws"]["ec2"]["availability_zone"] for t in failed} == {az}
