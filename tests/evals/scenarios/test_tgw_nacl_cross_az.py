"""Scenario #4: intermittent on-premises timeouts from one AZ, a transit-gateway subnet's network ACL."""

from __future__ import annotations

import ipaddress
from typing import Any

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios.incident import Incident
from evals.scenarios.library import tgw_nacl_cross_az  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.test_instance_storage import StorageContract


def _items(bundle: Bundle, type_: str) -> list[dict[str, Any]]:
    return [r["item"] for r in bundle.records("resources") if r["type"] == type_]


def _allowed(entries: list[dict[str, Any]], egress: bool, address: str) -> bool:
    """A network ACL's verdict: the lowest-numbered rule of that direction that matches wins."""
    for e in sorted((e for e in entries if e["Egress"] == egress), key=lambda e: e["RuleNumber"]):
        if (
            ipaddress.ip_address(address) in ipaddress.ip_network(e["CidrBlock"], strict=False)
            and "PortRange" not in e
        ):
            return bool(e["RuleAction"] == "allow")
    return False


class TestTgwNaclCrossAz(StorageContract):
    name = "tgw-nacl-cross-az"

    def test_rejects_are_replies_on_the_changed_subnets_interface(
        self, incident: Incident, bundle: Bundle
    ) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        acl_id = truth.root_cause.resource.rsplit("/", 1)[1]
        acl = next(a for a in _items(bundle, "NetworkAcl") if a["NetworkAclId"] == acl_id)
        tgw_subnet = next(
            s for s in _items(bundle, "Subnet") if s["SubnetId"] == acl["Associations"][0]["SubnetId"]
        )
        assert tgw_subnet["SubnetArn"] in truth.also_accept
        instances = {i["PrivateIpAddress"]: i for i in _items(bundle, "Instance") if "PrivateIpAddress" in i}
        onset_s = incident.window.onset.timestamp()
        rejects = []
        for e in bundle.records("logs"):
            fields = e["message"].split()
            if (
                len(fields) == 14
                and fields[12] == "REJECT"
                and fields[4] in instances
                and int(fields[10]) >= onset_s - 600
            ):
                rejects.append(fields)
        replies = [f for f in rejects if int(f[5]) < 32768]  # from the on-premises service port
        assert replies
        # Every rejected reply is for an instance outside the changed subnet's AZ, and the ACL's
        # outbound rules (evaluated by destination for traffic the gateway delivers) deny it.
        assert {instances[f[4]]["Placement"]["AvailabilityZone"] for f in replies} - {
            tgw_subnet["AvailabilityZone"]
        }
        assert all(
            instances[f[4]]["Placement"]["AvailabilityZone"] != tgw_subnet["AvailabilityZone"]
            for f in replies
        )
        assert all(not _allowed(acl["Entries"], True, f[4]) for f in replies)
        assert len({f[2] for f in replies}) == 1  # one interface: the attachment's in the changed subnet

    def test_other_transit_acls_allow_those_replies(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        acl_id = truth.root_cause.resource.rsplit("/", 1)[1]
        instances = [i for i in _items(bundle, "Instance") if "PrivateIpAddress" in i]
        transit = [
            a for a in _items(bundle, "NetworkAcl") if not a["IsDefault"] and a["NetworkAclId"] != acl_id
        ]
        assert transit
        for acl in transit:
            assert all(_allowed(acl["Entries"], True, i["PrivateIpAddress"]) for i in instances)

    def test_the_change_and_the_acl_replay_through_boto3(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        assert change["eventName"] == "ReplaceNetworkAclEntry"
        params = change["requestParameters"]
        session, _ = replay_session(bundle)
        ec2 = session.client("ec2")
        acl = ec2.describe_network_acls(NetworkAclIds=[params["networkAclId"]])["NetworkAcls"][0]
        rule = next(e for e in acl["Entries"] if e["Egress"] and e["RuleNumber"] == params["ruleNumber"])
        assert rule["CidrBlock"] == params["cidrBlock"] and rule["RuleAction"] == "allow"
        attachments = ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
        assert {a["ResourceType"] for a in attachments} == {"vpc", "vpn"}
        flow = ec2.describe_flow_logs()["FlowLogs"]
        assert flow[0]["LogDestinationType"] == "cloud-watch-logs"
        groups = {g["logGroupName"] for g in session.client("logs").describe_log_groups()["logGroups"]}
        assert flow[0]["LogGroupName"] in groups

    def test_an_innocent_acl_change_sits_on_the_victim_azs_own_acl(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        acl_id = truth.root_cause.resource.rsplit("/", 1)[1]
        others = [
            r
            for r in bundle.records("cloudtrail")
            if r["eventName"] == "CreateNetworkAclEntry" and r["requestParameters"]["networkAclId"] != acl_id
        ]
        assert len(others) == 1 and others[0]["requestParameters"]["ruleAction"] == "deny"

    def test_flow_log_interfaces_are_placed_by_describe_network_interfaces(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        acl_id = truth.root_cause.resource.rsplit("/", 1)[1]
        acl = next(a for a in _items(bundle, "NetworkAcl") if a["NetworkAclId"] == acl_id)
        ec2 = replay_session(bundle)[0].client("ec2")
        interfaces = {
            e["NetworkInterfaceId"]: e for e in ec2.describe_network_interfaces()["NetworkInterfaces"]
        }
        flows = [e["message"].split() for e in bundle.records("logs")]
        flows = [f for f in flows if len(f) == 14 and f[2].startswith("eni-")]
        assert {f[2] for f in flows} <= set(interfaces)
        (rejecting,) = {f[2] for f in flows if f[12] == "REJECT" and int(f[5]) < 32768}
        assert interfaces[rejecting]["SubnetId"] == acl["Associations"][0]["SubnetId"]

        transit = ec2.describe_network_interfaces(
            Filters=[{"Name": "interface-type", "Values": ["transit_gateway"]}]
        )
        attachment = next(
            a["TransitGatewayAttachmentId"]
            for a in ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
            if a["ResourceType"] == "vpc"
        )
        subnets = {s["SubnetId"]: s for s in _items(bundle, "Subnet")}
        placed = transit["NetworkInterfaces"]
        assert len({e["AvailabilityZone"] for e in placed}) == len(placed) > 1  # one per AZ
        for eni in placed:
            subnet = subnets[eni["SubnetId"]]
            assert eni["AvailabilityZone"] == subnet["AvailabilityZone"]
            assert ipaddress.ip_address(eni["PrivateIpAddress"]) in ipaddress.ip_network(subnet["CidrBlock"])
            assert eni["Description"] == f"Network Interface for Transit Gateway Attachment {attachment}"
            assert eni["RequesterManaged"] and "Attachment" not in eni
