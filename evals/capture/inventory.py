"""What a capture has found so far: resources to describe, resources described, and what they imply.

Discovery is a worklist: a resource named on the command line (or by the alarm's dimensions) is
queued by kind; describing it queues its neighbours (an instance's subnet, volumes and security groups,
a target group's load balancers, ...), until nothing new turns up or a kind's cap is reached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tools.dns import ZONE_ID

# kind of work item -> at most this many are described (a capture's size stays bounded in big accounts)
CAPS: dict[str, int] = {
    "instance": 200,
    "volume": 300,
    "security_group": 200,
    "subnet": 100,
    "vpc": 20,
    "asg": 30,
    "load_balancer": 30,
    "load_balancer_name": 30,
    "target_group": 60,
    "target_group_name": 60,
    "listener": 60,
    "certificate": 50,
    "rds_instance": 50,
    "rds_cluster": 20,
    "lambda": 50,
    "ecs_service": 30,
    "dynamodb": 50,
    "log_group": 50,
    "name": 30,
    "role": 30,
    "sqs_queue": 50,
    "sns_topic": 30,
    "secret": 30,
    "vpc_endpoint": 50,
    "s3_bucket": 30,
    "state_machine": 20,
    "kinesis_stream": 20,
    "elasticache": 20,
    "dns": 20,
    "scalable": 50,
    "api": 20,
}

# the identity of each resource type, to keep one copy of each
IDENTITY: dict[tuple[str, str], tuple[str, ...]] = {
    ("ec2", "Instance"): ("InstanceId",),
    ("ec2", "InstanceStatus"): ("InstanceId",),
    ("ec2", "Volume"): ("VolumeId",),
    ("ec2", "SecurityGroup"): ("GroupId",),
    ("ec2", "Subnet"): ("SubnetId",),
    ("ec2", "Vpc"): ("VpcId",),
    ("ec2", "NetworkAcl"): ("NetworkAclId",),
    ("ec2", "RouteTable"): ("RouteTableId",),
    ("ec2", "FlowLog"): ("FlowLogId",),
    ("autoscaling", "AutoScalingGroup"): ("AutoScalingGroupName",),
    ("autoscaling", "ScalingPolicy"): ("PolicyARN",),
    ("elbv2", "LoadBalancer"): ("LoadBalancerArn",),
    ("elbv2", "TargetGroup"): ("TargetGroupArn",),
    ("elbv2", "Listener"): ("ListenerArn",),
    ("acm", "CertificateDetail"): ("CertificateArn",),
    ("rds", "DBInstance"): ("DBInstanceIdentifier",),
    ("rds", "DBCluster"): ("DBClusterIdentifier",),
    ("lambda", "FunctionConfiguration"): ("FunctionArn",),
    ("lambda", "FunctionConcurrency"): ("FunctionName",),
    ("ecs", "Service"): ("serviceArn",),
    ("ecs", "Task"): ("taskArn",),
    ("dynamodb", "TableDescription"): ("TableName",),
    ("logs", "LogGroup"): ("logGroupName",),
    ("iam", "Role"): ("RoleName",),
    ("iam", "RoleInlinePolicy"): ("RoleName", "PolicyName"),
    ("iam", "RoleAttachedPolicy"): ("RoleName", "PolicyArn"),
    ("sqs", "Queue"): ("QueueUrl",),
    ("sns", "Topic"): ("TopicArn",),
    ("sns", "Subscription"): ("TopicArn", "SubscriptionArn", "Endpoint"),
    ("lambda", "EventSourceMappingConfiguration"): ("UUID",),
    ("secretsmanager", "SecretListEntry"): ("ARN",),
    ("secretsmanager", "SecretVersion"): ("SecretId", "VersionId"),
    ("ec2", "VpcEndpoint"): ("VpcEndpointId",),
    ("s3", "Bucket"): ("Name",),
    ("s3", "BucketPolicy"): ("Bucket",),
    ("s3", "BucketPublicAccessBlock"): ("Bucket",),
    ("stepfunctions", "DescribeStateMachineOutput"): ("stateMachineArn",),
    ("stepfunctions", "DescribeExecutionOutput"): ("executionArn",),
    ("kinesis", "StreamDescriptionSummary"): ("StreamARN",),
    ("kinesis", "StreamShard"): ("StreamName", "ShardId"),
    ("kinesis", "ConsumerDescription"): ("ConsumerARN",),
    ("elasticache", "ReplicationGroup"): ("ReplicationGroupId",),
    ("elasticache", "CacheCluster"): ("CacheClusterId",),
    ("elasticache", "CacheParameterGroup"): ("CacheParameterGroupName",),
    ("elasticache", "CacheParameterGroupParameter"): ("CacheParameterGroupName", "ParameterName"),
    ("route53", "HostedZone"): ("Id",),
    ("route53", "ZoneRecordSet"): ("HostedZoneId", "Name", "Type", "SetIdentifier"),
    ("autoscaling", "ScheduledUpdateGroupAction"): ("AutoScalingGroupName", "ScheduledActionName"),
    ("application-autoscaling", "ScalableTarget"): ("ServiceNamespace", "ResourceId", "ScalableDimension"),
    ("application-autoscaling", "ScalingPolicy"): ("PolicyARN",),
    ("application-autoscaling", "ScheduledAction"): ("ScheduledActionARN",),
    ("apigateway", "RestApi"): ("id",),
    ("apigateway", "RestApiStage"): ("restApiId", "stageName"),
    ("apigateway", "RestApiResource"): ("restApiId", "id"),
    ("apigateway", "MethodIntegration"): ("restApiId", "resourceId", "httpMethod"),
    ("apigateway", "UsagePlan"): ("id",),
    ("apigatewayv2", "Api"): ("ApiId",),
    ("apigatewayv2", "ApiStage"): ("ApiId", "StageName"),
    ("apigatewayv2", "ApiIntegration"): ("ApiId", "IntegrationId"),
    ("apigatewayv2", "ApiRoute"): ("ApiId", "RouteId"),
}

_EC2_PREFIX = {"i": "instance", "vol": "volume", "sg": "security_group", "subnet": "subnet", "vpc": "vpc"}
_EC2_ID = re.compile(r"(i|vol|sg|subnet|vpc)-[0-9a-f]{8,17}")

# CloudWatch dimension -> work kind, for resources named by an alarm's metric
DIMENSION_KINDS: dict[str, str] = {
    "InstanceId": "instance",
    "AutoScalingGroupName": "asg",
    "LoadBalancer": "load_balancer_name",
    "TargetGroup": "target_group_name",
    "DBInstanceIdentifier": "rds_instance",
    "DBClusterIdentifier": "rds_cluster",
    "FunctionName": "lambda",
    "TableName": "dynamodb",
    "VolumeId": "volume",
    "QueueName": "sqs_queue",
    "StateMachineArn": "state_machine",
    "StreamName": "kinesis_stream",
    "CacheClusterId": "elasticache",
    "ReplicationGroupId": "elasticache",
}


@dataclass
class Inventory:
    """The worklist and the results of discovery."""

    pending: dict[str, list[str]] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    over_cap: dict[str, int] = field(default_factory=dict)
    resources: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    # (catalog kind, dimension value, extra dimension value) for the key-metric scan
    metric_refs: set[tuple[str, str, str | None]] = field(default_factory=set)
    # names and ids of described resources, to find their log groups by
    names: set[str] = field(default_factory=set)
    # account-wide listings already read ("route53:ListHostedZones")
    listed: set[str] = field(default_factory=set)

    def want(self, kind: str, ids: Iterable[str | None]) -> None:
        """Queue resources for describing (each at most once, at most CAPS[kind] per kind)."""
        seen = self.seen.setdefault(kind, set())
        for rid in ids:
            if not rid or rid in seen:
                continue
            if len(seen) >= CAPS[kind]:
                self.over_cap[kind] = self.over_cap.get(kind, 0) + 1
                continue
            seen.add(rid)
            self.pending.setdefault(kind, []).append(rid)

    def take(self, kind: str) -> list[str]:
        return self.pending.pop(kind, [])

    def add(self, service: str, type_: str, item: dict[str, Any]) -> bool:
        """Keep a described resource; False when it was already kept."""
        key = (service, type_, "|".join(str(item.get(f)) for f in IDENTITY[(service, type_)]))
        if key in self.resources:
            return False
        self.resources[key] = item
        return True

    def items(self, service: str, type_: str) -> list[dict[str, Any]]:
        return [item for (s, t, _), item in self.resources.items() if (s, t) == (service, type_)]

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def records(self) -> list[dict[str, Any]]:
        return [{"service": s, "type": t, "item": item} for (s, t, _), item in self.resources.items()]


def chunks(ids: list[str], size: int) -> list[list[str]]:
    """`ids` in lists of at most `size` (the most one request takes)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def classify(ref: str) -> tuple[str, str]:
    """The work kind of a resource reference (an id, ARN, CloudWatch dimension value or bare name)."""
    ref = ref.strip()
    if _EC2_ID.fullmatch(ref):
        return _EC2_PREFIX[ref.split("-", 1)[0]], ref
    if re.fullmatch(r"vpce-[0-9a-f]{8,17}", ref):
        return "vpc_endpoint", ref
    if ref.startswith("/"):
        return "log_group", ref
    if ref.startswith("arn:"):
        return _classify_arn(ref)
    if re.fullmatch(r"https://(sqs\.[\w.-]+|queue\.amazonaws\.com)/\d{12}/[\w.-]+", ref):
        return "sqs_queue", ref
    if ref.startswith("app/") or ref.startswith("net/"):
        return "load_balancer_name", ref
    if ref.startswith("targetgroup/"):
        return "target_group_name", ref
    if ref.count("/") == 1:
        return "ecs_service", ref  # "cluster/service"
    if ZONE_ID.fullmatch(ref):
        return "dns", ref  # a hosted zone's id
    return "name", ref


def _classify_arn(arn: str) -> tuple[str, str]:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "name", arn
    service, resource = parts[2], parts[5]
    if service == "elasticloadbalancing":
        if resource.startswith("loadbalancer/"):
            return "load_balancer", arn
        if resource.startswith("targetgroup/"):
            return "target_group", arn
        if resource.startswith("listener/"):
            return "listener", arn
    if service == "acm" and resource.startswith("certificate/"):
        return "certificate", arn
    if service == "rds" and resource.startswith("db:"):
        return "rds_instance", resource[3:]
    if service == "rds" and resource.startswith("cluster:"):
        return "rds_cluster", resource[8:]
    if service == "lambda" and resource.startswith("function:"):
        return "lambda", resource.split(":")[1]
    if service == "ecs" and resource.startswith("service/"):
        return "ecs_service", arn
    if service == "dynamodb" and resource.startswith("table/"):
        return "dynamodb", resource.split("/")[1]
    if service == "autoscaling" and "autoScalingGroupName/" in resource:
        return "asg", resource.split("autoScalingGroupName/", 1)[1]
    if service == "ec2" and "/" in resource:
        return classify(resource.split("/", 1)[1])
    if service == "sqs":
        return "sqs_queue", arn
    if service == "apigateway" and re.match(r"/(restapis|apis)/\w+", resource):
        kind, api_id = resource.split("/")[1:3]
        return "api", f"{'rest' if kind == 'restapis' else 'http'}:{api_id}"
    if service == "sns" and ":" not in resource:
        return "sns_topic", arn
    if service == "elasticache" and resource.startswith(("cluster:", "replicationgroup:")):
        return "elasticache", resource.split(":", 1)[1]
    if service == "kinesis" and resource.startswith("stream/") and resource.count("/") == 1:
        return "kinesis_stream", arn
    if service == "states" and resource.startswith("stateMachine:"):
        return "state_machine", arn
    if service == "states" and resource.startswith("execution:"):
        return "state_machine", arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
    if service == "s3" and resource and "/" not in resource:
        return "s3_bucket", resource
    if service == "secretsmanager" and resource.startswith("secret:"):
        return "secret", arn
    if service == "logs" and resource.startswith("log-group:"):
        return "log_group", resource[len("log-group:") :].removesuffix(":*")
    return "name", arn


def dimension_refs(dimensions: dict[str, str]) -> list[tuple[str, str]]:
    """Work items named by a metric's dimensions (an ECS service needs its cluster too)."""
    out = [(DIMENSION_KINDS[k], v) for k, v in dimensions.items() if k in DIMENSION_KINDS]
    if "ServiceName" in dimensions and "ClusterName" in dimensions:
        out.append(("ecs_service", f"{dimensions['ClusterName']}/{dimensions['ServiceName']}"))
    return out
