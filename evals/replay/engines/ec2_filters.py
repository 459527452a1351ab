"""EC2 describe filters: documented filter names mapped to the item fields they test.

EC2 joins the values of one filter with OR and separate filters with AND; values are case-sensitive
and may hold the wildcards `*` (any run) and `?` (one character), escaped with a backslash. A name the
operation does not document is answered with AWS's InvalidParameterValue; a documented name this
engine has no field for raises ReplayUnsupported, so an unknown filter never matches everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from evals.bundle.shapes import service_model, to_datetime
from evals.replay.errors import AwsError, ReplayUnsupported

Item = Mapping[str, Any]
Getter = Callable[[Item], Iterable[Any]]
# A filter's source: a dotted path ("Placement.AvailabilityZone", "[]" walks a list), several
# paths whose values are pooled, or a function of the item.
Source = str | tuple[str, ...] | Getter
Predicate = Callable[[Item], bool]


def values_at(item: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path; `Name[]` steps into each element of the list `Name`."""
    nodes: list[Any] = [item]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step[:-2] if many else step
        found: list[Any] = []
        for node in nodes:
            if not isinstance(node, Mapping) or node.get(key) is None:
                continue
            value = node[key]
            if many and isinstance(value, list):
                found.extend(v for v in value if v is not None)
            else:
                found.append(value)
        nodes = found
    yield from nodes


def as_text(value: Any) -> str:
    """A field as EC2 compares it with a filter value: booleans lower-case, times ISO-8601 in UTC."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


def timestamp_text(value: Any) -> str:
    return as_text(to_datetime(value))


def pattern(value: str) -> re.Pattern[str]:
    """A filter value as a regular expression: `*` any run, `?` one character, `\\` escapes."""
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "\\")
            out.append(re.escape(nxt))
        elif ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def _getter(source: Source) -> Getter:
    if callable(source):
        return source
    paths = (source,) if isinstance(source, str) else source
    return lambda item: (v for p in paths for v in values_at(item, p))


def _tag_values(key: str, field: str) -> Getter:
    return lambda item: (t.get("Value", "") for t in item.get(field) or [] if t.get("Key") == key)


def tag_sources(field: str = "Tags") -> dict[str, Source]:
    """tag-key and tag-value over an item's tag list (`Tags`; a network interface calls it `TagSet`)."""
    return {"tag-key": f"{field}[].Key", "tag-value": f"{field}[].Value"}


@cache
def documented_filters(operation: str, member: str = "Filters") -> frozenset[str]:
    """The filter names botocore's documentation of `operation` lists, tag filters aside."""
    doc = service_model("ec2").operation_model(operation).input_shape.members[member].documentation
    names = re.findall(r"<li>\s*<p>\s*<code>([^<]+)</code>", doc or "")
    # tag:<key> is written "tag:&lt;key&gt;" or "tag" + ":<key>"; tag filters are resolved apart.
    return frozenset(n for n in names if n != "tag" and not n.startswith("tag:"))


def compile_filters(
    operation: str,
    filters: Sequence[Mapping[str, Any]] | None,
    sources: Mapping[str, Source],
    *,
    member: str = "Filters",
    tags: str = "Tags",
) -> Predicate:
    """One predicate for a request's filters: AND across filters, OR across one filter's values.

    `tags` names the item's tag list, which `tag:<key>`, `tag-key` and `tag-value` test.
    """
    tests: list[tuple[Getter, list[re.Pattern[str]]]] = []
    for flt in filters or []:
        name = str(flt.get("Name", ""))
        values = list(flt.get("Values") or [])
        if not values:
            # What EC2 does with a value-less filter is not documented; refuse rather than guess.
            raise ReplayUnsupported("ec2", operation, f"filter {name!r} without values")
        get = _resolve(operation, name, sources, member=member, tags=tags)
        tests.append((get, [pattern(v) for v in values]))

    def matches(item: Item) -> bool:
        for get, pats in tests:
            texts = [as_text(v) for v in get(item)]
            if not any(p.fullmatch(t) for p in pats for t in texts):
                return False
        return True

    return matches


def _resolve(operation: str, name: str, sources: Mapping[str, Source], *, member: str, tags: str) -> Getter:
    if name in sources:
        return _getter(sources[name])
    if name.startswith("tag:") and len(name) > 4:
        return _tag_values(name[4:], tags)
    by_tag = tag_sources(tags)
    if name in by_tag:
        return _getter(by_tag[name])
    if name in documented_filters(operation, member):
        raise ReplayUnsupported("ec2", operation, f"filter {name!r} is not replayed yet")
    raise AwsError("InvalidParameterValue", f"The filter '{name}' is invalid")


# --- which field each documented filter tests, per resource -----------------------------------


def _times(path: str) -> Callable[[Item], list[str]]:
    return lambda item: [timestamp_text(v) for v in values_at(item, path)]


def _details(path: str, name: str) -> Callable[[Item], list[Any]]:
    """Status of the `Details` entry called `name` (e.g. reachability) of an instance/system status."""
    return lambda item: [
        d.get("Status") for d in values_at(item, f"{path}.Details[]") if d.get("Name") == name
    ]


def _low_byte(path: str) -> Callable[[Item], list[int]]:
    """A state code as EC2 filters it: the high byte is internal and ignored."""
    return lambda item: [int(v) & 0xFF for v in values_at(item, path)]


_NI = "NetworkInterfaces[]"

INSTANCE_FILTERS: dict[str, Source] = {
    "affinity": "Placement.Affinity",
    "architecture": "Architecture",
    "availability-zone": "Placement.AvailabilityZone",
    "availability-zone-id": "Placement.AvailabilityZoneId",
    "block-device-mapping.attach-time": _times("BlockDeviceMappings[].Ebs.AttachTime"),
    "block-device-mapping.delete-on-termination": "BlockDeviceMappings[].Ebs.DeleteOnTermination",
    "block-device-mapping.device-name": "BlockDeviceMappings[].DeviceName",
    "block-device-mapping.status": "BlockDeviceMappings[].Ebs.Status",
    "block-device-mapping.volume-id": "BlockDeviceMappings[].Ebs.VolumeId",
    "boot-mode": "BootMode",
    "capacity-reservation-id": "CapacityReservationId",
    "client-token": "ClientToken",
    "current-instance-boot-mode": "CurrentInstanceBootMode",
    "dns-name": "PublicDnsName",
    "ebs-optimized": "EbsOptimized",
    "ena-support": "EnaSupport",
    "host-id": "Placement.HostId",
    "hypervisor": "Hypervisor",
    "iam-instance-profile.arn": "IamInstanceProfile.Arn",
    "iam-instance-profile.id": "IamInstanceProfile.Id",
    "image-id": "ImageId",
    "instance-id": "InstanceId",
    "instance-lifecycle": "InstanceLifecycle",
    "instance-state-code": _low_byte("State.Code"),
    "instance-state-name": "State.Name",
    "instance-type": "InstanceType",
    "instance.group-id": "SecurityGroups[].GroupId",
    "instance.group-name": "SecurityGroups[].GroupName",
    "ip-address": "PublicIpAddress",
    "kernel-id": "KernelId",
    "key-name": "KeyName",
    "launch-index": "AmiLaunchIndex",
    "launch-time": _times("LaunchTime"),
    "metadata-options.http-endpoint": "MetadataOptions.HttpEndpoint",
    "metadata-options.http-put-response-hop-limit": "MetadataOptions.HttpPutResponseHopLimit",
    "metadata-options.http-tokens": "MetadataOptions.HttpTokens",
    "monitoring-state": "Monitoring.State",
    "network-interface.addresses.association.ip-owner-id": f"{_NI}.PrivateIpAddresses[].Association.IpOwnerId",
    "network-interface.addresses.association.public-ip": f"{_NI}.PrivateIpAddresses[].Association.PublicIp",
    "network-interface.addresses.primary": f"{_NI}.PrivateIpAddresses[].Primary",
    "network-interface.addresses.private-dns-name": f"{_NI}.PrivateIpAddresses[].PrivateDnsName",
    "network-interface.addresses.private-ip-address": f"{_NI}.PrivateIpAddresses[].PrivateIpAddress",
    "network-interface.association.ip-owner-id": f"{_NI}.Association.IpOwnerId",
    "network-interface.association.public-dns-name": f"{_NI}.Association.PublicDnsName",
    "network-interface.association.public-ip": f"{_NI}.Association.PublicIp",
    "network-interface.attachment.attach-time": _times(f"{_NI}.Attachment.AttachTime"),
    "network-interface.attachment.attachment-id": f"{_NI}.Attachment.AttachmentId",
    "network-interface.attachment.delete-on-termination": f"{_NI}.Attachment.DeleteOnTermination",
    "network-interface.attachment.device-index": f"{_NI}.Attachment.DeviceIndex",
    "network-interface.attachment.status": f"{_NI}.Attachment.Status",
    "network-interface.description": f"{_NI}.Description",
    "network-interface.group-id": f"{_NI}.Groups[].GroupId",
    "network-interface.group-name": f"{_NI}.Groups[].GroupName",
    "network-interface.ipv6-address": f"{_NI}.Ipv6Addresses[].Ipv6Address",
    "network-interface.ipv6-addresses.ipv6-address": f"{_NI}.Ipv6Addresses[].Ipv6Address",
    "network-interface.mac-address": f"{_NI}.MacAddress",
    "network-interface.network-interface-id": f"{_NI}.NetworkInterfaceId",
    "network-interface.owner-id": f"{_NI}.OwnerId",
    "network-interface.private-dns-name": f"{_NI}.PrivateDnsName",
    "network-interface.private-ip-address": f"{_NI}.PrivateIpAddress",
    "network-interface.source-dest-check": f"{_NI}.SourceDestCheck",
    "network-interface.status": f"{_NI}.Status",
    "network-interface.subnet-id": f"{_NI}.SubnetId",
    "network-interface.vpc-id": f"{_NI}.VpcId",
    "outpost-arn": "OutpostArn",
    "placement-group-name": "Placement.GroupName",
    "placement-partition-number": "Placement.PartitionNumber",
    "platform": "Platform",
    "platform-details": "PlatformDetails",
    "private-dns-name": "PrivateDnsName",
    "private-ip-address": "PrivateIpAddress",
    "product-code": "ProductCodes[].ProductCodeId",
    "product-code.type": "ProductCodes[].ProductCodeType",
    "ramdisk-id": "RamdiskId",
    "reason": "StateTransitionReason",
    "root-device-name": "RootDeviceName",
    "root-device-type": "RootDeviceType",
    "source-dest-check": "SourceDestCheck",
    "spot-instance-request-id": "SpotInstanceRequestId",
    "state-reason-code": "StateReason.Code",
    "state-reason-message": "StateReason.Message",
    "subnet-id": "SubnetId",
    "tenancy": "Placement.Tenancy",
    "tpm-support": "TpmSupport",
    "usage-operation": "UsageOperation",
    "virtualization-type": "VirtualizationType",
    "vpc-id": "VpcId",
}

INSTANCE_STATUS_FILTERS: dict[str, Source] = {
    "availability-zone": "AvailabilityZone",
    "availability-zone-id": "AvailabilityZoneId",
    "event.code": "Events[].Code",
    "event.description": "Events[].Description",
    "event.instance-event-id": "Events[].InstanceEventId",
    "event.not-after": _times("Events[].NotAfter"),
    "event.not-before": _times("Events[].NotBefore"),
    "event.not-before-deadline": _times("Events[].NotBeforeDeadline"),
    "instance-state-code": _low_byte("InstanceState.Code"),
    "instance-state-name": "InstanceState.Name",
    "instance-status.reachability": _details("InstanceStatus", "reachability"),
    "instance-status.status": "InstanceStatus.Status",
    "system-status.reachability": _details("SystemStatus", "reachability"),
    "system-status.status": "SystemStatus.Status",
    "attached-ebs-status.status": "AttachedEbsStatus.Status",
    "operator.managed": "Operator.Managed",
    "operator.principal": "Operator.Principal",
}

VOLUME_FILTERS: dict[str, Source] = {
    "attachment.attach-time": _times("Attachments[].AttachTime"),
    "attachment.delete-on-termination": "Attachments[].DeleteOnTermination",
    "attachment.device": "Attachments[].Device",
    "attachment.instance-id": "Attachments[].InstanceId",
    "attachment.status": "Attachments[].State",
    "availability-zone": "AvailabilityZone",
    "availability-zone-id": "AvailabilityZoneId",
    "create-time": _times("CreateTime"),
    "encrypted": "Encrypted",
    "fast-restored": "FastRestored",
    "multi-attach-enabled": "MultiAttachEnabled",
    "operator.managed": "Operator.Managed",
    "operator.principal": "Operator.Principal",
    "size": "Size",
    "snapshot-id": "SnapshotId",
    "status": "State",
    "volume-id": "VolumeId",
    "volume-type": "VolumeType",
}


def _permission_filters(prefix: str, field_name: str) -> dict[str, Source]:
    perm = f"{field_name}[]"
    return {
        f"{prefix}ip-permission.cidr": f"{perm}.IpRanges[].CidrIp",
        f"{prefix}ip-permission.from-port": f"{perm}.FromPort",
        f"{prefix}ip-permission.group-id": f"{perm}.UserIdGroupPairs[].GroupId",
        f"{prefix}ip-permission.group-name": f"{perm}.UserIdGroupPairs[].GroupName",
        f"{prefix}ip-permission.ipv6-cidr": f"{perm}.Ipv6Ranges[].CidrIpv6",
        f"{prefix}ip-permission.prefix-list-id": f"{perm}.PrefixListIds[].PrefixListId",
        f"{prefix}ip-permission.protocol": f"{perm}.IpProtocol",
        f"{prefix}ip-permission.to-port": f"{perm}.ToPort",
        f"{prefix}ip-permission.user-id": f"{perm}.UserIdGroupPairs[].UserId",
    }


SECURITY_GROUP_FILTERS: dict[str, Source] = {
    "description": "Description",
    "group-id": "GroupId",
    "group-name": "GroupName",
    "owner-id": "OwnerId",
    "vpc-id": "VpcId",
    **_permission_filters("", "IpPermissions"),
    **_permission_filters("egress.", "IpPermissionsEgress"),
}

NETWORK_ACL_FILTERS: dict[str, Source] = {
    "association.association-id": "Associations[].NetworkAclAssociationId",
    "association.network-acl-id": "Associations[].NetworkAclId",
    "association.subnet-id": "Associations[].SubnetId",
    "default": "IsDefault",
    "entry.cidr": "Entries[].CidrBlock",
    "entry.icmp.code": "Entries[].IcmpTypeCode.Code",
    "entry.icmp.type": "Entries[].IcmpTypeCode.Type",
    "entry.ipv6-cidr": "Entries[].Ipv6CidrBlock",
    "entry.port-range.from": "Entries[].PortRange.From",
    "entry.port-range.to": "Entries[].PortRange.To",
    "entry.protocol": "Entries[].Protocol",
    "entry.rule-action": "Entries[].RuleAction",
    "entry.egress": "Entries[].Egress",
    "entry.rule-number": "Entries[].RuleNumber",
    "network-acl-id": "NetworkAclId",
    "owner-id": "OwnerId",
    "vpc-id": "VpcId",
}

ROUTE_TABLE_FILTERS: dict[str, Source] = {
    "association.gateway-id": "Associations[].GatewayId",
    "association.route-table-association-id": "Associations[].RouteTableAssociationId",
    "association.route-table-id": "Associations[].RouteTableId",
    "association.subnet-id": "Associations[].SubnetId",
    "association.main": "Associations[].Main",
    "owner-id": "OwnerId",
    "route-table-id": "RouteTableId",
    "route.destination-cidr-block": "Routes[].DestinationCidrBlock",
    "route.destination-ipv6-cidr-block": "Routes[].DestinationIpv6CidrBlock",
    "route.destination-prefix-list-id": "Routes[].DestinationPrefixListId",
    "route.egress-only-internet-gateway-id": "Routes[].EgressOnlyInternetGatewayId",
    "route.gateway-id": "Routes[].GatewayId",
    "route.instance-id": "Routes[].InstanceId",
    "route.nat-gateway-id": "Routes[].NatGatewayId",
    "route.transit-gateway-id": "Routes[].TransitGatewayId",
    "route.origin": "Routes[].Origin",
    "route.state": "Routes[].State",
    "route.vpc-peering-connection-id": "Routes[].VpcPeeringConnectionId",
    "vpc-id": "VpcId",
}

SUBNET_FILTERS: dict[str, Source] = {
    "availability-zone": "AvailabilityZone",
    "availability-zone-id": "AvailabilityZoneId",
    "available-ip-address-count": "AvailableIpAddressCount",
    "cidr-block": "CidrBlock",
    "customer-owned-ipv4-pool": "CustomerOwnedIpv4Pool",
    "default-for-az": "DefaultForAz",
    "enable-dns64": "EnableDns64",
    "ipv6-cidr-block-association.ipv6-cidr-block": "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock",
    "ipv6-cidr-block-association.association-id": "Ipv6CidrBlockAssociationSet[].AssociationId",
    "ipv6-cidr-block-association.state": "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlockState.State",
    "ipv6-native": "Ipv6Native",
    "map-customer-owned-ip-on-launch": "MapCustomerOwnedIpOnLaunch",
    "map-public-ip-on-launch": "MapPublicIpOnLaunch",
    "outpost-arn": "OutpostArn",
    "owner-id": "OwnerId",
    "state": "State",
    "subnet-arn": "SubnetArn",
    "subnet-id": "SubnetId",
    "vpc-id": "VpcId",
}

VPC_FILTERS: dict[str, Source] = {
    "cidr": "CidrBlock",
    "cidr-block-association.cidr-block": "CidrBlockAssociationSet[].CidrBlock",
    "cidr-block-association.association-id": "CidrBlockAssociationSet[].AssociationId",
    "cidr-block-association.state": "CidrBlockAssociationSet[].CidrBlockState.State",
    "dhcp-options-id": "DhcpOptionsId",
    "ipv6-cidr-block-association.ipv6-cidr-block": "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock",
    "ipv6-cidr-block-association.ipv6-pool": "Ipv6CidrBlockAssociationSet[].Ipv6Pool",
    "ipv6-cidr-block-association.association-id": "Ipv6CidrBlockAssociationSet[].AssociationId",
    "ipv6-cidr-block-association.state": "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlockState.State",
    "is-default": "IsDefault",
    "owner-id": "OwnerId",
    "state": "State",
    "vpc-id": "VpcId",
}

TGW_ATTACHMENT_FILTERS: dict[str, Source] = {
    "association.state": "Association.State",
    "association.transit-gateway-route-table-id": "Association.TransitGatewayRouteTableId",
    "resource-id": "ResourceId",
    "resource-owner-id": "ResourceOwnerId",
    "resource-type": "ResourceType",
    "state": "State",
    "transit-gateway-attachment-id": "TransitGatewayAttachmentId",
    "transit-gateway-id": "TransitGatewayId",
    "transit-gateway-owner-id": "TransitGatewayOwnerId",
}

VPC_ENDPOINT_FILTERS: dict[str, Source] = {
    "ip-address-type": "IpAddressType",
    "service-name": "ServiceName",
    "service-region": "ServiceRegion",
    "vpc-endpoint-id": "VpcEndpointId",
    "vpc-endpoint-state": "State",
    "vpc-endpoint-type": "VpcEndpointType",
    "vpc-id": "VpcId",
}

FLOW_LOG_FILTERS: dict[str, Source] = {
    "deliver-log-status": "DeliverLogsStatus",
    "log-destination-type": "LogDestinationType",
    "flow-log-id": "FlowLogId",
    "log-group-name": "LogGroupName",
    "resource-id": "ResourceId",
    "traffic-type": "TrafficType",
}

NETWORK_INTERFACE_FILTERS: dict[str, Source] = {
    "addresses.association.owner-id": "PrivateIpAddresses[].Association.IpOwnerId",
    "addresses.association.public-ip": "PrivateIpAddresses[].Association.PublicIp",
    "addresses.primary": "PrivateIpAddresses[].Primary",
    "addresses.private-ip-address": "PrivateIpAddresses[].PrivateIpAddress",
    "association.allocation-id": "Association.AllocationId",
    "association.association-id": "Association.AssociationId",
    "association.ip-owner-id": "Association.IpOwnerId",
    "association.public-dns-name": "Association.PublicDnsName",
    "association.public-ip": "Association.PublicIp",
    "attachment.attach-time": _times("Attachment.AttachTime"),
    "attachment.attachment-id": "Attachment.AttachmentId",
    "attachment.delete-on-termination": "Attachment.DeleteOnTermination",
    "attachment.device-index": "Attachment.DeviceIndex",
    "attachment.instance-id": "Attachment.InstanceId",
    "attachment.instance-owner-id": "Attachment.InstanceOwnerId",
    "attachment.status": "Attachment.Status",
    "availability-zone": "AvailabilityZone",
    "availability-zone-id": "AvailabilityZoneId",
    "description": "Description",
    "group-id": "Groups[].GroupId",
    "interface-type": "InterfaceType",
    "ipv6-addresses.ipv6-address": "Ipv6Addresses[].Ipv6Address",
    "mac-address": "MacAddress",
    "network-interface-id": "NetworkInterfaceId",
    "operator.managed": "Operator.Managed",
    "operator.principal": "Operator.Principal",
    "owner-id": "OwnerId",
    "private-dns-name": "PrivateDnsName",
    # "The private IPv4 address or addresses": the primary and every secondary.
    "private-ip-address": ("PrivateIpAddress", "PrivateIpAddresses[].PrivateIpAddress"),
    "requester-id": "RequesterId",
    "requester-managed": "RequesterManaged",
    "source-dest-check": "SourceDestCheck",
    "status": "Status",
    "subnet-id": "SubnetId",
    "vpc-id": "VpcId",
}
