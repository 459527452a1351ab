"""Changes: what kind of change each CloudTrail write was, and to which resource."""

from __future__ import annotations

import json
import re
from typing import Any

from agent.analyzers import Draft
from tools.changes import NOISE, Change, Changes

# event name (exact or prefix) -> signal
ACTION_SIGNALS: list[tuple[tuple[str, ...], str]] = [
    (
        (
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "ModifySecurityGroupRules",
            "UpdateSecurityGroupRuleDescriptions",
        ),
        "change_security_group",
    ),
    (
        (
            "CreateNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ),
        "change_network_acl",
    ),
    (
        (
            "PutRolePolicy",
            "DeleteRolePolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "CreatePolicyVersion",
            "SetDefaultPolicyVersion",
            "UpdateAssumeRolePolicy",
            "PutRolePermissionsBoundary",
            "PutUserPolicy",
            "AttachUserPolicy",
        ),
        "change_iam_policy",
    ),
    (("DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "RevokeGrant", "RetireGrant"), "change_kms_key"),
    (
        (
            "PutFunctionConcurrency",
            "DeleteFunctionConcurrency",
            "SetDesiredCapacity",
            "UpdateAutoScalingGroup",
            "PutScalingPolicy",
            "DeleteScalingPolicy",
            "UpdateTable",
            "PutProvisionedConcurrencyConfig",
            "ModifyInstanceType",
            "ModifyInstanceCreditSpecification",
            # An RDS Proxy's pool: the share of the database's connections its callers may hold.
            "ModifyDBProxyTargetGroup",
        ),
        "change_capacity",
    ),
    # An image pushed under a tag: what every task that runs the tag starts with from then on.
    (("PutImage",), "change_image"),
    (
        (
            "UpdateFunctionCode",
            "PublishVersion",
            "CreateDeployment",
            "RegisterTaskDefinition",
            "UpdateService",
            "CreateService",
            "UpdateAlias",
            "StartInstanceRefresh",
            "CreateLaunchTemplateVersion",
        ),
        "change_deploy",
    ),
    (
        (
            "PutParameter",
            "DeleteParameter",
            "UpdateFunctionConfiguration",
            "ModifyDBCluster",
            "ModifyDBInstance",
            "ModifyDBParameterGroup",
            "ModifyDBClusterParameterGroup",
            "ModifyLoadBalancerAttributes",
            "ModifyTargetGroup",
            "ModifyTargetGroupAttributes",
            "ModifyListener",
            "ModifyRule",
            "UpdateEnvironment",
            "UpdateConfiguration",
            "PutSecretValue",
            "UpdateSecret",
            "ModifyVolume",
            "ModifyInstanceAttribute",
            "ReplaceRoute",
            "DeleteRoute",
            "CreateRoute",
            # A transit gateway's routes steer traffic between VPCs, VPNs and Direct Connect.
            "CreateTransitGatewayRoute",
            "DeleteTransitGatewayRoute",
            "ReplaceTransitGatewayRoute",
            # Creates that take over names already in use: an interface endpoint with private DNS (or a
            # resolver rule) makes the service's names resolve elsewhere for the whole VPC.
            "CreateVpcEndpoint",
            "CreateResolverRule",
        ),
        "change_config",
    ),
    (("PutMetricAlarm", "DeleteAlarms", "DisableAlarmActions"), "change_alarm"),
    (
        (
            "StopInstances",
            "StartInstances",
            "RebootInstances",
            "TerminateInstances",
            "RebootDBInstance",
            "FailoverDBCluster",
        ),
        "change_instance_state",
    ),
]

# A write outside the table above still changes what it names when its verb alters or removes something
# that is already serving (a create adds beside it, a tag or snapshot alters nothing that runs).
MUTATING_VERBS = (
    "Update",
    "Modify",
    "Put",
    "Delete",
    "Replace",
    "Detach",
    "Remove",
    "Disable",
    "Stop",
    "Revoke",
    "Rotate",
    "Set",
    "Change",
    "Deregister",
    "Disassociate",
    "Associate",
    "Reset",
    "Restore",
    "Reboot",
    "Terminate",
    "Cancel",
)
INERT = re.compile(r"Tag|Snapshot|Backup|Description|LogEvents|LogStream|Query|Session|Login")

_ID = re.compile(
    r"\b(?:i|sg|acl|vol|subnet|vpce|vpc|rtb|eni|nat|lt|tgw-attach)-[0-9a-f]{8,17}\b|arn:aws[a-z-]*:[^\s\"',\\]+"
)


def base_action(action: str) -> str:
    """An event name without the API version Lambda appends (UpdateFunctionCode20150331v2)."""
    return re.sub(r"\d{8}(v\d+)?$", "", action)


def request_params(text: str) -> dict[str, Any]:
    """A change's request parameters as recorded (JSON text, cut short with an ellipsis when long);
    empty when cut short or not an object: better nothing than a guess."""
    try:
        params = json.loads(text) if text.endswith("}") else {}
    except json.JSONDecodeError:
        return {}
    return params if isinstance(params, dict) else {}


def unwrapped(params: dict[str, Any]) -> dict[str, Any]:
    """EC2's query-API calls record their parameters inside one `<Action>Request` object
    (`{"ModifyVpcEndpointRequest": {"VpcEndpointId": ...}}`): the parameters are inside it."""
    if len(params) == 1:
        ((key, inner),) = params.items()
        if str(key).endswith("Request") and isinstance(inner, dict):
            return inner
    return params


def keyed(text: str, key: str) -> str | None:
    """A key's string value in parameters cut short (a long policy document made them unparseable):
    the first `"key":"value"` pair in the text, at any depth, the key matched without regard to case."""
    m = re.search(rf'"{re.escape(key)}":"([^"\\]+)"', text, re.I)
    return m.group(1) if m else None


def kind_of(action: str) -> str | None:
    base = base_action(action)
    for names, signal in ACTION_SIGNALS:
        if base in names:
            return signal
    if base.startswith(MUTATING_VERBS) and not INERT.search(base):
        return "change_other"
    return None


def targets(change: Change) -> list[str]:
    """The resources a change touched: CloudTrail's Resources, else ids and names in its parameters."""
    found = list(dict.fromkeys([*change.created, *change.resources]))
    params = unwrapped(request_params(change.params))
    lowered = {str(k).lower(): v for k, v in params.items()}
    for key in (
        "groupId",
        "networkAclId",
        "roleName",
        "keyId",
        "functionName",
        "name",
        "autoScalingGroupName",
        "tableName",
        "dBClusterIdentifier",
        "dBInstanceIdentifier",
        "dBProxyName",
        "service",
        "cluster",
        "targetGroupArn",
        "loadBalancerArn",
        "instanceId",
        "volumeId",
        "routeTableId",
        "transitGatewayRouteTableId",
        "policyArn",
        "alarmName",
        "secretId",
        "usagePlanId",
        "restApiId",
        "stateMachineArn",
        "queueUrl",
        "topicArn",
        "subscriptionArn",
        "bucketName",
        "vpcEndpointId",
        "listenerArn",
        "ruleArn",
        "hostedZoneId",
        "streamName",
        "replicationGroupId",
        "cacheClusterId",
        "dBParameterGroupName",
        "cacheParameterGroupName",
    ):
        # Request parameters keep the API's own spelling (API Gateway records "usageplanId"): match
        # names without regard to case.
        value = lowered.get(key.lower()) if lowered else keyed(change.params, key)
        if isinstance(value, str) and value not in found:
            found.append(value)
    for m in _ID.findall(change.params):
        if m not in found:
            found.append(m)
    # A DNS change changes record sets, not the zone that holds them: the records come first.
    changes = ((params.get("changeBatch") or {}).get("changes") or []) if isinstance(params, dict) else []
    records = [
        str(c["resourceRecordSet"]["name"]).rstrip(".")
        for c in changes
        if isinstance(c, dict)
        and isinstance(c.get("resourceRecordSet"), dict)
        and c["resourceRecordSet"].get("name")
    ]
    if records:
        found = list(dict.fromkeys(records)) + [f for f in found if f not in records]
    # A route added, replaced or removed changes its route table, whatever the route points at.
    tables = [
        str(v)
        for k in ("routeTableId", "transitGatewayRouteTableId")
        if isinstance(v := (lowered.get(k.lower()) if lowered else None), str)
    ]
    if tables:
        found = tables + [f for f in found if f not in tables]
    # A container named alongside what it contains (the cluster of an updated service) is where the
    # change happened, not what changed: the contained resource comes first.
    parents = {params.get(k) for k in PARENT_KEYS if isinstance(params, dict) and params.get(k)}
    if len(found) > 1 and any(isinstance(params, dict) and params.get(k) for k in CHILD_KEYS):
        found = [f for f in found if f not in parents] + [f for f in found if f in parents]
    return found


PARENT_KEYS = ("cluster",)
CHILD_KEYS = ("service", "dBInstanceIdentifier", "instanceId")


# Adding access rarely breaks traffic; removing it does. These actions only widen what is allowed.
WIDENING = frozenset(
    {"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "AttachRolePolicy", "AttachUserPolicy"}
)


def restrictive(change: Change) -> bool:
    """Whether a change can take something away (a revoked rule, a deny, a detached policy)."""
    if change.action in WIDENING:
        return False
    if change.action == "CreateNetworkAclEntry":
        # A new ACL entry only takes traffic away when it denies.
        return bool(re.search(r"deny", change.params, re.I))
    # Replacing a policy or an ACL entry can narrow it as easily as widen it: count it.
    return True


# Request keys that place a function, task or instance in a network: its subnets, security groups, VPC.
PLACEMENT = re.compile(
    r'"(?:vpcConfig|networkConfiguration|awsvpcConfiguration|subnetIds|subnets|securityGroupIds|groupSet|vPCZoneIdentifier)"'
)

# Instance sizes in order, as the suffix of a class or type names them (db.r6g.2xlarge, m5.large).
_SIZES = ["nano", "micro", "small", "medium", "large", "xlarge"]


def _size_rank(value: str) -> float | None:
    """A class or type's size, comparable within its family; a number is its own size."""
    try:
        return float(value)
    except ValueError:
        pass
    size = value.lower().rsplit(".", 1)[-1]
    if size == "metal":
        return 1000.0
    m = re.fullmatch(r"(\d+)xlarge", size)
    if m:
        return float(_SIZES.index("xlarge") * int(m.group(1)))
    return float(_SIZES.index(size)) if size in _SIZES else None


def resized(change: Change) -> str | None:
    """Whether a change sized its resource "down" or "up", judged from what the resource had before
    (the response's values) against what the request set; None when it set no size or cannot tell."""
    params = {str(k).lower(): v for k, v in request_params(change.params).items()}
    moves: list[str] = []
    for key, before in change.was.items():
        after = params.get(key.lower())
        old, new = _size_rank(before), _size_rank(str(after)) if after is not None else None
        if old is not None and new is not None and old != new:
            moves.append("down" if new < old else "up")
    if "down" in moves:
        return "down"
    return "up" if moves else None


# Settings that keep records and protect a resource but govern nothing it serves: how long backups are
# kept, deletion protection, tags copied to snapshots, minor-version auto-upgrade. A request that sets
# only these (beside the resource's identifier and when to apply) changed nothing its callers meet.
HOUSEKEEPING = frozenset(
    k.lower()
    for k in (
        "backupRetentionPeriod",
        "deletionProtection",
        "copyTagsToSnapshot",
        "autoMinorVersionUpgrade",
        "performanceInsightsRetentionPeriod",
        "snapshotRetentionLimit",
    )
)
_HOW_TO_APPLY = frozenset({"applyimmediately", "allowenginemodechange", "allowmajorversionupgrade"})


def housekeeping_only(c: Change) -> bool:
    """Whether a change set only record-keeping settings (see HOUSEKEEPING)."""
    params = {str(k).lower() for k in unwrapped(request_params(c.params))}
    named = params & HOUSEKEEPING
    rest = params - HOUSEKEEPING - _HOW_TO_APPLY
    return bool(named) and all(k.endswith(("identifier", "id", "name", "arn")) for k in rest)


# A call refused because the subnet it names had no free addresses left (EC2's
# InsufficientFreeAddressesInSubnet, an ENI's secondary addresses, a Lambda or EKS interface): the refusal
# is the subnet's state, whoever made the call.
_NO_FREE_ADDRESSES = re.compile(r"free address|InsufficientFreeAddresses", re.I)
_SUBNET = re.compile(r"\bsubnet-[0-9a-f]{8,17}\b")


def _refusals_by_subnet(out: Changes) -> list[Draft]:
    """One item per subnet that failed calls name as out of free addresses: the subnet's state."""
    refused: dict[str, list[Change]] = {}
    for c in out.changes:
        if c.error and _NO_FREE_ADDRESSES.search(c.error):
            named = _SUBNET.findall(c.error) or [t for t in targets(c) if t.startswith("subnet-")][:1]
            for subnet in dict.fromkeys(named):
                refused.setdefault(subnet, []).append(c)
    drafts = []
    for subnet, calls in sorted(refused.items()):
        calls.sort(key=lambda c: c.time)
        first, last = calls[0], calls[-1]
        actions = sorted({c.action for c in calls})
        drafts.append(
            Draft(
                kind="resource_state",
                resource=subnet,
                start=first.time,
                end=last.time,
                summary=f"{len(calls)} call{'s' if len(calls) > 1 else ''} ({', '.join(actions)}) refused because "
                f"{subnet} had no free addresses, from {first.time:%H:%M} to {last.time:%H:%M}: {first.error}",
                signals=["subnet_addresses_exhausted"],
                strength=0.9 if len(calls) >= 3 else 0.7,
                facts={
                    "refused_calls": len(calls),
                    "actions": actions,
                    "who": sorted({c.who for c in calls})[:3],
                    "event_ids": [c.event_id for c in calls[:5]],
                },
            )
        )
    return drafts


def _call_facts(c: Change) -> dict[str, str]:
    """What every reading of a CloudTrail call records: which event, which service and call, by whom."""
    return {"event_id": c.event_id, "service": c.source.split(".")[0], "action": c.action, "who": c.who}


def _refused(c: Change, resource: str) -> Draft:
    """Routine calls a role or key refused (assuming the role, using the key): what it now does to its
    callers, a state of that resource since the first refusal, not a change anyone made."""
    since = c.first or c.time
    many = f"{c.repeats} calls" if c.repeats > 1 else "a call"
    return Draft(
        kind="resource_state",
        resource=resource,
        start=since,
        end=c.time,
        summary=f"{many} to {c.source.split('.')[0]}:{c.action} on {resource} refused ({c.error}) from "
        f"{since:%H:%M:%S} to {c.time:%H:%M:%S}, by {c.who} (event {c.event_id})",
        signals=["calls_refused", *(["kms_errors"] if c.source.startswith("kms.") else [])],
        strength=min(0.85, 0.5 + 0.05 * c.repeats),
        facts={**_call_facts(c), "error": c.error, "repeats": c.repeats},
    )


def from_changes(out: Changes) -> list[Draft]:
    drafts: list[Draft] = _refusals_by_subnet(out)
    for c in out.changes:
        signal = kind_of(c.action)
        if signal in ("change_security_group", "change_network_acl", "change_iam_policy") and not restrictive(
            c
        ):
            signal = None
        signals = ["change"] + ([signal] if signal else [])
        if PLACEMENT.search(c.params) and not c.error:
            # Its subnets or security groups: the path to every host it calls.
            signals.append("change_network_placement")
        # A request shown to size its resource down cut capacity, whatever else it is; one that only
        # grew it set no ceiling. (Many responses show the resource after the change: then the
        # direction is unknown and the change keeps its own kind.)
        direction = resized(c)
        if direction == "down" and "change_capacity" not in signals:
            signals.append("change_capacity")
        elif direction == "up" and "change_capacity" in signals:
            signals.remove("change_capacity")
        if housekeeping_only(c) and not c.error:
            # Recorded, but nothing the resource serves with changed: not a candidate cause.
            signals = ["change", "change_housekeeping"]
        if c.error:
            signals.append("change_failed")
            if c.source.startswith("kms."):
                signals.append("kms_errors")  # a use of the key failed: the key is refusing callers
        touched = targets(c)
        resource = touched[0] if touched else None
        if c.error and c.action in NOISE and resource:
            drafts.append(_refused(c, resource))
            continue
        drafts.append(
            Draft(
                kind="change_event",
                resource=resource,
                start=c.time,
                end=c.time,
                summary=f"{c.who} called {c.source.split('.')[0]}:{c.action} on {', '.join(touched[:3]) or 'the account'}"
                + (f" (failed: {c.error})" if c.error else "")
                + f" at {c.time:%H:%M:%S} (event {c.event_id})",
                signals=signals,
                strength=0.3 if c.error else 0.6,
                facts={
                    **_call_facts(c),
                    "principal_type": c.principal_type,
                    "resources": touched,
                    "params": c.params,
                    "error": c.error,
                    **({"resized": direction, "was": c.was} if direction else {}),
                },
            )
        )
    return drafts
