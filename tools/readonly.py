"""The read allow-list: every AWS operation Sleuth may call, and the IAM policy that grants exactly those.

`python -m tools.readonly` prints the policy; deploy/iam-readonly-policy.json is that output, and a test
keeps the two in step.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# botocore service name -> operations. Only reads; a test proves each one is a read in botocore's model.
READ_OPERATIONS: dict[str, frozenset[str]] = {
    "cloudwatch": frozenset(
        {
            "DescribeAlarms",
            "DescribeAlarmsForMetric",
            "DescribeAlarmHistory",
            "GetMetricData",
            "GetMetricStatistics",
            "ListMetrics",
        }
    ),
    "logs": frozenset(
        {
            "DescribeLogGroups",
            "DescribeLogStreams",
            "FilterLogEvents",
            "GetLogEvents",
            "StartQuery",
            "GetQueryResults",
            "StopQuery",
        }
    ),
    "xray": frozenset({"GetTraceSummaries", "BatchGetTraces", "GetServiceGraph", "GetTraceGraph"}),
    "cloudtrail": frozenset({"LookupEvents"}),
    "ec2": frozenset(
        {
            "DescribeInstances",
            "DescribeInstanceStatus",
            "DescribeVolumes",
            "DescribeSecurityGroups",
            "DescribeNetworkAcls",
            "DescribeNetworkInterfaces",
            "DescribeRouteTables",
            "DescribeSubnets",
            "DescribeVpcs",
            "DescribeTransitGatewayAttachments",
            "DescribeFlowLogs",
            "DescribeVpcEndpoints",
        }
    ),
    "autoscaling": frozenset(
        {
            "DescribeAutoScalingGroups",
            "DescribeScalingActivities",
            "DescribePolicies",
            "DescribeScheduledActions",
        }
    ),
    "elbv2": frozenset(
        {
            "DescribeLoadBalancers",
            "DescribeTargetGroups",
            "DescribeTargetHealth",
            "DescribeTags",
            "DescribeListeners",
        }
    ),
    "rds": frozenset(
        {
            "DescribeDBClusters",
            "DescribeDBInstances",
            "DescribeDBProxies",
            "DescribeDBProxyTargetGroups",
            "DescribeDBProxyTargets",
            "DescribeEvents",
            "DescribeDBLogFiles",
            "DownloadDBLogFilePortion",
        }
    ),
    "lambda": frozenset(
        {
            "ListFunctions",
            "GetFunctionConfiguration",
            "GetFunctionConcurrency",
            "ListEventSourceMappings",
            "GetEventSourceMapping",
        }
    ),
    "ecs": frozenset(
        {"ListServices", "DescribeServices", "ListTasks", "DescribeTasks", "DescribeTaskDefinition"}
    ),
    "dynamodb": frozenset({"DescribeTable"}),
    "health": frozenset({"DescribeEvents", "DescribeEventDetails", "DescribeAffectedEntities"}),
    "kms": frozenset({"DescribeKey"}),
    "iam": frozenset(
        {"GetRole", "GetRolePolicy", "ListRolePolicies", "ListAttachedRolePolicies", "GetInstanceProfile"}
    ),
    "sts": frozenset({"GetCallerIdentity"}),
    "codedeploy": frozenset({"ListDeployments", "GetDeployment", "BatchGetDeployments"}),
    # Topic and subscription metadata only: Publish stays off the list.
    "sns": frozenset(
        {
            "ListTopics",
            "GetTopicAttributes",
            "ListSubscriptions",
            "ListSubscriptionsByTopic",
            "GetSubscriptionAttributes",
        }
    ),
    # Secret metadata, rotation and version stages only: GetSecretValue (the value) stays off the list.
    "secretsmanager": frozenset({"ListSecrets", "DescribeSecret", "ListSecretVersionIds"}),
    # State machines and executions: DescribeExecution is asked for metadata only (no input/output);
    # GetExecutionHistory (every state's input and output) stays off the list.
    "stepfunctions": frozenset(
        {"ListStateMachines", "DescribeStateMachine", "ListExecutions", "DescribeExecution"}
    ),
    # Stream capacity and readers only: GetRecords and GetShardIterator (the records) stay off the list.
    "kinesis": frozenset({"ListStreams", "DescribeStreamSummary", "ListShards", "ListStreamConsumers"}),
    # Cache configuration, parameters and events only; no data is read from a cache.
    "elasticache": frozenset(
        {
            "DescribeCacheClusters",
            "DescribeReplicationGroups",
            "DescribeCacheParameterGroups",
            "DescribeCacheParameters",
            "DescribeEvents",
        }
    ),
    # Bucket policy and public-access settings only: no object is listed or read.
    "s3": frozenset({"GetBucketPolicy", "GetPublicAccessBlock"}),
    "application-autoscaling": frozenset(
        {
            "DescribeScalableTargets",
            "DescribeScalingPolicies",
            "DescribeScheduledActions",
            "DescribeScalingActivities",
        }
    ),
    # API configuration only: GetApiKeys, GetUsagePlanKeys (key values), GetExport and GetSdk stay off.
    "apigateway": frozenset(
        {
            "GetRestApis",
            "GetRestApi",
            "GetStages",
            "GetStage",
            "GetResources",
            "GetIntegration",
            "GetUsagePlans",
            "GetAuthorizers",
            "GetAuthorizer",
        }
    ),
    "apigatewayv2": frozenset({"GetApis", "GetApi", "GetStages", "GetStage", "GetIntegrations", "GetRoutes"}),
    # Hosted zones and record sets only: ChangeResourceRecordSets and the other changes stay off.
    "route53": frozenset({"ListHostedZones", "GetHostedZone", "ListResourceRecordSets"}),
    # Certificate metadata only: GetCertificate and ExportCertificate (the certificate, its chain and
    # key) and every change stay off the list.
    "acm": frozenset({"ListCertificates", "DescribeCertificate"}),
    # Queue metadata only: ReceiveMessage (message bodies) stays off the list.
    "sqs": frozenset(
        {"ListQueues", "GetQueueUrl", "GetQueueAttributes", "ListDeadLetterSourceQueues", "ListQueueTags"}
    ),
}

# IAM action prefixes that differ from botocore's service name.
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "stepfunctions": "states"}
# IAM actions whose name differs from the API operation's.
IAM_ACTION = {("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock"}


def is_allowed(service: str, operation: str) -> bool:
    return operation in READ_OPERATIONS.get(service, frozenset())


# API Gateway authorises by HTTP verb on resource paths, not by operation: apigateway:GET on every
# resource would also read API key values (GetApiKeys includeValues, GetUsagePlanKeys). Its reads are
# granted as GET on exactly the paths of the allowed operations, taken from botocore's model.
BY_PATH = {"apigateway": "", "apigatewayv2": "/v2"}  # service -> request-URI prefix IAM paths leave out


def iam_actions() -> list[str]:
    return sorted(
        f"{IAM_PREFIX.get(service, service)}:{IAM_ACTION.get((service, op), op)}"
        for service, ops in READ_OPERATIONS.items()
        if service not in BY_PATH
        for op in ops
    )


def gateway_resources() -> list[str]:
    """The API Gateway resource ARNs the allowed reads GET: `{id}` path parts become `*`."""
    import re

    import botocore.session

    session = botocore.session.get_session()
    paths = set()
    for service, prefix in BY_PATH.items():
        model = session.get_service_model(service)
        for op in READ_OPERATIONS[service]:
            uri = model.operation_model(op).http["requestUri"].split("?")[0].removeprefix(prefix)
            paths.add(re.sub(r"\{[^}]+\}", "*", uri))
    return [f"arn:aws:apigateway:*::{p}" for p in sorted(paths)]


def iam_policy() -> dict[str, Any]:
    """A least-privilege policy granting exactly the allow-listed reads."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SleuthReadOnlyInvestigation",
                "Effect": "Allow",
                "Action": iam_actions(),
                "Resource": "*",
            },
            {
                "Sid": "SleuthReadOnlyApiGateway",
                "Effect": "Allow",
                "Action": "apigateway:GET",
                "Resource": gateway_resources(),
            },
        ],
    }


def main() -> int:
    sys.stdout.write(json.dumps(iam_policy(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
