"""CloudTrail LookupEvents (event history) over the bundle's CloudTrail records.

The bundle's `cloudtrail.jsonl` is taken to be what event history shows in the bundle's Region (the
capture already chose the Region), so records are not filtered by `awsRegion`.

Lookup fields are derived as event history derives them:

- `Username`: IAMUser, IdentityCenterUser, SAMLUser, WebIdentityUser -> `userName`; AssumedRole -> the
  role session name; FederatedUser -> the federated user's name; Root -> "root"; AWSService -> the
  calling service (`invokedBy`, an approximation: AWS documents no rule for it). Otherwise absent.
- `Resources`: the record's own `resources` (type, ARN) first, then values of the parameter names in
  `RESOURCE_KEYS` for the record's event source, searched at any depth of `requestParameters`, then of
  `responseElements` for types the request did not name (a response echoes names the request gave as
  ARNs, and only the response knows ids AWS assigned, such as RunInstances' instance id).
"""

from __future__ import annotations

import bisect
import copy
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from evals.bundle.shapes import to_datetime
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

HISTORY = timedelta(days=90)  # event history keeps management events for 90 days
MAX_RESULTS = 50
MANAGEMENT_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
INSIGHT_KEYS = ("EventId", "EventName", "EventSource")

_EC2 = {
    "instanceId": "AWS::EC2::Instance",
    "groupId": "AWS::EC2::SecurityGroup",
    "volumeId": "AWS::EC2::Volume",
    "networkAclId": "AWS::EC2::NetworkAcl",
    "vpcId": "AWS::EC2::VPC",
    "subnetId": "AWS::EC2::Subnet",
    "imageId": "AWS::EC2::Ami",
    "snapshotId": "AWS::EC2::Snapshot",
    "networkInterfaceId": "AWS::EC2::NetworkInterface",
    "routeTableId": "AWS::EC2::RouteTable",
    "internetGatewayId": "AWS::EC2::InternetGateway",
    "natGatewayId": "AWS::EC2::NatGateway",
    "keyName": "AWS::EC2::KeyPair",
    "launchTemplateId": "AWS::EC2::LaunchTemplate",
    "flowLogId": "AWS::EC2::FlowLog",
    "FlowLogId": "AWS::EC2::FlowLog",  # DeleteFlowLogs logs its request in the query-API form
}
_ELBV2 = {
    "loadBalancerArn": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "loadBalancerArns": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "targetGroupArn": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "targetGroupArns": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "listenerArn": "AWS::ElasticLoadBalancingV2::Listener",
    "listenerArns": "AWS::ElasticLoadBalancingV2::Listener",
    "ruleArn": "AWS::ElasticLoadBalancingV2::ListenerRule",
    "ruleArns": "AWS::ElasticLoadBalancingV2::ListenerRule",
}
RESOURCE_KEYS: dict[str, dict[str, str]] = {
    "ec2.amazonaws.com": _EC2,
    "ec2-instance-connect.amazonaws.com": {"instanceId": "AWS::EC2::Instance"},
    "iam.amazonaws.com": {
        "roleName": "AWS::IAM::Role",
        "policyArn": "AWS::IAM::Policy",
        "userName": "AWS::IAM::User",
        "groupName": "AWS::IAM::Group",
        "accessKeyId": "AWS::IAM::AccessKey",
        "instanceProfileName": "AWS::IAM::InstanceProfile",
    },
    "lambda.amazonaws.com": {"functionName": "AWS::Lambda::Function"},
    "rds.amazonaws.com": {
        "dBInstanceIdentifier": "AWS::RDS::DBInstance",
        "dBClusterIdentifier": "AWS::RDS::DBCluster",
        "dBSnapshotIdentifier": "AWS::RDS::DBSnapshot",
    },
    "autoscaling.amazonaws.com": {
        "autoScalingGroupName": "AWS::AutoScaling::AutoScalingGroup",
        "launchConfigurationName": "AWS::AutoScaling::LaunchConfiguration",
        "policyName": "AWS::AutoScaling::ScalingPolicy",
    },
    "elasticloadbalancing.amazonaws.com": _ELBV2,
    "kms.amazonaws.com": {"keyId": "AWS::KMS::Key"},
    "s3.amazonaws.com": {"bucketName": "AWS::S3::Bucket"},
    "dynamodb.amazonaws.com": {"tableName": "AWS::DynamoDB::Table"},
    "ecs.amazonaws.com": {
        "service": "AWS::ECS::Service",
        "cluster": "AWS::ECS::Cluster",
        "taskDefinition": "AWS::ECS::TaskDefinition",
    },
    "ssm.amazonaws.com": {"name": "AWS::SSM::Parameter", "names": "AWS::SSM::Parameter"},
    "cloudtrail.amazonaws.com": {"name": "AWS::CloudTrail::Trail", "trailName": "AWS::CloudTrail::Trail"},
    "secretsmanager.amazonaws.com": {"secretId": "AWS::SecretsManager::Secret"},
    "logs.amazonaws.com": {"logGroupName": "AWS::Logs::LogGroup"},
    "monitoring.amazonaws.com": {
        "alarmName": "AWS::CloudWatch::Alarm",
        "alarmNames": "AWS::CloudWatch::Alarm",
    },
    "sns.amazonaws.com": {"topicArn": "AWS::SNS::Topic"},
    "sqs.amazonaws.com": {"queueUrl": "AWS::SQS::Queue"},
}
# SSM's `name`/`names` name a parameter only in parameter calls (SendCommand's `name`-less documents aside).
_ONLY_IN_EVENTS = {("ssm.amazonaws.com", "name"): "Parameter", ("ssm.amazonaws.com", "names"): "Parameter"}


@dataclass
class _Index:
    """Visible-to-be events newest first, their times, and positions per (attribute key, value)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    neg_times: list[float] = field(default_factory=list)  # -epoch seconds, ascending with position
    insight: list[bool] = field(default_factory=list)
    by_attribute: dict[tuple[str, str], list[int]] = field(default_factory=dict)


def _category(record: dict[str, Any]) -> str:
    """management, insight, or "other" (data, network activity: LookupEvents never returns those)."""
    if record.get("eventType") == "AwsCloudTrailInsight" or record.get("eventCategory") == "Insight":
        return "insight"
    if record.get("managementEvent") is False or record.get("eventCategory") not in (None, "Management"):
        return "other"
    return "management"


def username(identity: dict[str, Any] | None) -> str | None:
    """The Username event history shows for a record's userIdentity."""
    if not identity:
        return None
    kind = identity.get("type")
    arn = str(identity.get("arn") or "")
    principal = str(identity.get("principalId") or "")
    if kind == "Root":
        return "root"
    if kind in ("AssumedRole", "FederatedUser"):
        # principalId is "<role id or account>:<session or user name>" for both kinds.
        if ":" in principal:
            return principal.split(":", 1)[1]
        return arn.rsplit("/", 1)[-1] if arn.count("/") >= 2 else None
    if kind == "AWSService":
        return identity.get("invokedBy")
    name = identity.get("userName")
    return str(name) if name else None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value:
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict) and isinstance(value.get("content"), str):
        yield value["content"]  # query-API form: {"content": "fl-0123", "tag": 1}


def _find(doc: Any, keys: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(type, name) for every value under a key of `keys`, at any depth of a JSON document."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            kind = keys.get(key)
            if kind is not None:
                for name in _strings(value):
                    yield kind, name
            if isinstance(value, dict | list):
                yield from _find(value, keys)
    elif isinstance(doc, list):
        for item in doc:
            yield from _find(item, keys)


@cache
def _keys_for(source: str, name: str) -> dict[str, str]:
    return {
        k: v for k, v in RESOURCE_KEYS.get(source, {}).items() if _ONLY_IN_EVENTS.get((source, k), "") in name
    }


def resources(record: dict[str, Any]) -> list[dict[str, str]]:
    """The Resources event history lists for a record (see the module docstring)."""
    found: list[tuple[str | None, str]] = []
    for res in record.get("resources") or []:
        if isinstance(res, dict) and res.get("ARN"):
            # AWS gives no type when it cannot tell one; Resource.ResourceType is then null.
            found.append((res.get("type") or None, str(res["ARN"])))
    keys = _keys_for(record["eventSource"], record["eventName"])
    if keys:
        from_request = list(_find(record.get("requestParameters"), keys))
        named = {kind for kind, _ in from_request}
        found += from_request
        found += [(k, n) for k, n in _find(record.get("responseElements"), keys) if k not in named]
    unique = dict.fromkeys(found)
    return [
        {"ResourceType": kind, "ResourceName": name} if kind else {"ResourceName": name}
        for kind, name in unique
    ]


def _event(record: dict[str, Any], when: datetime) -> dict[str, Any]:
    """The Event for a record, without CloudTrailEvent (serialised only for the page returned)."""
    identity = record.get("userIdentity") or {}
    event: dict[str, Any] = {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "EventTime": when,
        "EventSource": record["eventSource"],
        "Resources": resources(record),
    }
    if isinstance(record.get("readOnly"), bool):
        event["ReadOnly"] = "true" if record["readOnly"] else "false"
    if identity.get("accessKeyId"):
        event["AccessKeyId"] = identity["accessKeyId"]
    user = username(identity)
    if user:
        event["Username"] = user
    return event


def _parse_time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)  # fast path: CloudTrail writes 2024-08-01T12:04:19Z
    except (TypeError, ValueError):
        return to_datetime(value)
    return parsed if parsed.utcoffset() == timedelta(0) else to_datetime(parsed)


def _build(ctx: ReplayContext) -> _Index:
    rows = []
    for record in ctx.records("cloudtrail"):
        category = _category(record)
        if category == "other":
            continue
        when = _parse_time(record["eventTime"])
        rows.append((when, record, category == "insight"))
    rows.sort(key=lambda row: (row[0], row[1]["eventID"]), reverse=True)
    index = _Index()
    for pos, (when, record, insight) in enumerate(rows):
        event = _event(record, when)
        index.records.append(record)
        index.events.append(event)
        index.neg_times.append(-when.timestamp())
        index.insight.append(insight)
        scalar_keys = ("EventId", "EventName", "ReadOnly", "EventSource", "Username", "AccessKeyId")
        values: list[tuple[str, str]] = [(key, event[key]) for key in scalar_keys if key in event]
        values += [("ResourceType", r["ResourceType"]) for r in event["Resources"] if "ResourceType" in r]
        values += [("ResourceName", r["ResourceName"]) for r in event["Resources"]]
        for attr in dict.fromkeys(values):
            index.by_attribute.setdefault(attr, []).append(pos)
    return index


def _window(ctx: ReplayContext, params: dict[str, Any]) -> tuple[datetime, datetime]:
    start = to_datetime(params["StartTime"]) if "StartTime" in params else ctx.now - HISTORY
    end = to_datetime(params["EndTime"]) if "EndTime" in params else ctx.now
    if start > end:
        raise AwsError("InvalidTimeRangeException", "Start time must not be after end time.")
    # Nothing later than now has happened; nothing older than 90 days is kept.
    return max(start, ctx.now - HISTORY), min(end, ctx.now)


def _attribute(params: dict[str, Any], insight: bool) -> tuple[str, str] | None:
    attrs = params.get("LookupAttributes") or []
    if len(attrs) > 1:
        raise AwsError(
            "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute."
        )
    if not attrs:
        return None
    key, value = attrs[0]["AttributeKey"], attrs[0]["AttributeValue"]
    allowed = INSIGHT_KEYS if insight else MANAGEMENT_KEYS
    if key not in allowed:
        raise AwsError(
            "InvalidLookupAttributesException",
            f"{key} is not a valid lookup attribute key{' for Insights events' if insight else ''}.",
        )
    if key == "ReadOnly" and value not in ("true", "false"):
        raise AwsError("InvalidLookupAttributesException", "ReadOnly must be true or false.")
    return key, value


@operation("cloudtrail", "LookupEvents")
def lookup_events(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    insight = params.get("EventCategory") == "insight"
    if "EventCategory" in params and not insight:
        raise AwsError("InvalidEventCategoryException", "EventCategory must be insight.")
    attribute = _attribute(params, insight)
    size = params.get("MaxResults", MAX_RESULTS)
    if not 1 <= size <= MAX_RESULTS:
        raise AwsError("InvalidMaxResultsException", f"MaxResults must be between 1 and {MAX_RESULTS}.")
    start, end = _window(ctx, params)
    index = ctx.cached("cloudtrail-lookup", lambda: _build(ctx))
    positions: Sequence[int] = (
        index.by_attribute.get(attribute, []) if attribute else range(len(index.events))
    )
    # Positions run newest first, so the time window is one contiguous slice of them.
    lo = bisect.bisect_left(positions, -end.timestamp(), key=lambda p: index.neg_times[p])
    hi = bisect.bisect_right(positions, -start.timestamp(), key=lambda p: index.neg_times[p])
    selected = [p for p in positions[lo:hi] if index.insight[p] == insight]
    request = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    page, token = ctx.page(
        selected, params.get("NextToken"), size, request=request, error_code="InvalidNextTokenException"
    )
    events = [
        {
            **copy.deepcopy(index.events[p]),
            "CloudTrailEvent": json.dumps(index.records[p], separators=(",", ":")),
        }
        for p in page
    ]
    answer: dict[str, Any] = {"Events": events}
    if token:
        answer["NextToken"] = token
    return answer
