"""EC2: instances and their status, volumes, and the network around them, from resources.jsonl.

Items are stored in botocore's shapes (`Instance`, `InstanceStatus`, `Volume`, `SecurityGroup`,
`NetworkAcl`, `RouteTable`, `Subnet`, `Vpc`, `VpcEndpoint`, `TransitGatewayAttachment`, `FlowLog`,
`NetworkInterface`). A resource whose creation time (LaunchTime, CreateTime, CreationTime) is after the
bundle's `now` does not exist yet.

An `Instance` carries no reservation, so each instance is answered as its own reservation: its
ReservationId is derived from the instance id (stable across runs), OwnerId is the bundle's account,
and Groups is empty as it is for every VPC instance.

DescribeNetworkInterfaces answers the bundle's `NetworkInterface` items and, as EC2 does, the
interfaces of instances that are not terminated: each entry of an instance's `NetworkInterfaces`
becomes an interface attached to it, with an AttachmentId and MacAddress derived from the interface id
when the entry has none. An explicit item wins over a derived one with the same id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.engines.ec2_filters import (
    FLOW_LOG_FILTERS,
    INSTANCE_FILTERS,
    INSTANCE_STATUS_FILTERS,
    NETWORK_ACL_FILTERS,
    NETWORK_INTERFACE_FILTERS,
    ROUTE_TABLE_FILTERS,
    SECURITY_GROUP_FILTERS,
    SUBNET_FILTERS,
    TGW_ATTACHMENT_FILTERS,
    VOLUME_FILTERS,
    VPC_ENDPOINT_FILTERS,
    VPC_FILTERS,
    Source,
    compile_filters,
)
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

# --- one describe, generically ----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How one EC2 resource type is described: its shape, ids, errors, filters and page sizes."""

    shape: str
    id_field: str
    ids_param: str
    filters: Mapping[str, Source]
    not_found: tuple[str, str] | None  # code, message with {id}; None: unknown ids are left out
    prefix: str | None = None  # id prefix checked for malformed ids (when its error code is known)
    malformed: tuple[str, str] | None = None
    created: str | None = None  # creation timestamp field: later than `now` means not there yet
    page: tuple[int, int] = (5, 1000)  # MaxResults range
    clamp: bool = False  # MaxResults above the range is cut to it instead of refused
    ids_set: str | None = None  # the query name of the ids when MaxResults may not go with them
    filter_member: str = "Filters"
    report_all_missing: bool = False
    plural: str = ""
    tags: str = "Tags"  # the item's tag list, which tag filters test


INSTANCE = Kind(
    "Instance",
    "InstanceId",
    "InstanceIds",
    INSTANCE_FILTERS,
    ("InvalidInstanceID.NotFound", "The instance ID '{id}' does not exist"),
    prefix="i",
    malformed=("InvalidInstanceID.Malformed", 'Invalid id: "{id}"'),
    created="LaunchTime",
    ids_set="instancesSet",
    report_all_missing=True,
    plural="The instance IDs '{ids}' do not exist",
)
INSTANCE_STATUS = Kind(
    "InstanceStatus",
    "InstanceId",
    "InstanceIds",
    INSTANCE_STATUS_FILTERS,
    INSTANCE.not_found,
    prefix="i",
    malformed=INSTANCE.malformed,
    ids_set="instancesSet",
    report_all_missing=True,
    plural=INSTANCE.plural,
)
VOLUME = Kind(
    "Volume",
    "VolumeId",
    "VolumeIds",
    VOLUME_FILTERS,
    ("InvalidVolume.NotFound", "The volume '{id}' does not exist."),
    prefix="vol",
    malformed=("InvalidVolumeID.Malformed", 'Invalid id: "{id}"'),
    created="CreateTime",
    page=(5, 500),
    clamp=True,
    ids_set="volumeSet",
)
SECURITY_GROUP = Kind(
    "SecurityGroup",
    "GroupId",
    "GroupIds",
    SECURITY_GROUP_FILTERS,
    ("InvalidGroup.NotFound", "The security group '{id}' does not exist"),
    prefix="sg",
    malformed=("InvalidGroupId.Malformed", "The security group ID '{id}' is malformed"),
)
NETWORK_ACL = Kind(
    "NetworkAcl",
    "NetworkAclId",
    "NetworkAclIds",
    NETWORK_ACL_FILTERS,
    ("InvalidNetworkAclID.NotFound", "The networkAcl ID '{id}' does not exist"),
)
ROUTE_TABLE = Kind(
    "RouteTable",
    "RouteTableId",
    "RouteTableIds",
    ROUTE_TABLE_FILTERS,
    ("InvalidRouteTableID.NotFound", "The routeTable ID '{id}' does not exist"),
    prefix="rtb",
    malformed=("InvalidRouteTableId.Malformed", 'Invalid id: "{id}"'),
    page=(5, 100),
)
SUBNET = Kind(
    "Subnet",
    "SubnetId",
    "SubnetIds",
    SUBNET_FILTERS,
    ("InvalidSubnetID.NotFound", "The subnet ID '{id}' does not exist"),
)
VPC = Kind(
    "Vpc",
    "VpcId",
    "VpcIds",
    VPC_FILTERS,
    ("InvalidVpcID.NotFound", "The vpc ID '{id}' does not exist"),
)
TGW_ATTACHMENT = Kind(
    "TransitGatewayAttachment",
    "TransitGatewayAttachmentId",
    "TransitGatewayAttachmentIds",
    TGW_ATTACHMENT_FILTERS,
    (
        "InvalidTransitGatewayAttachmentID.NotFound",
        "Transit Gateway Attachment {id} was deleted or does not exist.",
    ),
    prefix="tgw-attach",
    malformed=("InvalidTransitGatewayAttachmentID.Malformed", "Invalid Transit Gateway Attachment id {id}."),
    created="CreationTime",
)
NETWORK_INTERFACE = Kind(
    "NetworkInterface",
    "NetworkInterfaceId",
    "NetworkInterfaceIds",
    NETWORK_INTERFACE_FILTERS,
    ("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '{id}' does not exist"),
    prefix="eni",
    malformed=("InvalidNetworkInterfaceID.Malformed", 'Invalid id: "{id}"'),
    ids_set="networkInterfaceIdSet",
    tags="TagSet",
)
FLOW_LOG = Kind(
    "FlowLog",
    "FlowLogId",
    "FlowLogIds",
    FLOW_LOG_FILTERS,
    None,  # DescribeFlowLogs answers unknown ids with nothing rather than an error
    created="CreationTime",
    page=(1, 1000),
    filter_member="Filter",
)

VPC_ENDPOINT = Kind(
    "VpcEndpoint",
    "VpcEndpointId",
    "VpcEndpointIds",
    VPC_ENDPOINT_FILTERS,
    ("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '{id}' does not exist"),
    created="CreationTimestamp",
    page=(1, 1000),
    clamp=True,  # "if the value is greater than 1,000, we return only 1,000 items"
)

_PAGING_PARAMS = ("MaxResults", "NextToken", "DryRun")


def reservation_id(instance_id: str) -> str:
    """The reservation an instance is answered in: one per instance, stable across runs."""
    return "r-" + hashlib.sha256(instance_id.encode()).hexdigest()[:17]


def attachment_id(interface_id: str) -> str:
    """The attachment of an instance's interface that carries none in the bundle; stable across runs."""
    return "eni-attach-" + hashlib.sha256(interface_id.encode()).hexdigest()[:17]


def mac_address(interface_id: str) -> str:
    """A locally administered unicast MAC, as EC2 assigns, for an interface that carries none."""
    digest = hashlib.sha256(b"mac:" + interface_id.encode()).hexdigest()
    return ":".join(["02", *(digest[i : i + 2] for i in range(0, 10, 2))])


def _dry_run(params: Mapping[str, Any]) -> None:
    if params.get("DryRun"):
        raise AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def _existing(ctx: ReplayContext, kind: Kind) -> list[dict[str, Any]]:
    """The bundle's items of `kind` that exist at `now`."""
    items = ctx.resources("ec2", kind.shape)
    if kind.created is None:
        return items
    return [i for i in items if kind.created not in i or to_datetime(i[kind.created]) <= ctx.now]


def _page_size(kind: Kind, params: Mapping[str, Any]) -> int | None:
    size = params.get("MaxResults")
    if size is None:
        return None
    low, high = kind.page
    if size < low:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ( {size} ) for parameter maxResults is invalid. Expecting a value greater than {low}.",
        )
    if size > high:
        if kind.clamp:
            return high
        raise AwsError(
            "InvalidParameterValue",
            f"Value ( {size} ) for parameter maxResults is invalid. Expecting a value less than {high}.",
        )
    return int(size)


_ID_BODY = re.compile(r"[0-9a-f]{8}(?:[0-9a-f]{9})?")


def _select_ids(kind: Kind, items: list[dict[str, Any]], wanted: list[str]) -> list[dict[str, Any]]:
    if kind.malformed is not None and kind.prefix is not None:
        for rid in wanted:
            head, _, body = rid.rpartition("-")
            if head != kind.prefix or not _ID_BODY.fullmatch(body):
                code, message = kind.malformed
                raise AwsError(code, message.format(id=rid))
    known = {i[kind.id_field] for i in items}
    missing = list(dict.fromkeys(r for r in wanted if r not in known))
    if missing and kind.not_found is not None:
        code, message = kind.not_found
        if len(missing) > 1 and kind.report_all_missing:
            raise AwsError(code, kind.plural.format(ids=", ".join(missing)))
        raise AwsError(code, message.format(id=missing[0]))
    chosen = set(wanted)
    return [i for i in items if i[kind.id_field] in chosen]


def _check_request(params: Mapping[str, Any], kind: Kind) -> int | None:
    """Refuse what EC2 refuses before looking at any resource; return the page size asked for."""
    _dry_run(params)
    size = _page_size(kind, params)
    if params.get(kind.ids_param) and size is not None and kind.ids_set:
        raise AwsError(
            "InvalidParameterCombination",
            f"The parameter {kind.ids_set} cannot be used with the parameter maxResults",
        )
    return size


def describe(
    ctx: ReplayContext,
    params: Mapping[str, Any],
    kind: Kind,
    op: str,
    *,
    items: list[dict[str, Any]] | None = None,
    sources: Mapping[str, Source] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The items one Describe* call answers, as JSON items, and the next page's token.

    `items` replaces the bundle's items of `kind` when the caller has already chosen them (and
    resolved the ids of the request).
    """
    size = _check_request(params, kind)
    if items is None:
        items = _existing(ctx, kind)
        wanted = list(params.get(kind.ids_param) or [])
        if wanted:
            items = _select_ids(kind, items, wanted)
    test = compile_filters(
        op, params.get(kind.filter_member), sources or kind.filters, member=kind.filter_member, tags=kind.tags
    )
    rows = [r for r in items if test(r)]
    if size is None and not params.get("NextToken"):
        return rows, None
    request = {k: v for k, v in params.items() if k not in _PAGING_PARAMS}
    return ctx.page(
        rows,
        params.get("NextToken"),
        size or kind.page[1],
        request={"op": op, **request},
        error_code="InvalidPaginationToken",
    )


def _parsed(kind: Kind, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [to_parsed("ec2", kind.shape, r) for r in rows]


def _answer(key: str, kind: Kind, rows: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {key: _parsed(kind, rows)}
    if token:
        body["NextToken"] = token
    return body


# --- operations ---------------------------------------------------------------------------------------


@operation("ec2", "DescribeInstances")
def describe_instances(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    account = ctx.account_id
    sources: dict[str, Source] = {
        **INSTANCE_FILTERS,
        "owner-id": lambda _item: [account],
        "reservation-id": lambda item: [reservation_id(item["InstanceId"])],
    }
    rows, token = describe(ctx, params, INSTANCE, "DescribeInstances", sources=sources)
    reservations = [
        {
            "ReservationId": reservation_id(row["InstanceId"]),
            "OwnerId": account,
            "Groups": [],
            "Instances": [to_parsed("ec2", "Instance", row)],
        }
        for row in rows
    ]
    body: dict[str, Any] = {"Reservations": reservations}
    if token:
        body["NextToken"] = token
    return body


@operation("ec2", "DescribeInstanceStatus")
def describe_instance_status(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    wanted = list(params.get("InstanceIds") or [])
    if len(wanted) > 100:
        raise AwsError(
            "InvalidRequest",
            f"{len(wanted)} exceeds the maximum number of instance IDs that can be specificied (100). "
            "Please specify fewer than 100 instance IDs.",  # sic: AWS's own spelling
        )
    _check_request(params, INSTANCE_STATUS)
    statuses = _instance_statuses(ctx)
    if wanted:
        # Unknown ids fail even when the instance would be left out for not running.
        statuses = _select_ids(INSTANCE_STATUS, statuses, wanted)
    if not params.get("IncludeAllInstances", False):
        statuses = [s for s in statuses if s["InstanceState"].get("Name") == "running"]
    unrecorded = [s["InstanceId"] for s in statuses if s.get("InstanceStatus") is None]
    if unrecorded:
        raise ReplayUnsupported(
            "ec2",
            "DescribeInstanceStatus",
            f"the bundle has no InstanceStatus for {', '.join(unrecorded)}, which "
            f"{'is' if len(unrecorded) == 1 else 'are'} running or pending",
        )
    rows, token = describe(ctx, params, INSTANCE_STATUS, "DescribeInstanceStatus", items=statuses)
    return _answer("InstanceStatuses", INSTANCE_STATUS, rows, token)


def _instance_statuses(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Status records of the instances that exist at `now`, in bundle order.

    EC2 reports "not-applicable" checks for an instance that is not running, so a stopped or
    terminated instance without a record gets that record. A running or pending one without a record
    gets one with no `InstanceStatus`: its checks are facts replay cannot invent.
    """
    instances = {i["InstanceId"]: i for i in _existing(ctx, INSTANCE)}
    launched_later = {
        i["InstanceId"] for i in ctx.resources("ec2", "Instance") if i["InstanceId"] not in instances
    }
    out = [s for s in ctx.resources("ec2", "InstanceStatus") if s["InstanceId"] not in launched_later]
    have = {s["InstanceId"] for s in out}
    out.extend(_status_of(inst) for iid, inst in instances.items() if iid not in have)
    return out


def _status_of(inst: Mapping[str, Any]) -> dict[str, Any]:
    state = dict(inst.get("State") or {})
    status: dict[str, Any] = {"InstanceId": inst["InstanceId"], "InstanceState": state}
    if state.get("Name") not in {"running", "pending"}:
        status["InstanceStatus"] = {"Status": "not-applicable"}
        status["SystemStatus"] = {"Status": "not-applicable"}
    placement = inst.get("Placement") or {}
    for name in ("AvailabilityZone", "AvailabilityZoneId"):
        if placement.get(name):
            status[name] = placement[name]
    return status


@operation("ec2", "DescribeVolumes")
def describe_volumes(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, VOLUME, "DescribeVolumes")
    return _answer("Volumes", VOLUME, rows, token)


@operation("ec2", "DescribeSecurityGroups")
def describe_security_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_request(params, SECURITY_GROUP)
    groups = _existing(ctx, SECURITY_GROUP)
    ids = list(params.get("GroupIds") or [])
    names = list(params.get("GroupNames") or [])
    if ids or names:
        chosen = {g["GroupId"] for g in _select_ids(SECURITY_GROUP, groups, ids)} if ids else set()
        chosen |= {g["GroupId"] for g in _groups_named(ctx, groups, names)}
        groups = [g for g in groups if g["GroupId"] in chosen]
    rows, token = describe(ctx, params, SECURITY_GROUP, "DescribeSecurityGroups", items=groups)
    return _answer("SecurityGroups", SECURITY_GROUP, rows, token)


def _groups_named(ctx: ReplayContext, groups: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """GroupNames name groups of the default VPC (a nondefault VPC's groups need GroupIds)."""
    default_vpcs = sorted(v["VpcId"] for v in ctx.resources("ec2", "Vpc") if v.get("IsDefault"))
    chosen = [g for g in groups if g.get("VpcId") in default_vpcs and g.get("GroupName") in names]
    found = {g["GroupName"] for g in chosen}
    for name in names:
        if name not in found:
            where = f" in default VPC '{default_vpcs[0]}'" if default_vpcs else ""
            raise AwsError("InvalidGroup.NotFound", f"The security group '{name}' does not exist{where}")
    return chosen


@operation("ec2", "DescribeNetworkAcls")
def describe_network_acls(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, NETWORK_ACL, "DescribeNetworkAcls")
    return _answer("NetworkAcls", NETWORK_ACL, rows, token)


@operation("ec2", "DescribeRouteTables")
def describe_route_tables(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, ROUTE_TABLE, "DescribeRouteTables")
    return _answer("RouteTables", ROUTE_TABLE, rows, token)


@operation("ec2", "DescribeSubnets")
def describe_subnets(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, SUBNET, "DescribeSubnets")
    return _answer("Subnets", SUBNET, rows, token)


@operation("ec2", "DescribeVpcs")
def describe_vpcs(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, VPC, "DescribeVpcs")
    return _answer("Vpcs", VPC, rows, token)


@operation("ec2", "DescribeVpcEndpoints")
def describe_vpc_endpoints(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, VPC_ENDPOINT, "DescribeVpcEndpoints")
    return _answer("VpcEndpoints", VPC_ENDPOINT, rows, token)


@operation("ec2", "DescribeTransitGatewayAttachments")
def describe_transit_gateway_attachments(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, TGW_ATTACHMENT, "DescribeTransitGatewayAttachments")
    return _answer("TransitGatewayAttachments", TGW_ATTACHMENT, rows, token)


@operation("ec2", "DescribeFlowLogs")
def describe_flow_logs(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    rows, token = describe(ctx, params, FLOW_LOG, "DescribeFlowLogs")
    return _answer("FlowLogs", FLOW_LOG, rows, token)


@operation("ec2", "DescribeNetworkInterfaces")
def describe_network_interfaces(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_request(params, NETWORK_INTERFACE)
    interfaces = _network_interfaces(ctx)
    wanted = list(params.get("NetworkInterfaceIds") or [])
    if wanted:
        interfaces = _select_ids(NETWORK_INTERFACE, interfaces, wanted)
    rows, token = describe(ctx, params, NETWORK_INTERFACE, "DescribeNetworkInterfaces", items=interfaces)
    return _answer("NetworkInterfaces", NETWORK_INTERFACE, rows, token)


def _network_interfaces(ctx: ReplayContext) -> list[dict[str, Any]]:
    """The bundle's interfaces, then those of its instances that it does not list, in bundle order."""
    explicit = _existing(ctx, NETWORK_INTERFACE)
    listed = {i["NetworkInterfaceId"] for i in explicit}
    derived = [
        eni
        for inst in _existing(ctx, INSTANCE)
        if (inst.get("State") or {}).get("Name") != "terminated"
        for eni in _interfaces_of(inst, ctx.account_id)
        if eni["NetworkInterfaceId"] not in listed
    ]
    return explicit + derived


def _interfaces_of(inst: Mapping[str, Any], account: str) -> list[dict[str, Any]]:
    """An instance's interfaces as DescribeNetworkInterfaces lists them: in use, attached to it."""
    placement = inst.get("Placement") or {}
    out: list[dict[str, Any]] = []
    for index, entry in enumerate(inst.get("NetworkInterfaces") or []):
        eid = entry.get("NetworkInterfaceId")
        if not eid:
            continue
        primary = index == 0
        ip = entry.get("PrivateIpAddress") or (inst.get("PrivateIpAddress") if primary else None)
        attachment: dict[str, Any] = {
            "AttachmentId": attachment_id(eid),
            "DeviceIndex": index,
            "Status": "attached",
            "DeleteOnTermination": True,
            **({"AttachTime": inst["LaunchTime"]} if inst.get("LaunchTime") else {}),
            **(entry.get("Attachment") or {}),
            "InstanceId": inst["InstanceId"],
            "InstanceOwnerId": account,
        }
        item: dict[str, Any] = {
            "Description": "",
            "Groups": list(inst.get("SecurityGroups") or []),
            "InterfaceType": "interface",
            "Ipv6Addresses": [],
            "MacAddress": mac_address(eid),
            "OwnerId": account,
            "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}] if ip else [],
            "RequesterManaged": False,
            "SourceDestCheck": inst.get("SourceDestCheck", True),
            "Status": "in-use",
            "TagSet": [],
            **{k: v for k, v in entry.items() if v is not None},
            "Attachment": attachment,
        }
        for field, value in (
            ("AvailabilityZone", placement.get("AvailabilityZone")),
            ("AvailabilityZoneId", placement.get("AvailabilityZoneId")),
            ("SubnetId", inst.get("SubnetId")),
            ("VpcId", inst.get("VpcId")),
            ("PrivateIpAddress", ip),
        ):
            if value is not None:
                item.setdefault(field, value)
        out.append(item)
    return out
