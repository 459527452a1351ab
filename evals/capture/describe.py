"""Describe queued resources, keep their items, and queue their neighbours (EC2's are in ec2.py).

Resources that are not found are reported as gaps (target = the id).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from evals.capture import managed
from evals.capture.apis import apis, listed
from evals.capture.ec2 import instances, security_groups, subnets, volumes, vpc_endpoints, vpcs
from evals.capture.inventory import CAPS, Inventory, chunks
from evals.capture.reader import Reader
from evals.capture.scaling import group_schedules, scalable
from evals.capture.scrub import hide_environment, hide_overrides
from tools.dns import DNS_NAME
from tools.queues import redrive_of

SOURCE = "resources"
ASG_CHUNK = 50  # DescribeAutoScalingGroups takes at most 50 names
TASK_CHUNK = 100  # DescribeTasks takes at most 100 tasks
MAX_TASKS = 100  # tasks per ECS service
MAX_POLICIES = 50
MAX_MAPPINGS = 50  # event-source mappings per function or source, and dead-letter sources per queue


# --- Auto Scaling and load balancing ----------------------------------------------------------------


def asgs(reader: Reader, inv: Inventory, names: list[str]) -> None:
    found: list[dict[str, Any]] = []
    for chunk in chunks(names, ASG_CHUNK):
        groups, _ = reader.pages(
            SOURCE,
            "autoscaling",
            "DescribeAutoScalingGroups",
            "AutoScalingGroups",
            max_items=1000,
            AutoScalingGroupNames=chunk,
        )
        found += groups
    reader.missing(
        SOURCE, "autoscaling:DescribeAutoScalingGroups", names, {g["AutoScalingGroupName"] for g in found}
    )
    for group in found:
        name = group["AutoScalingGroupName"]
        inv.add("autoscaling", "AutoScalingGroup", group)
        inv.names.add(name)
        inv.metric_refs.add(("asg", name, None))
        inv.want("instance", [i.get("InstanceId") for i in group.get("Instances", [])])
        inv.want("target_group", group.get("TargetGroupARNs", []))
        inv.want("subnet", [s for s in group.get("VPCZoneIdentifier", "").split(",") if s])
        policies, _ = reader.pages(
            SOURCE,
            "autoscaling",
            "DescribePolicies",
            "ScalingPolicies",
            max_items=MAX_POLICIES,
            target=name,
            AutoScalingGroupName=name,
        )
        for policy in policies:
            inv.add("autoscaling", "ScalingPolicy", policy)
        group_schedules(reader, inv, name)


def _lb(inv: Inventory, item: dict[str, Any]) -> None:
    if not inv.add("elbv2", "LoadBalancer", item):
        return
    inv.names.add(item["LoadBalancerName"])
    if item.get("Type") == "application":
        inv.metric_refs.add(("alb", item["LoadBalancerArn"].split(":loadbalancer/", 1)[1], None))
    inv.want("security_group", item.get("SecurityGroups", []))
    inv.want("subnet", [z.get("SubnetId") for z in item.get("AvailabilityZones", [])])
    inv.want("vpc", [item.get("VpcId")])
    inv.want("target_group", [f"lb:{item['LoadBalancerArn']}"])
    inv.want("listener", [f"lb:{item['LoadBalancerArn']}"])


def load_balancers(reader: Reader, inv: Inventory, refs: list[str], *, by_name: bool = False) -> None:
    for ref in refs:
        # a CloudWatch LoadBalancer dimension is "app/<name>/<id>"; DescribeLoadBalancers wants the name
        params = (
            {"Names": [ref.split("/")[1] if "/" in ref else ref]} if by_name else {"LoadBalancerArns": [ref]}
        )
        page = reader.call(SOURCE, "elbv2", "DescribeLoadBalancers", ref, **params)
        for item in (page or {}).get("LoadBalancers", []):
            _lb(inv, item)


def target_groups(reader: Reader, inv: Inventory, refs: list[str], *, by_name: bool = False) -> None:
    for ref in refs:
        if ref.startswith("lb:"):
            params: dict[str, Any] = {"LoadBalancerArn": ref[3:]}
        elif by_name:
            params = {"Names": [ref.split("/")[1] if "/" in ref else ref]}
        else:
            params = {"TargetGroupArns": [ref]}
        groups, _ = reader.pages(
            SOURCE,
            "elbv2",
            "DescribeTargetGroups",
            "TargetGroups",
            max_items=400,
            target=ref,
            in_token="Marker",
            out_token="NextMarker",
            **params,
        )
        for group in groups:
            _target_group(reader, inv, group)


def _target_group(reader: Reader, inv: Inventory, group: dict[str, Any]) -> None:
    if not inv.add("elbv2", "TargetGroup", group):
        return
    arn = group["TargetGroupArn"]
    inv.names.add(group["TargetGroupName"])
    dimension = arn.split(":", 5)[5]  # "targetgroup/<name>/<id>"
    for lb_arn in group.get("LoadBalancerArns", []):
        inv.metric_refs.add(("target_group", dimension, lb_arn.split(":loadbalancer/", 1)[1]))
    inv.want("load_balancer", group.get("LoadBalancerArns", []))
    page = reader.call(SOURCE, "elbv2", "DescribeTargetHealth", arn, TargetGroupArn=arn)
    for desc in (page or {}).get("TargetHealthDescriptions", []):
        inv.event(
            "target_health",
            {
                "target_group_arn": arn,
                "target": desc["Target"],
                "health": desc.get("TargetHealth", {}),
                "timestamp": None,  # stamped with the capture's `now` by the snapshot
            },
        )
        if group.get("TargetType") == "instance":
            inv.want("instance", [desc["Target"]["Id"]])


def listeners(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """A load balancer's listeners (`lb:<arn>`), or listeners by ARN, and the certificates they present."""
    for ref in refs:
        params: dict[str, Any] = (
            {"LoadBalancerArn": ref[3:]} if ref.startswith("lb:") else {"ListenerArns": [ref]}
        )
        found, _ = reader.pages(
            SOURCE,
            "elbv2",
            "DescribeListeners",
            "Listeners",
            max_items=100,
            target=ref,
            in_token="Marker",
            out_token="NextMarker",
            **params,
        )
        for li in found:
            if inv.add("elbv2", "Listener", li):
                inv.want("load_balancer", [li["LoadBalancerArn"]])
                inv.want("certificate", [c.get("CertificateArn") for c in li.get("Certificates", [])])


# --- databases, functions, containers -----------------------------------------------------------


def rds_instances(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    for rid in ids:
        page = reader.call(SOURCE, "rds", "DescribeDBInstances", rid, DBInstanceIdentifier=rid)
        for item in (page or {}).get("DBInstances", []):
            inv.add("rds", "DBInstance", item)
            inv.names.add(item["DBInstanceIdentifier"])
            inv.metric_refs.add(("rds_instance", item["DBInstanceIdentifier"], None))
            inv.want("rds_cluster", [item.get("DBClusterIdentifier")])
            inv.want(
                "security_group", [g.get("VpcSecurityGroupId") for g in item.get("VpcSecurityGroups", [])]
            )
            inv.want("secret", [(item.get("MasterUserSecret") or {}).get("SecretArn")])
            subnet_group = item.get("DBSubnetGroup", {})
            inv.want("subnet", [s.get("SubnetIdentifier") for s in subnet_group.get("Subnets", [])])
            inv.want("vpc", [subnet_group.get("VpcId")])


def rds_clusters(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    for cid in ids:
        page = reader.call(SOURCE, "rds", "DescribeDBClusters", cid, DBClusterIdentifier=cid)
        for item in (page or {}).get("DBClusters", []):
            inv.add("rds", "DBCluster", item)
            inv.names.add(item["DBClusterIdentifier"])
            inv.metric_refs.add(("rds_cluster", item["DBClusterIdentifier"], None))
            inv.want(
                "rds_instance", [m.get("DBInstanceIdentifier") for m in item.get("DBClusterMembers", [])]
            )
            inv.want(
                "security_group", [g.get("VpcSecurityGroupId") for g in item.get("VpcSecurityGroups", [])]
            )
            inv.want("secret", [(item.get("MasterUserSecret") or {}).get("SecretArn")])


def functions(reader: Reader, inv: Inventory, names: list[str]) -> None:
    for name in names:
        item = reader.call(SOURCE, "lambda", "GetFunctionConfiguration", name, FunctionName=name)
        if item is None:
            continue
        item = hide_environment({k: v for k, v in item.items() if k != "ResponseMetadata"})
        fname = item["FunctionName"]
        inv.add("lambda", "FunctionConfiguration", item)
        inv.names.add(fname)
        inv.metric_refs.add(("lambda", fname, None))
        inv.want("role", [str(item.get("Role", "")).rsplit("/", 1)[-1]])
        vpc = item.get("VpcConfig", {})
        inv.want("subnet", vpc.get("SubnetIds", []))
        inv.want("security_group", vpc.get("SecurityGroupIds", []))
        mappings(reader, inv, fname, FunctionName=fname)
        dead_letter = (item.get("DeadLetterConfig") or {}).get("TargetArn", "")
        if ":sqs:" in dead_letter:
            inv.want("sqs_queue", [dead_letter])
        concurrency = reader.call(SOURCE, "lambda", "GetFunctionConcurrency", fname, FunctionName=fname)
        if concurrency and "ReservedConcurrentExecutions" in concurrency:
            inv.add(
                "lambda",
                "FunctionConcurrency",
                {
                    "FunctionName": fname,
                    "ReservedConcurrentExecutions": concurrency["ReservedConcurrentExecutions"],
                },
            )


def mappings(reader: Reader, inv: Inventory, target: str, **params: str) -> None:
    """Lambda event-source mappings of a function or a source, and the queues they read."""
    found, _ = reader.pages(
        SOURCE,
        "lambda",
        "ListEventSourceMappings",
        "EventSourceMappings",
        max_items=MAX_MAPPINGS,
        target=target,
        in_token="Marker",
        out_token="NextMarker",
        **params,
    )
    for m in found:
        inv.add("lambda", "EventSourceMappingConfiguration", m)
        source = str(m.get("EventSourceArn", ""))
        if ":sqs:" in source:
            inv.want("sqs_queue", [source])
        elif ":kinesis:" in source and ":stream/" in source:
            inv.want("kinesis_stream", [source])
        function = str(m.get("FunctionArn", "")).split(":function:")[-1].split(":")[0]
        inv.want("lambda", [function])


def queues(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """SQS queues by URL, ARN or name: attributes and tags (never messages), their dead-letter queues,
    the queues that dead-letter into them and the functions that consume them."""
    for ref in refs:
        if ref.startswith(("https://", "http://")):
            url = ref
        else:
            params = {"QueueName": ref}
            if ref.startswith("arn:"):
                parts = ref.split(":", 5)
                params = {"QueueName": parts[5], "QueueOwnerAWSAccountId": parts[4]}
            found = reader.call(SOURCE, "sqs", "GetQueueUrl", ref, **params)
            if not found:
                continue
            url = found["QueueUrl"]
        page = reader.call(SOURCE, "sqs", "GetQueueAttributes", url, QueueUrl=url, AttributeNames=["All"])
        if page is None:
            continue
        attrs = page.get("Attributes", {})
        tags = (reader.call(SOURCE, "sqs", "ListQueueTags", url, QueueUrl=url) or {}).get("Tags", {})
        if not inv.add("sqs", "Queue", {"QueueUrl": url, "Attributes": attrs, "Tags": tags}):
            continue
        name = url.rstrip("/").rsplit("/", 1)[-1]
        inv.names.add(name)
        inv.metric_refs.add(("sqs_queue", name, None))
        dlq, _ = redrive_of(attrs)
        inv.want("sqs_queue", [dlq])
        sources, _ = reader.pages(
            SOURCE,
            "sqs",
            "ListDeadLetterSourceQueues",
            "queueUrls",
            max_items=MAX_MAPPINGS,
            target=url,
            QueueUrl=url,
            MaxResults=MAX_MAPPINGS,
        )
        inv.want("sqs_queue", sources)
        if attrs.get("QueueArn"):
            mappings(reader, inv, url, EventSourceArn=attrs["QueueArn"])


def topics(reader: Reader, inv: Inventory, arns: list[str]) -> None:
    """SNS topics with their subscriptions' attributes (filter policies, redrive); never messages."""
    for arn in arns:
        page = reader.call(SOURCE, "sns", "GetTopicAttributes", arn, TopicArn=arn)
        if page is None:
            continue
        computed = ("TopicArn", "SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted")
        attrs = {k: v for k, v in page.get("Attributes", {}).items() if k not in computed}
        if not inv.add("sns", "Topic", {"TopicArn": arn, "Attributes": attrs}):
            continue
        inv.names.add(arn.rsplit(":", 1)[-1])
        subs, _ = reader.pages(
            SOURCE,
            "sns",
            "ListSubscriptionsByTopic",
            "Subscriptions",
            max_items=MAX_MAPPINGS,
            target=arn,
            TopicArn=arn,
        )
        for sub in subs:
            own: dict[str, str] = {}
            if sub["SubscriptionArn"] != "PendingConfirmation":
                got = reader.call(
                    SOURCE, "sns", "GetSubscriptionAttributes", arn, SubscriptionArn=sub["SubscriptionArn"]
                )
                listed = ("SubscriptionArn", "TopicArn", "Protocol", "Endpoint", "Owner")
                own = {k: v for k, v in (got or {}).get("Attributes", {}).items() if k not in listed}
            inv.add("sns", "Subscription", {**{k: sub[k] for k in listed_keys(sub)}, "Attributes": own})
            endpoint = str(sub.get("Endpoint", ""))
            if ":sqs:" in endpoint:
                inv.want("sqs_queue", [endpoint])
            elif ":function:" in endpoint:
                inv.want("lambda", [endpoint.split(":function:")[1].split(":")[0]])


def listed_keys(sub: dict[str, Any]) -> list[str]:
    return [k for k in ("SubscriptionArn", "TopicArn", "Protocol", "Endpoint", "Owner") if k in sub]


def roles(reader: Reader, inv: Inventory, names: list[str]) -> None:
    """IAM roles that resources act as, with their inline and attached policies (AccessDenied causes)."""
    for name in names:
        page = reader.call(SOURCE, "iam", "GetRole", name, RoleName=name)
        if not page or "Role" not in page:
            continue
        role = dict(page["Role"])
        document = role.get("AssumeRolePolicyDocument")
        if isinstance(document, dict):
            # botocore decodes the document; the Role shape (and IAM's wire form) is URL-encoded JSON
            role["AssumeRolePolicyDocument"] = quote(json.dumps(document), safe="")
        inv.add("iam", "Role", role)
        inline, _ = reader.pages(
            SOURCE,
            "iam",
            "ListRolePolicies",
            "PolicyNames",
            max_items=MAX_POLICIES,
            target=name,
            in_token="Marker",
            out_token="Marker",
            RoleName=name,
        )
        for policy in inline:
            got = reader.call(SOURCE, "iam", "GetRolePolicy", name, RoleName=name, PolicyName=policy)
            if got:
                inv.add(
                    "iam",
                    "RoleInlinePolicy",
                    {"RoleName": name, "PolicyName": policy, "PolicyDocument": got["PolicyDocument"]},
                )
        attached, _ = reader.pages(
            SOURCE,
            "iam",
            "ListAttachedRolePolicies",
            "AttachedPolicies",
            max_items=MAX_POLICIES,
            target=name,
            in_token="Marker",
            out_token="Marker",
            RoleName=name,
        )
        for policy in attached:
            inv.add("iam", "RoleAttachedPolicy", {"RoleName": name, **policy})


def tables(reader: Reader, inv: Inventory, names: list[str]) -> None:
    for name in names:
        page = reader.call(SOURCE, "dynamodb", "DescribeTable", name, TableName=name)
        if page and "Table" in page:
            inv.add("dynamodb", "TableDescription", page["Table"])
            inv.names.add(name)
            inv.metric_refs.add(("dynamodb_table", name, None))
            inv.want("scalable", [f"dynamodb|table/{name}"])


def _ecs_ref(ref: str) -> tuple[str, str]:
    """(cluster, service) from a service ARN (long form) or "cluster/service"."""
    tail = ref.split(":service/", 1)[1] if ":service/" in ref else ref
    cluster, _, service = tail.rpartition("/")
    return cluster or "default", service


def ecs_services(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    for ref in refs:
        cluster, name = _ecs_ref(ref)
        page = reader.call(SOURCE, "ecs", "DescribeServices", ref, cluster=cluster, services=[name])
        for failure in (page or {}).get("failures", []):
            reader.report.gap(
                SOURCE, "ecs:DescribeServices", failure.get("reason", "MISSING"), "not described", ref
            )
        for service in (page or {}).get("services", []):
            inv.add("ecs", "Service", service)
            cluster_name = service["clusterArn"].rsplit("/", 1)[1]
            inv.names.update({service["serviceName"], cluster_name})
            inv.metric_refs.add(("ecs_service", service["serviceName"], cluster_name))
            inv.want("scalable", [f"ecs|service/{cluster_name}/{service['serviceName']}"])
            net = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
            inv.want("subnet", net.get("subnets", []))
            inv.want("security_group", net.get("securityGroups", []))
            inv.want("target_group", [lb.get("targetGroupArn") for lb in service.get("loadBalancers", [])])
            # Stopped tasks (kept by ECS for about an hour) carry the reasons of a crash loop.
            arns: list[str] = []
            for status in ("RUNNING", "STOPPED"):
                listed, _ = reader.pages(
                    SOURCE,
                    "ecs",
                    "ListTasks",
                    "taskArns",
                    max_items=MAX_TASKS,
                    target=ref,
                    in_token="nextToken",
                    out_token="nextToken",
                    cluster=service["clusterArn"],
                    serviceName=service["serviceName"],
                    desiredStatus=status,
                )
                arns += listed
            for chunk in chunks(arns, TASK_CHUNK):
                tasks = reader.call(
                    SOURCE, "ecs", "DescribeTasks", ref, cluster=service["clusterArn"], tasks=chunk
                )
                for task in (tasks or {}).get("tasks", []):
                    inv.add("ecs", "Task", hide_overrides(task))


def kinesis_streams(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """Kinesis streams, and the Lambda event-source mappings that read them."""
    for arn in managed.streams(reader, inv, refs):
        mappings(reader, inv, arn, EventSourceArn=arn)


# Kinds whose describe call answers an unknown name with an empty list: (kind, service, operation, key, params)
NAME_PROBES: list[tuple[str, str, str, str, Callable[[str], dict[str, Any]]]] = [
    ("asg", "autoscaling", "DescribeAutoScalingGroups", "AutoScalingGroups", lambda n: {"AutoScalingGroupNames": [n]}),
    ("rds_instance", "rds", "DescribeDBInstances", "DBInstances",
     lambda n: {"Filters": [{"Name": "db-instance-id", "Values": [n]}]}),
    ("rds_cluster", "rds", "DescribeDBClusters", "DBClusters",
     lambda n: {"Filters": [{"Name": "db-cluster-id", "Values": [n]}]}),
]  # fmt: skip


def names(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """A bare name could be many things: look for it where names are unique per account and Region."""
    for name in refs:
        before = len(inv.resources)
        hits = [
            kind
            for kind, service, operation, key, params in NAME_PROBES
            if (reader.call(SOURCE, service, operation, name, **params(name)) or {}).get(key)
        ]
        # These answer an unknown name with an error, which here only means "not this kind".
        with reader.guessing():
            load_balancers(reader, inv, [name], by_name=True)
            target_groups(reader, inv, [name], by_name=True)
            functions(reader, inv, [name])
            tables(reader, inv, [name])
            queues(reader, inv, [name])
            managed.secrets(reader, inv, [name])
            kinesis_streams(reader, inv, [name])
            managed.caches(reader, inv, [name])
            if DNS_NAME.fullmatch(name):  # a hostname: the zones that hold it
                managed.dns(reader, inv, [name])
        for kind in hits:
            inv.want(kind, [name])
        if reader.apis is None:
            reader.apis = listed(reader)
        inv.want(
            "api", [f"{kind}:{api_id}" for kind, api_id, named in reader.apis if name in (api_id, named)]
        )
        if not hits and len(inv.resources) == before:
            reader.report.gap(
                SOURCE, "resolve", "NotFound", "no resource of a supported kind has this name", name
            )


DESCRIBERS: dict[str, Callable[[Reader, Inventory, list[str]], None]] = {
    "name": names,
    "instance": instances,
    "asg": asgs,
    "load_balancer": load_balancers,
    "load_balancer_name": lambda r, i, ids: load_balancers(r, i, ids, by_name=True),
    "target_group": target_groups,
    "target_group_name": lambda r, i, ids: target_groups(r, i, ids, by_name=True),
    "listener": listeners,
    "certificate": managed.certificates,
    "rds_cluster": rds_clusters,
    "rds_instance": rds_instances,
    "lambda": functions,
    "ecs_service": ecs_services,
    "dynamodb": tables,
    "volume": volumes,
    "security_group": security_groups,
    "subnet": subnets,
    "vpc": vpcs,
    "role": roles,
    "sqs_queue": queues,
    "sns_topic": topics,
    "secret": managed.secrets,
    "vpc_endpoint": vpc_endpoints,
    "s3_bucket": managed.buckets,
    "state_machine": managed.state_machines,
    "kinesis_stream": kinesis_streams,
    "elasticache": managed.caches,
    "dns": managed.dns,
    "scalable": scalable,
    "api": apis,
}


def discover(reader: Reader, inv: Inventory, max_rounds: int = 8) -> None:
    """Describe queued resources and their neighbours until nothing new is queued."""
    for _ in range(max_rounds):
        if not any(inv.pending.get(kind) for kind in DESCRIBERS):
            break
        for kind, describe in DESCRIBERS.items():
            ids = inv.take(kind)
            if ids:
                with reader.stage(f"describing {len(ids)} {kind.replace('_', ' ')}"):
                    describe(reader, inv, ids)
    for kind, n in inv.over_cap.items():
        cap = CAPS[kind]
        reader.report.cut(
            SOURCE, f"{kind.replace('_', ' ')} resources described; the rest were not", cap, cap + n
        )
